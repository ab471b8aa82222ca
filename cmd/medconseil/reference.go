package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
)

// runReference dispatches the référentiels subcommands.
func runReference(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"import": referenceImport,
		"search": referenceSearch,
		"bench":  referenceBench,
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		w := e.stdout
		if len(args) == 0 {
			w = e.stderr
		}
		fmt.Fprintln(w, "Usage : medconseil reference import [RÉPERTOIRE] [--db DSN]")
		fmt.Fprintln(w, "        medconseil reference search NOM REQUÊTE [--limit N] [--db DSN]")
		fmt.Fprintln(w, "        medconseil reference bench [--queries N] [--runs N]")
		fmt.Fprintln(w, "NOM : "+strings.Join(reference.Names, ", "))
		if len(args) == 0 {
			return usageError("sous-commande manquante")
		}
		return nil
	}
	f, ok := sub[args[0]]
	if !ok {
		return usageError(fmt.Sprintf("sous-commande %q inconnue : import, search ou bench", args[0]))
	}
	return f(ctx, e, args[1:])
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// referenceDir returns the directory given, else $MEDCONSEIL_REFERENCE, else
// ../shared/reference when it exists.
func referenceDir(e *env, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if d := e.getenv("MEDCONSEIL_REFERENCE"); d != "" {
		return d, nil
	}
	def := filepath.Join("..", "shared", "reference")
	if st, err := os.Stat(def); err == nil && st.IsDir() {
		return def, nil
	}
	return "", usageError("répertoire des référentiels introuvable : le donner en argument ou par MEDCONSEIL_REFERENCE (défaut ../shared/reference, absent)")
}

// readReference parses and checks every file of dir: nothing is written if any is malformed.
func readReference(w io.Writer, dir string) ([]*reference.File, *reference.Set, error) {
	files, missing, err := reference.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	set, err := reference.Build(files)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range missing {
		fmt.Fprintf(w, "absent : %s — %s\n", m.Path, m.Title)
	}
	return files, set, nil
}

func printMissing(w io.Writer, set *reference.Set) {
	if m := set.MissingRef(); len(m) > 0 {
		fmt.Fprintln(w, "Référentiels indisponibles : "+strings.Join(m, " ; "))
	}
}

func referenceImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "reference import", "reference import [RÉPERTOIRE] [--db DSN]\n\nImporte les nomenclatures SNDS et la géographie ; sans --db, vérifie seulement les fichiers.")
	var sf storeFlags
	sf.register(fs, e, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError("un seul répertoire attendu")
	}
	given := ""
	if len(pos) == 1 {
		given = pos[0]
	}
	dir, err := referenceDir(e, given)
	if err != nil {
		return err
	}
	start := time.Now()
	files, set, err := readReference(e.stdout, dir)
	if err != nil {
		fmt.Fprintln(e.stderr, "Import refusé : aucun fichier n'a été écrit, les versions en vigueur restent.")
		return err
	}
	parsed := time.Since(start)
	if sf.db == "" {
		for _, f := range files {
			fmt.Fprintf(e.stdout, "%-45s %7d lignes  vérifié\n", f.Source.Path, len(f.Rows))
		}
		printMissing(e.stdout, set)
		fmt.Fprintf(e.stdout, "Fichiers vérifiés en %s ; aucune base donnée (--db), rien n'est écrit.\n", parsed.Round(time.Millisecond))
		return nil
	}
	db, err := sf.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.ImportReferentiels(ctx, files)
	if err != nil {
		return err
	}
	changed := 0
	for _, r := range res {
		fmt.Fprintf(e.stdout, "%-45s %7d lignes  version %d  %s\n", r.File, r.Rows, r.ID, r.Status)
		if r.Status != sqldb.ImportUnchanged {
			changed++
		}
	}
	printMissing(e.stdout, set)
	if changed == 0 {
		fmt.Fprintf(e.stdout, "Rien n'a changé : les %d fichiers sont déjà les versions en vigueur (%s).\n", len(res), time.Since(start).Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(e.stdout, "%d fichier(s) importé(s) sur %d en %s.\n", changed, len(res), time.Since(start).Round(time.Millisecond))
	return nil
}

func referenceSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "reference search", "reference search NOM REQUÊTE [--limit N] [--db DSN | --reference RÉPERTOIRE]\n\nNOM : "+strings.Join(reference.Names, ", "))
	var sf storeFlags
	sf.register(fs, e, "")
	limit := fs.Int("limit", 10, "nombre maximal de résultats")
	refDir := fs.String("reference", "", "répertoire des référentiels, quand il n'y a pas de base (défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usageError("NOM et REQUÊTE attendus, par exemple : reference search cim10 lombalgie")
	}
	name, q := pos[0], strings.Join(pos[1:], " ")
	if _, ok := reference.Titles[name]; !ok {
		return usageError(fmt.Sprintf("référentiel %q inconnu : %s", name, strings.Join(reference.Names, ", ")))
	}
	var set *reference.Set
	if sf.db != "" {
		db, err := sf.open(ctx, e, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if set, err = db.LoadReferentiels(ctx); err != nil {
			return err
		}
	} else {
		dir, err := referenceDir(e, *refDir)
		if err != nil {
			return err
		}
		if _, set, err = readReference(e.stderr, dir); err != nil {
			return err
		}
	}
	ix := set.Index(name)
	if ix == nil {
		printMissing(e.stderr, set)
		return fmt.Errorf("référentiel %s indisponible", reference.Titles[name])
	}
	hits := ix.Search(q, *limit)
	if len(hits) == 0 {
		fmt.Fprintf(e.stdout, "Aucun résultat pour « %s » dans %s.\n", q, reference.Titles[name])
		return nil
	}
	for _, h := range hits {
		line := fmt.Sprintf("%-10s %s", h.Code, h.Label)
		if h.Detail != "" {
			line += " — " + h.Detail
		}
		fmt.Fprintf(e.stdout, "%s  [%s]\n", line, h.Match)
	}
	return nil
}

