package main

import (
	"context"
	"fmt"

	"medconseil/internal/sqldb"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, "Usage : medconseil audit verify --db DSN\n\nVérifie la chaîne d'empreintes du journal d'audit et désigne la première entrée altérée, supprimée ou insérée.")
			return nil
		}
		return usageError("usage : medconseil audit verify --db DSN")
	}
	fs := newFlagSet(e, "audit verify", "audit verify --db DSN")
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
	n, problem, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return problem
	}
	fmt.Fprintf(e.stdout, "Journal d'audit intègre : %d entrées vérifiées.\n", n)
	return nil
}
