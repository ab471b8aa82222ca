package sqldb

import (
	"context"

	"medconseil"
)

// TableauVariants computes a's dashboard three ways: from the counters (folding
// the PostgreSQL movements first), from the counters without folding, and from
// the raw tables. Nothing is journaled.
func TableauVariants(ctx context.Context, db *DB, a *medconseil.Acteur, q TableauQuery) (compteurs, nonReportes, brut *Tableau, err error) {
	scope, _ := db.Policy.Dashboard(a)
	if nonReportes, err = db.tableauLire(ctx, scope, q); err != nil {
		return
	}
	if compteurs, err = db.tableauCompteurs(ctx, scope, q); err != nil {
		return
	}
	brut, err = db.tableauBrut(ctx, scope, q)
	return
}
