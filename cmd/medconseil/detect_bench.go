package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"medconseil/internal/detect"
)

// runDetectBenchPG runs the profiling SQL on DuckDB over the Parquet and on
// PostgreSQL over the same data loaded into it, checks both give the same
// profiles and prints wall-clock and CPU time (docs/perf.md).
func runDetectBenchPG(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "detect bench-pg", "detect bench-pg --data DIR --pg DSN [--charger] [--schema detect_bench] [--tours 1] [--parallele]")
	data := fs.String("data", "", "répertoire des Parquet de la région synthétique")
	dsn := fs.String("pg", os.Getenv("MEDCONSEIL_TEST_POSTGRES"), "DSN PostgreSQL (défaut : $MEDCONSEIL_TEST_POSTGRES)")
	load := fs.Bool("charger", false, "recharge les tables dans PostgreSQL (sinon seulement si le schéma est vide)")
	schema := fs.String("schema", "detect_bench", "schéma PostgreSQL des tables chargées")
	rounds := fs.Int("tours", 1, "nombre de mesures alternées DuckDB puis PostgreSQL")
	parallel := fs.Bool("parallele", false, "laisse PostgreSQL employer des workers parallèles (leur CPU n'est alors pas compté)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("argument inattendu : " + fs.Arg(0))
	}
	if *data == "" || *dsn == "" {
		return usageError("--data et --pg sont obligatoires")
	}
	duck, err := detect.Open(ctx, *data)
	if err != nil {
		return err
	}
	defer duck.Close()
	pg, err := sql.Open("pgx", *dsn)
	if err != nil {
		return fmt.Errorf("PostgreSQL : %w", err)
	}
	defer pg.Close()
	pg.SetMaxOpenConns(1) // temporary tables live in one session
	pg.SetMaxIdleConns(1)
	pg.SetConnMaxLifetime(0)
	for _, q := range []string{"CREATE SCHEMA IF NOT EXISTS " + *schema, "SET search_path = " + *schema, "SET work_mem = '256MB'"} {
		if _, err := pg.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("PostgreSQL : %s : %w", q, err)
		}
	}
	if !*parallel {
		if _, err := pg.ExecContext(ctx, "SET max_parallel_workers_per_gather = 0"); err != nil {
			return fmt.Errorf("PostgreSQL : %w", err)
		}
	}
	var n int
	if err := pg.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'er_prs_f'", *schema).Scan(&n); err != nil {
		return fmt.Errorf("PostgreSQL : %w", err)
	}
	if *load || n == 0 {
		t0 := time.Now()
		tmp, err := os.MkdirTemp("", "detect-pg-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		lines, err := detect.LoadPostgres(ctx, duck, pg, tmp, e.stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Chargement dans PostgreSQL : %d lignes ER_PRS_F, %s.\n", lines["ER_PRS_F"], time.Since(t0).Round(time.Millisecond))
	}
	var pid int
	if err := pg.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return fmt.Errorf("PostgreSQL : %w", err)
	}
	for r := 1; r <= *rounds; r++ {
		c0, t0 := detect.SelfCPU(), time.Now()
		a, err := detect.Profile(ctx, duck)
		if err != nil {
			return fmt.Errorf("DuckDB : %w", err)
		}
		dw, dc := time.Since(t0), detect.SelfCPU()
		p0, perr := detect.ProcCPU(pid)
		t1 := time.Now()
		b, err := detect.ProfileOn(ctx, pg, detect.Postgres)
		if err != nil {
			return fmt.Errorf("PostgreSQL : %w", err)
		}
		pw := time.Since(t1)
		p1, perr2 := detect.ProcCPU(pid)
		if err := detect.SameProfiles(a, b); err != nil {
			return fmt.Errorf("les deux moteurs divergent : %w", err)
		}
		dcpu := dc.Total() - c0.Total()
		fmt.Fprintf(e.stdout, "tour %d : %d prescripteurs, profils identiques.\n", r, len(a.Prescribers))
		fmt.Fprintf(e.stdout, "  DuckDB     : %8.1f s écoulées, %8.1f s CPU (processus, tous fils)\n", dw.Seconds(), dcpu.Seconds())
		if perr == nil && perr2 == nil {
			pcpu := p1.Total() - p0.Total()
			fmt.Fprintf(e.stdout, "  PostgreSQL : %8.1f s écoulées, %8.1f s CPU (processus serveur %d)\n", pw.Seconds(), pcpu.Seconds(), pid)
			if dcpu > 0 {
				fmt.Fprintf(e.stdout, "  rapport PostgreSQL / DuckDB : %.1f× en temps écoulé, %.1f× en CPU\n", pw.Seconds()/dw.Seconds(), pcpu.Seconds()/dcpu.Seconds())
			}
		} else {
			fmt.Fprintf(e.stdout, "  PostgreSQL : %8.1f s écoulées (CPU du serveur illisible : serveur distant ?)\n", pw.Seconds())
			fmt.Fprintf(e.stdout, "  rapport PostgreSQL / DuckDB : %.1f× en temps écoulé\n", pw.Seconds()/dw.Seconds())
		}
	}
	return nil
}
