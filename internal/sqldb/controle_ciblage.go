package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"medconseil"
	"medconseil/internal/controle"
)

// OpenFromCiblage opens, from one line of the targeting page (a flag of the
// profiles or an alert of the fraud rules), the procedure on that professional
// in one transaction: the line is recorded as a proposition of lot (the same
// line of the same lot is reused) and the MSO/MSAP procedure is opened from it,
// as OpenMSO does, with the RPPS that recognises the professional's arrêts
// during a MSAP. The médecin chef or régional of the professional's
// département only (2 first characters of PFS_EXE_NUM); every attempt is
// journaled.
func (db *DB) OpenFromCiblage(ctx context.Context, a *medconseil.Acteur, lot string, p controle.Proposition, rpps string, m Meta) (id int64, err error) {
	lot = strings.TrimSpace(lot)
	if lot == "" || len(lot) > 80 {
		return 0, medconseil.FieldErrorf("lot", "nom du lot manquant ou trop long (80 caractères au plus)")
	}
	if len(p.Professionnel) < 2 || len(p.Professionnel) > 32 || medconseil.DepartementNom(p.Professionnel[:2]) == "" {
		return 0, medconseil.FieldErrorf("professionnel", "numéro de professionnel « %s » : département inconnu", p.Professionnel)
	}
	if strings.TrimSpace(p.Anomalie) == "" || len(p.Anomalie) > 64 {
		return 0, medconseil.FieldErrorf("anomalie", "type d'anomalie manquant ou trop long")
	}
	rp, perr := medconseil.ParseRPPS(strings.TrimSpace(rpps))
	if perr != nil {
		return 0, medconseil.FieldErrorf("rpps", "numéro RPPS du professionnel illisible (11 chiffres) : il sert à reconnaître ses arrêts pendant une MSAP")
	}
	dep := p.Professionnel[:2]
	err = db.writeGated(ctx, func(tx *Tx) error {
		id = 0
		roles := db.Policy.ControleRoles(a, dep)
		if !slices.Contains(roles, medconseil.RoleMedecinChef) && !slices.Contains(roles, medconseil.RoleMedecinRegional) {
			if err := tx.controleJournal(ctx, a, "controle.ouverture", 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: fmt.Sprintf("le professionnel %s exerce dans le département %s (%s) : l'ouverture d'une procédure revient au médecin-conseil chef de ce département (ou au régional)", p.Professionnel, dep, medconseil.DepartementNom(dep))}}
		}
		var propID, controleID int64
		err := tx.QueryRow(ctx, `SELECT id, COALESCE(controle_id, 0) FROM controle_proposition WHERE lot = ? AND professionnel = ? AND anomalie = ?`, lot, p.Professionnel, p.Anomalie).Scan(&propID, &controleID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRow(ctx, `INSERT INTO controle_proposition (lot, professionnel, anomalie, score, explication, departement, importe_le, importe_par) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				lot, p.Professionnel, p.Anomalie, p.Score, p.Explication, dep, ts(db.Now()), a.Login).Scan(&propID); err != nil {
				return medconseil.Internal(err)
			}
		case err != nil:
			return medconseil.Internal(err)
		case controleID != 0:
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: fmt.Sprintf("ce signalement a déjà ouvert la procédure n° %d", controleID)}
		}
		objet := fmt.Sprintf("%s — score %.1f", p.Anomalie, p.Score)
		if id, err = tx.insertControle(ctx, a, controle.MSO, dep, p.Professionnel, string(rp), p.Anomalie, objet, propID, 0, 0); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE controle_proposition SET controle_id = ? WHERE id = ?`, id, propID); err != nil {
			return medconseil.Internal(err)
		}
		return tx.controleJournal(ctx, a, "controle.ouverture", id, m, ResultOK)
	})
	return id, err
}
