package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"medconseil/internal/backup"
	"medconseil/internal/sqldb"
)

const restoreUsage = `Usage : medconseil restore --from FICHIER --db DSN [--backup-key-file CLE] [--key-file CLES]
        medconseil restore --from FICHIER --check [--backup-key-file CLE]

Recharge une sauvegarde dans une base NEUVE (fichier SQLite absent, ou base PostgreSQL
sans table) : chaque bloc est authentifié avant d'être écrit, le tout en une transaction ;
un fichier altéré, tronqué ou une mauvaise clé est refusé et rien n'est écrit. Puis les
migrations postérieures à la sauvegarde sont appliquées (mise à jour) et le journal
d'audit est vérifié. Avec --key-file, vérifie aussi que ces clés ouvrent les données
cliniques restaurées. --check vérifie le fichier sans rien restaurer.`

func runRestore(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(e.stdout, restoreUsage)
		return nil
	}
	fs := newFlagSet(e, "restore", "restore --from FICHIER --db DSN [--backup-key-file CLE]")
	var sf storeFlags
	sf.register(fs, e, "")
	from := fs.String("from", "", "fichier de sauvegarde")
	keyFile := backupKeyFlag(fs, e)
	check := fs.Bool("check", false, "vérifie seulement le fichier (authenticité, intégrité, manifeste), sans restaurer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError("--from manquant : le fichier de sauvegarde")
	}
	if *keyFile == "" {
		return usageError("--backup-key-file manquant (ou MEDCONSEIL_BACKUP_KEY_FILE)")
	}
	if sf.db == "" && !*check {
		return usageError("--db manquant : la base neuve où restaurer")
	}
	if !*check && sf.auditKeyFile == "" && e.getenv("MEDCONSEIL_AUDIT_KEY") == "" {
		return usageError("--audit-key-file manquant (ou MEDCONSEIL_AUDIT_KEY_FILE) : la clé du journal d'audit de la base sauvegardée, sans laquelle le journal restauré ne peut être vérifié")
	}
	key, err := backup.LoadKey(*keyFile)
	if err != nil {
		return err
	}
	f, err := os.Open(*from)
	if err != nil {
		return fail("sauvegarde %s illisible : %w", *from, err)
	}
	defer f.Close()
	start := time.Now()
	if *check {
		m, err := backup.ReadManifest(f, key)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Sauvegarde intègre : faite le %s par medconseil %s (%s), %d dossiers, %d tables, dernière entrée du journal n° %d, SHA-256 %s.\n",
			m.CreeLe.Format(time.RFC3339), m.Version, m.Engine, max(m.Count("dossier"), 0), len(m.Tables), m.LastAudit.Seq, m.SHA256)
		return nil
	}
	r, err := backup.NewReader(f, key)
	if err != nil {
		return err
	}
	info, err := sqldb.Load(ctx, sf.db, r)
	if err != nil {
		return fail("restauration refusée, rien n'a été écrit : %w", err)
	}
	m := r.Manifest()
	if m == nil || m.LastAudit != info.LastAudit || len(m.Tables) != len(info.Tables) {
		return fail("restauration : le manifeste ne correspond pas au contenu")
	}
	loaded := time.Since(start)
	auditKey, err := sf.auditKey(e, false)
	if err != nil {
		return err
	}
	if !isPostgres(sf.db) && sf.auditKeyFile != "" {
		// The restored base keeps the journal's key beside it, as any SQLite base.
		text, err := os.ReadFile(sf.auditKeyFile)
		if err != nil {
			return fail("clé du journal d'audit %s illisible : %w", sf.auditKeyFile, err)
		}
		if err := os.WriteFile(strings.TrimPrefix(sf.db, "file:")+".audit-key", text, 0o600); err != nil {
			return fail("copie de la clé du journal d'audit : %w", err)
		}
	}
	db, err := sqldb.Open(ctx, sf.db)
	if err != nil {
		return err
	}
	defer db.Close()
	db.AuditKey = auditKey
	applied, err := migrate(ctx, db)
	if err != nil {
		return fail("données restaurées, mais la mise à jour du schéma a échoué : %w", err)
	}
	n, problem, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return fail("données restaurées, mais le journal d'audit ne se vérifie pas : %w", problem)
	}
	if n < m.LastAudit.Seq {
		return fail("données restaurées, mais le journal s'arrête à l'entrée %d au lieu de %d", n, m.LastAudit.Seq)
	}
	kr, err := sf.keys(e)
	if err != nil {
		return err
	}
	if kr != nil {
		inUse, err := db.KeysInUse(ctx)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, id := range kr.IDs() {
			have[id] = true
		}
		for id, c := range inUse {
			if c > 0 && !have[id] {
				return fail("données restaurées, mais %d valeurs cliniques sont chiffrées avec la clé %s, absente du trousseau donné", c, id)
			}
		}
	}
	fmt.Fprintf(e.stdout, "Restauration terminée dans %s en %s (chargement %s) : %d dossiers, %d tables, sauvegarde du %s ; %d migrations appliquées depuis ; journal d'audit intègre (%d entrées).\n",
		sf.db, time.Since(start).Round(time.Millisecond), loaded.Round(time.Millisecond), max(info.Count("dossier"), 0), len(info.Tables), m.CreeLe.Format(time.RFC3339), len(applied), n)
	return nil
}
