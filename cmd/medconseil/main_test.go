package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// syncBuffer is a buffer safe to write from the server goroutine and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(stdin string, vars map[string]string) (*env, *syncBuffer, *syncBuffer) {
	out, errw := &syncBuffer{}, &syncBuffer{}
	return &env{stdin: strings.NewReader(stdin), stdout: out, stderr: errw, getenv: func(k string) string { return vars[k] }}, out, errw
}

func TestUsageAndHelp(t *testing.T) {
	e, out, _ := testEnv("", nil)
	if err := run(context.Background(), e, []string{"--help"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"serve", "demo", "migrate", "user", "audit", "version"} {
		if !strings.Contains(out.String(), c) {
			t.Errorf("usage lacks %s", c)
		}
	}
	e, _, _ = testEnv("", nil)
	err := run(context.Background(), e, []string{"nimporte"})
	if exitCode(err) != 2 {
		t.Errorf("unknown command: exit %d, want 2", exitCode(err))
	}
	for _, c := range []string{"serve", "demo", "migrate", "version"} {
		e, _, errw := testEnv("", nil)
		if err := run(context.Background(), e, []string{c, "-h"}); err == nil || exitCode(err) == 2 {
			if !strings.Contains(errw.String(), "Usage") {
				t.Errorf("%s -h: no usage (%v)", c, err)
			}
		}
	}
}

// TestAuditVerifyNamesTamperedEntry changes one byte of one journal entry directly in
// the SQLite file and expects audit verify to fail naming that entry.
func TestAuditVerifyNamesTamperedEntry(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	migrateDB(t, db)
	e, _, _ := testEnv("un-mot-de-passe\n", nil)
	if err := run(ctx, e, []string{"user", "add", "--db", db, "--login", "dpo", "--nom", "DPO", "--role", "auditeur", "--territoire", "region:44", "--password-stdin"}); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"a.b", "c.d", "e.f"} {
		e, _, _ := testEnv("un-mot-de-passe\n", nil)
		if err := run(ctx, e, []string{"user", "add", "--db", db, "--login", login, "--nom", login, "--role", "agent_cpam", "--territoire", "caisse:67", "--password-stdin"}); err != nil {
			t.Fatal(err)
		}
	}
	e, out, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"audit", "verify", "--db", db}); err != nil {
		t.Fatalf("verify of an intact journal: %v", err)
	}
	if !strings.Contains(out.String(), "4 entrées") {
		t.Errorf("verify output: %q", out.String())
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	// A careful attacker puts the trigger back, so the seal is what must catch it.
	for _, stmt := range []string{`DROP TRIGGER audit_no_update`, `UPDATE audit SET objet = 'utilisateur:c.e' WHERE seq = 3`,
		`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'x'); END`} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	e, _, _ = testEnv("", nil)
	err = run(ctx, e, []string{"audit", "verify", "--db", db})
	if err == nil || exitCode(err) == 0 || !strings.Contains(message(err), "entrée n° 3") {
		t.Fatalf("verify after tampering entry 3: %v", err)
	}
}

func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys := filepath.Join(dir, "cles")
	e, _, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"keys", "generate", "--out", keys}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(keys)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, err %v", st.Mode(), err)
	}
	e, _, _ = testEnv("", nil)
	if err := run(ctx, e, []string{"keys", "generate", "--out", keys}); err == nil {
		t.Error("generate over an existing key file succeeded")
	}
	migrateDB(t, filepath.Join(dir, "m.db"))
	e, out, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"keys", "rotate", "--db", filepath.Join(dir, "m.db"), "--grace", "10ms", "--key-file", keys, "--retire"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(keys)
	if n := strings.Count(strings.TrimSpace(string(b)), "\n"); n != 0 || !strings.Contains(out.String(), "retirées") {
		t.Errorf("after rotate --retire the file has %d extra lines; output %q", n, out.String())
	}
}

// TestDemoServes runs the demo command on a free port, reads the URL it prints, and
// checks the product answers, then stops it as Ctrl-C would.
func TestDemoServes(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	e, out, _ := testEnv("", nil)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, e, []string{"demo", "--db", filepath.Join(dir, "demo.db"), "--addr", "127.0.0.1:0", "--demo-password", "mot-de-passe-demo", "--dossiers", "8", "--log-format", "json"})
	}()
	re := regexp.MustCompile(`Adresse : (http://\S+)`)
	var url string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v", err)
		default:
		}
	}
	if url == "" {
		t.Fatalf("demo printed no URL: %q", out.String())
	}
	for _, want := range []string{"praticien.67", "cpam.67", "prescripteur.demo", "mot-de-passe-demo", "créneaux de convocation créés"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	res, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("/healthz: %d", res.StatusCode)
	}
	res, err = http.Post(url+"/api/v1/tokens", "application/json", strings.NewReader(`{"login":"cpam.67","password":"mot-de-passe-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Errorf("demo account login: %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("demo ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not shut down")
	}
}

// TestMigrateSeedsOrganisation: a production install (migrate, then serve) must be
// able to route a dossier without running demo first.
func TestMigrateSeedsOrganisation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	e, out, _ := testEnv("", nil)
	if err := run(context.Background(), e, []string{"migrate", "--db", db}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0001_foundation.sql") {
		t.Errorf("migrate output: %q", out.String())
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var echelons, sites int
	if err := raw.QueryRow(`SELECT COUNT(*) FILTER (WHERE type = 'echelon'), COUNT(*) FILTER (WHERE type = 'site') FROM organisme`).Scan(&echelons, &sites); err != nil {
		t.Fatal(err)
	}
	if echelons != 10 || sites != 18 {
		t.Errorf("after migrate: %d échelons, %d sites; want 10 and 18", echelons, sites)
	}
}

// migrateDB creates a base the way an operator does: migrate (the only command,
// with demo, that creates one).
func migrateDB(t *testing.T, db string) {
	t.Helper()
	e, _, _ := testEnv("", nil)
	if err := run(context.Background(), e, []string{"migrate", "--db", db}); err != nil {
		t.Fatal(err)
	}
}
