package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"medconseil"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
)

// runSoak runs the server under a steady mixed load (intake with idempotency keys,
// worklist pages, dossier reads) for a long time and samples its memory: the live
// heap after a GC, the RSS, the goroutines. A leak shows as a live heap or a
// goroutine count that keeps growing from sample to sample. At the end the audit
// journal is verified.
func runSoak(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "bench soak", "bench soak [--db DSN] [--clients 8] [--duration 30m] [--sample 1m]")
	var sf storeFlags
	sf.register(fs, e, "")
	clients := fs.Int("clients", 8, "clients concurrents")
	duration := fs.Duration("duration", 30*time.Minute, "durée de l'essai")
	sample := fs.Duration("sample", time.Minute, "intervalle entre deux relevés de mémoire")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	b, err := newBenchServer(ctx, e, &sf, *clients)
	if err != nil {
		return err
	}
	defer b.close()
	var seq, okN, errN atomic.Int64
	var firstErr atomic.Value
	seq.Store(time.Now().UnixNano() % 1e6 * 1000)
	do := func(method, path string, body []byte, key string) ([]byte, error) {
		req, _ := http.NewRequest(method, b.base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+b.tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := b.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			return nil, fmt.Errorf("%s %s : statut %d", method, path, res.StatusCode)
		}
		return out, nil
	}
	var lastID atomic.Int64
	step := func(i int) error {
		switch {
		case i%10 < 7:
			n := seq.Add(1)
			nir, _ := medconseil.NIRWithKey(fmt.Sprintf("1850567482%03d", 1+n%999))
			body, _ := json.Marshal(map[string]any{"nir": nir, "residence": "67482", "prescripteur": demo.PrescripteurRPPS, "nature": "initial",
				"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "motif": "douleur lombaire"})
			out, err := do("POST", "/api/v1/arrets", body, fmt.Sprintf("soak-%d", n))
			if err != nil {
				return err
			}
			var r struct{ ID int64 }
			if json.Unmarshal(out, &r) == nil && r.ID > 0 {
				lastID.Store(r.ID)
			}
			return nil
		case i%10 < 9:
			_, err := do("GET", "/api/v1/dossiers?par_page=25", nil, "")
			return err
		default:
			id := lastID.Load()
			if id == 0 {
				return nil
			}
			_, err := do("GET", "/api/v1/dossiers/"+strconv.FormatInt(id, 10), nil, "")
			return err
		}
	}
	sctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; sctx.Err() == nil; i++ {
				if err := step(i); err != nil {
					if errN.Add(1) == 1 {
						firstErr.Store(err.Error())
					}
					continue
				}
				okN.Add(1)
			}
		}()
	}
	fmt.Fprintf(e.stdout, "Essai d'endurance — base %s, %d clients, %s, relevé toutes les %s\n", b.db.Dialect(), *clients, *duration, *sample)
	fmt.Fprintf(e.stdout, "%8s %10s %8s %12s %12s %10s %10s\n", "temps", "requêtes/s", "échecs", "tas vivant", "RSS", "goroutines", "journal")
	type point struct {
		heap, rss uint64
		gor       int
	}
	var points []point
	start := time.Now()
	var prevOK int64
	tick := time.NewTicker(*sample)
	defer tick.Stop()
	record := func() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p := point{heap: ms.HeapAlloc, rss: rssBytes(), gor: runtime.NumGoroutine()}
		points = append(points, p)
		ok := okN.Load()
		var entries int64
		_ = b.db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&entries)
		})
		fmt.Fprintf(e.stdout, "%8s %10.0f %8d %12s %12s %10d %10d\n", time.Since(start).Round(time.Second), float64(ok-prevOK)/sample.Seconds(), errN.Load(), mib(p.heap), mib(p.rss), p.gor, entries)
		prevOK = ok
	}
loop:
	for {
		select {
		case <-sctx.Done():
			break loop
		case <-tick.C:
			record()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "Requêtes réussies : %d (%.0f/s), échecs : %d\n", okN.Load(), float64(okN.Load())/elapsed.Seconds(), errN.Load())
	if v := firstErr.Load(); v != nil {
		fmt.Fprintf(e.stdout, "Première erreur : %s\n", v)
	}
	if len(points) >= 2 {
		first, last := points[0], points[len(points)-1]
		var maxRSS uint64
		for _, p := range points {
			maxRSS = max(maxRSS, p.rss)
		}
		fmt.Fprintf(e.stdout, "Tas vivant : %s au premier relevé, %s au dernier (×%.2f) ; RSS max %s ; goroutines %d → %d\n",
			mib(first.heap), mib(last.heap), float64(last.heap)/float64(max(first.heap, 1)), mib(maxRSS), first.gor, last.gor)
	}
	rep, problem, err := b.db.VerifyAuditReport(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return problem
	}
	fmt.Fprintf(e.stdout, "Journal d'audit intègre : %d entrées, %d points de contrôle.\n", rep.Entries, rep.Checkpoints)
	if errN.Load() > 0 {
		return fmt.Errorf("%d requêtes en échec pendant l'essai", errN.Load())
	}
	return nil
}

func mib(b uint64) string { return fmt.Sprintf("%.1f Mio", float64(b)/(1<<20)) }

// rssBytes reads the resident set size of the process (Linux), 0 elsewhere.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}
