package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/sqldb"
)

func runUser(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	operator := &medconseil.Acteur{Login: "operateur"}
	m := sqldb.Meta{Adresse: "console", Finalite: "administration"}
	switch sub {
	case "add":
		fs := newFlagSet(e, "user add", "user add --db DSN --login L --nom NOM --role ROLE --territoire T (--password P | --password-stdin)")
		var sf storeFlags
		sf.register(fs, e, "")
		login := fs.String("login", "", "identifiant")
		nom := fs.String("nom", "", "nom affiché")
		role := fs.String("role", "", "rôle : "+roleList())
		terr := fs.String("territoire", "", "territoire : national, region:44, echelon:67, site:CODE, caisse:67, rpps:NUMERO, siret:NUMERO, nir:NUMERO")
		pw := passwordFlags(fs)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		r, err := medconseil.ParseRole(*role)
		if err != nil {
			return err
		}
		t, err := medconseil.ParseTerritoire(*terr)
		if err != nil {
			return err
		}
		hash, err := pw.hash(e, *login)
		if err != nil {
			return err
		}
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.CreateUser(ctx, operator, *login, *nom, hash, []medconseil.Habilitation{{Role: r, Territoire: t}}, m); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Compte %s créé (%s, %s).\n", *login, r.Label(), t)
		return nil
	case "passwd":
		fs := newFlagSet(e, "user passwd", "user passwd --db DSN --login L (--password P | --password-stdin)")
		var sf storeFlags
		sf.register(fs, e, "")
		login := fs.String("login", "", "identifiant")
		pw := passwordFlags(fs)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		hash, err := pw.hash(e, *login)
		if err != nil {
			return err
		}
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.SetPassword(ctx, operator, *login, hash, m); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Mot de passe de %s changé ; ses sessions sont closes.\n", *login)
		return nil
	case "list":
		fs := newFlagSet(e, "user list", "user list --db DSN")
		var sf storeFlags
		sf.register(fs, e, "")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		us, err := db.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "IDENTIFIANT\tNOM\tÉTAT\tHABILITATIONS")
		for _, u := range us {
			var hs []string
			for _, h := range u.Habilitations {
				hs = append(hs, string(h.Role)+"@"+h.Territoire.String())
			}
			etat := "actif"
			if !u.Actif {
				etat = "désactivé"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Login, u.Nom, etat, strings.Join(hs, " "))
		}
		return tw.Flush()
	case "token":
		fs := newFlagSet(e, "user token", "user token --db DSN --login L [--libelle TEXTE]")
		var sf storeFlags
		sf.register(fs, e, "")
		login := fs.String("login", "", "identifiant")
		libelle := fs.String("libelle", "jeton créé en console", "libellé du jeton")
		days := fs.Int("token-days", tokenDaysDefault(e), "durée de validité du jeton, en jours (env MEDCONSEIL_TOKEN_DAYS)")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *days < 1 || *days > 3650 {
			return usageError("--token-days : un nombre de jours entre 1 et 3650")
		}
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		id, _, actif, err := db.Credentials(ctx, *login)
		if err != nil {
			return err
		}
		if !actif {
			return fail("le compte %s est désactivé", *login)
		}
		token, digest, err := auth.NewToken()
		if err != nil {
			return err
		}
		if _, err := db.CreateToken(ctx, id, digest, *libelle, time.Duration(*days)*24*time.Hour, m); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
		return nil
	case "disable", "enable":
		fs := newFlagSet(e, "user "+sub, "user "+sub+" --db DSN --login L")
		var sf storeFlags
		sf.register(fs, e, "")
		login := fs.String("login", "", "identifiant")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		return db.SetActive(ctx, operator, *login, sub == "enable", m)
	case "unlock":
		fs := newFlagSet(e, "user unlock", "user unlock --db DSN --login L")
		var sf storeFlags
		sf.register(fs, e, "")
		login := fs.String("login", "", "identifiant")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Unlock(ctx, operator, *login, m); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Compte %s débloqué.\n", *login)
		return nil
	case "-h", "--help", "":
		fmt.Fprintln(e.stdout, "Usage : medconseil user add|passwd|list|token|disable|enable|unlock [options]  (medconseil user add -h …)")
		if sub == "" {
			return usageError("sous-commande manquante")
		}
		return nil
	}
	return usageError(fmt.Sprintf("sous-commande user %q inconnue", sub))
}

func roleList() string {
	var s []string
	for _, r := range medconseil.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

type passwordSource struct {
	value *string
	stdin *bool
}

func passwordFlags(fs interface {
	String(string, string, string) *string
	Bool(string, bool, string) *bool
}) passwordSource {
	return passwordSource{
		value: fs.String("password", "", "mot de passe (préférer --password-stdin : la ligne de commande reste dans l'historique)"),
		stdin: fs.Bool("password-stdin", false, "lire le mot de passe sur la première ligne de l'entrée standard"),
	}
}

// hash reads the password, checks it against the policy, and returns its
// argon2id hash.
func (p passwordSource) hash(e *env, login string) (string, error) {
	password, err := p.read(e)
	if err != nil {
		return "", err
	}
	if err := auth.CheckPasswordPolicy(password, login); err != nil {
		return "", usageError("mot de passe refusé : " + err.Error())
	}
	return auth.HashPassword(password, auth.DefaultParams)
}

// tokenDaysDefault is the lifetime of API tokens in days: MEDCONSEIL_TOKEN_DAYS, or 90.
func tokenDaysDefault(e *env) int {
	if v, err := strconv.Atoi(e.getenv("MEDCONSEIL_TOKEN_DAYS")); err == nil && v > 0 {
		return v
	}
	return 90
}

func (p passwordSource) read(e *env) (string, error) {
	if *p.stdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fail("mot de passe attendu sur l'entrée standard")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	if *p.value == "" {
		return "", usageError("mot de passe manquant : --password-stdin ou --password")
	}
	return *p.value, nil
}
