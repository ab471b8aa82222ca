//go:build leakcheck

package sqldb

import (
	"context"
	"sync"

	"medconseil"
)

// The mutation check of the secret matrix (internal/web, go test -tags leakcheck):
// deliberate leaks the matrix must catch, switched on one at a time. They exist
// only in a build with the leakcheck tag, never in the binary.
//
//   - "erreur-404": a refused dossier read answers 404 with the arrêt's clinical
//     libellé in its message;
//   - "historique": the assuré's history ignores the policy (every dossier, every class);
//   - "liste": the worklist is wider than the policy (every dossier, identity,
//     administrative and decision columns).
var leakFaults sync.Map

// LeakFaults lists the faults SetLeakFault knows.
var LeakFaults = []string{"erreur-404", "historique", "liste"}

// SetLeakFault switches a deliberate leak on or off.
func SetLeakFault(name string, on bool) { leakFaults.Store(name, on) }

func leakFault(name string) bool {
	v, _ := leakFaults.Load(name)
	on, _ := v.(bool)
	return on
}

// leak404 is the "erreur-404" fault: a not-found answer carrying the clinical
// libellé of the arrêt the reader may not see.
func (t *Tx) leak404(ctx context.Context, r *dossierRow) error {
	var lib string
	if err := t.QueryRow(ctx, `SELECT libelle_enc FROM arret WHERE dossier_id = ?`, r.ID).Scan(&lib); err != nil {
		return medconseil.NotFound("Dossier")
	}
	plain, err := t.db.open("arret", r.ID, "libelle", lib)
	if err != nil {
		return medconseil.NotFound("Dossier")
	}
	return &medconseil.Error{Code: medconseil.ENOTFOUND, Message: "Dossier introuvable (" + plain + ")"}
}
