// Package web is medconseil's French server-rendered UI (html/template, embedded,
// usable without JavaScript) and its JSON API. Handlers return errors; one renderer
// per transport turns them into pages or JSON. Every access goes through the store,
// where the medical-secret policy and the audit journal live.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/ops"
	"medconseil/internal/sqldb"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

// openAPI describes the JSON API; a test keeps it in step with the routes.
//
//go:embed openapi.json
var openAPI []byte

// Config is what the server needs besides the store.
type Config struct {
	Sessions sqldb.SessionPolicy
	Secure   bool // cookies only over TLS
	// Progressive login delays per account and per address (auth.Throttle).
	ThrottleAccount auth.Throttle
	ThrottleAddress auth.Throttle
	// TokenTTL is the lifetime of an API token.
	TokenTTL time.Duration
	// Password hashing: argon2id cost, at most HashParallel hashes at once and
	// HashQueue callers waiting (beyond: 429).
	PasswordParams auth.Params
	HashParallel   int
	HashQueue      int
	// MaxBody bounds JSON request bodies.
	MaxBody int64
	// Ops receives the scheduler's and the journal checkpointer's reports, shown in
	// the metrics and on the health page; New makes one if nil.
	Ops *ops.Status
	// Version is the binary's version, shown on the health page.
	Version string
	// ReferenceDir is the shared reference directory (MEDCONSEIL_REFERENCE or
	// ../shared/reference): the dashboard's map reads the départements' outlines
	// there. Empty: the map is replaced by a notice, the figures stay.
	ReferenceDir string
	// DetectData is the SNDS-shaped Parquet directory the control pages
	// (/controle/…: profiles, targeting, fraud rules) read with DuckDB
	// (serve --donnees-controle, env MEDCONSEIL_DETECT_DATA); "" leaves them
	// unconfigured. DetectReference holds the postal-code centroids of the
	// km rule.
	DetectData      string
	DetectReference string
	// DetectStatus, if set, says whether DetectData is still being prepared
	// (the demo generates a synthetic region in the background): the control
	// pages then say so, with the time left and a refresh link, instead of
	// reading a directory that does not exist yet; err is a preparation that
	// failed.
	DetectStatus func() (preparing bool, left time.Duration, err error)
	// DetectWait is how long a control page waits for the first profiling
	// run (computed once, in the background) before answering that it is
	// under way; 0 means 20 s. A whole region takes minutes, longer than a
	// browser or the server's write timeout waits.
	DetectWait time.Duration
}

// DefaultConfig returns production defaults: sessions of 30 minutes idle and 10
// hours absolute (a working day); API tokens of 90 days; after 3 failures on an
// account, waits of 2 s doubling up to 15 min, and after 20 failures from one
// address, waits of 1 s doubling up to 1 min (a site behind one address is slowed,
// never locked out); failures forgotten after an hour without one; one argon2id
// hash per core, 64 waiting.
func DefaultConfig() Config {
	return Config{
		Sessions:        sqldb.SessionPolicy{Idle: 30 * time.Minute, Absolute: 10 * time.Hour},
		ThrottleAccount: auth.Throttle{Free: 3, Base: 2 * time.Second, Max: 15 * time.Minute, Forget: time.Hour},
		ThrottleAddress: auth.Throttle{Free: 20, Base: time.Second, Max: time.Minute, Forget: time.Hour},
		TokenTTL:        90 * 24 * time.Hour,
		PasswordParams:  auth.DefaultParams,
		HashParallel:    runtime.NumCPU(),
		HashQueue:       64,
		MaxBody:         64 << 10,
	}
}

// Server serves the UI and the API.
type Server struct {
	DB      *sqldb.DB
	Intake  *sqldb.Intake // files every dossier type with its pre-analysis
	Log     *slog.Logger
	Config  Config
	metrics *metrics
	hasher  *auth.Hasher
	pages   map[string]*template.Template
	nav     []navItem
	mux     *router
	carte   carteCache                      // the dashboard's map, loaded once from Config.ReferenceDir
	geo     func(context.Context) sqldb.Geo // communes located by the référentiel (convocation.go)
}

// router is the ServeMux that also remembers its patterns, so tests (the
// malformed-input corpus) and tools can walk every route.
type router struct {
	*http.ServeMux
	patterns []string
}

func (r *router) Handle(pattern string, h http.Handler) {
	r.patterns = append(r.patterns, pattern)
	r.ServeMux.Handle(pattern, h)
}

func (r *router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	r.patterns = append(r.patterns, pattern)
	r.ServeMux.HandleFunc(pattern, h)
}

// Routes returns the patterns of every route, in registration order.
func (s *Server) Routes() []string { return append([]string(nil), s.mux.patterns...) }

