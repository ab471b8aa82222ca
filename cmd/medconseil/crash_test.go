package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb/sqldbtest"
)

// The crash harness (issue 8): the real binary under concurrent intake, killed with
// SIGKILL at random moments, restarted; every request whose answer was lost is sent
// again with its Idempotency-Key. At the end: every acknowledged arrêt is there (0
// lost), each key made exactly one dossier (0 duplicates), and « audit verify »
// passes against the checkpoints written before the kills.

const crashCycles = 10

func TestCrashSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash harness skipped in -short")
	}
	dir := t.TempDir()
	crashHarness(t, dir, filepath.Join(dir, "crash.db"))
}

func TestCrashPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("crash harness skipped in -short")
	}
	dsn := os.Getenv(sqldbtest.EnvPostgres)
	if dsn == "" {
		t.Skip(sqldbtest.EnvPostgres + " not set: PostgreSQL crash harness skipped (.ci/run sets it)")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "crash_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	crashHarness(t, t.TempDir(), u.String())
}

// buildBinary builds the real medconseil binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "medconseil-crash-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "medconseil")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

func crashHarness(t *testing.T, dir, dsn string) {
	bin := buildBinary(t)
	keys, auditKey, points := filepath.Join(dir, "cles"), filepath.Join(dir, "audit.key"), filepath.Join(dir, "points")
	env := append(os.Environ(), "MEDCONSEIL_DB="+dsn, "MEDCONSEIL_KEY_FILE="+keys, "MEDCONSEIL_AUDIT_KEY_FILE="+auditKey, "MEDCONSEIL_AUDIT_CHECKPOINTS="+points,
		"MEDCONSEIL_AUDIT_CHECKPOINT_INTERVAL=100ms") // checkpoints written between kills must hold
	cli := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("medconseil %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	cli("", "keys", "generate", "--out", keys)
	cli("", "audit", "key", "--out", auditKey)
	cli("", "migrate")
	cli("un-mot-de-passe-solide\n", "user", "add", "--login", "prescripteur.crash", "--nom", "Dr Crash", "--role", "professionnel_sante", "--territoire", "rpps:10001234567", "--password-stdin")
	token := strings.TrimSpace(cli("", "user", "token", "--login", "prescripteur.crash"))

	client := &http.Client{Timeout: 10 * time.Second}
	acked := map[string]int64{} // idempotency key → dossier id acknowledged
	var unknown []string        // keys sent whose answer was lost in a kill
	var mu sync.Mutex
	next := 0
	post := func(base, key string) (int64, bool) {
		n := 0
		fmt.Sscanf(strings.TrimPrefix(key, "crash-"), "%d", &n)
		nir, _ := medconseil.NIRWithKey(fmt.Sprintf("1850567482%03d", 1+n%999))
		b, _ := json.Marshal(map[string]any{"nir": nir, "residence": "67482", "prescripteur": "10001234567", "nature": "initial",
			"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "motif": "douleur " + key})
		req, _ := http.NewRequest("POST", base+"/api/v1/arrets", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		res, err := client.Do(req)
		if err != nil {
			return 0, false
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 201 && res.StatusCode != 200 {
			if res.StatusCode >= 500 {
				return 0, false // e.g. the store closing: not acknowledged, sent again
			}
			t.Errorf("POST %s: %d %s", key, res.StatusCode, body)
			return 0, false
		}
		var out struct{ ID int64 }
		if err := json.Unmarshal(body, &out); err != nil || out.ID == 0 {
			t.Errorf("POST %s: body %s", key, body)
			return 0, false
		}
		return out.ID, true
	}
	start := time.Now()
	for cycle := 0; cycle < crashCycles; cycle++ {
		port := freePort(t)
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		srv := exec.Command(bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
		srv.Env = env
		var logs bytes.Buffer
		srv.Stdout, srv.Stderr = &logs, &logs
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, base, &logs)
		// Requests whose answer a kill swallowed are sent again first, with their key.
		retry := unknown
		unknown = nil
		for _, k := range retry {
			id, ok := post(base, k)
			if !ok {
				unknown = append(unknown, k)
				continue
			}
			acked[k] = id
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					next++
					key := fmt.Sprintf("crash-%d", next)
					mu.Unlock()
					id, ok := post(base, key)
					mu.Lock()
					if ok {
						acked[key] = id
					} else {
						unknown = append(unknown, key)
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(300+cycle*37%400) * time.Millisecond)
		if err := srv.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		_ = srv.Wait()
		close(stop)
		wg.Wait()
		if t.Failed() {
			t.Fatalf("cycle %d, server log:\n%s", cycle, logs.String())
		}
	}
	// Last start: resolve what is still unknown, then stop cleanly.
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	srv := exec.Command(bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	srv.Env = env
	var logs bytes.Buffer
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, base, &logs)
	for _, k := range unknown {
		id, ok := post(base, k)
		if !ok {
			t.Fatalf("key %s still unanswered after restart", k)
		}
		acked[k] = id
	}
	_ = srv.Process.Signal(os.Interrupt)
	_ = srv.Wait()

	// 0 lost, 0 duplicates: one dossier per key, each acknowledged id present.
	ids := map[int64]string{}
	for k, id := range acked {
		if other, dup := ids[id]; dup {
			t.Errorf("keys %s and %s were answered the same dossier %d", k, other, id)
		}
		ids[id] = k
	}
	stored := storedDossiers(t, dsn)
	for id, k := range ids {
		if !stored[id] {
			t.Errorf("acknowledged dossier %d (key %s) lost", id, k)
		}
	}
	if len(stored) != len(ids) {
		t.Errorf("%d dossiers stored for %d idempotency keys: duplicates or phantom writes", len(stored), len(ids))
	}
	out := cli("", "audit", "verify")
	if !strings.Contains(out, "intègre") || !strings.Contains(out, "points de contrôle signés concordent") {
		t.Errorf("audit verify: %s", out)
	}
	t.Logf("%d cycles, %d arrêts acknowledged, %d dossiers stored, %s; %s", crashCycles, len(acked), len(stored), time.Since(start).Round(time.Second), strings.TrimSpace(out))
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitReady(t *testing.T, base string, logs *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server not ready after 30 s:\n%s", logs.String())
}

func storedDossiers(t *testing.T, dsn string) map[int64]bool {
	t.Helper()
	driver, src := "sqlite", dsn
	if isPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT id FROM dossier`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	return out
}
