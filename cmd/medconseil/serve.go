package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"medconseil/internal/keyring"
	"medconseil/internal/ops"
	"medconseil/internal/scheduler"
	"medconseil/internal/sqldb"
	"medconseil/internal/web"
)

// serveFlags are the flags of serve and demo.
type serveFlags struct {
	addr      string
	tlsCert   string
	tlsKey    string
	logFormat string
	tokenDays int
	// deadlinesInterval is the period of the deadline sweep (internal/scheduler);
	// 0 leaves the deadlines to "medconseil deadlines".
	deadlinesInterval time.Duration
	// metricsAddr, if set, serves /metrics (without authentication) on a listener of
	// its own, for the monitoring network; /metrics on addr then still needs an
	// administrator's token.
	metricsAddr string
	// detectData is the Parquet directory of the professionals' profiles and
	// fraud rules (pages /controle/…); "" leaves them unconfigured.
	detectData string
	// detectStatus, set by the demo while it generates detectData in the
	// background, is handed to web.Config.DetectStatus.
	detectStatus func() (preparing bool, left time.Duration, err error)
}

func (s *serveFlags) register(fs *flag.FlagSet, e *env) {
	def := e.getenv("MEDCONSEIL_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	fs.StringVar(&s.addr, "addr", def, "adresse d'écoute (env MEDCONSEIL_ADDR)")
	fs.StringVar(&s.tlsCert, "tls-cert", e.getenv("MEDCONSEIL_TLS_CERT"), "certificat TLS (PEM) ; avec --tls-key, sert en HTTPS")
	fs.StringVar(&s.tlsKey, "tls-key", e.getenv("MEDCONSEIL_TLS_KEY"), "clé privée TLS (PEM)")
	fs.StringVar(&s.metricsAddr, "metrics-addr", e.getenv("MEDCONSEIL_METRICS_ADDR"), "adresse d'écoute séparée des métriques Prometheus, sans authentification (env MEDCONSEIL_METRICS_ADDR) ; sinon /metrics exige un jeton d'administrateur")
	fs.StringVar(&s.logFormat, "log-format", e.getenv("MEDCONSEIL_LOG_FORMAT"), "journaux techniques : text ou json (défaut : text sur un terminal, json sinon)")
	fs.IntVar(&s.tokenDays, "token-days", tokenDaysDefault(e), "durée de validité des jetons d'API, en jours (env MEDCONSEIL_TOKEN_DAYS)")
	interval := time.Minute
	if v := e.getenv("MEDCONSEIL_DEADLINES_INTERVAL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			interval = d
		}
	}
	fs.StringVar(&s.detectData, "donnees-controle", e.getenv("MEDCONSEIL_DETECT_DATA"), "répertoire des Parquet SNDS (sortie de « medconseil synth ») pour les profils des professionnels, le ciblage et les règles de fraude (env MEDCONSEIL_DETECT_DATA) ; vide : pages de contrôle non configurées")
	fs.DurationVar(&s.deadlinesInterval, "deadlines-interval", interval, "période du balayage des échéances légales (accords tacites, reconnaissances implicites…) ; 0 : aucun balayage (env MEDCONSEIL_DEADLINES_INTERVAL)")
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	// Every log line goes through the NIR mask (internal/ops): logs leave the
	// medical secret's perimeter.
	switch format {
	case "text":
		return slog.New(ops.RedactNIR(slog.NewTextHandler(w, nil))), nil
	case "json":
		return slog.New(ops.RedactNIR(slog.NewJSONHandler(w, nil))), nil
	}
	return nil, usageError(fmt.Sprintf("--log-format %q : text ou json", format))
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "serve --db DSN --key-file FICHIER [--addr ADRESSE] [--tls-cert C --tls-key K]")
	var sf storeFlags
	var vf serveFlags
	sf.register(fs, e, "")
	vf.register(fs, e)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(e.stderr, vf.logFormat)
	if err != nil {
		return err
	}
	if vf.tokenDays < 1 || vf.tokenDays > 3650 {
		return usageError("--token-days : un nombre de jours entre 1 et 3650")
	}
	db, err := sf.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckKeys(ctx, db.Keys); err != nil {
		return fail("le serveur ne démarre pas : %w", err)
	}
	if sf.keyFile != "" {
		go watchKeyFile(ctx, db, sf.keyFile, 2*time.Second, log)
	}
	ln, err := net.Listen("tcp", vf.addr)
	if err != nil {
		return err
	}
	return serve(ctx, e, db, log, ln, vf, nil)
}

