package sqldb

import (
	"context"

	"medconseil"
)

// onFiled is called in the intake transaction of every dossier, once it is written
// and before the transaction commits. It starts the dossier's lifecycle
// (internal/lifecycle: states, transitions and legal deadlines as data; echeance.go:
// the durable scheduler), so the deadline rows commit or roll back with the dossier.
//
// The nature and the day the délais run from come from the request where its type
// has them: an AT/MP déclaration or certificat initial opens an accident or a
// maladie (30 or 120 jours francs, from the caisse's date of reception), a rechute
// its own 60 jours francs; an LPP devis de VPH its 2 months. A certificate of
// prolongation or a final certificate attached to a sinistre already filed opens no
// recognition délai: the dossier goes to instruction with the service target.
func (t *Tx) onFiled(ctx context.Context, id int64, typ medconseil.TypeDossier, recue medconseil.Date, d *medconseil.Demande) error {
	nature := ""
	switch typ {
	case medconseil.TypeATMP:
		if r := d.Date("date_reception"); !r.IsZero() && r.Before(recue) {
			recue = r
		}
		switch piece := d.Str("piece"); {
		case piece == medconseil.PieceRechute:
			nature = "rechute"
		case piece == medconseil.PieceProlongation || piece == medconseil.PieceFinal ||
			(piece == medconseil.PieceInitial && d.Has(medconseil.ChampSinistreID)):
			_, err := t.Exec(ctx, `UPDATE dossier SET etat = ? WHERE id = ?`, string(medconseil.EtatAInstruire), id)
			if err != nil {
				return medconseil.Internal(err)
			}
			return nil
		case d.Str("risque") == "mp":
			nature = "maladie"
		default:
			nature = "accident"
		}
	case medconseil.TypeLPP:
		nature = "dispositif"
		if d.Str("categorie") == "vph" {
			nature = "vph_devis"
		}
	}
	return t.StartLifecycle(ctx, id, typ, nature, recue)
}
