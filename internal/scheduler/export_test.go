package scheduler

import (
	"context"

	"medconseil"
	"medconseil/internal/sqldb"
)

// SetSweep replaces the sweep function (tests only).
func (r *Runner) SetSweep(f func(ctx context.Context, until medconseil.Date) (sqldb.SweepResult, error)) {
	r.sweep = f
}

// SetRender replaces the letter worker (tests only).
func (r *Runner) SetRender(f func(ctx context.Context) (sqldb.CourrierRenderResult, error)) {
	r.render = f
}
