package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
)

// storeFlags are the flags of every subcommand that touches data.
type storeFlags struct {
	db      string
	keyFile string
	// create lets open create a missing SQLite file: only migrate and demo (and
	// the benchmarks on their temporary base) create a database; every other
	// command refuses a path that does not exist, so a mistyped --db is an error,
	// not a new empty database.
	create bool
	// The audit journal's key and checkpoints (cmd/medconseil/audit.go).
	auditKeyFile string
	checkpoints  string
	cpInterval   time.Duration
}

// createPrivate creates a missing SQLite file with mode 0600 before SQLite opens
// it (SQLite gives its -wal and -shm files the mode of the base): it holds names
// and, sealed, the clinical data.
func createPrivate(dsn string) error {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fail("création du dossier de la base %s : %w", dir, err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fail("création de la base %s : %w", path, err)
	}
	return f.Close()
}

// mustExist refuses an SQLite path that does not exist. PostgreSQL URLs are left
// to the server, which refuses an unknown database itself.
func mustExist(dsn string) error {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return usageError(fmt.Sprintf("base introuvable : le fichier %s n'existe pas (vérifiez --db ; « medconseil migrate --db %s » crée une base neuve)", path, path))
		}
		return fail("base illisible : %w", err)
	}
	return nil
}

func (s *storeFlags) register(fs *flag.FlagSet, e *env, defaultDB string) {
	def := e.getenv("MEDCONSEIL_DB")
	if def == "" {
		def = defaultDB
	}
	fs.StringVar(&s.db, "db", def, "base de données : chemin d'un fichier SQLite ou URL postgres://… (env MEDCONSEIL_DB)")
	fs.StringVar(&s.keyFile, "key-file", e.getenv("MEDCONSEIL_KEY_FILE"), "fichier des clés de chiffrement des données cliniques (env MEDCONSEIL_KEY_FILE ; env MEDCONSEIL_KEYS pour les clés elles-mêmes)")
	s.registerAudit(fs, e)
}

// open connects, migrates and seeds the store, and loads the keys when given.
func (s *storeFlags) open(ctx context.Context, e *env, needKeys bool) (*sqldb.DB, error) {
	if s.db == "" {
		return nil, usageError("--db manquant : chemin SQLite ou URL postgres://…")
	}
	if !s.create {
		if err := mustExist(s.db); err != nil {
			return nil, err
		}
	} else if err := createPrivate(s.db); err != nil {
		return nil, err
	}
	db, err := sqldb.Open(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if _, err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	kr, err := s.keys(e)
	if err != nil {
		db.Close()
		return nil, err
	}
	if kr == nil && needKeys {
		db.Close()
		return nil, errors.New("aucune clé de chiffrement : donner --key-file (ou MEDCONSEIL_KEY_FILE / MEDCONSEIL_KEYS) ; « medconseil keys generate » en crée une")
	}
	db.Keys = kr
	if err := s.openAudit(ctx, e, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (s *storeFlags) keys(e *env) (*keyring.Keyring, error) {
	if text := e.getenv("MEDCONSEIL_KEYS"); text != "" && s.keyFile == "" {
		return keyring.Parse(text)
	}
	if s.keyFile == "" {
		return nil, nil
	}
	return keyring.Load(s.keyFile)
}

// writeKeyFile writes a keyring file atomically with mode 0600.
func writeKeyFile(path, text string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// newKeyText generates a keyring text with one fresh key.
func newKeyText(id string) (string, error) {
	return keyring.Generate(id, rand.Reader)
}

// newKeyID names a key after the time it was made, with a random suffix so two keys
// made in the same second differ.
func newKeyID(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s%s-%x", prefix, time.Now().UTC().Format("20060102T150405"), b)
}

func fail(format string, args ...any) error { return fmt.Errorf(format, args...) }

// migrate applies the migrations and refreshes the organisation (échelons, sites,
// caisses), which routing needs before the first dossier; both are idempotent.
func migrate(ctx context.Context, db *sqldb.DB) ([]string, error) {
	applied, err := db.Migrate(ctx)
	if err != nil {
		return applied, err
	}
	return applied, db.SeedOrganisation(ctx, medconseil.GrandEst())
}
