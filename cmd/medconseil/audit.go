package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
)

const auditUsage = `Usage :
  medconseil audit verify --db DSN [--audit-key-file F] [--audit-checkpoints DIR]
      Vérifie le journal d'audit : déclencheurs d'ajout seul en place, chaîne scellée
      (HMAC-SHA256 sous la clé du journal) et points de contrôle signés ; désigne la
      première entrée altérée, supprimée, insérée ou réattribuée, et la troncature ou
      l'effacement du journal.
  medconseil audit checkpoint --db DSN [--audit-key-file F] --audit-checkpoints DIR
      Écrit un point de contrôle signé de la tête actuelle du journal.
  medconseil audit key --out FICHIER
      Crée une clé du journal d'audit (mode 0600), à garder hors de la base.`

func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError(auditUsage)
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprintln(e.stdout, auditUsage)
		return nil
	case "key":
		fs := newFlagSet(e, "audit key", "audit key --out FICHIER")
		out := fs.String("out", "", "fichier de la clé à créer")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return usageError("--out manquant : fichier de la clé du journal d'audit à créer")
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%s existe déjà : une clé du journal d'audit ne se remplace pas (elle scelle toute la chaîne)", *out)
		}
		text, err := keyring.Generate(newKeyID("audit-"), rand.Reader)
		if err != nil {
			return err
		}
		if err := writeKeyFile(*out, text); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Clé du journal d'audit créée : %s\n", *out)
		return nil
	case "verify", "checkpoint":
	default:
		return usageError(auditUsage)
	}
	fs := newFlagSet(e, "audit "+args[0], "audit "+args[0]+" --db DSN [--audit-key-file F] [--audit-checkpoints DIR]")
	var sf storeFlags
	sf.register(fs, e, "")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if sf.db == "" {
		return usageError("--db manquant")
	}
	if err := mustExist(sf.db); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, sf.db)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := sf.auditKey(e, false)
	if err != nil {
		return err
	}
	db.AuditKey = key
	db.CheckpointDir = sf.checkpointDir()
	if args[0] == "checkpoint" {
		if db.CheckpointDir == "" {
			return usageError("--audit-checkpoints manquant : dossier des points de contrôle")
		}
		c, err := db.WriteCheckpoint(ctx, db.CheckpointDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Point de contrôle écrit : entrée %d, %s\n", c.Seq, db.CheckpointDir)
		return nil
	}
	rep, problem, err := db.VerifyAuditReport(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return problem
	}
	fmt.Fprintf(e.stdout, "Journal d'audit intègre : %d entrées vérifiées, dont %d scellées par la clé ; %d points de contrôle signés concordent.\n", rep.Entries, rep.Sealed, rep.Checkpoints)
	switch {
	case db.CheckpointDir == "":
		fmt.Fprintln(e.stdout, "Attention : aucun dossier de points de contrôle (--audit-checkpoints) : une troncature ou un effacement du journal ne serait pas détecté.")
	case rep.Last != nil:
		fmt.Fprintf(e.stdout, "Dernier point de contrôle : entrée %d, %s.\n", rep.Last.Seq, rep.Last.Le)
	}
	return nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// registerAudit adds the flags of the audit journal's key and checkpoints.
func (s *storeFlags) registerAudit(fs *flag.FlagSet, e *env) {
	fs.StringVar(&s.auditKeyFile, "audit-key-file", e.getenv("MEDCONSEIL_AUDIT_KEY_FILE"),
		"clé du journal d'audit, hors de la base (env MEDCONSEIL_AUDIT_KEY_FILE ; MEDCONSEIL_AUDIT_KEY pour la clé elle-même) ; SQLite : par défaut BASE.audit-key, créée au besoin")
	fs.StringVar(&s.checkpoints, "audit-checkpoints", e.getenv("MEDCONSEIL_AUDIT_CHECKPOINTS"),
		"dossier des points de contrôle signés du journal, à expédier hors du serveur (env MEDCONSEIL_AUDIT_CHECKPOINTS) ; SQLite : par défaut BASE.audit-points")
	def := sqldb.DefaultCheckpointInterval
	if v := e.getenv("MEDCONSEIL_AUDIT_CHECKPOINT_INTERVAL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			def = d
		}
	}
	fs.DurationVar(&s.cpInterval, "audit-checkpoint-interval", def, "intervalle entre deux points de contrôle pendant que le journal grandit (env MEDCONSEIL_AUDIT_CHECKPOINT_INTERVAL)")
}

// auditKey loads the audit key. On SQLite, without one given, it uses the file
// BASE.audit-key beside the database, created (0600) when create is set; on
// PostgreSQL a key must be given.
func (s *storeFlags) auditKey(e *env, create bool) (*keyring.MACKey, error) {
	if text := e.getenv("MEDCONSEIL_AUDIT_KEY"); text != "" && s.auditKeyFile == "" {
		return keyring.ParseMACKey(text)
	}
	path := s.auditKeyFile
	if path == "" {
		if isPostgres(s.db) {
			return nil, errors.New("clé du journal d'audit absente : donner --audit-key-file (ou MEDCONSEIL_AUDIT_KEY_FILE) ; « medconseil audit key --out FICHIER » en crée une")
		}
		path = strings.TrimPrefix(s.db, "file:") + ".audit-key"
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && create {
			text, err := keyring.Generate(newKeyID("audit-"), rand.Reader)
			if err != nil {
				return nil, err
			}
			if err := writeKeyFile(path, text); err != nil {
				return nil, err
			}
		}
	}
	return keyring.LoadMACKey(path)
}

// checkpointDir is the checkpoint directory: the flag, else on SQLite BASE.audit-points.
func (s *storeFlags) checkpointDir() string {
	if s.checkpoints != "" || isPostgres(s.db) {
		return s.checkpoints
	}
	return strings.TrimPrefix(s.db, "file:") + ".audit-points"
}

// openAudit gives the store its audit key and starts its checkpoints.
func (s *storeFlags) openAudit(ctx context.Context, e *env, db *sqldb.DB) error {
	key, err := s.auditKey(e, true)
	if err != nil {
		return err
	}
	db.AuditKey = key
	dir := s.checkpointDir()
	if dir == "" {
		fmt.Fprintln(e.stderr, "Attention : pas de dossier de points de contrôle du journal d'audit (--audit-checkpoints) : une troncature du journal ne serait pas détectée.")
		return nil
	}
	return db.StartCheckpoints(ctx, dir, s.cpInterval)
}
