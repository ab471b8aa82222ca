package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
)

// metrics counts requests and their latencies by route, written in the Prometheus
// text format without a client library: about ten families of series do not
// justify github.com/prometheus/client_golang and its dependency tree (protobuf,
// procfs, common…), and the text format is stable (version 0.0.4).
type metrics struct {
	mu     sync.Mutex
	routes map[string]*routeStats
	start  time.Time

	// The dossier gauges scan the dossier table: computed at most every
	// gaugesTTL, whatever the scrape interval.
	gmu      sync.Mutex
	gauges   []sqldb.DossierGauge
	gaugesAt time.Time
}

const gaugesTTL = 15 * time.Second

var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type routeStats struct {
	byStatus map[int]uint64
	counts   []uint64 // per bucket, cumulative at export
	sum      float64
	n        uint64
}

func newMetrics() *metrics { return &metrics{routes: map[string]*routeStats{}, start: time.Now()} }

func (m *metrics) observe(route string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	rs, ok := m.routes[route]
	if !ok {
		rs = &routeStats{byStatus: map[int]uint64{}, counts: make([]uint64, len(buckets))}
		m.routes[route] = rs
	}
	rs.byStatus[status]++
	for i, b := range buckets {
		if sec <= b {
			rs.counts[i]++
			break
		}
	}
	rs.sum += sec
	rs.n++
}

// totals returns the requests and server errors (5xx) since start.
func (m *metrics) totals() (requests, errors uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rs := range m.routes {
		for st, n := range rs.byStatus {
			requests += n
			if st >= 500 {
				errors += n
			}
		}
	}
	return requests, errors
}

// dossierGauges returns the open and overdue dossiers per type and échelon, cached.
func (s *Server) dossierGauges(ctx context.Context) ([]sqldb.DossierGauge, error) {
	m := s.metrics
	m.gmu.Lock()
	defer m.gmu.Unlock()
	if m.gauges != nil && time.Since(m.gaugesAt) < gaugesTTL {
		return m.gauges, nil
	}
	g, err := s.DB.DossierGauges(ctx, medconseil.DateOf(s.DB.Now()))
	if err != nil {
		return nil, err
	}
	if g == nil {
		g = []sqldb.DossierGauge{}
	}
	m.gauges, m.gaugesAt = g, time.Now()
	return g, nil
}

// MetricsHandler serves the metrics without authentication: for the separate
// listener (serve --metrics-addr), reachable only from the monitoring network.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// metricsAuthenticated serves /metrics on the main listener to an administrator's
// bearer token only (Prometheus: authorization.credentials_file): the counts per
// échelon and the routes are not for the public (issue 8, point 6).
func (s *Server) metricsAuthenticated(w http.ResponseWriter, r *http.Request) error {
	if !authz.CanAdminUsers(acteurOf(r)) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "les métriques sont réservées à l'administrateur (ou servies sur --metrics-addr)"}
	}
	s.serveMetrics(w, r)
	return nil
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	s.writeMetrics(r.Context(), &buf)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	buf.WriteTo(w)
}

func help(w io.Writer, name, typ, text string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, typ)
}

