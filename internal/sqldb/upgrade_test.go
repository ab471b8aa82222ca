package sqldb_test

import (
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// The fixtures are the database of the previous release (commit ad2e216: migrations
// 0001 and 0100, schema_migration without checksums) with two arrêts, a clinical
// note and an avis, made by that release's code; testdata/README.md says how.
const (
	fixtureSQLite   = "testdata/release-ad2e216.db"
	fixturePostgres = "testdata/release-ad2e216.postgres.sql"
)

// openFixture opens a copy of the previous release's database, not migrated.
func openFixture(t *testing.T, engine string) *sqldb.DB {
	t.Helper()
	var dsn string
	switch engine {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "release.db")
		src, err := os.Open(fixtureSQLite)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst, err := os.Create(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	case "postgres":
		var schema string
		dsn, schema = sqldbtest.EmptyPostgres(t)
		loadPostgresDump(t, dsn, schema, fixturePostgres)
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Keys = sqldbtest.Keys(t)
	db.AuditKey = sqldbtest.AuditKey(t)
	return db
}

// loadPostgresDump runs a plain pg_dump of the public schema into schema: psql
// meta-commands and the search_path reset are dropped, "public." is renamed.
func loadPostgresDump(t *testing.T, dsn, schema, file string) {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, `\`) || strings.Contains(line, "set_config('search_path'") || strings.HasPrefix(line, "COMMENT ON SCHEMA") {
			continue
		}
		b.WriteString(strings.ReplaceAll(line, "public.", schema+"."))
		b.WriteByte('\n')
	}
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, b.String()); err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
}

func eachEngine(t *testing.T, f func(t *testing.T, engine string)) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) { f(t, e) })
	}
}

// TestUpgradeFromPreviousRelease migrates the previous release's database forward
// on both engines: every later migration applies, the checksums get recorded, the
// old dossiers stay readable (clinical text decrypts), the journal verifies and
// keeps chaining, and intake works on the upgraded schema.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		db := openFixture(t, engine)
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("Migrate on the previous release's database: %v", err)
		}
		all, err := sqldb.Migrations(db.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		var later []string
		for _, m := range all {
			if m.Name > "0100_referentiel.sql" {
				later = append(later, m.Name)
			}
		}
		if strings.Join(applied, ",") != strings.Join(later, ",") {
			t.Errorf("applied %v, want the migrations after the release %v", applied, later)
		}
		rec, err := db.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) != len(all) {
			t.Fatalf("%d migrations recorded, want %d", len(rec), len(all))
		}
		for i, r := range rec {
			if r.Name != all[i].Name || r.SHA256 != all[i].SHA256 {
				t.Errorf("recorded %s %s, want %s %s", r.Name, r.SHA256, all[i].Name, all[i].SHA256)
			}
		}
		if n, p, err := db.VerifyAudit(ctx); err != nil || p != nil || n == 0 {
			t.Fatalf("VerifyAudit after upgrade = %d, %v, %v", n, p, err)
		}
		id, _, _, err := db.Credentials(ctx, "praticien.67")
		if err != nil {
			t.Fatal(err)
		}
		pr, err := db.ActeurByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := db.Worklist(ctx, pr, sqldb.WorklistQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("%d dossiers after upgrade, want the release's 2", len(list))
		}
		var found bool
		for _, d := range list {
			full, err := db.Dossier(ctx, pr, d.ID, sqldb.Meta{Finalite: "consultation"})
			if err != nil {
				t.Fatal(err)
			}
			if full.Arret != nil && full.Arret.Libelle == "lombalgie fixture" {
				found = true
				if len(full.Notes) != 1 || full.Notes[0].Texte != "note clinique fixture" {
					t.Errorf("notes after upgrade = %+v", full.Notes)
				}
				if full.Avis == nil || full.Avis.Motif != "avis fixture" {
					t.Errorf("avis after upgrade = %+v", full.Avis)
				}
			}
		}
		if !found {
			t.Error("the release's arrêt « lombalgie fixture » is not readable after upgrade")
		}
		if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
			t.Fatal(err)
		}
		pid, _, _, err := db.Credentials(ctx, "prescripteur.demo")
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.ActeurByID(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.CreateArret(ctx, p, arret(t, nir1, "2026-12-01", "2026-12-05", "M545", "après mise à jour", ""), sqldb.Meta{}); err != nil {
			t.Fatalf("intake after upgrade: %v", err)
		}
		if _, p, err := db.VerifyAudit(ctx); err != nil || p != nil {
			t.Fatalf("VerifyAudit after new writes = %v, %v", p, err)
		}
	})
}

// TestChangedMigrationRefused alters the checksum recorded for an applied
// migration (what a modified migration file looks like to the runner): Migrate
// refuses, in French, naming the migration; an unknown applied migration (a newer
// release's) is refused too.
func TestChangedMigrationRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		execSQL(t, db, `UPDATE schema_migration SET sha256 = ? WHERE name = ?`, strings.Repeat("ab", 32), "0001_foundation.sql")
		_, err := db.Migrate(ctx)
		var mc *sqldb.MigrationChanged
		if !errors.As(err, &mc) || mc.Name != "0001_foundation.sql" || mc.Downgrade {
			t.Fatalf("Migrate with a changed migration = %v, want MigrationChanged on 0001_foundation.sql", err)
		}
		if !strings.Contains(err.Error(), "a été modifiée depuis son application") {
			t.Errorf("message %q is not the French refusal", err)
		}
		all, _ := sqldb.Migrations(db.Dialect())
		execSQL(t, db, `UPDATE schema_migration SET sha256 = ? WHERE name = ?`, all[0].SHA256, all[0].Name)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate once restored: %v", err)
		}
		execSQL(t, db, `INSERT INTO schema_migration (name, applied_at, sha256) VALUES (?, ?, ?)`, "9999_future.sql", "2030-01-01T00:00:00Z", "00")
		_, err = db.Migrate(ctx)
		if !errors.As(err, &mc) || !mc.Downgrade || !strings.Contains(err.Error(), "inconnue de ce programme") {
			t.Fatalf("Migrate with a newer release's migration = %v", err)
		}
	})
}

func execSQL(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if err := db.Write(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, q, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
