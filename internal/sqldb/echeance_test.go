package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// fileDossier inserts a dossier of type typ received on recue and starts its
// lifecycle in the same transaction, as the intake of every type does.
func fileDossier(t *testing.T, db *sqldb.DB, typ medconseil.TypeDossier, nature, recue string) int64 {
	t.Helper()
	d, err := medconseil.ParseDate(recue)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = db.Write(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', ?) ON CONFLICT (nir) DO NOTHING`, nir1, "2026-01-01T00:00:00.000000000Z"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, version, departement, nir, recue_le, maj_le) VALUES (?, 'recue', 1, '67', ?, ?, ?) RETURNING id`,
			string(typ), nir1, recue+"T09:00:00.000000000Z", recue+"T09:00:00.000000000Z").Scan(&id); err != nil {
			return err
		}
		return tx.StartLifecycle(ctx, id, typ, nature, d)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func day(t *testing.T, s string) medconseil.Date {
	t.Helper()
	d, err := medconseil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func etatOf(t *testing.T, db *sqldb.DB, id int64) (medconseil.Etat, int, string) {
	t.Helper()
	var etat string
	var version int
	var ech medconseil.Date
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT etat, version, echeance FROM dossier WHERE id = ?`, id).Scan(&etat, &version, &ech)
	}); err != nil {
		t.Fatal(err)
	}
	return medconseil.Etat(etat), version, ech.String()
}

// firings counts the journal entries of deadlines fired on dossier id.
func firings(t *testing.T, db *sqldb.DB, id int64) int {
	t.Helper()
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE objet = ? AND action LIKE 'echeance.%' AND resultat = 'ok'`, fmt.Sprintf("dossier:%d", id)).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func statuts(t *testing.T, db *sqldb.DB, id int64) map[string]string {
	t.Helper()
	es, err := db.Echeances(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range es {
		out[e.Nom] = e.Statut
	}
	return out
}

func sweep(t *testing.T, db *sqldb.DB, until string) sqldb.SweepResult {
	t.Helper()
	res, err := db.FireDeadlines(ctx, day(t, until))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestArretIntakeStartsLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		db.Now = func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.Local) }
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		etat, _, ech := etatOf(t, db, id)
		if etat != medconseil.EtatAInstruire || ech != "2026-11-09" {
			t.Errorf("after intake: %s, echeance %s; want a_instruire, 2026-11-09", etat, ech)
		}
		if got := statuts(t, db, id); got["rappel_instruction"] != "attente" {
			t.Errorf("deadlines after intake: %v", got)
		}
		if res := sweep(t, db, "2026-11-09"); res.Fired != 0 {
			t.Errorf("fired %+v on the last day of the délai", res)
		}
		if res := sweep(t, db, "2026-11-10"); res.Fired != 1 {
			t.Errorf("fired %+v the day after, want 1", res)
		}
		// A reminder changes nothing but is journaled, once.
		if etat, v, _ := etatOf(t, db, id); etat != medconseil.EtatAInstruire || v != 1 {
			t.Errorf("after reminder: %s v%d", etat, v)
		}
		if res := sweep(t, db, "2026-12-31"); res.Fired != 0 {
			t.Errorf("second sweep fired %+v", res)
		}
		if n := firings(t, db, id); n != 1 {
			t.Errorf("%d journal entries, want 1", n)
		}
	})
}

