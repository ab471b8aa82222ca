//go:build leakcheck

package web_test

import (
	"fmt"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// recorder is a reporter that keeps what the matrix reports.
type recorder struct{ errs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestSecretMatrixCatchesLeaks is the mutation check of the secret matrix
// (go test -tags leakcheck -run TestSecretMatrixCatchesLeaks ./internal/web/): on
// one server, the matrix first passes as is, then must fail under each deliberate
// leak of internal/sqldb/leakcheck_on.go, switched on one at a time — a clinical
// field in a 404 body, the history ignoring the policy, a list wider than the
// policy — and pass again once it is switched off.
func TestSecretMatrixCatchesLeaks(t *testing.T) {
	// The faults live in the store's code, the same on both engines: SQLite suffices.
	db := sqldbtest.SQLite(t)
	{
		fx := newMatrix(t, db)
		control := &recorder{}
		fx.runMatrix(control)
		if len(control.errs) > 0 {
			t.Fatalf("the matrix fails without any fault (%d reports), first: %s", len(control.errs), control.errs[0])
		}
		// What each fault must be caught as.
		want := map[string]string{
			"erreur-404": "LEAK",
			"historique": "LEAK",
			"liste":      "LEAK",
		}
		for _, fault := range sqldb.LeakFaults {
			rec := &recorder{}
			sqldb.SetLeakFault(fault, true)
			fx.runMatrix(rec)
			sqldb.SetLeakFault(fault, false)
			leaks := 0
			for _, e := range rec.errs {
				if strings.Contains(e, want[fault]) {
					leaks++
				}
			}
			if leaks == 0 {
				t.Errorf("fault %q: the matrix did not catch it (%d reports, none a leak)", fault, len(rec.errs))
				continue
			}
			t.Logf("%s: fault %q caught: %d reports (%d leaks), e.g. %s", db.Dialect(), fault, len(rec.errs), leaks, firstLeak(rec.errs))
		}
		after := &recorder{}
		fx.runMatrix(after)
		if len(after.errs) > 0 {
			t.Errorf("the matrix still fails with every fault off (%d reports), first: %s", len(after.errs), after.errs[0])
		}
	}
}

func firstLeak(errs []string) string {
	for _, e := range errs {
		if strings.HasPrefix(e, "LEAK") {
			return e
		}
	}
	return errs[0]
}
