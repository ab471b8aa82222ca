package main

import (
	"context"
	"fmt"

	"medconseil/internal/sqldb"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "migrate", "migrate --db DSN")
	var sf storeFlags
	sf.register(fs, e, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if sf.db == "" {
		return usageError("--db manquant")
	}
	if err := createPrivate(sf.db); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, sf.db)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := migrate(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "Base à jour : aucune migration à appliquer.")
	}
	for _, a := range applied {
		fmt.Fprintln(e.stdout, "appliquée :", a)
	}
	return nil
}
