// Package sqldbtest opens real, migrated, empty stores for tests: an SQLite file in
// a temporary directory, and — when MEDCONSEIL_TEST_POSTGRES holds a DSN — a fresh
// PostgreSQL schema, so that one contract suite runs against both engines.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
)

// EnvPostgres names the variable holding the PostgreSQL DSN of the test server.
const EnvPostgres = "MEDCONSEIL_TEST_POSTGRES"

// Keys returns a fixed test keyring.
func Keys(t testing.TB) *keyring.Keyring {
	t.Helper()
	kr, err := keyring.Parse("test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// AuditKey returns a fixed test key for the audit journal.
func AuditKey(t testing.TB) *keyring.MACKey {
	t.Helper()
	k, err := keyring.ParseMACKey("audit-test:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// SQLite opens a migrated store in a temporary SQLite file.
func SQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "test.db"))
}

// Postgres opens a migrated store in a new schema of the test server, dropped at the
// end of the test; it skips the test when no server is configured (CI sets one).
func Postgres(t testing.TB) *sqldb.DB {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip(EnvPostgres + " not set: PostgreSQL half skipped (.ci/run sets it)")
	}
	dsn, _ = EmptyPostgres(t)
	return open(t, dsn)
}

// EmptyPostgres creates a new, empty schema on the test server, dropped at the end
// of the test, and returns a DSN whose search_path is that schema, and the schema's
// name. It skips the test when no server is configured.
func EmptyPostgres(t testing.TB) (dsn, schema string) {
	t.Helper()
	dsn = os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip(EnvPostgres + " not set: PostgreSQL half skipped (.ci/run sets it)")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func open(t testing.TB, dsn string) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	db.Keys = Keys(t)
	db.AuditKey = AuditKey(t)
	return db
}

// Each runs f as a subtest against SQLite and against PostgreSQL.
func Each(t *testing.T, f func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", SQLite}, {"postgres", Postgres}} {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			f(t, db)
		})
	}
}

// Name returns a name usable as an identifier, from a test name.
func Name(t testing.TB) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(strings.ToLower(t.Name()))
}
