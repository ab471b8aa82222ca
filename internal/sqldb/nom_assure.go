package sqldb

import (
	"context"

	"medconseil"
)

// nomAssureOf is the SQL value of dossier.nom_assure at the dossier's INSERT: the
// registered name of its assuré (one parameter, the NIR). The assure row exists
// before its dossiers (foreign key), so the name is there to copy.
const nomAssureOf = `COALESCE((SELECT s.nom FROM assure s WHERE s.nir = ?), '')`

// syncNomAssure copies a changed registered name onto the assuré's dossiers
// (dossier.nom_assure, migration 0930: the worklist searches and sorts on it), in
// the transaction that changes the identity.
func (t *Tx) syncNomAssure(ctx context.Context, nir medconseil.NIR, nom string) error {
	if _, err := t.Exec(ctx, `UPDATE dossier SET nom_assure = ? WHERE nir = ? AND nom_assure <> ?`, nom, string(nir), nom); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}
