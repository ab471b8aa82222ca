package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"medconseil/internal/keyring"
)

func runKeys(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "generate":
		fs := newFlagSet(e, "keys generate", "keys generate --out FICHIER")
		out := fs.String("out", "", "fichier à créer (mode 0600) ; refuse d'écraser un fichier existant")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *out == "" {
			return usageError("--out manquant")
		}
		if _, err := os.Stat(*out); err == nil {
			return fail("%s existe déjà : « keys rotate » pour ajouter une clé", *out)
		}
		text, err := newKeyText(newKeyID("k"))
		if err != nil {
			return err
		}
		if err := writeKeyFile(*out, text); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Clé créée dans %s. Sauvegardez ce fichier hors de la base : sans lui, les données cliniques sont illisibles.\n", *out)
		return nil
	case "rotate":
		fs := newFlagSet(e, "keys rotate", "keys rotate --db DSN --key-file FICHIER [--retire]")
		var sf storeFlags
		sf.register(fs, e, "")
		retire := fs.Bool("retire", false, "après le rechiffrement, retirer du fichier les anciennes clés qui ne servent plus")
		grace := fs.Duration("grace", 5*time.Second, "avec --retire : attente avant le second passage, le temps que les serveurs en marche (qui relisent le fichier toutes les 2 s) adoptent la nouvelle clé")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if sf.keyFile == "" {
			return usageError("--key-file manquant : la rotation réécrit ce fichier")
		}
		db, err := sf.open(ctx, e, true)
		if err != nil {
			return err
		}
		defer db.Close()
		id := newKeyID("k")
		fresh, err := newKeyText(id)
		if err != nil {
			return err
		}
		// The new key goes first (active); the old ones stay to decrypt. The file is
		// written before the database, so no value is ever sealed with a key the file lacks.
		next, err := keyring.Parse(fresh + db.Keys.Text())
		if err != nil {
			return err
		}
		if err := writeKeyFile(sf.keyFile, next.Text()); err != nil {
			return err
		}
		n, err := db.RotateKeys(ctx, next)
		if err != nil {
			return fail("rechiffrement interrompu, rien n'a changé dans la base (le fichier de clés contient l'ancienne et la nouvelle clé) : %w", err)
		}
		fmt.Fprintf(e.stdout, "%d valeurs rechiffrées avec la clé %s.\n", n, id)
		if *retire {
			// A running server may have sealed values with the old active key until
			// it reloaded the file: wait, then re-encrypt those stragglers.
			select {
			case <-time.After(*grace):
			case <-ctx.Done():
				return ctx.Err()
			}
			if m, err := db.RotateKeys(ctx, next); err != nil {
				return fail("second passage du rechiffrement interrompu : %w", err)
			} else if m > 0 {
				fmt.Fprintf(e.stdout, "%d valeurs écrites entre-temps par un serveur rechiffrées.\n", m)
			}
			inUse, err := db.KeysInUse(ctx)
			if err != nil {
				return err
			}
			for k, c := range inUse {
				if k != id && c > 0 {
					return fail("la clé %s sert encore à %d valeurs : non retirée", k, c)
				}
			}
			if err := writeKeyFile(sf.keyFile, fresh); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "Anciennes clés retirées du fichier.")
		}
		return nil
	case "-h", "--help", "":
		fmt.Fprintln(e.stdout, "Usage : medconseil keys generate --out FICHIER\n        medconseil keys rotate --db DSN --key-file FICHIER [--retire]")
		if sub == "" {
			return usageError("sous-commande manquante")
		}
		return nil
	}
	return usageError(fmt.Sprintf("sous-commande keys %q inconnue", sub))
}