func referenceBench(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "reference bench", "reference bench [--queries N] [--runs N] [--db DSN] [--reference RÉPERTOIRE]\n\nMesure le temps d'import complet (dans une base SQLite temporaire, ou --db) et la latence de recherche (p50/p99).")
	queries := fs.Int("queries", 3000, "nombre de requêtes mêlées (mots, préfixes, codes)")
	runs := fs.Int("runs", 3, "nombre de répétitions ; les médianes sont rapportées")
	refDir := fs.String("reference", "", "répertoire des référentiels (défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference)")
	dsn := fs.String("db", "", "base où mesurer l'import (défaut : une base SQLite temporaire, neuve à chaque répétition)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *runs < 1 || *queries < 1 {
		return usageError("--runs et --queries doivent être positifs")
	}
	dir, err := referenceDir(e, *refDir)
	if err != nil {
		return err
	}
	var parse, store, load, p50s, p99s, maxs []time.Duration
	var set *reference.Set
	rows := 0
	for run := 0; run < *runs; run++ {
		t0 := time.Now()
		files, _, err := readReference(io.Discard, dir)
		if err != nil {
			return err
		}
		parse = append(parse, time.Since(t0))
		rows = 0
		for _, f := range files {
			rows += len(f.Rows)
		}
		target := *dsn
		if target == "" {
			tmp, err := os.MkdirTemp("", "medconseil-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			target = filepath.Join(tmp, "bench.db")
		}
		if *dsn != "" {
			if err := mustExist(target); err != nil {
				return err
			}
		}
		db, err := sqldb.Open(ctx, target)
		if err != nil {
			return err
		}
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return err
		}
		t1 := time.Now()
		if _, err := db.ImportReferentiels(ctx, files); err != nil {
			db.Close()
			return err
		}
		store = append(store, time.Since(t1))
		t2 := time.Now()
		set, err = db.LoadReferentiels(ctx)
		db.Close()
		if err != nil {
			return err
		}
		load = append(load, time.Since(t2))

		qs := set.SampleQueries(*queries, uint64(run+1))
		set.Latencies(qs[:min(200, len(qs))], 20) // warm-up
		lat := set.Latencies(qs, 20)
		p50s = append(p50s, reference.Percentile(lat, 50))
		p99s = append(p99s, reference.Percentile(lat, 99))
		maxs = append(maxs, lat[len(lat)-1])
	}
	med := func(d []time.Duration) time.Duration {
		c := append([]time.Duration(nil), d...)
		sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
		return c[len(c)/2]
	}
	fmt.Fprintf(e.stdout, "Référentiels : %d lignes importées ; index :", rows)
	for _, n := range reference.Names {
		if ix := set.Index(n); ix != nil {
			fmt.Fprintf(e.stdout, " %s %d", n, ix.Len())
		}
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "Import (médiane de %d) : lecture et contrôle %s, écriture en base %s, total %s ; rechargement et index %s\n",
		*runs, med(parse).Round(time.Millisecond), med(store).Round(time.Millisecond), (med(parse) + med(store)).Round(time.Millisecond), med(load).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "Recherche (%d requêtes mêlées, médiane de %d) : p50 %s, p99 %s, max %s\n",
		*queries, *runs, med(p50s), med(p99s), med(maxs))
	if med(p99s) > 5*time.Millisecond || med(parse)+med(store) > 30*time.Second {
		return errors.New("objectif manqué : p99 ≤ 5 ms et import ≤ 30 s")
	}
	fmt.Fprintln(e.stdout, "Objectifs tenus : p99 ≤ 5 ms, import complet ≤ 30 s.")
	return nil
}
