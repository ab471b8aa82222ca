package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/lifecycle"
)

// The letters of the tacit decisions are rendered outside the deadline sweep
// (outbox). Rendering the three or four PDFs of a decision costs ≈ 2.5 ms of CPU;
// inside a sweep batch it held SQLite's write lock long enough to time out
// concurrent writers and forced batches of 64. Now the sweep writes, in the
// transaction that changes the dossier, notifies the caisse and journals, one row
// of courrier_a_rendre per accord tacite or reconnaissance implicite (one INSERT
// per batch); RenderCourriers renders them afterwards:
//
//   - no letter lost: the job row commits with the decision, and stays pending until
//     a worker commits its letters; the scheduler runs the worker after every sweep,
//     so a job left by a crash or a shutdown is rendered at the next start;
//   - none twice: a job is claimed (statut attente → fait, conditional UPDATE) in
//     the transaction that writes its letters — both commit or neither; on
//     PostgreSQL concurrent workers skip the rows another one holds (SKIP LOCKED);
//     SQLite has one writer;
//   - a job that fails (a letter refused, a missing parameter) is rolled back alone
//     (savepoint), keeps its error and the time of its next attempt (the sweep's
//     backoff: one minute doubled at each failure, at most a day), and does not
//     stop the others;
//   - a cancelled context rolls back the transaction in progress: its jobs stay
//     pending, nothing half written.
//
// The letters are dated the day of the decision (date_courrier, the sweep's day),
// whenever they are rendered, so a letter rendered after a restart says the same
// as one rendered at once.

// CourrierJobBatch is the number of letter jobs rendered per transaction: a few
// milliseconds of PDF rendering each, so SQLite's writer is held ~20 ms at most.
const CourrierJobBatch = 8

// CourrierRenderResult counts what a pass of the letter worker did.
type CourrierRenderResult struct {
	Rendered  int // jobs whose letters were written
	Courriers int // letters written
	Failed    int // jobs that failed: their error is recorded, retried later
}

