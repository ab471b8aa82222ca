package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"medconseil/internal/backup"
	"medconseil/internal/sqldb"
)

const backupUsage = `Usage : medconseil backup --db DSN --out FICHIER [--backup-key-file CLE]
        medconseil backup keygen --out CLE

Sauvegarde en ligne (le serveur peut tourner) : un instantané cohérent de toute la base,
chiffré par AES-256-GCM avec la clé de sauvegarde (distincte des clés des données
cliniques), suivi d'un manifeste (version, migrations, nombre de lignes par table,
SHA-256, dernière entrée du journal), dont une copie en clair est écrite à côté
(FICHIER.manifeste.json). « medconseil restore » la recharge dans une base neuve.`

// backupKeyFlag is the flag (and env) naming the backup key file.
func backupKeyFlag(fs *flag.FlagSet, e *env) *string {
	return fs.String("backup-key-file", e.getenv("MEDCONSEIL_BACKUP_KEY_FILE"), "fichier de la clé de sauvegarde (env MEDCONSEIL_BACKUP_KEY_FILE) ; « medconseil backup keygen » en crée une")
}

func runBackup(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "keygen" {
		return runBackupKeygen(e, args[1:])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(e.stdout, backupUsage)
		return nil
	}
	fs := newFlagSet(e, "backup", "backup --db DSN --out FICHIER [--backup-key-file CLE]")
	var sf storeFlags
	sf.register(fs, e, "")
	out := fs.String("out", "", "fichier de sauvegarde à créer (refuse d'écraser un fichier existant)")
	keyFile := backupKeyFlag(fs, e)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if sf.db == "" {
		return usageError("--db manquant : chemin SQLite ou URL postgres://…")
	}
	if *out == "" {
		return usageError("--out manquant : le fichier de sauvegarde à créer")
	}
	if *keyFile == "" {
		return usageError("--backup-key-file manquant (ou MEDCONSEIL_BACKUP_KEY_FILE) : « medconseil backup keygen --out CLE » en crée une")
	}
	key, err := backup.LoadKey(*keyFile)
	if err != nil {
		return err
	}
	if err := distinctFromDataKeys(e, &sf, key); err != nil {
		return err
	}
	if _, err := os.Stat(*out); err == nil {
		return fail("%s existe déjà : une sauvegarde n'en écrase jamais une autre", *out)
	}
	db, err := openExisting(ctx, sf.db)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	m, err := writeBackup(ctx, db, key, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Sauvegarde écrite dans %s en %s : %d dossiers, %d entrées de journal (dernière n° %d), %d tables, contenu %d octets, SHA-256 %s, clé %s.\n",
		*out, time.Since(start).Round(time.Millisecond), max(m.Count("dossier"), 0), max(m.Count("audit"), 0), m.LastAudit.Seq, len(m.Tables), m.Octets, m.SHA256, m.Cle)
	return nil
}

// writeBackup writes the encrypted backup of db to path (through a temporary file
// renamed once complete and synced) and its clear manifest beside it.
func writeBackup(ctx context.Context, db *sqldb.DB, key *backup.Key, path string) (*backup.Manifest, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	tmp := path + ".partiel"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	start := time.Now()
	w, err := backup.NewWriter(f, key)
	if err != nil {
		return nil, err
	}
	info, err := db.Dump(ctx, w)
	if err != nil {
		return nil, fail("sauvegarde interrompue, aucun fichier écrit : %w", err)
	}
	m := &backup.Manifest{Version: binaryVersion(), CreeLe: info.Le, DumpInfo: *info, Duree: time.Since(start).Round(time.Millisecond).String()}
	if err := w.Close(m); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	ok = true
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".manifeste.json", append(b, '\n'), 0o600); err != nil {
		return nil, err
	}
	return m, nil
}

// openExisting opens a store without migrating it, refusing an SQLite path that
// does not exist (a mistyped --db must not create an empty database).
func openExisting(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if sqldb.DialectOf(dsn) == sqldb.SQLite {
		if _, err := os.Stat(strings.TrimPrefix(dsn, "file:")); err != nil {
			return nil, fail("base SQLite %s introuvable : vérifiez --db", dsn)
		}
	}
	return sqldb.Open(ctx, dsn)
}

// distinctFromDataKeys refuses a backup key that is also a key of clinical data:
// a stolen backup and a stolen key file must not open each other.
func distinctFromDataKeys(e *env, sf *storeFlags, key *backup.Key) error {
	kr, err := sf.keys(e)
	if err != nil || kr == nil {
		return nil // no data keyring given: nothing to compare
	}
	b64 := base64.StdEncoding.EncodeToString(key.Raw())
	for _, line := range strings.Split(kr.Text(), "\n") {
		if _, k, ok := strings.Cut(line, ":"); ok && k == b64 {
			return fail("la clé de sauvegarde est aussi une clé des données cliniques : générez-en une distincte (« medconseil backup keygen »)")
		}
	}
	return nil
}

func runBackupKeygen(e *env, args []string) error {
	fs := newFlagSet(e, "backup keygen", "backup keygen --out CLE")
	out := fs.String("out", "", "fichier de clé à créer (mode 0600) ; refuse d'écraser un fichier existant")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("--out manquant")
	}
	if _, err := os.Stat(*out); err == nil {
		return fail("%s existe déjà : une clé de sauvegarde ne s'écrase pas (les sauvegardes faites avec elle deviendraient illisibles)", *out)
	}
	text, err := backup.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if err := writeKeyFile(*out, text); err != nil {
		return err
	}
	k, err := backup.ParseKey(text)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Clé de sauvegarde créée dans %s (empreinte %s). Conservez-la à part des sauvegardes et des clés des données : sans elle, aucune sauvegarde ne se restaure.\n", *out, k.Fingerprint())
	return nil
}

func binaryVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v = "dev+" + s.Value
			}
		}
	}
	return v
}