// serve runs the HTTP server on ln until ctx ends, then shuts down gracefully:
// in-flight requests get up to 20 seconds to finish. ready, if not nil, is called
// with the base URL once the server accepts connections.
func serve(ctx context.Context, e *env, db *sqldb.DB, log *slog.Logger, ln net.Listener, vf serveFlags, ready func(url string)) error {
	serverGC(e.getenv)
	cfg := web.DefaultConfig()
	if vf.tokenDays > 0 {
		cfg.TokenTTL = time.Duration(vf.tokenDays) * 24 * time.Hour
	}
	tlsOn := vf.tlsCert != "" || vf.tlsKey != ""
	cfg.Secure = tlsOn
	cfg.Version = binaryVersion()
	// The dashboard's map reads the départements' outlines from the reference
	// directory ($MEDCONSEIL_REFERENCE or ../shared/reference); without it the
	// dashboard shows its figures and says the map is unavailable. The control
	// pages (ciblage.go) read the Parquet of --donnees-controle and the same
	// reference directory.
	cfg.DetectData = vf.detectData
	cfg.DetectStatus = vf.detectStatus
	if d, err := referenceDir(e, ""); err == nil {
		cfg.ReferenceDir = d
		cfg.DetectReference = d
	}
	// cfg.Ops is what the lifecycle scheduler and the journal checkpointer report
	// to (SchedulerRun, CheckpointWritten): hand the same value to them.
	cfg.Ops = &ops.Status{}
	db.OnCheckpoint(cfg.Ops.CheckpointWritten)
	srv, err := web.New(db, log, cfg)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if tlsOn {
		if vf.tlsCert == "" || vf.tlsKey == "" {
			return usageError("--tls-cert et --tls-key vont ensemble")
		}
		cert, err := tls.LoadX509KeyPair(vf.tlsCert, vf.tlsKey)
		if err != nil {
			return fail("certificat TLS illisible : %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, hs.TLSConfig)
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	// The deadline sweep: at once (catch-up of what fell due while stopped), then
	// periodically; stopped and waited for before the store closes.
	if vf.deadlinesInterval > 0 {
		sctx, stopSweep := context.WithCancel(ctx)
		swept := make(chan struct{})
		go func() {
			defer close(swept)
			runner := scheduler.New(db, vf.deadlinesInterval, log)
			runner.Report = cfg.Ops.SchedulerRun
			_ = runner.Run(sctx)
		}()
		defer func() { stopSweep(); <-swept }()
	}
	var ms *http.Server
	if vf.metricsAddr != "" {
		mln, err := net.Listen("tcp", vf.metricsAddr)
		if err != nil {
			hs.Close()
			return fail("écoute des métriques sur %s impossible : %w", vf.metricsAddr, err)
		}
		ms = &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: hs.ErrorLog}
		go func() { errc <- ms.Serve(mln) }()
		log.Info("métriques à l'écoute", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	log.Info("medconseil à l'écoute", "url", url, "base", string(db.Dialect()))
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("arrêt demandé : fin des requêtes en cours")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if ms != nil {
		_ = ms.Shutdown(sctx)
	}
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("arrêt terminé")
	return nil
}

// watchKeyFile makes key rotation safe while the server runs: "keys rotate" writes
// the new key file (new key first, old keys kept) before re-encrypting, and the
// server swaps in the new keys when the file changes (checked every interval) or at
// once when it meets a value sealed with a key it lacks. A file that cannot decrypt
// the store is refused and the current keys are kept. A server given its keys in
// MEDCONSEIL_KEYS has no file to watch and must be restarted after a rotation.
func watchKeyFile(ctx context.Context, db *sqldb.DB, path string, interval time.Duration, log *slog.Logger) {
	var mu sync.Mutex
	var last os.FileInfo
	if st, err := os.Stat(path); err == nil {
		last = st
	}
	reload := func() error {
		mu.Lock()
		defer mu.Unlock()
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if last != nil && st.ModTime().Equal(last.ModTime()) && st.Size() == last.Size() {
			return nil
		}
		next, err := keyring.Load(path)
		if err == nil {
			err = db.CheckKeys(ctx, next)
		}
		if err != nil {
			log.Error("fichier de clés refusé : les clés en cours sont gardées", "fichier", path, "err", err)
			return err
		}
		last = st
		if next.Text() != db.Keys.Text() {
			db.Keys.Replace(next)
			log.Info("fichier de clés rechargé", "fichier", path, "cle_active", next.Active())
		}
		return nil
	}
	// A value sealed with a key the ring lacks: add the file's keys for reading at
	// once (no database read here: this runs inside a transaction); the periodic
	// check verifies the file before its active key is used to encrypt.
	db.Keys.OnMissing(func() error {
		next, err := keyring.Load(path)
		if err != nil {
			return err
		}
		db.Keys.Add(next)
		return nil
	})
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = reload()
		}
	}
}
