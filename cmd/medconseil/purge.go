package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"medconseil/internal/ops"
	"medconseil/internal/rules"
	"medconseil/internal/sqldb"
)

const purgeUsage = `Usage : medconseil purge --db DSN [--dry-run] [--batch 500] [--forcer-valeurs-a-verifier]

Supprime les dossiers dont la durée de conservation est échue (paramètres datés
conservation/*, page Législation), par lots d'une transaction, chaque suppression
inscrite au journal d'audit ; jamais un dossier ouvert, contesté ou relevant d'un
contentieux ou d'une procédure MSO/MSAP, ni (tant que conservation/purge_atmp est
faux) un dossier AT/MP. --dry-run liste ce qui partirait sans rien supprimer. Tant
qu'une durée en vigueur est marquée « à vérifier », la purge réelle est refusée
sauf --forcer-valeurs-a-verifier.`

func runPurge(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(e.stdout, purgeUsage)
		return nil
	}
	fs := newFlagSet(e, "purge", "purge --db DSN [--dry-run] [--batch 500]")
	var sf storeFlags
	sf.register(fs, e, "")
	dry := fs.Bool("dry-run", false, "liste ce qui serait supprimé, sans rien supprimer")
	batch := fs.Int("batch", 500, "dossiers supprimés par transaction")
	force := fs.Bool("forcer-valeurs-a-verifier", false, "purge malgré une durée de conservation marquée « à vérifier »")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if sf.db == "" {
		return usageError("--db manquant : chemin SQLite ou URL postgres://…")
	}
	if *batch <= 0 {
		return usageError("--batch doit être positif")
	}
	set, err := rules.LoadEmbedded()
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, sf.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := migrate(ctx, db); err != nil {
		return err
	}
	now := time.Now()
	n := 0
	res, vals, err := ops.PurgeDue(ctx, db, set, now, *dry, *force, func(it sqldb.PurgeItem) {
		if *dry {
			fmt.Fprintf(e.stdout, "dossier %d\t%s\t%s\téchelon %s\tmodifié le %s\n", it.ID, it.Type, it.Etat, it.Departement, it.MajLe[:10])
		}
		n++
	})
	for _, v := range vals {
		flag := ""
		if v.Verify {
			flag = " — À VÉRIFIER : " + v.Note
		}
		fmt.Fprintf(e.stderr, "%s = %s%s\n", v.Name, v.Value, flag)
	}
	if err != nil {
		if errors.Is(err, ops.ErrUnverified) {
			return err
		}
		return fail("purge interrompue après %d dossiers (les lots terminés sont définitifs et journalisés) : %w", n, err)
	}
	if *dry {
		fmt.Fprintf(e.stdout, "Simulation : %d dossiers seraient supprimés (durée de conservation échue, dossiers protégés exclus). Rien n'a été modifié.\n", res.Dossiers)
		return nil
	}
	fmt.Fprintf(e.stdout, "Purge terminée : %d dossiers et %d assurés supprimés, chaque suppression inscrite au journal d'audit.\n", res.Dossiers, res.Assures)
	return nil
}
