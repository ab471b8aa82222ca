package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"medconseil/internal/backup"
	"medconseil/internal/sqldb"
)

const benchBackupUsage = "bench backup [--db DSN] [--dossiers 1000000] [--runs 3] [--restore-db DSN…]"

// runBenchBackup measures backup and restore of a database of N dossiers (issue 16:
// 1,000,000 dossiers backed up in ≤ 2 min and restored in ≤ 5 min). The database is
// filled to N dossiers first if it has fewer (sqldb.SeedBulk: dossiers, arrêts with
// sealed clinical text, journal entries). Each run backs up to a temporary file and
// restores it into a new database: a temporary SQLite file, or for PostgreSQL the
// empty databases given by --restore-db (one per run).
func runBenchBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "bench backup", benchBackupUsage)
	var sf storeFlags
	sf.register(fs, e, "")
	n := fs.Int("dossiers", 1000000, "nombre de dossiers de la base mesurée")
	runs := fs.Int("runs", 3, "nombre de mesures (la médiane est donnée)")
	var targets multiFlag
	fs.Var(&targets, "restore-db", "PostgreSQL : base vide où restaurer (une par mesure ; répéter le drapeau)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "medconseil-bench-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if sf.db == "" {
		sf.db = filepath.Join(dir, "source.db")
	}
	pg := sqldb.DialectOf(sf.db) == sqldb.Postgres
	if pg && len(targets) < *runs {
		return usageError(fmt.Sprintf("PostgreSQL : %d --restore-db (bases vides) nécessaires pour %d mesures", *runs, *runs))
	}
	if sf.keyFile == "" && e.getenv("MEDCONSEIL_KEYS") == "" {
		text, err := newKeyText("bench")
		if err != nil {
			return err
		}
		sf.keyFile = filepath.Join(dir, "donnees.cles")
		if err := writeKeyFile(sf.keyFile, text); err != nil {
			return err
		}
	}
	db, err := sf.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	var have int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&have)
	}); err != nil {
		return err
	}
	if have < *n {
		start := time.Now()
		fmt.Fprintf(e.stdout, "Remplissage : %d dossiers à ajouter…\n", *n-have)
		last := time.Now()
		if err := db.SeedBulk(ctx, *n-have, func(done int) {
			if time.Since(last) > 10*time.Second {
				fmt.Fprintf(e.stdout, "  %d/%d (%s)\n", done, *n-have, time.Since(start).Round(time.Second))
				last = time.Now()
			}
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Remplissage fait en %s.\n", time.Since(start).Round(time.Second))
	}
	keyText, err := backup.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	key, err := backup.ParseKey(keyText)
	if err != nil {
		return err
	}
	var bt, rt []time.Duration
	for i := 0; i < *runs; i++ {
		file := filepath.Join(dir, fmt.Sprintf("sauvegarde-%d", i))
		t0 := time.Now()
		m, err := writeBackup(ctx, db, key, file)
		if err != nil {
			return err
		}
		b := time.Since(t0)
		st, _ := os.Stat(file)
		target := filepath.Join(dir, fmt.Sprintf("restauree-%d.db", i))
		if pg {
			target = targets[i]
		}
		t1 := time.Now()
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		r, err := backup.NewReader(f, key)
		if err != nil {
			f.Close()
			return err
		}
		info, err := sqldb.Load(ctx, target, r)
		f.Close()
		if err != nil {
			return err
		}
		rdb, err := sqldb.Open(ctx, target)
		if err != nil {
			return err
		}
		_, err = rdb.Migrate(ctx)
		rdb.Close()
		if err != nil {
			return err
		}
		r2 := time.Since(t1)
		bt, rt = append(bt, b), append(rt, r2)
		fmt.Fprintf(e.stdout, "mesure %d : sauvegarde %s (%d dossiers, %d entrées de journal, fichier %.0f Mo), restauration %s\n",
			i+1, b.Round(10*time.Millisecond), info.Count("dossier"), info.Count("audit"), float64(st.Size())/1e6, r2.Round(10*time.Millisecond))
		_ = m
		if !pg {
			os.Remove(target)
		}
		os.Remove(file)
	}
	fmt.Fprintf(e.stdout, "médianes sur %d mesures (%s, %d dossiers) : sauvegarde %s (objectif ≤ 2 min), restauration %s (objectif ≤ 5 min)\n",
		*runs, db.Dialect(), *n, median(bt).Round(10*time.Millisecond), median(rt).Round(10*time.Millisecond))
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
