package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/reference"
	"medconseil/internal/rules"
)

const rulesUsage = `Usage : medconseil rules SOUS-COMMANDE [options]

  check            vérifie strictement les paramètres (clés, dates, références, unités)
  eval JEU FICHIER évalue un jeu de règles sur le fichier JSON (- : l'entrée standard), décision JSON sur stdout
  list             liste les jeux de règles et les paramètres en vigueur à une date
  bench            mesure le jeu ij sur une population générée (décisions/s, allocations)

medconseil rules SOUS-COMMANDE -h pour l'aide de chacune.
`

// runRules is the "rules" command: the legislation as code.
func runRules(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, rulesUsage)
		if len(args) == 0 {
			return usageError("sous-commande manquante")
		}
		return nil
	}
	switch args[0] {
	case "check":
		return rulesCheck(e, args[1:])
	case "eval":
		return rulesEval(e, args[1:])
	case "list":
		return rulesList(e, args[1:])
	case "bench":
		return rulesBench(e, args[1:])
	}
	fmt.Fprint(e.stderr, rulesUsage)
	return usageError(fmt.Sprintf("sous-commande %q inconnue", args[0]))
}

func rulesCheck(e *env, args []string) error {
	fs := newFlagSet(e, "rules check", "rules check [-dir RÉPERTOIRE]")
	dir := fs.String("dir", "", "répertoire de paramètres à vérifier (par défaut : les paramètres embarqués)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("rules check ne prend pas d'argument")
	}
	var set *rules.Set
	var err error
	if *dir == "" {
		set, err = rules.LoadEmbedded()
	} else {
		set, err = rules.Load(os.DirFS(*dir))
	}
	if err == nil {
		_, err = rules.New(set)
	}
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(e.stderr, line)
		}
		return &medconseil.Error{Code: medconseil.EINVALID, Message: "paramètres invalides"}
	}
	verify := 0
	for _, n := range set.Names() {
		if p, _ := set.Get(n); p.Verify() {
			verify++
		}
	}
	fmt.Fprintf(e.stdout, "%d paramètres valides (%d avec une valeur à vérifier sur Légifrance).\n", len(set.Names()), verify)
	return nil
}

func rulesEval(e *env, args []string) error {
	fs := newFlagSet(e, "rules eval", "rules eval JEU FICHIER.json  (JEU : ij, atmp, invalidite, ald, transport, kine, ordonnance, mtdents, lpp ; FICHIER « - » : l'entrée standard)")
	in := fs.String("in", "", "fichier JSON d'entrée (comme l'argument FICHIER)")
	refDir := fs.String("reference", "", "référentiels (communes, FINESS) pour les distances du jeu transport (défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference s'il existe)")
	// Accept the rule set before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if name == "" {
		fs.Usage()
		return usageError("jeu de règles manquant")
	}
	path := *in
	if len(rest) > 0 {
		if path != "" || len(rest) > 1 {
			return usageError("un seul fichier d'entrée")
		}
		path = rest[0]
	}
	eng, err := rules.NewEmbedded()
	if err != nil {
		return medconseil.Internal(err)
	}
	if dir, err := referenceDir(e, *refDir); err == nil {
		// Read only if the input asks for a distance (commune and FINESS).
		eng.SetLieux(&dirLieux{dir: dir})
	}
	var r io.Reader
	switch {
	case path == "-":
		r = e.stdin
	case path != "":
		f, err := os.Open(path)
		if err != nil {
			return &medconseil.Error{Code: medconseil.EINVALID, Field: path, Message: "fichier d'entrée illisible", Err: err}
		}
		defer f.Close()
		r = f
	case isTerminal(e.stdin):
		// Nothing given and nobody piping: say so rather than wait on the keyboard.
		fs.Usage()
		return usageError("fichier d'entrée manquant : medconseil rules eval " + name + " FICHIER.json (ou « - » pour lire l'entrée standard)")
	default:
		r = e.stdin // input piped in: rules eval ij < cas.json
	}
	x, err := eng.Evaluate(name, r)
	if err != nil {
		return err
	}
	return rules.EncodeJSON(e.stdout, x)
}

