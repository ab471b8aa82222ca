package sqldb

import (
	"medconseil"
)

// onFiled plans the lifecycle of every dossier filed, before its intake transaction
// (off the single writer); the intake writes the state and echeance it gives in the
// dossier's INSERT and its cycle and deadline rows (writeStart) in the same
// transaction, so the deadline rows commit or roll back with the dossier
// (internal/lifecycle: states, transitions and legal deadlines as data; echeance.go:
// the durable scheduler).
//
// The nature and the day the délais run from come from the request where its type
// has them: an AT/MP déclaration or certificat initial opens an accident or a
// maladie (30 or 120 jours francs, from the caisse's date of reception), a rechute
// its own 60 jours francs; an LPP devis de VPH its 2 months. A certificate of
// prolongation or a final certificate attached to a sinistre already filed opens no
// recognition délai: the dossier goes to instruction with the service target.
func (db *DB) onFiled(typ medconseil.TypeDossier, recue medconseil.Date, d *medconseil.Demande, dep string) (lifecycleStart, error) {
	nature, filed := "", recue
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
			return lifecycleStart{etat: medconseil.EtatAInstruire, echeance: filed.AddDays(delaiInstructionArret)}, nil
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
	return db.planStart(typ, nature, recue, dep)
}
