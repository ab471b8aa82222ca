// Command medconseil is the one binary of the Service médical information system:
// the server, the demo, migrations, accounts, the audit journal, the rules, the
// référentiels and the synthetic region. main reads flags and the environment,
// wires the parts, and runs; nothing else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"syscall"

	"medconseil"
)

// env is what a subcommand may use of the outside world; tests give their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"sert l'application (SQLite ou PostgreSQL)", runServe},
		"demo":      {"crée une base de démonstration et sert l'application", runDemo},
		"migrate":   {"applique les migrations de la base", runMigrate},
		"user":      {"gère les comptes : add, passwd, list, token, disable, enable, unlock", runUser},
		"audit":     {"journal d'audit : verify", runAudit},
		"keys":      {"chiffrement au repos : generate, rotate", runKeys},
		"rules":     {"législation : check, eval, bench", runRules},
		"reference": {"référentiels : import, search, bench", runReference},
		"synth":     {"génère une région synthétique (SNDS Parquet)", runSynth},
		"detect":    {"ciblage des professionnels sur les Parquet (DuckDB) : eval", runDetect},
		"bench":     {"bancs d'essai : intake (débit de dépôt des arrêts)", runBench},
		"version":   {"affiche la version", runVersion},
		"deadlines": {"échéances légales : déclenche celles dues (--until), bench", runDeadlines},
		"backup":    {"sauvegarde chiffrée en ligne ; keygen : clé de sauvegarde", runBackup},
		"restore":   {"restaure une sauvegarde dans une base neuve", runRestore},
		"purge":     {"supprime les dossiers dont la durée de conservation est échue", runPurge},
		"controle":  {"contrôle des professionnels : importer (liste de ciblage), indu, suivi (MSO)", runControle},
	}
}

func main() {
	// Every file this process creates (bases, keys, exports, logs) is readable by
	// its owner only: 0600, directories 0700.
	syscall.Umask(0o077)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	err := run(ctx, e, os.Args[1:])
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "medconseil:", message(err))
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, e *env, args []string) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout, cmds)
		if len(args) == 0 {
			return usageError("commande manquante")
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage(e.stderr, cmds)
		return usageError(fmt.Sprintf("commande %q inconnue", args[0]))
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Usage : medconseil COMMANDE [options]  (medconseil COMMANDE -h pour l'aide)")
	fmt.Fprintln(w)
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

// usageErr is a wrong invocation: exit code 2.
type usageErr struct{ msg string }

func (u usageErr) Error() string { return u.msg }

func usageError(msg string) error { return usageErr{msg} }

// message returns what the operator reads: the French message of a domain error,
// the cause too for internal ones (the operator is not an outside caller).
func message(err error) string {
	var de *medconseil.Error
	if errors.As(err, &de) {
		return de.Error()
	}
	return err.Error()
}

func exitCode(err error) int {
	var u usageErr
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// newFlagSet returns a flag set that reports errors instead of exiting, with a
// French usage and French option descriptions (the flag package's own messages
// are English: parseFlags translates its errors).
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage : medconseil %s\n\nOptions :\n", synopsis)
		printDefaults(e.stderr, fs)
	}
	return fs
}

// printDefaults is flag.PrintDefaults in French.
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if k := frenchKind(kind); k != "" {
			line += " " + k
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			line += fmt.Sprintf(" (défaut : %s)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

func frenchKind(k string) string {
	switch k {
	case "string":
		return "texte"
	case "int", "uint", "int64", "uint64":
		return "entier"
	case "float":
		return "nombre"
	case "duration":
		return "durée"
	case "value":
		return "valeur"
	}
	return k
}

// flagErrors translates the flag package's messages (it has no typed errors).
var flagErrors = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^flag provided but not defined: (-+\S+)$`), "option inconnue : $1"},
	{regexp.MustCompile(`^flag needs an argument: (-+\S+)$`), "l'option $1 attend une valeur"},
	{regexp.MustCompile(`^invalid boolean value (".*") for (-+\S+): .*$`), "valeur $1 invalide pour $2 : true ou false attendu"},
	{regexp.MustCompile(`^invalid boolean flag (\S+): .*$`), "option booléenne $1 invalide"},
	{regexp.MustCompile(`^invalid value (".*") for flag (-+\S+): parse error$`), "valeur $1 invalide pour $2 : nombre attendu"},
	{regexp.MustCompile(`^invalid value (".*") for flag (-+\S+): value out of range$`), "valeur $1 hors limites pour $2"},
	{regexp.MustCompile(`^invalid value (".*") for flag (-+\S+): .*$`), "valeur $1 invalide pour $2 (ex. de durée : 30s, 5m, 2h)"},
	{regexp.MustCompile(`^bad flag syntax: (.*)$`), "syntaxe d'option invalide : $1"},
}

// parseFlags parses args; -h prints the usage and returns flag.ErrHelp. Errors are
// French and followed by the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err // the flag package has printed the usage
		}
		msg := err.Error()
		for _, t := range flagErrors {
			if t.re.MatchString(msg) {
				msg = t.re.ReplaceAllString(msg, t.fr)
				break
			}
		}
		return usageError(msg) // after the usage, printed by the flag package
	}
	return nil
}
