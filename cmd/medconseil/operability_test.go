package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medconseil/internal/demo"
	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
)

// TestMistypedDBIsRefused: only migrate and demo create a base; every other
// command refuses a path that does not exist, and creates nothing.
func TestMistypedDBIsRefused(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "medconseil-typo.db")
	for _, args := range [][]string{
		{"user", "list", "--db", typo},
		{"audit", "verify", "--db", typo},
		{"serve", "--db", typo, "--key-file", "/nonexistent"},
		{"keys", "rotate", "--db", typo, "--key-file", filepath.Join(dir, "k")},
	} {
		e, _, _ := testEnv("", nil)
		err := run(context.Background(), e, args)
		if err == nil || !strings.Contains(message(err), "base introuvable") || exitCode(err) != 2 {
			t.Errorf("%v: %v, want « base introuvable », exit 2", args, err)
		}
		if _, err := os.Stat(typo); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created %s", args, typo)
		}
	}
	migrateDB(t, typo)
	st, err := os.Stat(typo)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("base created with mode %v, want 0600", st.Mode().Perm())
	}
}

// TestFlagErrorsInFrench: the flag package's English never reaches the operator.
func TestFlagErrorsInFrench(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "list", "--nope"}, "option inconnue : -nope"},
		{[]string{"serve", "--token-days", "abc"}, "valeur \"abc\" invalide pour -token-days"},
		{[]string{"keys", "rotate", "--grace", "soon"}, "invalide pour -grace"},
		{[]string{"migrate", "--db"}, "l'option -db attend une valeur"},
	} {
		e, _, errw := testEnv("", nil)
		err := run(context.Background(), e, c.args)
		if err == nil || !strings.Contains(message(err), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
		for _, english := range []string{"flag provided", "needs an argument", "invalid value", "(default", "parse error"} {
			if strings.Contains(errw.String()+message(err), english) {
				t.Errorf("%v: English %q in %q", c.args, english, errw.String())
			}
		}
		if !strings.Contains(errw.String(), "Options :") {
			t.Errorf("%v: no French usage after the error", c.args)
		}
	}
}

// failingReader fails the test if the command reads it.
type failingReader struct{ t *testing.T }

func (f failingReader) Read([]byte) (int, error) {
	f.t.Error("rules eval read the standard input although a file was given")
	return 0, io.EOF
}

// TestRulesEvalTakesFile: the input is an argument; stdin is read only for "-" or
// a pipe, and a terminal gets an error, never a wait.
func TestRulesEvalTakesFile(t *testing.T) {
	in := filepath.Join("..", "..", "docs", "rules", "ij.example.json")
	e, out, _ := testEnv("", nil)
	e.stdin = failingReader{t}
	if err := run(context.Background(), e, []string{"rules", "eval", "ij", in}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"ruleset": "ij"`) {
		t.Errorf("output: %.200s", out.String())
	}
	body, _ := os.ReadFile(in)
	e, out2, _ := testEnv(string(body), nil)
	if err := run(context.Background(), e, []string{"rules", "eval", "ij", "-"}); err != nil || out2.String() != out.String() {
		t.Errorf("rules eval ij - : %v, output differs from the file's", err)
	}
	e, _, _ = testEnv("", nil)
	if err := run(context.Background(), e, []string{"rules", "eval", "ij", filepath.Join(t.TempDir(), "absent.json")}); err == nil || !strings.Contains(message(err), "illisible") {
		t.Errorf("missing file: %v", err)
	}
	if tty, err := os.Open("/dev/tty"); err == nil {
		defer tty.Close()
		e, _, _ = testEnv("", nil)
		e.stdin = tty
		if err := run(context.Background(), e, []string{"rules", "eval", "ij"}); err == nil || !strings.Contains(message(err), "fichier d'entrée manquant") {
			t.Errorf("terminal stdin: %v", err)
		}
	}
}

// sealedBase makes a migrated SQLite base with sealed clinical values under key
// file keys (written), and returns its path.
func sealedBase(t *testing.T, dir string) (db, keys string) {
	t.Helper()
	ctx := context.Background()
	db, keys = filepath.Join(dir, "m.db"), filepath.Join(dir, "cles")
	migrateDB(t, db)
	e, _, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"keys", "generate", "--out", keys}); err != nil {
		t.Fatal(err)
	}
	s, err := sqldb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Keys, err = keyring.Load(keys); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedDossiers(ctx, s, 5, time.Now(), 1); err != nil {
		t.Fatal(err)
	}
	return db, keys
}

// TestServeRefusesForeignKeyFile: a key file that cannot decrypt the base stops
// serve before it listens: another key under the same name, or a file lacking
// the key in use.
func TestServeRefusesForeignKeyFile(t *testing.T) {
	dir := t.TempDir()
	db, _ := sealedBase(t, dir)
	sf := storeFlags{db: db}
	s, err := sf.open(context.Background(), &env{getenv: func(string) string { return "" }}, false)
	if err != nil {
		t.Fatal(err)
	}
	inUse, _ := s.KeysInUse(context.Background())
	s.Close()
	var id string
	for k := range inUse {
		id = k
	}
	forged, _ := newKeyText(id) // same identifier, other bytes
	other, _ := newKeyText("autre")
	for name, text := range map[string]string{"forged": forged, "other": other} {
		path := filepath.Join(dir, name)
		if err := writeKeyFile(path, text); err != nil {
			t.Fatal(err)
		}
		e, _, _ := testEnv("", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := run(ctx, e, []string{"serve", "--db", db, "--key-file", path, "--addr", "127.0.0.1:0"})
		cancel()
		if err == nil || !strings.Contains(message(err), "ne démarre pas") {
			t.Errorf("%s key file: %v, want a refusal", name, err)
		}
	}
}

// TestKeyRotationWhileServing: a running server picks up the rotated file, reads
// the re-encrypted values, and seals new ones with the new key, so that
// --retire can drop the old key without losing a value.
func TestKeyRotationWhileServing(t *testing.T) {
	dir := t.TempDir()
	dbPath, keys := sealedBase(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sf := storeFlags{db: dbPath, keyFile: keys}
	env0 := &env{getenv: func(string) string { return "" }}
	db, err := sf.open(ctx, env0, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	go watchKeyFile(ctx, db, keys, 20*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	old := db.Keys.Active()

	e, out, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"keys", "rotate", "--db", dbPath, "--key-file", keys, "--retire", "--grace", "300ms"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "retirées") {
		t.Fatalf("rotate output: %s", out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for db.Keys.Active() == old && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if db.Keys.Active() == old {
		t.Fatal("the running server kept the old key")
	}
	// Every value written before and after reads with the server's keys.
	if _, err := demo.SeedDossiers(ctx, db, 3, time.Now(), 2); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckKeys(ctx, db.Keys); err != nil {
		t.Errorf("after rotation while serving: %v", err)
	}
	fresh, err := keyring.Load(keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CheckKeys(ctx, fresh); err != nil {
		t.Errorf("the key file alone no longer decrypts the base: %v", err)
	}
}