func rulesList(e *env, args []string) error {
	fs := newFlagSet(e, "rules list", "rules list [-date AAAA-MM-JJ] [-json]")
	date := fs.String("date", "", "date à laquelle lire les valeurs en vigueur (par défaut : aujourd'hui)")
	asJSON := fs.Bool("json", false, "sortie JSON (comme GET /api/v1/parameters)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	eng, err := rules.NewEmbedded()
	if err != nil {
		return medconseil.Internal(err)
	}
	on := medconseil.DateOf(time.Now())
	if *date != "" {
		if on, err = medconseil.ParseDate(*date); err != nil {
			return usageError("-date : " + err.Error())
		}
	}
	if *asJSON {
		return rules.EncodeJSON(e.stdout, map[string]any{
			"rulesets": eng.RuleSets(), "parameters": rules.ParametersAt(eng.Params, on),
		})
	}
	fmt.Fprintln(e.stdout, "Jeux de règles :")
	for _, s := range eng.RuleSets() {
		fmt.Fprintf(e.stdout, "  %-11s %s\n", s.Name, s.Title)
	}
	fmt.Fprintf(e.stdout, "\nParamètres en vigueur le %s :\n", on.Francais())
	for _, p := range rules.ParametersAt(eng.Params, on) {
		v := "—"
		if p.Current != nil {
			v = p.Current.Display
			if p.Current.Verify {
				v += "  (à vérifier)"
			}
		}
		fmt.Fprintf(e.stdout, "  %-48s %s\n", p.Name, strings.TrimSpace(v))
	}
	return nil
}

func rulesBench(e *env, args []string) error {
	fs := newFlagSet(e, "rules bench", "rules bench [-n N] [-arrets 20] [-rounds R] [-workers W] [-seed S]")
	n := fs.Int("n", 100000, "nombre de situations générées")
	arrets := fs.Int("arrets", 20, "nombre maximal d'arrêts par historique (l'arrêt examiné compris)")
	rounds := fs.Int("rounds", 20, "nombre de passes sur la population")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "nombre de goroutines")
	seed := fs.Uint64("seed", 1, "graine du générateur")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 || *arrets < 1 || *rounds < 1 || *workers < 1 {
		return usageError("-n, -arrets, -rounds et -workers doivent être positifs")
	}
	eng, err := rules.NewEmbedded()
	if err != nil {
		return medconseil.Internal(err)
	}
	pop := rules.Population(*n, *arrets, *seed)
	res := eng.IJ().Bench(pop, *rounds, *workers)
	fmt.Fprintf(e.stdout, "jeu ij : %d décisions (%d situations × %d passes, historiques de 1 à %d arrêts), %d goroutines\n",
		res.Decisions, *n, *rounds, *arrets, res.Workers)
	fmt.Fprintf(e.stdout, "durée : %s\n", res.Elapsed.Round(1e6))
	fmt.Fprintf(e.stdout, "débit : %.0f décisions/s\n", res.PerSecond)
	fmt.Fprintf(e.stdout, "allocations : %.3f par décision\n", res.AllocsPerCall)
	fmt.Fprintf(e.stdout, "erreurs : %d\n", res.Errors)
	keys := make([]string, 0, len(res.Outcomes))
	for k := range res.Outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "  %-28s %d\n", k, res.Outcomes[k])
	}
	if res.Errors > 0 {
		return errors.New("des évaluations ont échoué")
	}
	return nil
}

// dirLieux reads the référentiels of a directory on first use, for the transport
// rule set's distances (R322-10-5).
type dirLieux struct {
	dir string
	set *reference.Set
	err error
}

func (l *dirLieux) load() (rules.Lieux, error) {
	if l.set == nil && l.err == nil {
		files, _, err := reference.ReadDir(l.dir)
		if err == nil {
			l.set, err = reference.Build(files)
		}
		l.err = err
	}
	if l.err != nil {
		return nil, l.err
	}
	return rules.ReferenceLieux(l.set), nil
}

func (l *dirLieux) Etablissement(commune, finess string) (string, string, float64, error) {
	r, err := l.load()
	if err != nil {
		return "", "", 0, err
	}
	return r.Etablissement(commune, finess)
}

func (l *dirLieux) PlusProche(commune, categorie string) (string, string, float64, error) {
	r, err := l.load()
	if err != nil {
		return "", "", 0, err
	}
	return r.PlusProche(commune, categorie)
}