func TestTransportAccordTacite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		actors(t, db)
		id := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		if _, _, ech := etatOf(t, db, id); ech != "2026-11-17" {
			t.Errorf("echeance %s, want 2026-11-17 (15 days)", ech)
		}
		if res := sweep(t, db, "2026-11-17"); res.Fired != 0 {
			t.Errorf("fired on the 15th day: %+v", res)
		}
		if res := sweep(t, db, "2026-11-18"); res.Fired != 1 {
			t.Errorf("fired %+v on the 16th day, want 1", res)
		}
		etat, v, ech := etatOf(t, db, id)
		if etat != medconseil.EtatAccordTacite || v != 2 || ech != "" {
			t.Errorf("after silence: %s v%d echeance %q; want accord_tacite v2 none", etat, v, ech)
		}
		for i := 0; i < 3; i++ {
			sweep(t, db, "2027-12-31")
		}
		if n := firings(t, db, id); n != 1 {
			t.Errorf("%d firings journaled, want 1", n)
		}
		var finalite string
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT finalite FROM audit WHERE action = 'echeance.accord_tacite' AND objet = ?`, fmt.Sprintf("dossier:%d", id)).Scan(&finalite)
		}); err != nil {
			t.Fatal(err)
		}
		if finalite != "echeance" {
			t.Errorf("journal finalité %q, want echeance (closed list)", finalite)
		}
		if seq, prob, err := db.VerifyAudit(ctx); err != nil || prob != nil {
			t.Errorf("audit chain after firing: %d %+v %v", seq, prob, err)
		}
	})
}

func TestAvisCancelsAccordTacite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		if _, err := db.GiveAvis(ctx, as["praticien.67"], id, 1, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if got := statuts(t, db, id); got["accord_tacite"] != "annulee" {
			t.Errorf("after avis: %v, want accord_tacite annulee", got)
		}
		if res := sweep(t, db, "2027-01-31"); res.Fired != 0 {
			t.Errorf("fired %+v after the avis", res)
		}
		if etat, _, ech := etatOf(t, db, id); etat != medconseil.EtatAvisRendu || ech != "" {
			t.Errorf("after avis and sweep: %s %q", etat, ech)
		}
	})
}

func TestTransitionsStartAndCancelDeadlines(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		// Who may: the CPAM agent sees the dossier but cannot ask for documents; a
		// praticien of another département does not see it.
		_, err := db.Transition(ctx, as["cpam.67"], id, 1, "demander_pieces", sqldb.Meta{})
		if code := medconseil.ErrorCode(err); code != medconseil.EFORBIDDEN {
			t.Errorf("cpam demander_pieces: %v, want forbidden", err)
		}
		_, err = db.Transition(ctx, as["praticien.57"], id, 1, "demander_pieces", sqldb.Meta{})
		if code := medconseil.ErrorCode(err); code != medconseil.ENOTFOUND {
			t.Errorf("praticien.57: %v, want not found", err)
		}
		_, err = db.Transition(ctx, as["agent.67"], id, 1, "pieces_recues", sqldb.Meta{})
		if code := medconseil.ErrorCode(err); code != medconseil.ECONFLICT {
			t.Errorf("pieces_recues from a_instruire: %v, want conflict", err)
		}
		db.Now = func() time.Time { return time.Date(2026, 11, 5, 10, 0, 0, 0, time.Local) }
		v, err := db.Transition(ctx, as["agent.67"], id, 1, "demander_pieces", sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuts(t, db, id); got["accord_tacite"] != "annulee" {
			t.Errorf("request for documents must suspend the silence: %v", got)
		}
		if res := sweep(t, db, "2026-12-31"); res.Fired != 0 {
			t.Errorf("fired %+v while waiting for documents", res)
		}
		db.Now = func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local) }
		if _, err := db.Transition(ctx, as["agent.67"], id, v, "pieces_recues", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if etat, _, ech := etatOf(t, db, id); etat != medconseil.EtatAInstruire || ech != "2026-12-05" {
			t.Errorf("after documents: %s echeance %s, want a_instruire 2026-12-05 (15 days from the complete request)", etat, ech)
		}
		if res := sweep(t, db, "2026-12-06"); res.Fired != 1 {
			t.Errorf("fired %+v, want the accord tacite after documents", res)
		}
		if etat, _, _ := etatOf(t, db, id); etat != medconseil.EtatAccordTacite {
			t.Errorf("state %s, want accord_tacite", etat)
		}
	})
}

func TestATMPInvestigationReplacesDeadline(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeATMP, "accident", "2026-11-02")
		if _, _, ech := etatOf(t, db, id); ech != "2026-12-03" {
			t.Errorf("AT echeance %s, want 2026-12-03 (30 jours francs)", ech)
		}
		db.Now = func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local) }
		if _, err := db.Transition(ctx, as["praticien.67"], id, 1, "ouvrir_enquete", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		got := statuts(t, db, id)
		if got["decision_at"] != "annulee" || got["decision_at_apres_enquete"] != "attente" {
			t.Errorf("after enquête: %v", got)
		}
		if etat, _, ech := etatOf(t, db, id); etat != medconseil.EtatAInstruire || ech != "2027-02-01" {
			t.Errorf("after enquête: %s %s, want a_instruire 2027-02-01 (90 jf from the reception)", etat, ech)
		}
		// A nature is required for AT/MP.
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			return tx.StartLifecycle(ctx, id, medconseil.TypeATMP, "entorse", day(t, "2026-11-02"))
		})
		if medconseil.ErrorCode(err) != medconseil.EINVALID {
			t.Errorf("unknown nature: %v", err)
		}
	})
}

// TestCatchUpAfterRestart: deadlines that fell due while no server ran fire once at
// the first sweep of the next start, and never again.
func TestCatchUpAfterRestart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		actors(t, db)
		var ids []int64
		for _, d := range []string{"2026-10-01", "2026-10-10", "2026-10-20", "2026-11-30"} {
			ids = append(ids, fileDossier(t, db, medconseil.TypeTransport, "", d))
		}
		// The server stops; another process starts later on the same database.
		restarted, err := db.OpenAgain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer restarted.Close() // the first handle is closed by the test's cleanup, unused from here
		res := sweep(t, restarted, "2026-12-01")
		if res.Fired != 3 {
			t.Errorf("catch-up fired %+v, want 3", res)
		}
		if res := sweep(t, restarted, "2026-12-01"); res.Fired != 0 {
			t.Errorf("second sweep fired %+v", res)
		}
		for i, id := range ids {
			want := 1
			if i == 3 {
				want = 0
			}
			if n := firings(t, restarted, id); n != want {
				t.Errorf("dossier %d: %d firings, want %d", id, n, want)
			}
		}
	})
}

// TestConcurrentSweepsFireOnce runs two sweeps at once on two handles (two
// processes) over the same due deadlines: each fires exactly once.
func TestConcurrentSweepsFireOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		actors(t, db)
		const n = 700
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2026-01-01T00:00:00.000000000Z')`, nir1); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, departement, nir, recue_le, maj_le) VALUES ('transport', 'recue', '67', ?, '2026-11-02T09:00:00.000000000Z', '2026-11-02T09:00:00.000000000Z') RETURNING id`, nir1).Scan(&id); err != nil {
					return err
				}
				if err := tx.StartLifecycle(ctx, id, medconseil.TypeTransport, "", day(t, "2026-11-02")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.OpenAgain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		var wg sync.WaitGroup
		results := make([]sqldb.SweepResult, 2)
		errs := make([]error, 2)
		for i, h := range []*sqldb.DB{db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = h.FireDeadlines(ctx, day(t, "2026-11-18"))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Busy rows (PostgreSQL) are left for the next sweep; run it.
		rest := sweep(t, db, "2026-11-18")
		total := results[0].Fired + results[1].Fired + rest.Fired
		if total != n {
			t.Errorf("fired %d in all (%+v, %+v, then %+v), want %d", total, results[0], results[1], rest, n)
		}
		var dup, audits, pending int
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT objet FROM audit WHERE action = 'echeance.accord_tacite' GROUP BY objet HAVING COUNT(*) > 1) x`).Scan(&dup); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE action = 'echeance.accord_tacite'`).Scan(&audits); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM echeance WHERE statut = 'attente'`).Scan(&pending)
		}); err != nil {
			t.Fatal(err)
		}
		if dup != 0 || audits != n || pending != 0 {
			t.Errorf("%d dossiers fired twice, %d firings journaled (want %d), %d still pending", dup, audits, n, pending)
		}
		if _, prob, err := db.VerifyAudit(ctx); err != nil || prob != nil {
			t.Errorf("audit chain: %+v %v", prob, err)
		}
	})
}

