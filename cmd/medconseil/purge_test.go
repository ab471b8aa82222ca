package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
)

// TestPurgeCommand: the dry run lists a closed dossier past retention; the real
// purge is refused while the retention in force is « à vérifier », and runs when
// forced.
func TestPurgeCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "purge.db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ac := drillSetup(t, ctx, db)
	old, _, err := db.CreateArret(ctx, ac.prescripteur, drillArret(t, 1), sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateArret(ctx, ac.prescripteur, drillArret(t, 2), sqldb.Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE dossier SET etat = 'classee', maj_le = '1990-01-01T00:00:00.000000000Z' WHERE id = ?`, old)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e, out, errw := testEnv("", nil)
	if err := run(ctx, e, []string{"purge", "--db", path, "--dry-run"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 dossiers seraient supprimés") || !strings.Contains(out.String(), "classee") || !strings.Contains(errw.String(), "À VÉRIFIER") {
		t.Fatalf("dry run output: %s / %s", out, errw)
	}
	err = run(ctx, e, []string{"purge", "--db", path})
	if err == nil || !strings.Contains(err.Error(), "à vérifier") {
		t.Fatalf("real purge with unverified retention = %v, want a refusal", err)
	}
	e, out, _ = testEnv("", nil)
	if err := run(ctx, e, []string{"purge", "--db", path, "--forcer-valeurs-a-verifier"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 dossiers et 0 assurés supprimés") {
		t.Fatalf("purge output: %s", out)
	}
	if err := run(ctx, e, []string{"purge", "--db", filepath.Join(t.TempDir(), "absente.db"), "--dry-run"}); err == nil || !strings.Contains(err.Error(), "introuvable") {
		t.Fatalf("purge of a mistyped path = %v", err)
	}
}
