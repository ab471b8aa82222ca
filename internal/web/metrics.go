package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"medconseil"
)

// metrics counts requests and their latencies by route, in the Prometheus text
// format, without a client library: a handful of counters do not justify one.
type metrics struct {
	mu     sync.Mutex
	routes map[string]*routeStats
	start  time.Time
}

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

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	byEtat, err := s.DB.CountByEtat(r.Context())
	if err != nil {
		s.Log.Error("metrics", "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m := s.metrics
	m.mu.Lock()
	routes := sortedKeys(m.routes)
	fmt.Fprintln(w, "# HELP medconseil_http_requests_total Requêtes HTTP par route et statut.")
	fmt.Fprintln(w, "# TYPE medconseil_http_requests_total counter")
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
	fmt.Fprintln(w, "# HELP medconseil_http_request_duration_seconds Durée des requêtes HTTP par route.")
	fmt.Fprintln(w, "# TYPE medconseil_http_request_duration_seconds histogram")
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
	fmt.Fprintln(w, "# HELP medconseil_dossiers Dossiers par état.")
	fmt.Fprintln(w, "# TYPE medconseil_dossiers gauge")
	for _, e := range medconseil.Etats {
		fmt.Fprintf(w, "medconseil_dossiers{etat=%q} %d\n", string(e), byEtat[e])
	}
	fmt.Fprintln(w, "# HELP medconseil_uptime_seconds Durée depuis le démarrage.")
	fmt.Fprintln(w, "# TYPE medconseil_uptime_seconds gauge")
	fmt.Fprintf(w, "medconseil_uptime_seconds %g\n", uptime)
}
