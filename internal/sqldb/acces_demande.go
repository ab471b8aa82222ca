package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"medconseil"
	"medconseil/internal/authz"
)

// DemandeAcces is an assuré's request for communication of the health information
// the service médical holds on him (droit d'accès, L1111-7 CSP; REGULATIONS.md §17).
type DemandeAcces struct {
	NIR medconseil.NIR
	// Recue is the day the request reached the service médical (zero: today); the
	// délais count from it.
	Recue medconseil.Date
	// Anciennes: the information asked for is more than 5 years old (2 months
	// instead of 8 days).
	Anciennes bool
}

// FileDemandeAcces files the request as a dossier of type acces_dossier
// (lifecycle acces_dossier.yaml): the 48-hour reflection period, then the 8 days
// (or 2 months) within which the communication is due, kept by the scheduler; the
// transition « communiquer » records the communication and closes it. Filed by the
// DPO (auditeur) or a praticien of the assuré's territory, for an assuré already
// known to the service médical; anyone else is refused (journaled).
func (db *DB) FileDemandeAcces(ctx context.Context, a *medconseil.Acteur, x DemandeAcces, m Meta) (int64, error) {
	if _, err := medconseil.ParseNIR(string(x.NIR)); err != nil {
		return 0, medconseil.FieldErrorf("nir", "NIR invalide : %v", err)
	}
	now := db.Now()
	today := medconseil.DateOf(now)
	if x.Recue.IsZero() {
		x.Recue = today
	}
	if x.Recue.After(today) {
		return 0, medconseil.FieldErrorf("recue_le", "la date de réception de la demande (%s) est dans le futur", x.Recue.Francais())
	}
	filer := false
	for _, h := range a.Habilitations {
		switch h.Role {
		case medconseil.RoleAuditeur, medconseil.RolePraticienConseil, medconseil.RoleMedecinChef, medconseil.RoleMedecinRegional:
			filer = true
		}
	}
	nature := "recente"
	if x.Anciennes {
		nature = "plus_5_ans"
	}
	var id int64
	var refusal error
	err := db.writeGated(ctx, func(tx *Tx) error {
		objet := "assure:" + string(x.NIR)
		var residence string
		err := tx.QueryRow(ctx, `SELECT residence FROM assure WHERE nir = ?`, string(x.NIR)).Scan(&residence)
		if errors.Is(err, sql.ErrNoRows) {
			refusal = medconseil.FieldErrorf("nir", "aucun assuré connu du service médical sous ce NIR : rien à communiquer")
			return tx.journal(ctx, a, "acces.demande", objet, 0, m, ResultRefused)
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		dep := medconseil.Assure{Residence: residence}.Departement()
		scope := authz.Scope{Type: medconseil.TypeAccesDossier, Departement: dep, NIR: x.NIR}
		if !filer || db.Policy.Classes(a, scope) == 0 {
			refusal = &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "la demande d'accès au dossier médical se dépose par le DPO ou un praticien-conseil du territoire de l'assuré"}
			return tx.journal(ctx, a, "acces.demande", objet, 0, m, ResultRefused)
		}
		st, err := db.planStart(medconseil.TypeAccesDossier, nature, x.Recue, dep)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, version, departement, nir, prescripteur, recue_le, echeance, cree_par, maj_le, employeur, decl_nom, decl_prenom, decl_naissance, decl_residence, nom_assure)
			VALUES (?, ?, 1, ?, ?, '', ?, ?, ?, ?, '', '', '', ?, ?, `+nomAssureOf+`) RETURNING id`,
			string(medconseil.TypeAccesDossier), string(st.etat), dep, string(x.NIR), ts(now), st.echeance,
			nullInt(a.ID), ts(now), medconseil.Date{}, residence, string(x.NIR)).Scan(&id); err != nil {
			return medconseil.Internal(err)
		}
		if err := tx.writeStart(ctx, id, st); err != nil {
			return err
		}
		return tx.journal(ctx, a, "dossier.depot", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	if err == nil && refusal != nil {
		return 0, refusal
	}
	return id, err
}