func (s *Server) writeMetrics(ctx context.Context, w io.Writer) {
	m := s.metrics
	m.mu.Lock()
	routes := sortedKeys(m.routes)
	help(w, "medconseil_http_requests_total", "counter", "Requêtes HTTP par route et statut.")
	for _, rt := range routes {
		rs := m.routes[rt]
		statuses := make([]int, 0, len(rs.byStatus))
		for st := range rs.byStatus {
			statuses = append(statuses, st)
		}
		sort.Ints(statuses)
		for _, st := range statuses {
			fmt.Fprintf(w, "medconseil_http_requests_total{route=%q,status=\"%d\"} %d\n", rt, st, rs.byStatus[st])
		}
	}
	help(w, "medconseil_http_errors_total", "counter", "Réponses 5xx (erreurs du serveur) par route.")
	for _, rt := range routes {
		var n uint64
		for st, c := range m.routes[rt].byStatus {
			if st >= 500 {
				n += c
			}
		}
		fmt.Fprintf(w, "medconseil_http_errors_total{route=%q} %d\n", rt, n)
	}
	help(w, "medconseil_http_request_duration_seconds", "histogram", "Durée des requêtes HTTP par route.")
	for _, rt := range routes {
		rs := m.routes[rt]
		var cum uint64
		for i, b := range buckets {
			cum += rs.counts[i]
			fmt.Fprintf(w, "medconseil_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", rt, strconv.FormatFloat(b, 'f', -1, 64), cum)
		}
		fmt.Fprintf(w, "medconseil_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt, rs.n)
		fmt.Fprintf(w, "medconseil_http_request_duration_seconds_sum{route=%q} %g\n", rt, rs.sum)
		fmt.Fprintf(w, "medconseil_http_request_duration_seconds_count{route=%q} %d\n", rt, rs.n)
	}
	uptime := time.Since(m.start).Seconds()
	m.mu.Unlock()

	up := 1
	byEtat, err := s.DB.CountByEtat(ctx)
	if err != nil {
		s.Log.Error("métriques : dossiers par état", "err", err)
		up = 0
	}
	help(w, "medconseil_dossiers", "gauge", "Dossiers par état.")
	for _, e := range medconseil.Etats {
		fmt.Fprintf(w, "medconseil_dossiers{etat=%q} %d\n", string(e), byEtat[e])
	}
	gauges, err := s.dossierGauges(ctx)
	if err != nil {
		s.Log.Error("métriques : dossiers ouverts", "err", err)
		up = 0
	}
	help(w, "medconseil_dossiers_ouverts", "gauge", "Dossiers en attente d'avis par type et échelon (département).")
	for _, g := range gauges {
		fmt.Fprintf(w, "medconseil_dossiers_ouverts{type=%q,echelon=%q} %d\n", string(g.Type), g.Departement, g.Ouverts)
	}
	help(w, "medconseil_dossiers_en_retard", "gauge", "Dossiers en attente d'avis dont l'échéance est passée, par type et échelon.")
	for _, g := range gauges {
		fmt.Fprintf(w, "medconseil_dossiers_en_retard{type=%q,echelon=%q} %d\n", string(g.Type), g.Departement, g.EnRetard)
	}

	now := s.DB.Now()
	sc := s.Config.Ops.Scheduler()
	help(w, "medconseil_scheduler_runs_total", "counter", "Passages de l'ordonnanceur des échéances.")
	fmt.Fprintf(w, "medconseil_scheduler_runs_total %d\n", sc.Runs)
	help(w, "medconseil_scheduler_failures_total", "counter", "Échecs de l'ordonnanceur (passage ou tâche).")
	fmt.Fprintf(w, "medconseil_scheduler_failures_total %d\n", sc.Failures)
	help(w, "medconseil_scheduler_fired_total", "counter", "Échéances déclenchées par l'ordonnanceur.")
	fmt.Fprintf(w, "medconseil_scheduler_fired_total %d\n", sc.Fired)
	help(w, "medconseil_scheduler_lag_seconds", "gauge", "Au dernier passage, retard de l'échéance la plus en retard déclenchée.")
	fmt.Fprintf(w, "medconseil_scheduler_lag_seconds %g\n", sc.Lag.Seconds())
	if !sc.LastRun.IsZero() {
		help(w, "medconseil_scheduler_last_run_age_seconds", "gauge", "Temps écoulé depuis le dernier passage de l'ordonnanceur.")
		fmt.Fprintf(w, "medconseil_scheduler_last_run_age_seconds %g\n", now.Sub(sc.LastRun).Seconds())
	}
	cp := s.Config.Ops.Checkpoint()
	help(w, "medconseil_audit_checkpoint_failures_total", "counter", "Échecs d'écriture d'un point de contrôle du journal.")
	fmt.Fprintf(w, "medconseil_audit_checkpoint_failures_total %d\n", cp.Failures)
	if !cp.At.IsZero() {
		help(w, "medconseil_audit_checkpoint_age_seconds", "gauge", "Âge du dernier point de contrôle signé du journal d'audit.")
		fmt.Fprintf(w, "medconseil_audit_checkpoint_age_seconds %g\n", now.Sub(cp.At).Seconds())
	}
	seq, _, err := s.DB.JournalHead(ctx)
	if err != nil {
		s.Log.Error("métriques : journal", "err", err)
		up = 0
	}
	help(w, "medconseil_audit_entries", "gauge", "Numéro de la dernière entrée du journal d'audit.")
	fmt.Fprintf(w, "medconseil_audit_entries %d\n", seq)
	help(w, "medconseil_database_up", "gauge", "1 si la base a répondu à toutes les requêtes de cette collecte.")
	fmt.Fprintf(w, "medconseil_database_up %d\n", up)
	help(w, "medconseil_uptime_seconds", "gauge", "Durée depuis le démarrage.")
	fmt.Fprintf(w, "medconseil_uptime_seconds %g\n", uptime)
}
