// Command riverbench is the evaluation of river v0.51.2 on SQLite (riversqlite,
// modernc) for the deadline sweep (docs/perf.md): N scheduled jobs, D of them due;
// each job, as a deadline firing would, updates its dossier, writes a journal row
// and completes itself in the same transaction. It is its own module: river is not
// a dependency of medconseil.
//
//	cd tools/riverbench && go run . -n 100000 -due 10000 -workers 100
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite"
)

type Echeance struct {
	Dossier int64 `json:"dossier"`
}

func (Echeance) Kind() string { return "echeance" }

type worker struct {
	river.WorkerDefaults[Echeance]
	db   *sql.DB
	done *atomic.Int64
}

func (w *worker) Work(ctx context.Context, job *river.Job[Echeance]) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE dossier SET etat = 'accord_tacite', version = version + 1 WHERE id = ?`, job.Args.Dossier); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (objet, action) VALUES (?, 'echeance.accord_tacite')`, job.Args.Dossier); err != nil {
		return err
	}
	if _, err := river.JobCompleteTx[*riversqlite.Driver](ctx, tx, job); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.done.Add(1)
	return nil
}

func main() {
	n := flag.Int("n", 100000, "scheduled jobs")
	due := flag.Int("due", 10000, "due jobs")
	workers := flag.Int("workers", 100, "MaxWorkers")
	flag.Parse()
	ctx := context.Background()
	path := fmt.Sprintf("%s/river-%d.db", os.TempDir(), time.Now().UnixNano())
	defer os.Remove(path)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=journal_mode(WAL)&_txlock=immediate")
	check(err)
	db.SetMaxOpenConns(1) // SQLite has one writer; river's docs advise one connection
	driver := riversqlite.New(db)
	mig, err := rivermigrate.New(driver, nil)
	check(err)
	_, err = mig.Migrate(ctx, rivermigrate.DirectionUp, nil)
	check(err)
	_, err = db.Exec(`CREATE TABLE dossier (id INTEGER PRIMARY KEY, etat TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
		CREATE TABLE audit (seq INTEGER PRIMARY KEY, objet INTEGER, action TEXT)`)
	check(err)
	_, err = db.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) INSERT INTO dossier (id, etat) SELECT i, 'a_instruire' FROM s`, *n)
	check(err)
	var done atomic.Int64
	ws := river.NewWorkers()
	river.AddWorker(ws, &worker{db: db, done: &done})
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: *workers}},
		Workers:           ws,
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: 10 * time.Millisecond,
	})
	check(err)
	t0 := time.Now()
	now := time.Now()
	var params []river.InsertManyParams
	for i := 1; i <= *n; i++ {
		at := now.Add(time.Duration(1+i%60) * 24 * time.Hour)
		if i <= *due {
			at = now.Add(-time.Hour)
		}
		params = append(params, river.InsertManyParams{Args: Echeance{Dossier: int64(i)}, InsertOpts: &river.InsertOpts{ScheduledAt: at}})
		if len(params) == 1000 || i == *n {
			_, err := client.InsertManyFast(ctx, params)
			check(err)
			params = params[:0]
		}
	}
	fmt.Printf("%d jobs inserted in %s\n", *n, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	check(client.Start(ctx))
	for done.Load() < int64(*due) {
		time.Sleep(5 * time.Millisecond)
		if time.Since(t0) > 10*time.Minute {
			break
		}
	}
	d := time.Since(t0)
	fmt.Printf("river/riversqlite: %d due jobs of %d worked in %s (%.0f /s), MaxWorkers %d\n", done.Load(), *n, d.Round(time.Millisecond), float64(done.Load())/d.Seconds(), *workers)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = client.Stop(sctx)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
