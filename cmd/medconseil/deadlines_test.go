package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
)

// fileTransport creates a migrated store at path holding one transport DAP
// received on recue, with its lifecycle, and returns its id.
func fileTransport(t *testing.T, path, recue string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := medconseil.ParseDate(recue)
	var id int64
	err = db.Write(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, residence, cree_le) VALUES ('185056748212337', '67482', '2026-01-01T00:00:00.000000000Z') ON CONFLICT (nir) DO NOTHING`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO dossier (type, etat, departement, nir, recue_le, maj_le) VALUES ('transport', 'recue', '67', '185056748212337', ?, ?) RETURNING id`,
			recue+"T09:00:00.000000000Z", recue+"T09:00:00.000000000Z").Scan(&id); err != nil {
			return err
		}
		return tx.StartLifecycle(ctx, id, medconseil.TypeTransport, "", d)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func dossierEtat(t *testing.T, path string, id int64) string {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var etat string
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT etat FROM dossier WHERE id = ?`, id).Scan(&etat)
	}); err != nil {
		t.Fatal(err)
	}
	return etat
}

func TestDeadlinesUntil(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	id := fileTransport(t, path, "2026-11-02")
	ctx := context.Background()
	// The accord tacite writes its letters, encrypted: the command needs the keys.
	keys := filepath.Join(t.TempDir(), "cles")
	if e, _, _ := testEnv("", nil); run(ctx, e, []string{"keys", "generate", "--out", keys}) != nil {
		t.Fatal("keys generate")
	}
	if e, _, _ := testEnv("", nil); run(ctx, e, []string{"deadlines", "--db", path, "--until", "2026-11-18"}) == nil {
		t.Error("deadlines ran without the keys its letters need")
	}
	for _, tt := range []struct {
		until, want, etat string
	}{
		{"2026-11-17", "0 déclenchée(s)", "a_instruire"},
		{"18/11/2026", "1 déclenchée(s)", "accord_tacite"},
		{"2026-11-18", "0 déclenchée(s)", "accord_tacite"},
	} {
		e, out, _ := testEnv("", nil)
		if err := run(ctx, e, []string{"deadlines", "--db", path, "--key-file", keys, "--until", tt.until}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("--until %s: %q, want %q", tt.until, out.String(), tt.want)
		}
		if got := dossierEtat(t, path, id); got != tt.etat {
			t.Errorf("--until %s: state %s, want %s", tt.until, got, tt.etat)
		}
	}
	e, _, _ := testEnv("", nil)
	err := run(ctx, e, []string{"deadlines", "--db", path, "--until", "2026-02-30"})
	if exitCode(err) != 2 || !strings.Contains(message(err), "impossible") {
		t.Errorf("bad date: %v (exit %d)", err, exitCode(err))
	}
}

// TestServeSweepsDeadlines: a deadline that fell due while no server ran fires when
// the server starts, and the sweep stops with the server.
func TestServeSweepsDeadlines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.db")
	id := fileTransport(t, path, "2025-01-06")
	keys := filepath.Join(dir, "cles")
	e, _, _ := testEnv("", nil)
	if err := run(context.Background(), e, []string{"keys", "generate", "--out", keys}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e, _, errw := testEnv("", nil)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, e, []string{"serve", "--db", path, "--key-file", keys, "--addr", "127.0.0.1:0", "--deadlines-interval", "50ms", "--log-format", "json"})
	}()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(errw.String(), "échéances : balayage"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep logged: %s", errw.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if got := dossierEtat(t, path, id); got != "accord_tacite" {
		t.Errorf("state %s, want accord_tacite", got)
	}
}
