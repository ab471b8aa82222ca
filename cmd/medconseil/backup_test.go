package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/backup"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// newDSN returns a DSN for a database that does not exist yet: an SQLite path in
// the test's directory, or an empty PostgreSQL schema.
func newDSN(t *testing.T, engine, name string) string {
	t.Helper()
	if engine == "postgres" {
		dsn, _ := sqldbtest.EmptyPostgres(t)
		return dsn
	}
	return filepath.Join(t.TempDir(), name+".db")
}

type drillActors struct{ prescripteur, praticien *medconseil.Acteur }

func drillSetup(t *testing.T, ctx context.Context, db *sqldb.DB) drillActors {
	t.Helper()
	if _, err := migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.Keys = sqldbtest.Keys(t)
	mk := func(login string, h medconseil.Habilitation) *medconseil.Acteur {
		id, err := db.CreateUser(ctx, nil, login, login, "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", []medconseil.Habilitation{h}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.ActeurByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	return drillActors{
		prescripteur: mk("prescripteur", medconseil.Habilitation{Role: medconseil.RoleProfessionnel, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauRPPS, Code: "10001234567"}}),
		praticien:    mk("praticien", medconseil.Habilitation{Role: medconseil.RolePraticienConseil, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}),
	}
}

func drillArret(t *testing.T, i int) sqldb.ArretInput {
	t.Helper()
	nir, _ := medconseil.ParseNIR("185056748212337")
	d, _ := medconseil.ParseDate("2026-11-02")
	c, _ := medconseil.ParseCIM10("M545")
	return sqldb.ArretInput{
		Assure:       medconseil.Assure{NIR: nir, Residence: "67482"},
		Prescripteur: "10001234567",
		Arret:        medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: d, Fin: d.AddDays(10), CIM10: c, Libelle: fmt.Sprintf("libellé %d", i), Motif: fmt.Sprintf("motif clinique n° %d", i)},
	}
}

