package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"medconseil"
	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
)

const deadlinesUsage = "deadlines --db DSN [--until AAAA-MM-JJ]  |  deadlines bench [--db DSN] [--dossiers 1000000] [--dues 10000] [--runs 5]"

// runDeadlines fires every pending deadline due on or before --until (default:
// today): what an operator runs after an outage, or a test to move the clock.
// Each deadline fires once, whatever else sweeps the same database.
func runDeadlines(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "bench" {
		return runDeadlinesBench(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "deadlines", deadlinesUsage)
	var sf storeFlags
	sf.register(fs, e, "")
	until := fs.String("until", "", "déclenche les échéances dues jusqu'à cette date incluse (AAAA-MM-JJ ; défaut : aujourd'hui)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("argument %q inattendu : %s", fs.Arg(0), deadlinesUsage))
	}
	day := medconseil.DateOf(time.Now())
	if *until != "" {
		d, err := medconseil.ParseDate(*until)
		if err != nil {
			return usageError("--until : " + message(err))
		}
		day = d
	}
	// An accord tacite or a reconnaissance implicite writes its letters
	// (docs/courriers.md), stored encrypted: the keys are needed.
	db, err := sf.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	res, err := db.FireDeadlines(ctx, day)
	if err == nil {
		// And the deadlines of the control procedures (MSO/MSAP, indus, pénalités, contentieux).
		var n int
		n, err = db.FireControleDeadlines(ctx, day)
		res.Fired += n
	}
	fmt.Fprintf(e.stdout, "Échéances dues jusqu'au %s : %d déclenchée(s), %d annulée(s) (dossier déjà passé à un autre état), %d en échec, %d à reprendre (dossier verrouillé) — %s\n",
		day.Francais(), res.Fired, res.Cancelled, res.Failed, res.Busy, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return err
	}
	// The letters of the tacit decisions, rendered after the sweep (outbox:
	// docs/courriers.md), with any an earlier run left pending.
	start = time.Now()
	cr, err := db.RenderCourriers(ctx)
	fmt.Fprintf(e.stdout, "Courriers des décisions tacites : %d décision(s), %d courrier(s) rendu(s), %d en échec — %s\n",
		cr.Rendered, cr.Courriers, cr.Failed, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return err
	}
	if cr.Failed > 0 {
		return fmt.Errorf("%d décision(s) dont les courriers n'ont pu être rendus : l'erreur est enregistrée (table courrier_a_rendre, colonne erreur) et le rendu sera retenté", cr.Failed)
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d échéance(s) en échec : l'erreur est enregistrée sur chacune (table echeance, colonne erreur) et elles seront retentées", res.Failed)
	}
	return nil
}

// runDeadlinesBench measures the deadline sweep over a large number of open
// dossiers: it files --dossiers open dossiers (transport, AT/MP, LPP, kiné mixed),
// each with one pending legal deadline; --dues of them fall due on each of --runs
// consecutive days and the others later. Each run sweeps one more day through the
// real FireDeadlines (claim, state change, cancellations, journal entry per
// firing) and reports its duration; a last sweep with nothing due measures the
// cost of looking.
func runDeadlinesBench(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "deadlines bench", "deadlines bench [--db DSN] [--dossiers 1000000] [--dues 10000] [--runs 5]")
	var sf storeFlags
	sf.register(fs, e, "")
	n := fs.Int("dossiers", 1_000_000, "dossiers ouverts, chacun avec une échéance en attente")
	dues := fs.Int("dues", 10_000, "échéances dues chaque jour balayé")
	runs := fs.Int("runs", 5, "balayages mesurés (un jour de plus chacun)")
	cpuProfile := fs.String("cpuprofile", "", "écrit un profil CPU des balayages dans ce fichier")
	renderFor := fs.Duration("rendu", 3*time.Second, "durée de la mesure du rendu des courriers après les balayages (0 : pas de mesure)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n <= 0 || *dues <= 0 || *runs <= 0 || *dues**runs > *n {
		return usageError("--dossiers > 0, --dues > 0, --runs > 0 et --dues × --runs ≤ --dossiers")
	}
	if sf.db == "" {
		dir, err := os.MkdirTemp("", "medconseil-bench-echeances-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		sf.db = filepath.Join(dir, "bench.db")
	}
	db, err := sf.open(ctx, e, false)
	if err != nil {
		return err
	}
	if db.Keys == nil {
		// The letters of the tacit decisions are stored encrypted: a throwaway key.
		text, err := keyring.Generate("bench", rand.Reader)
		if err != nil {
			db.Close()
			return err
		}
		if db.Keys, err = keyring.Parse(text); err != nil {
			db.Close()
			return err
		}
	}
	defer db.Close()
	first := medconseil.NewDate(2027, 3, 1)
	t0 := time.Now()
	var existing int64
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&existing)
	}); err != nil {
		return err
	}
	if existing == 0 {
		if err := seedDeadlineBench(ctx, db, *n, *dues, first); err != nil {
			return err
		}
	} else {
		// A base built by an earlier run is reused: its next days not swept yet.
		due, ok, err := db.OldestDue(ctx, medconseil.NewDate(9999, 12, 31))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("la base %s contient %d dossiers mais aucune échéance en attente : utilisez une base neuve", sf.db, existing)
		}
		first = due
		fmt.Fprintf(e.stdout, "base existante réutilisée (%d dossiers) : balayages à partir du %s\n", existing, first.Francais())
	}
	open, err := db.PendingDeadlines(ctx, medconseil.NewDate(9999, 12, 31))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "base %s (%s) : %d dossiers ouverts avec une échéance en attente, préparés en %s ; %d processeurs\n",
		db.Dialect(), sf.db, open, time.Since(t0).Round(time.Second), runtime.NumCPU())
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var times, cpus []time.Duration
	for i := 0; i < *runs; i++ {
		day := first.AddDays(i)
		start, cpu0 := time.Now(), cpuTime()
		res, err := db.FireDeadlines(ctx, day)
		if err == nil {
			// And the deadlines of the control procedures (MSO/MSAP, indus, pénalités, contentieux).
			var n int
			n, err = db.FireControleDeadlines(ctx, day)
			res.Fired += n
		}
		if err != nil {
			return err
		}
		d, cpu := time.Since(start), cpuTime()-cpu0
		times, cpus = append(times, d), append(cpus, cpu)
		if res.Fired != *dues || res.Failed != 0 {
			return fmt.Errorf("balayage du %s : %d déclenchées, %d en échec ; %d attendues (base construite avec un autre --dues, ou épuisée : en construire une neuve)", day.Francais(), res.Fired, res.Failed, *dues)
		}
		fmt.Fprintf(e.stdout, "balayage %d (jusqu'au %s) : %d échéances déclenchées en %s (%.0f /s), temps processeur du processus %s\n",
			i+1, day.Francais(), res.Fired, d.Round(time.Millisecond), float64(res.Fired)/d.Seconds(), cpu.Round(time.Millisecond))
	}
	start := time.Now()
	res, err := db.FireDeadlines(ctx, first.AddDays(*runs-1))
	if err != nil {
		return err
	}
	idle := time.Since(start)
	// The letters of the decisions just fired are rendered afterwards by the letter
	// worker (outbox), outside the sweep: measure its rate for a few seconds.
	rctx, cancel := context.WithTimeout(ctx, *renderFor)
	rstart, rcpu0 := time.Now(), cpuTime()
	cr, rerr := db.RenderCourriers(rctx)
	cancel()
	if rerr != nil && rctx.Err() == nil {
		return rerr
	}
	if rd := time.Since(rstart); cr.Rendered > 0 {
		fmt.Fprintf(e.stdout, "rendu des courriers (hors balayage) : %d décisions, %d courriers en %s (%.0f décisions/s), processeur %.2f ms par décision\n",
			cr.Rendered, cr.Courriers, rd.Round(time.Millisecond), float64(cr.Rendered)/rd.Seconds(), float64((cpuTime()-rcpu0).Microseconds())/1000/float64(cr.Rendered))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
	fmt.Fprintf(e.stdout, "médiane : %s (processeur %s) pour %d échéances dues parmi %d dossiers ouverts ; balayage sans échéance due : %s (%d déclenchée)\n",
		times[len(times)/2].Round(time.Millisecond), cpus[len(cpus)/2].Round(time.Millisecond), *dues, open, idle.Round(time.Millisecond), res.Fired)
	return nil
}

