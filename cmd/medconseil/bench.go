package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
	"medconseil/internal/web"
)

// runBench measures the intake throughput of POST /api/v1/arrets: the real server on
// a loopback port, N concurrent API clients, each request a new sick-leave notice in
// its own transaction, journaled and with an idempotency key, on SQLite or PostgreSQL.
func runBench(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "backup" {
		return runBenchBackup(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "worklist" {
		return runBenchWorklist(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "tableau" {
		return runBenchTableau(ctx, e, args[1:])
	}
	const usage = "usage : medconseil bench intake [--db DSN] [--clients 32] [--duration 10s] [--types]\n        medconseil bench soak [--db DSN] [--clients 8] [--duration 30m] [--sample 1m]\n        medconseil bench backup [--dossiers N] [--runs 3]\n        medconseil bench worklist [--dossiers 1000000] [--requetes 600]\n        medconseil " + benchTableauUsage
	if len(args) == 0 || (args[0] != "intake" && args[0] != "soak") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, strings.Replace(usage, "usage :", "Usage :", 1))
			return nil
		}
		return usageError(usage)
	}
	if args[0] == "soak" {
		return runSoak(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "bench intake", "bench intake [--db DSN] [--clients 32] [--duration 10s]")
	var sf storeFlags
	sf.register(fs, e, "")
	clients := fs.Int("clients", 32, "clients concurrents")
	duration := fs.Duration("duration", 10*time.Second, "durée de la mesure (après 1 s de chauffe)")
	cpuProfile := fs.String("cpuprofile", "", "écrit un profil CPU de la mesure dans ce fichier")
	mixed := fs.Bool("types", false, "dépose tous les types de dossier, mêlés, par POST /api/v1/dossiers (pré-analyse comprise)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	b, err := newBenchServer(ctx, e, &sf, *clients)
	if err != nil {
		return err
	}
	defer b.close()
	db, client, base, tok := b.db, b.client, b.base, b.tok
	var seq atomic.Int64
	seq.Store(time.Now().UnixNano() % 1e6 * 1000)
	route := "/api/v1/arrets"
	if *mixed {
		route = "/api/v1/dossiers"
	}
	// The request bodies are encoded before the measure: the client's processor
	// time counts in the figure (client and server share the machine), and
	// encoding a map by reflection at every request is not the server's cost.
	// The n-th request files on assuré n%999 (999 assurés, so the pre-analysis
	// reads a growing history) and, with --types, the type n%8.
	kinds := int64(1)
	if *mixed {
		kinds = 8
	}
	bodies := make([][]byte, 999*kinds)
	for n := range int64(len(bodies)) {
		nir, err := medconseil.NIRWithKey("1850567482" + fmt.Sprintf("%03d", 1+n%999))
		if err != nil {
			return err
		}
		var v any = map[string]any{"nir": nir, "residence": "67482", "prescripteur": demo.PrescripteurRPPS, "nature": "initial",
			"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "motif": "douleur lombaire aiguë après port de charge", "teleconsultation": false}
		if *mixed {
			v = mixedDossier(n, nir)
		}
		if bodies[n], err = json.Marshal(v); err != nil {
			return err
		}
	}
	url, auth := base+route, "Bearer "+tok
	post := func() (time.Duration, error) {
		n := seq.Add(1)
		b := bodies[n%int64(len(bodies))]
		req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
		req.Header = http.Header{"Authorization": {auth}, "Content-Type": {"application/json"},
			"Idempotency-Key": {"bench-" + strconv.FormatInt(n, 10)}}
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		if res.StatusCode != 201 {
			msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
			res.Body.Close()
			return 0, fmt.Errorf("statut %d : %s", res.StatusCode, bytes.TrimSpace(msg))
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return time.Since(t0), nil
	}
	run := func(d time.Duration) ([]time.Duration, int64, error) {
		var mu sync.Mutex
		var lat []time.Duration
		var errs atomic.Int64
		var firstErr error
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		for i := 0; i < *clients; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for time.Now().Before(deadline) && ctx.Err() == nil {
					l, err := post()
					if err != nil {
						if errs.Add(1) == 1 {
							mu.Lock()
							firstErr = err
							mu.Unlock()
						}
						continue
					}
					mine = append(mine, l)
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return lat, errs.Load(), firstErr
	}
	fmt.Fprintf(e.stdout, "Débit de dépôt POST %s — base %s, %d clients, %s\n", route, db.Dialect(), *clients, *duration)
	if _, _, err := run(time.Second); err != nil {
		return fmt.Errorf("chauffe : %w", err)
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	start, cpu0 := time.Now(), cpuTime()
	groups0, jobs0 := db.GroupStats()
	lat, nerr, firstErr := run(*duration)
	groups, jobs := db.GroupStats()
	stopProfile()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if len(lat) == 0 {
		return fmt.Errorf("aucune requête réussie : %v", firstErr)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Fprintf(e.stdout, "  requêtes réussies : %d (échecs : %d)\n  débit             : %.0f requêtes/s\n  latence p50       : %s\n  latence p99       : %s\n  latence max       : %s\n",
		len(lat), nerr, float64(len(lat))/elapsed.Seconds(), q(0.50).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	// The process's CPU time (user + system, client included) per request: the
	// figure that carries over from a loaded machine, where the rate only measures
	// the share of processor the bench obtained.
	fmt.Fprintf(e.stdout, "  processeur        : %.3f ms par requête (%s pour %d, client compris)\n",
		float64(cpu.Microseconds())/1000/float64(len(lat)), cpu.Round(time.Millisecond), len(lat))
	if groups > groups0 {
		fmt.Fprintf(e.stdout, "  groupes d'écriture : %d, %.1f écritures par COMMIT en moyenne\n", groups-groups0, float64(jobs-jobs0)/float64(groups-groups0))
	}
	if nerr > 0 {
		fmt.Fprintf(e.stdout, "  première erreur   : %v\n", firstErr)
	}
	return nil
}

func benchToken(c *http.Client, base, pw string) (string, error) {
	b, _ := json.Marshal(map[string]string{"login": "prescripteur.demo", "password": pw})
	res, err := c.Post(base+"/api/v1/tokens", "application/json", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("jeton de banc d'essai : statut %d", res.StatusCode)
	}
	return out.Token, nil
}

// benchServer is the real server on a loopback port over a store seeded with the
// demo accounts, and an API client with a token.
type benchServer struct {
	db       *sqldb.DB
	client   *http.Client
	base     string
	tok      string
	cleanups []func()
}

func (b *benchServer) close() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

func newBenchServer(ctx context.Context, e *env, sf *storeFlags, clients int) (_ *benchServer, err error) {
	// b is not the named result: "return nil, err" must not leave the deferred
	// cleanup with a nil server (it panicked on every error, a missing --db file
	// among them).
	b := &benchServer{}
	// The server measured collects as serve does.
	serverGC(e.getenv)
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	// A benchmark may create its base: --db names a new SQLite file (or an
	// existing base, or a PostgreSQL URL), migrated and seeded like the
	// temporary one.
	sf.create = true
	userDB := sf.db != ""
	if sf.db == "" {
		dir, err := os.MkdirTemp("", "medconseil-bench-")
		if err != nil {
			return nil, err
		}
		b.cleanups = append(b.cleanups, func() { os.RemoveAll(dir) })
		sf.db = filepath.Join(dir, "bench.db")
	}
	// The keys the bench makes when none is given are kept with a base the caller
	// named, and reused by the next run on it: the pre-analysis opens the sealed
	// history of earlier runs, which a fresh key could not (beside an SQLite base;
	// for PostgreSQL, in a directory of the temporary folder named after the URL).
	// A temporary base's keys go with it.
	keep := filepath.Join(os.TempDir(), fmt.Sprintf("medconseil-bench-%d", os.Getpid()))
	if isPostgres(sf.db) {
		sum := sha256.Sum256([]byte(sf.db))
		keep = filepath.Join(os.TempDir(), "medconseil-bench-pg-"+hex.EncodeToString(sum[:8]))
		if err := os.MkdirAll(keep, 0o700); err != nil {
			return nil, err
		}
		keep = filepath.Join(keep, "bench")
	} else if userDB {
		keep = strings.TrimPrefix(sf.db, "file:") + ".bench"
	}
	keyFile := func(path, id string) error {
		if _, err := os.Stat(path); err == nil && (userDB || isPostgres(sf.db)) {
			return nil
		}
		text, err := newKeyText(id)
		if err != nil {
			return err
		}
		if !userDB {
			b.cleanups = append(b.cleanups, func() { os.Remove(path) })
		}
		return writeKeyFile(path, text)
	}
	if sf.keyFile == "" && e.getenv("MEDCONSEIL_KEYS") == "" {
		sf.keyFile = keep + ".keys"
		if err := keyFile(sf.keyFile, "bench"); err != nil {
			return nil, err
		}
	}
	// On SQLite the audit key and checkpoints default to BASE.audit-key and
	// BASE.audit-points, kept with a named base.
	if sf.auditKeyFile == "" && e.getenv("MEDCONSEIL_AUDIT_KEY") == "" && (!userDB || isPostgres(sf.db)) {
		sf.auditKeyFile = keep + ".audit-key"
		if err := keyFile(sf.auditKeyFile, "bench-audit"); err != nil {
			return nil, err
		}
	}
	if sf.checkpoints == "" && (!userDB || isPostgres(sf.db)) {
		dir := keep + ".audit-points"
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if !userDB {
			b.cleanups = append(b.cleanups, func() { os.RemoveAll(dir) })
		}
		sf.checkpoints = dir
	}
	db, err := sf.open(ctx, e, true)
	if err != nil {
		return nil, err
	}
	b.db = db
	b.cleanups = append(b.cleanups, func() { db.Close() })
	if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
		return nil, err
	}
	const pw = "bench-password"
	if err := demo.SeedAccounts(ctx, db, pw, auth.DefaultParams); err != nil {
		return nil, err
	}
	// The server's log is formatted as in production (its cost is the server's)
	// and thrown away, except the errors, shown on stderr: a failing request says why.
	logger := slog.New(teeErrors{slog.NewTextHandler(io.Discard, nil), slog.NewTextHandler(e.stderr, nil)})
	srv, err := web.New(db, logger, web.DefaultConfig())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	b.cleanups = append(b.cleanups, func() { hs.Close() })
	b.base = "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	b.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	if b.tok, err = benchToken(b.client, b.base, pw); err != nil {
		return nil, err
	}
	return b, nil
}

// teeErrors passes every record to all and the errors also to errs.
type teeErrors struct{ all, errs slog.Handler }

func (t teeErrors) Enabled(ctx context.Context, l slog.Level) bool { return t.all.Enabled(ctx, l) }

func (t teeErrors) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		_ = t.errs.Handle(ctx, r.Clone())
	}
	return t.all.Handle(ctx, r)
}

func (t teeErrors) WithAttrs(as []slog.Attr) slog.Handler {
	return teeErrors{t.all.WithAttrs(as), t.errs.WithAttrs(as)}
}

func (t teeErrors) WithGroup(g string) slog.Handler {
	return teeErrors{t.all.WithGroup(g), t.errs.WithGroup(g)}
}