// navItem is an entry of the top menu, shown to the roles that may use it.
type navItem struct {
	Href, Label string
	Show        func(a *medconseil.Acteur) bool
}

// New builds a server over db.
func New(db *sqldb.DB, log *slog.Logger, cfg Config) (*Server, error) {
	if cfg.Ops == nil {
		cfg.Ops = &ops.Status{}
	}
	s := &Server{DB: db, Log: log, Config: cfg, metrics: newMetrics(), mux: &router{ServeMux: http.NewServeMux()}}
	s.hasher = auth.NewHasher(cfg.PasswordParams, cfg.HashParallel, cfg.HashQueue)
	intake, err := newIntake(db)
	if err != nil {
		return nil, err
	}
	s.Intake = intake
	s.routes()
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the HTTP handler with its middleware: panic recovery, security
// headers, access log and metrics.
func (s *Server) Handler() http.Handler {
	return s.observe(s.sane(s.mux))
}

func (s *Server) routes() {
	m := s.mux
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", s.api(s.metricsAuthenticated))

	m.Handle("GET /{$}", s.page(s.home))
	m.Handle("GET /connexion", s.public(s.loginForm))
	m.Handle("POST /connexion", s.public(s.login))
	m.Handle("POST /deconnexion", s.page(s.logout))

	s.demandeRoutes()
	s.dossierRoutes()
	s.adminRoutes()
	s.auditRoutes()
	s.referentielRoutes()
	s.legislationRoutes()
	s.lifecycleRoutes()
	s.opsRoutes()
	s.notificationRoutes()
	s.courrierRoutes()
	s.tableauRoutes()
	s.fhirRoutes()
	s.controleRoutes()
	s.cycleRoutes()
	s.accesDemandeRoutes()
	s.convocationRoutes()
	s.ciblageRoutes()
	s.worklistRoutes()
	s.echangeRoutes()
	s.pdpRoutes()

	m.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(openAPI)
	})
	m.Handle("POST /api/v1/tokens", s.apiPublic(s.apiCreateToken))
	m.Handle("DELETE /api/v1/tokens/current", s.api(s.apiRevokeToken))
	m.Handle("/api/", s.apiPublic(func(w http.ResponseWriter, r *http.Request) error {
		return &medconseil.Error{Code: medconseil.ENOTFOUND, Message: "route d'API inconnue : " + r.Method + " " + r.URL.Path}
	}))
	m.Handle("/", s.public(func(w http.ResponseWriter, r *http.Request) error {
		return medconseil.NotFound("Page")
	}))
}

// addNav adds a menu entry.
func (s *Server) addNav(href, label string, show func(*medconseil.Acteur) bool) {
	s.nav = append(s.nav, navItem{Href: href, Label: label, Show: show})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Error("readyz", "err", err)
		http.Error(w, "base de données injoignable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// statusOf maps an error code to its HTTP status.
func statusOf(code medconseil.Code) int {
	switch code {
	case medconseil.EINVALID, medconseil.EREGLE:
		return http.StatusUnprocessableEntity
	case medconseil.ENOTFOUND:
		return http.StatusNotFound
	case medconseil.ECONFLICT:
		return http.StatusConflict
	case medconseil.EFORBIDDEN:
		return http.StatusForbidden
	case medconseil.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case medconseil.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// domainError turns any error into the *medconseil.Error shown to the caller,
// logging the cause of internal ones (and only theirs).
func (s *Server) domainError(r *http.Request, err error) *medconseil.Error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &medconseil.Error{Code: medconseil.EINVALID, Message: fmt.Sprintf("corps de requête trop volumineux : %d octets au plus", tooBig.Limit)}
	}
	var e *medconseil.Error
	if !errors.As(err, &e) {
		e = medconseil.Internal(err)
	}
	if e.Code == medconseil.EINTERNAL {
		s.Log.Error("erreur interne", "method", r.Method, "route", r.Pattern, "err", err)
	}
	return e
}

// observe wraps every request: recovery, security headers, metrics, access log.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
		if s.Config.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panique", "route", r.Pattern, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					http.Error(rec, "Erreur interne", http.StatusInternalServerError)
				}
				rec.status = 500
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "inconnue"
			}
			s.metrics.observe(route, rec.status, d)
			// The route pattern, never the raw path: a path is typed by a user and may
			// carry anything, a NIR or a diagnosis included (a test plants them).
			s.Log.Info("requête", "method", r.Method, "route", route, "status", rec.status, "duree_ms", float64(d.Microseconds())/1000, "adresse", remoteAddr(r))
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// remoteAddr is the client's address as seen by this server (no proxy header is
// trusted: a deployment behind a proxy sets it at the proxy's access log).
func remoteAddr(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}

func meta(r *http.Request, finalite string) sqldb.Meta {
	return sqldb.Meta{Adresse: remoteAddr(r), Finalite: finalite}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