// enqueueCourriers writes the letter jobs of the tacit decisions of a sweep batch,
// in the batch's transaction, with one statement.
func (t *Tx) enqueueCourriers(ctx context.Context, fs []tacitFiring, now time.Time) error {
	ids := make([]int64, 0, len(fs))
	for _, f := range fs {
		if _, ok := tacitIssue(f.def); ok {
			ids = append(ids, f.echeance)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	cond, arg := t.inIDs("id", ids)
	r, err := t.Exec(ctx, `INSERT INTO courrier_a_rendre (dossier_id, echeance_id, date_courrier, cree_le, reessai_le)
		SELECT dossier_id, id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) FROM echeance WHERE `+cond, medconseil.DateOf(now), ts(now), ts(now), arg)
	if err != nil {
		return medconseil.Internal(fmt.Errorf("courriers à rendre : %w", err))
	}
	if n, _ := r.RowsAffected(); n != int64(len(ids)) {
		return medconseil.Internal(fmt.Errorf("courriers à rendre : %d lignes écrites sur %d", n, len(ids)))
	}
	return nil
}

// tacitIssue is the decision a deadline's effect makes; deadlines with another
// effect (a reminder, an expired request for documents) write no letter.
func tacitIssue(def *lifecycle.Echeance) (courrier.Issue, bool) {
	switch def.Effet {
	case lifecycle.AccordTacite:
		return courrier.IssueAccordTacite, true
	case lifecycle.ReconnaissanceImplicite:
		return courrier.IssueReconnaissanceImplicite, true
	}
	return "", false
}

// courrierJobHook, when set (tests only), runs before each job is rendered with
// the job's dossier: an error it returns fails the job.
var courrierJobHook func(ctx context.Context, dossier int64) error

type courrierJob struct {
	id, dossier int64
	typ         medconseil.TypeDossier
	nom         string          // the deadline fired
	effet, date medconseil.Date // its due day (the effect's), the decision's
	tentatives  int
}

// RenderCourriers renders the pending letter jobs whose time has come (see the top
// of this file), CourrierJobBatch per transaction, oldest first, until none is
// left. A failed job is counted, recorded and left for later; the error returned is
// a store error or ctx's, with what was committed before it.
func (db *DB) RenderCourriers(ctx context.Context) (CourrierRenderResult, error) {
	var total CourrierRenderResult
	var cursor int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var res CourrierRenderResult
		var n int
		var last int64
		err := db.Write(ctx, func(tx *Tx) error {
			res, n, last = CourrierRenderResult{}, 0, cursor
			now := db.Now()
			jobs, err := tx.courrierJobs(ctx, cursor, now)
			if err != nil {
				return err
			}
			n = len(jobs)
			for _, j := range jobs {
				if err := ctx.Err(); err != nil {
					return err
				}
				k, err := tx.renderJob(ctx, j, now)
				switch {
				case err != nil:
					res.Failed++
					if rerr := tx.recordJobFailure(ctx, j, err, now); rerr != nil {
						return rerr
					}
				case k > 0:
					res.Rendered++
					res.Courriers += k
				}
				last = j.id
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total.Rendered += res.Rendered
		total.Courriers += res.Courriers
		total.Failed += res.Failed
		cursor = last
		if n < CourrierJobBatch {
			return total, nil
		}
	}
}

// courrierJobs reads the next pending jobs after cursor whose time has come; on
// PostgreSQL they are locked, and those another worker holds are skipped.
func (t *Tx) courrierJobs(ctx context.Context, cursor int64, now time.Time) ([]courrierJob, error) {
	q := `SELECT j.id, j.dossier_id, d.type, e.nom, e.due, j.date_courrier, j.tentatives
		FROM courrier_a_rendre j JOIN echeance e ON e.id = j.echeance_id JOIN dossier d ON d.id = j.dossier_id
		WHERE j.statut = 'attente' AND j.id > ? AND j.reessai_le <= ? ORDER BY j.id LIMIT ?`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE OF j SKIP LOCKED`
	}
	rows, err := t.Query(ctx, q, cursor, ts(now), CourrierJobBatch)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []courrierJob
	for rows.Next() {
		var j courrierJob
		var typ string
		if err := rows.Scan(&j.id, &j.dossier, &typ, &j.nom, &j.effet, &j.date, &j.tentatives); err != nil {
			return nil, medconseil.Internal(err)
		}
		j.typ = medconseil.TypeDossier(typ)
		out = append(out, j)
	}
	return out, rows.Err()
}

// renderJob claims job j and writes its letters, inside a savepoint: on error
// everything it did is rolled back (journal entries included). It returns the
// number of letters written, 0 when another worker had claimed the job.
func (t *Tx) renderJob(ctx context.Context, j courrierJob, now time.Time) (n int, err error) {
	if _, err := t.Exec(ctx, "SAVEPOINT courrier_job"); err != nil {
		return 0, medconseil.Internal(err)
	}
	mark := -1
	if t.pending != nil {
		mark = len(*t.pending)
	}
	defer func() {
		if p := recover(); p != nil {
			err = medconseil.Internal(fmt.Errorf("panic rendering the letters of job %d: %v", j.id, p))
		}
		if err != nil {
			if mark >= 0 {
				*t.pending = (*t.pending)[:mark]
			}
			if _, rerr := t.Exec(context.Background(), "ROLLBACK TO SAVEPOINT courrier_job"); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := t.Exec(context.Background(), "RELEASE SAVEPOINT courrier_job"); rerr != nil && err == nil {
			err = medconseil.Internal(rerr)
		}
	}()
	if courrierJobHook != nil {
		if err := courrierJobHook(ctx, j.dossier); err != nil {
			return 0, err
		}
	}
	r, err := t.Exec(ctx, `UPDATE courrier_a_rendre SET statut = 'fait', traite_le = ?, erreur = '' WHERE id = ? AND statut = 'attente'`, ts(now), j.id)
	if err != nil {
		return 0, medconseil.Internal(err)
	}
	if k, _ := r.RowsAffected(); k == 0 {
		return 0, nil
	}
	l, ok := t.db.Lifecycle.Get(j.typ)
	if !ok {
		return 0, medconseil.Internal(fmt.Errorf("aucun cycle de vie pour le type %q", j.typ))
	}
	def, ok := l.Echeance(j.nom)
	if !ok {
		return 0, medconseil.Internal(fmt.Errorf("échéance %q absente du cycle de vie %s", j.nom, l.Fichier))
	}
	issue, ok := tacitIssue(def)
	if !ok {
		return 0, medconseil.Internal(fmt.Errorf("l'échéance %q (%s) ne produit pas de décision", j.nom, l.Fichier))
	}
	d, err := t.decisionOf(ctx, j.dossier, now)
	if err != nil {
		return 0, err
	}
	d.Issue, d.EffetAu, d.Date = issue, j.effet, j.date
	for _, s := range def.Sources {
		d.Fondement = append(d.Fondement, s.Title)
	}
	return t.addNotifications(ctx, j.dossier, d, nil, now)
}

// recordJobFailure keeps a failed job pending with its error and the time of its
// next attempt, and journals the failure.
func (t *Tx) recordJobFailure(ctx context.Context, j courrierJob, cause error, now time.Time) error {
	msg := cause.Error()
	var me *medconseil.Error
	if errors.As(cause, &me) && me.Err != nil {
		msg = me.Err.Error()
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if _, err := t.Exec(ctx, `UPDATE courrier_a_rendre SET tentatives = tentatives + 1, erreur = ?, reessai_le = ? WHERE id = ? AND statut = 'attente'`,
		msg, ts(now.Add(retryDelay(j.tentatives+1))), j.id); err != nil {
		return medconseil.Internal(err)
	}
	return t.journalAt(ctx, &medconseil.Acteur{Login: courrierLogin}, "courrier.echec", fmt.Sprintf("dossier:%d", j.dossier), 0, now)
}

// CourrierJob is a letter job as stored, for operators and tests.
type CourrierJob struct {
	ID         int64
	DossierID  int64
	EcheanceID int64
	Statut     string
	Tentatives int
	Erreur     string
}

// CourrierJobs lists the letter jobs of dossier id (every dossier when id is 0),
// oldest first.
func (db *DB) CourrierJobs(ctx context.Context, id int64) ([]CourrierJob, error) {
	var out []CourrierJob
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, dossier_id, echeance_id, statut, tentatives, erreur FROM courrier_a_rendre WHERE ? = 0 OR dossier_id = ? ORDER BY id`, id, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var j CourrierJob
			if err := rows.Scan(&j.ID, &j.DossierID, &j.EcheanceID, &j.Statut, &j.Tentatives, &j.Erreur); err != nil {
				return medconseil.Internal(err)
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}