// seedDeadlineBench files the benchmark's dossiers and deadlines with set-based SQL
// (a million rows in seconds); the rows are what StartLifecycle writes.
//
// Every dossier's deadline falls due between first and first + n/dues days,
// exactly dues of them each day (the last day excepted): an even flow of requests
// whose délais run out, so a base built once serves n/dues days of sweeps, each
// over every dossier still open.
func seedDeadlineBench(ctx context.Context, db *sqldb.DB, n, dues int, first medconseil.Date) error {
	const nir = "185056748212337"
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	series := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) `
	from := `s`
	dueExpr := `date(?, '+' || ((k - 1) / ?) || ' days')`
	if db.Dialect() == sqldb.Postgres {
		series = ``
		from = `generate_series(1, ?) AS s(i)`
		dueExpr = `((?::date) + ((k - 1) / ?)::int)::text`
	}
	return db.Write(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES (?, '67482', ?) ON CONFLICT (nir) DO NOTHING`, nir, now); err != nil {
			return err
		}
		var base int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM dossier`).Scan(&base); err != nil {
			return err
		}
		args := []any{n, nir, now, now} // the series' bound comes first in SQLite, last in PostgreSQL
		if db.Dialect() == sqldb.Postgres {
			args = []any{nir, now, now, n}
		}
		if _, err := tx.Exec(ctx, series+`INSERT INTO dossier (type, etat, version, departement, nir, recue_le, maj_le)
			SELECT CASE i % 4 WHEN 0 THEN 'transport' WHEN 1 THEN 'atmp' WHEN 2 THEN 'lpp' ELSE 'kine' END, 'a_instruire', 1, '67', ?, ?, ? FROM `+from,
			args...); err != nil {
			return fmt.Errorf("dossiers : %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cycle (dossier_id, nature, recue)
			SELECT id, CASE type WHEN 'atmp' THEN 'accident' WHEN 'lpp' THEN 'dispositif' ELSE '' END, ? FROM dossier WHERE id > ?`,
			first.AddDays(-40), base); err != nil {
			return fmt.Errorf("cycles : %w", err)
		}
		q := `INSERT INTO echeance (dossier_id, nom, depuis, limite, due, cree_le)
			SELECT id, CASE type WHEN 'atmp' THEN 'decision_at' ELSE 'accord_tacite' END, ?, due, due, ?
			FROM (SELECT id, type, ` + dueExpr + ` AS due FROM (SELECT id, type, id - ? AS k FROM dossier WHERE id > ?) x) y`
		if _, err := tx.Exec(ctx, q, first.AddDays(-40), now, first, max(dues, 1), base, base); err != nil {
			return fmt.Errorf("échéances : %w", err)
		}
		return nil
	})
}

// cpuTime returns the CPU time (user + system) the process has used: on a loaded
// machine it tells the sweep's own cost apart from the wait for a processor.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