// TestBackupRestoreUnderLoad is the drill of issue 16 on both engines: backup while
// 4 clients keep filing arrêts, restore into a new database, and check that every
// write acknowledged before the backup started is there with its clinical text
// decrypting, that the counts are the manifest's and consistent across tables, and
// that the journal verifies. Then the refusals: a tampered, truncated or
// wrong-key file, and a target that is not new, leave nothing written.
func TestBackupRestoreUnderLoad(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			src := newDSN(t, engine, "source")
			dir := t.TempDir()
			// The journal's key: the SQLite default beside the base, and given to
			// every command, as an operator of PostgreSQL must.
			auditKey := filepath.Join(dir, "journal.cle")
			auditText := "audit-test:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n"
			if err := os.WriteFile(auditKey, []byte(auditText), 0o600); err != nil {
				t.Fatal(err)
			}
			if engine == "sqlite" {
				if err := os.WriteFile(src+".audit-key", []byte(auditText), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			db, err := sqldb.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.AuditKey = sqldbtest.AuditKey(t)
			ac := drillSetup(t, ctx, db)
			keyFile := filepath.Join(dir, "sauvegarde.cle")
			dataKeys := filepath.Join(dir, "donnees.cles")
			if err := os.WriteFile(dataKeys, []byte(sqldbtest.Keys(t).Text()), 0o600); err != nil {
				t.Fatal(err)
			}
			e, _, _ := testEnv("", nil)
			if err := run(ctx, e, []string{"backup", "keygen", "--out", keyFile}); err != nil {
				t.Fatal(err)
			}

			var mu sync.Mutex
			acked := map[int64]int{} // dossier id → marker
			var next atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						i := int(next.Add(1))
						id, _, err := db.CreateArret(ctx, ac.prescripteur, drillArret(t, i), sqldb.Meta{Finalite: "depot"})
						if err != nil {
							t.Errorf("intake: %v", err)
							return
						}
						mu.Lock()
						acked[id] = i
						mu.Unlock()
					}
				}()
			}
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 150 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			mu.Lock()
			before := make(map[int64]int, len(acked))
			for id, i := range acked {
				before[id] = i
			}
			mu.Unlock()
			file := filepath.Join(dir, "medconseil.sauvegarde")
			if err := run(ctx, e, []string{"backup", "--db", src, "--out", file, "--backup-key-file", keyFile, "--audit-key-file", auditKey}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // writes continue after the snapshot
			close(stop)
			wg.Wait()
			mu.Lock()
			total := len(acked)
			mu.Unlock()

			// Refusals first: each leaves the target untouched, usable for the real restore.
			dst := newDSN(t, engine, "restauree")
			good, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			otherKey := filepath.Join(dir, "autre.cle")
			if err := run(ctx, e, []string{"backup", "keygen", "--out", otherKey}); err != nil {
				t.Fatal(err)
			}
			flipped := append([]byte{}, good...)
			flipped[len(flipped)/2] ^= 0x20
			for _, c := range []struct {
				name, want string
				file       []byte
				key        string
			}{
				{"tampered", "altérée", flipped, keyFile},
				{"truncated", "tronquée", good[:len(good)-200], keyFile},
				{"wrong key", "mauvaise clé", good, otherKey},
			} {
				bad := filepath.Join(dir, c.name)
				if err := os.WriteFile(bad, c.file, 0o600); err != nil {
					t.Fatal(err)
				}
				err := run(ctx, e, []string{"restore", "--from", bad, "--db", dst, "--backup-key-file", c.key, "--audit-key-file", auditKey})
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("restore of a %s backup = %v, want a refusal saying %q", c.name, err, c.want)
				}
				assertEmpty(t, engine, dst)
			}
			if err := run(ctx, e, []string{"restore", "--from", file, "--backup-key-file", keyFile, "--check"}); err != nil {
				t.Fatalf("restore --check: %v", err)
			}
			if err := run(ctx, e, []string{"restore", "--from", file, "--db", dst, "--backup-key-file", keyFile, "--key-file", dataKeys, "--audit-key-file", auditKey}); err != nil {
				t.Fatal(err)
			}
			if err := run(ctx, e, []string{"restore", "--from", file, "--db", dst, "--backup-key-file", keyFile, "--audit-key-file", auditKey}); err == nil || !strings.Contains(err.Error(), "neuve") {
				t.Fatalf("restore into a non-empty database = %v, want a refusal", err)
			}

			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			k, _ := backup.LoadKey(keyFile)
			m, err := backup.ReadManifest(f, k)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			rdb, err := sqldb.Open(ctx, dst)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			rdb.Keys = sqldbtest.Keys(t)
			rdb.AuditKey = sqldbtest.AuditKey(t)
			var dossiers, arrets int64
			if err := rdb.Read(ctx, func(tx *sqldb.Tx) error {
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&dossiers); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM arret`).Scan(&arrets)
			}); err != nil {
				t.Fatal(err)
			}
			if dossiers != m.Count("dossier") || arrets != dossiers {
				t.Fatalf("restored %d dossiers and %d arrêts, manifest says %d dossiers", dossiers, arrets, m.Count("dossier"))
			}
			if dossiers < int64(len(before)) || dossiers > int64(total) {
				t.Fatalf("restored %d dossiers: %d were acknowledged before the backup, %d in all", dossiers, len(before), total)
			}
			for id, i := range before {
				d, err := rdb.Dossier(ctx, ac.praticien, id, sqldb.Meta{Finalite: "exploitation"})
				if err != nil {
					t.Fatalf("dossier %d acknowledged before the backup is missing after restore: %v", id, err)
				}
				if d.Arret == nil || d.Arret.Motif != fmt.Sprintf("motif clinique n° %d", i) {
					t.Fatalf("dossier %d: clinical text after restore = %+v", id, d.Arret)
				}
			}
			if n, p, err := rdb.VerifyAudit(ctx); err != nil || p != nil || n < m.LastAudit.Seq {
				t.Fatalf("audit verify after restore = %d, %v, %v (manifest: last entry %d)", n, p, err, m.LastAudit.Seq)
			}
			if a, b := indexCount(t, db), indexCount(t, rdb); a != b || a < 5 {
				t.Fatalf("%d indexes in the source, %d after restore", a, b)
			}
			// The restored database is a working one: ids resume after the restored ones.
			if _, _, err := rdb.CreateArret(ctx, ac.prescripteur, drillArret(t, -1), sqldb.Meta{}); err != nil {
				t.Fatalf("intake on the restored database: %v", err)
			}
			t.Logf("%s: %d acknowledged before the backup, %d in the backup, %d in all", engine, len(before), dossiers, total)
		})
	}
}

// assertEmpty checks that a refused restore wrote nothing.
func assertEmpty(t *testing.T, engine, dsn string) {
	t.Helper()
	if engine == "sqlite" {
		if _, err := os.Stat(dsn); err == nil {
			t.Fatalf("a refused restore created %s", dsn)
		}
		matches, _ := filepath.Glob(dsn + "*")
		if len(matches) > 0 {
			t.Fatalf("a refused restore left %v", matches)
		}
		return
	}
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a refused restore left %d relations", n)
	}
}

func indexCount(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'`
	if db.Dialect() == sqldb.Postgres {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema()`
	}
	var n int
	if err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRow(context.Background(), q).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
