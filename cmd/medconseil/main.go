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
	"sort"
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
		"user":      {"gère les comptes : add, passwd, list, token", runUser},
		"audit":     {"journal d'audit : verify", runAudit},
		"keys":      {"chiffrement au repos : generate, rotate", runKeys},
		"rules":     {"législation : check, eval, bench", runRules},
		"reference": {"référentiels : import, search, bench", runReference},
		"synth":     {"génère une région synthétique (SNDS Parquet)", runSynth},
		"detect":    {"ciblage des professionnels sur les Parquet (DuckDB) : eval", runDetect},
		"bench":     {"bancs d'essai : intake (débit de dépôt des arrêts)", runBench},
		"version":   {"affiche la version", runVersion},
	}
}

func main() {
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
// French usage line.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage : medconseil %s\n\nOptions :\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; -h prints the usage and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError(err.Error())
	}
	return nil
}