// TestFailingDeadlineRetried: one deadline whose firing fails (its definition was
// removed from the lifecycle file) is recorded and retried; the others fire.
func TestFailingDeadlineRetried(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		actors(t, db)
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		a := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		b := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-03")
		c := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-04")
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE echeance SET nom = 'supprimee' WHERE dossier_id = ?`, b)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		res := sweep(t, db, "2026-12-01")
		if res.Fired != 2 || res.Failed != 1 {
			t.Errorf("first sweep %+v, want 2 fired 1 failed", res)
		}
		es, _ := db.Echeances(ctx, b)
		if len(es) != 1 || es[0].Statut != "attente" || es[0].Tentatives != 1 || !strings.Contains(es[0].Erreur, "supprimee") {
			t.Errorf("failed deadline recorded as %+v", es)
		}
		// Not retried before its delay.
		if res := sweep(t, db, "2026-12-01"); res.Failed != 0 || res.Fired != 0 {
			t.Errorf("immediate sweep %+v, want nothing", res)
		}
		now = now.Add(2 * time.Minute)
		if res := sweep(t, db, "2026-12-01"); res.Failed != 1 {
			t.Errorf("retry while still broken: %+v", res)
		}
		es, _ = db.Echeances(ctx, b)
		if es[0].Tentatives != 2 {
			t.Errorf("attempts %d, want 2", es[0].Tentatives)
		}
		// The lifecycle is fixed; the next retry fires it, once.
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE echeance SET nom = 'accord_tacite' WHERE dossier_id = ?`, b)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(3 * time.Minute)
		if res := sweep(t, db, "2026-12-01"); res.Fired != 1 {
			t.Errorf("retry after fix: %+v", res)
		}
		for _, id := range []int64{a, b, c} {
			if n := firings(t, db, id); n != 1 {
				t.Errorf("dossier %d fired %d times", id, n)
			}
		}
		var failures int
		_ = db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE action = 'echeance.echec' AND objet = ?`, fmt.Sprintf("dossier:%d", b)).Scan(&failures)
		})
		if failures != 2 {
			t.Errorf("%d failures journaled, want 2", failures)
		}
	})
}

// TestSweepCancellation: a sweep whose context ends commits the batches already
// done, rolls back the one in progress, and the next sweep fires the rest once.
func TestSweepCancellation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		actors(t, db)
		const n = 1100 // three batches
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2026-01-01T00:00:00.000000000Z')`, nir1); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, departement, nir, recue_le, maj_le) VALUES ('transport', 'recue', '67', ?, '2026-11-02T09:00:00.000000000Z', '2026-11-02T09:00:00.000000000Z') RETURNING id`, nir1).Scan(&id); err != nil {
					return err
				}
				if err := tx.StartLifecycle(ctx, id, medconseil.TypeTransport, "", day(t, "2026-11-02")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if res, err := db.FireDeadlines(cancelled, day(t, "2026-12-01")); !errors.Is(err, context.Canceled) || res.Fired != 0 {
			t.Errorf("cancelled before start: %+v %v", res, err)
		}
		// Cancel while the second batch runs: the clock is read once per batch.
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		calls := 0
		base := db.Now
		db.Now = func() time.Time {
			calls++
			if calls == 2 {
				cancel()
			}
			return base()
		}
		res, err := db.FireDeadlines(sctx, day(t, "2026-12-01"))
		db.Now = base
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if res.Fired != sqldb.SweepBatch {
			t.Errorf("fired %d before cancellation, want one batch (%d)", res.Fired, sqldb.SweepBatch)
		}
		var fired, journaled, states int
		_ = db.Read(ctx, func(tx *sqldb.Tx) error {
			_ = tx.QueryRow(ctx, `SELECT COUNT(*) FROM echeance WHERE statut = 'declenchee'`).Scan(&fired)
			_ = tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE action = 'echeance.accord_tacite'`).Scan(&journaled)
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier WHERE etat = 'accord_tacite'`).Scan(&states)
		})
		if fired != sqldb.SweepBatch || journaled != sqldb.SweepBatch || states != sqldb.SweepBatch {
			t.Errorf("after cancellation: %d fired rows, %d journaled, %d dossiers changed; want %d each", fired, journaled, states, sqldb.SweepBatch)
		}
		res = sweep(t, db, "2026-12-01")
		if res.Fired != n-sqldb.SweepBatch {
			t.Errorf("resumed sweep fired %d, want %d", res.Fired, n-sqldb.SweepBatch)
		}
	})
}

// TestAvisRacingSweep gives avis while a sweep fires the same dossiers' accords
// tacites: each dossier ends either with the avis (its deadline cancelled, never
// fired) or with the accord tacite (fired once, the avis refused as a conflict).
func TestAvisRacingSweep(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		const n = 600
		var ids []int64
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', '2026-01-01T00:00:00.000000000Z')`, nir1); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, departement, nir, recue_le, maj_le) VALUES ('transport', 'recue', '67', ?, '2026-11-02T09:00:00.000000000Z', '2026-11-02T09:00:00.000000000Z') RETURNING id`, nir1).Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				if err := tx.StartLifecycle(ctx, id, medconseil.TypeTransport, "", day(t, "2026-11-02")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sweeper, err := db.OpenAgain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer sweeper.Close()
		var wg sync.WaitGroup
		var sweepErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3 && sweepErr == nil; i++ {
				_, sweepErr = sweeper.FireDeadlines(ctx, day(t, "2026-11-18"))
			}
		}()
		given := map[int64]bool{}
		for i := len(ids) - 1; i >= 0; i -= 2 {
			_, err := db.GiveAvis(ctx, as["praticien.67"], ids[i], 1, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{})
			switch medconseil.ErrorCode(err) {
			case "":
				given[ids[i]] = true
			case medconseil.ECONFLICT:
			default:
				t.Fatalf("avis on %d: %v", ids[i], err)
			}
		}
		wg.Wait()
		if sweepErr != nil {
			t.Fatal(sweepErr)
		}
		sweep(t, db, "2026-11-18")
		for _, id := range ids {
			etat, _, _ := etatOf(t, db, id)
			f := firings(t, db, id)
			switch {
			case given[id] && (etat != medconseil.EtatAvisRendu || f != 0):
				t.Errorf("dossier %d: avis given but %s with %d firings", id, etat, f)
			case !given[id] && (etat != medconseil.EtatAccordTacite || f != 1):
				t.Errorf("dossier %d: no avis but %s with %d firings", id, etat, f)
			}
		}
		if _, prob, err := db.VerifyAudit(ctx); err != nil || prob != nil {
			t.Errorf("audit chain: %+v %v", prob, err)
		}
		t.Logf("%d avis given before the sweep reached their dossier, %d accords tacites", len(given), n-len(given))
	})
}

// TestDocumentsTwiceInADay: a deadline restarted from the same day re-arms its
// cancelled row (one row per dossier, deadline and start) on both engines.
func TestDocumentsTwiceInADay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		db.Now = func() time.Time { return time.Date(2026, 11, 5, 10, 0, 0, 0, time.Local) }
		v := 1
		for _, ev := range []string{"demander_pieces", "pieces_recues", "demander_pieces", "pieces_recues"} {
			var err error
			if v, err = db.Transition(ctx, as["agent.67"], id, v, ev, sqldb.Meta{}); err != nil {
				t.Fatalf("%s: %v", ev, err)
			}
		}
		if got := statuts(t, db, id); got["accord_tacite_apres_pieces"] != "attente" || got["accord_tacite"] != "annulee" {
			t.Errorf("deadlines: %v", got)
		}
		if res := sweep(t, db, "2026-11-21"); res.Fired != 1 {
			t.Errorf("fired %+v, want 1", res)
		}
	})
}
