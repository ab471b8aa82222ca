package sqldb_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestPostgresAppRoleCannotAlterJournal applies docs/postgres-roles.sql to a fresh
// schema migrated by the migration role, then runs the store as the application
// role: it works (accounts, intake, journal), and it cannot update, delete, truncate
// the journal, drop or disable its triggers, or alter its table.
func TestPostgresAppRoleCannotAlterJournal(t *testing.T) {
	dsn := os.Getenv(sqldbtest.EnvPostgres)
	if dsn == "" {
		t.Skip(sqldbtest.EnvPostgres + " not set")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	sfx := hex.EncodeToString(b)
	schema, app, mig := "g_"+sfx, "mc_app_"+sfx, "mc_mig_"+sfx
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	script, err := os.ReadFile("../../docs/postgres-roles.sql")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("medconseil_app", app, "medconseil_migration", mig, "SCHEMA public", "SCHEMA "+schema).Replace(string(script))
	// Cut the script where the migration must run.
	before, after, ok := strings.Cut(text, "-- ==== migrate ====")
	if !ok {
		t.Fatal("docs/postgres-roles.sql lost its migration marker")
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		for _, r := range []string{app, mig} {
			_, _ = admin.Exec("DROP OWNED BY " + r)
			_, _ = admin.Exec("DROP ROLE " + r)
		}
	})
	if _, err := admin.Exec(before); err != nil {
		t.Fatalf("roles: %v", err)
	}
	as := func(role string) string {
		u, _ := url.Parse(dsn)
		u.User = url.User(role)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	mdb, err := sqldb.Open(ctx, as(mig))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mdb.Migrate(ctx); err != nil {
		t.Fatalf("migrate as the migration role: %v", err)
	}
	mdb.Close()
	if _, err := admin.Exec("SET search_path TO " + schema + "; " + after); err != nil {
		t.Fatalf("grants: %v", err)
	}

	db, err := sqldb.Open(ctx, as(app))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Keys, db.AuditKey = sqldbtest.Keys(t), sqldbtest.AuditKey(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate as the app role with nothing to apply: %v", err)
	}
	users := actors(t, db)
	if _, _, err := db.CreateArret(ctx, users["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{}); err != nil {
		t.Fatalf("intake as the app role: %v", err)
	}
	for _, stmt := range []string{
		`UPDATE audit SET login = 'x' WHERE seq = 1`,
		`DELETE FROM audit WHERE seq = 1`,
		`TRUNCATE audit`,
		`DROP TRIGGER audit_no_update ON audit`,
		`ALTER TABLE audit DISABLE TRIGGER audit_no_update`,
		`ALTER TABLE audit DROP COLUMN divulgues`,
		`DROP TABLE audit`,
		`DELETE FROM audit_head`,
		`CREATE TABLE evil (x int)`,
		`INSERT INTO schema_migration (name, applied_at) VALUES ('x', 'y')`,
	} {
		err := db.Write(ctx, func(tx *sqldb.Tx) error { _, err := tx.Exec(ctx, stmt); return err })
		if err == nil {
			t.Errorf("app role could run %s", stmt)
		} else if !strings.Contains(err.Error(), "42501") && !strings.Contains(err.Error(), "must be owner") && !strings.Contains(err.Error(), "permission") {
			t.Errorf("%s: refused for another reason than privileges: %v", stmt, err)
		}
	}
	if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
		t.Fatalf("verify as the app role: %v %v", problem, err)
	}
	_ = medconseil.EINTERNAL
}
