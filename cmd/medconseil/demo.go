package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "demo", "demo [--db FICHIER] [--addr ADRESSE] [--demo-password MOT]")
	var sf storeFlags
	var vf serveFlags
	sf.register(fs, e, "demo-data/medconseil.db")
	vf.register(fs, e)
	password := fs.String("demo-password", "medconseil-demo", "mot de passe de tous les comptes de démonstration")
	n := fs.Int("dossiers", 40, "nombre d'avis d'arrêt de démonstration à créer dans une base vide")
	refDir := fs.String("reference", "", "référentiels à importer (défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference s'il existe)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := auth.CheckPasswordPolicy(*password, ""); err != nil {
		return usageError("--demo-password : " + err.Error())
	}
	log, err := newLogger(e.stderr, vf.logFormat)
	if err != nil {
		return err
	}
	postgres := strings.HasPrefix(sf.db, "postgres://") || strings.HasPrefix(sf.db, "postgresql://")
	if sf.keyFile == "" && e.getenv("MEDCONSEIL_KEYS") == "" {
		if postgres {
			return usageError("--key-file est requis avec PostgreSQL")
		}
		sf.keyFile = sf.db + ".keys"
		if _, err := os.Stat(sf.keyFile); os.IsNotExist(err) {
			text, err := newKeyText(newKeyID("demo"))
			if err != nil {
				return err
			}
			if err := writeKeyFile(sf.keyFile, text); err != nil {
				return err
			}
		}
	}
	sf.create = true
	db, err := sf.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
		return err
	}
	if err := demo.SeedAccounts(ctx, db, *password, auth.DefaultParams); err != nil {
		return err
	}
	created, err := demo.SeedDossiers(ctx, db, *n, time.Now(), 2026)
	if err != nil {
		return err
	}
	slots, err := demo.SeedAgenda(ctx, db, time.Now(), *password, auth.DefaultParams)
	if err != nil {
		return err
	}
	refNote := demoReferentiels(ctx, e, db, *refDir)
	ln, err := net.Listen("tcp", vf.addr)
	if err != nil {
		return err
	}
	return serve(ctx, e, db, log, ln, vf, func(url string) {
		w := e.stdout
		fmt.Fprintf(w, "\nmedconseil — démonstration\n\n  Adresse : %s\n  Base    : %s (%s)\n  Clés    : %s\n", url, sf.db, db.Dialect(), sf.keyFile)
		if created > 0 {
			fmt.Fprintf(w, "  %d avis d'arrêt de démonstration créés.\n", created)
		}
		if slots > 0 {
			fmt.Fprintf(w, "  %d créneaux de convocation créés dans l'agenda des 18 sites (4 semaines).\n", slots)
		}
		fmt.Fprintf(w, "  Référentiels : %s\n", refNote)
		fmt.Fprintf(w, "\nComptes (mot de passe : %s) :\n", *password)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, a := range demo.Accounts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Login, a.Hab.Role.Label(), a.Hab.Territoire)
		}
		tw.Flush()
		fmt.Fprintln(w, "\nCtrl-C pour arrêter.")
	})
}

// demoReferentiels imports the référentiels into the demo store when their directory
// is found (a re-import of the same files changes nothing), and says what happened.
// Without them the product still runs; the Base documentaire page lists what is missing.
func demoReferentiels(ctx context.Context, e *env, db *sqldb.DB, given string) string {
	dir, err := referenceDir(e, given)
	if err != nil {
		return "absents (" + message(err) + ")"
	}
	files, set, err := readReference(io.Discard, dir)
	if err != nil {
		return "non importés : " + message(err)
	}
	res, err := db.ImportReferentiels(ctx, files)
	if err != nil {
		return "non importés : " + message(err)
	}
	rows := 0
	for _, r := range res {
		rows += r.Rows
	}
	note := fmt.Sprintf("%d fichiers, %d lignes, depuis %s", len(res), rows, dir)
	if m := set.MissingRef(); len(m) > 0 {
		note += " ; indisponibles : " + strings.Join(m, " ; ")
	}
	return note
}
