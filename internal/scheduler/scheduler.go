// Package scheduler runs the durable deadlines of the dossiers: it sweeps the
// store's pending deadlines (sqldb.FireDeadlines) at start — catching up what fell
// due while the server was down — and then at a fixed interval, until its context
// ends. The deadlines themselves, and the guarantee that each fires exactly once,
// live in the database; the scheduler holds no state of its own, so any number of
// servers and "medconseil deadlines" runs may sweep the same database.
package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
)

// Runner sweeps the deadlines of a store periodically.
type Runner struct {
	DB       *sqldb.DB
	Interval time.Duration
	Log      *slog.Logger

	// Report, when set, hears of every pass: when it ended, how late the oldest
	// deadline due was at its start, how many fired, and its error (internal/ops).
	Report func(at time.Time, lag time.Duration, fired int, err error)

	// sweep is db.FireDeadlines; tests replace it to make a sweep fail.
	sweep func(ctx context.Context, until medconseil.Date) (sqldb.SweepResult, error)
	// render is db.RenderCourriers, the letter worker run after each sweep.
	render func(ctx context.Context) (sqldb.CourrierRenderResult, error)
}

// New returns a runner sweeping db every interval.
func New(db *sqldb.DB, interval time.Duration, log *slog.Logger) *Runner {
	return &Runner{DB: db, Interval: interval, Log: log, sweep: db.FireDeadlines, render: db.RenderCourriers}
}

// Run sweeps at once, then every Interval, firing the deadlines due on or before
// the store's current date. A failed sweep is logged and the next one runs at the
// next tick (the failed deadlines themselves are recorded and retried by the
// store). Run returns nil when ctx ends: a sweep in progress stops at once, its
// current batch rolled back, nothing half written.
func (r *Runner) Run(ctx context.Context) error {
	if r.Interval <= 0 {
		return errors.New("scheduler: interval must be positive")
	}
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		r.Once(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Once runs one sweep up to the store's current date, then the letter worker
// (sqldb.RenderCourriers: the letters of the tacit decisions, written outside the
// sweep's transactions — those of this sweep and any a previous run left pending,
// e.g. before a shutdown or a crash), and logs their outcome. The worker runs even
// when the sweep failed: what was committed has its letters to render.
func (r *Runner) Once(ctx context.Context) (sqldb.SweepResult, error) {
	until := medconseil.DateOf(r.DB.Now())
	start := time.Now()
	var lag time.Duration
	if due, ok, err := r.DB.OldestDue(ctx, until); err == nil && ok {
		lag = max(0, r.DB.Now().Sub(due.Time(time.UTC)))
	}
	res, err := r.sweep(ctx, until)
	if err == nil {
		// The deadlines of the control procedures (MSO/MSAP, indus, pénalités,
		// contentieux: sqldb/controle.go) in the same pass.
		var n int
		n, err = r.DB.FireControleDeadlines(ctx, until)
		res.Fired += n
	}
	if r.render != nil && ctx.Err() == nil {
		cr, rerr := r.render(ctx)
		switch {
		case rerr != nil && ctx.Err() != nil:
			r.Log.Info("courriers : rendu interrompu par l'arrêt", "rendus", cr.Rendered)
		case rerr != nil:
			r.Log.Error("courriers : rendu en échec", "erreur", rerr, "rendus", cr.Rendered)
		case cr.Failed > 0:
			r.Log.Error("courriers : rendu en échec pour certaines décisions (erreur enregistrée, nouvel essai plus tard)", "echecs", cr.Failed, "rendus", cr.Rendered)
		case cr.Rendered > 0:
			r.Log.Info("courriers : décisions tacites", "rendus", cr.Rendered, "courriers", cr.Courriers)
		}
		if err == nil && rerr != nil {
			err = rerr
		}
	}
	if r.Report != nil {
		r.Report(time.Now(), lag, res.Fired, err)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		r.Log.Info("échéances : balayage interrompu par l'arrêt", "declenchees", res.Fired)
	case err != nil:
		r.Log.Error("échéances : balayage en échec", "erreur", err, "declenchees", res.Fired)
	case res.Fired+res.Cancelled+res.Failed+res.Busy > 0:
		r.Log.Info("échéances : balayage", "jusqu_au", until.String(), "declenchees", res.Fired, "annulees", res.Cancelled,
			"echecs", res.Failed, "occupees", res.Busy, "duree", time.Since(start).String())
	}
	return res, err
}
