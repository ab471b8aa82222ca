//go:build !leakcheck

package sqldb

import (
	"context"

	"medconseil"
)

// leakFault is always false outside the leakcheck build: the deliberate leaks of
// the secret matrix's mutation check (leakcheck_on.go) do not exist in a normal
// build, and the compiler drops the branches that test them.
func leakFault(string) bool { return false }

// leak404 is never reached outside the leakcheck build.
func (t *Tx) leak404(context.Context, *dossierRow) error { return medconseil.NotFound("Dossier") }
