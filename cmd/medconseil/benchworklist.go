package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
)

const benchWorklistUsage = "bench worklist [--db DSN] [--dossiers 1000000] [--requetes 600] [--echauffement 50] [--tours 1]"

// runBenchWorklist measures the worklist (issue 10: filter + sort + search + page,
// p99 ≤ 50 ms at 1,000,000 dossiers): the base is filled to N dossiers if it has
// fewer (sqldb.SeedWorklist: a region's history, ~3 % awaiting an avis), then a
// praticien-conseil of the Bas-Rhin (the largest échelon of the bench, ~180,000
// dossiers) asks for R worklists drawn from a fixed mix — every sort key both
// ways, the filters by state, type, assignment and urgency, searches by number,
// NIR and name, pages 1 to 5 — each through DB.Worklist exactly as the server
// calls it (policy filter, count, page, disclosure, journal entry). It prints the
// percentiles per kind and overall, and the time of the counts per state and type.
//
// The first lists after opening read their pages for the first time (SQLite:
// from the file; PostgreSQL: shared buffers as left by the server). --echauffement
// lists are asked first and not measured; --tours T asks the same R lists T times
// and prints each tour, so that the first (cold: --echauffement 0) and the next
// (warm: every page of the mix read once) are measured apart.
func runBenchWorklist(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "bench worklist", benchWorklistUsage)
	var sf storeFlags
	sf.register(fs, e, "")
	n := fs.Int("dossiers", 1000000, "nombre de dossiers de la base mesurée")
	reqs := fs.Int("requetes", 600, "nombre de listes demandées")
	warm := fs.Int("echauffement", 50, "listes demandées avant la mesure (0 : la première mesure part d'un cache froid)")
	tours := fs.Int("tours", 1, "nombre de passages sur les mêmes listes (le premier froid, les suivants chauds)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *reqs < 1 || *warm < 0 || *tours < 1 {
		return fmt.Errorf("--requetes et --tours : au moins 1 ; --echauffement : au moins 0")
	}
	dir, err := os.MkdirTemp("", "medconseil-bench-worklist-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if sf.db == "" {
		sf.db = filepath.Join(dir, "liste.db")
	}
	if sf.keyFile == "" && e.getenv("MEDCONSEIL_KEYS") == "" {
		text, err := newKeyText("bench")
		if err != nil {
			return err
		}
		sf.keyFile = filepath.Join(dir, "donnees.cles")
		if err := writeKeyFile(sf.keyFile, text); err != nil {
			return err
		}
	}
	db, err := sf.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
		return err
	}
	var have int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&have)
	}); err != nil {
		return err
	}
	if have < *n {
		start := time.Now()
		fmt.Fprintf(e.stdout, "Remplissage : %d dossiers à ajouter…\n", *n-have)
		last := time.Now()
		if err := db.SeedWorklist(ctx, *n-have, func(done int) {
			if time.Since(last) > 15*time.Second {
				fmt.Fprintf(e.stdout, "  %d/%d (%s)\n", done, *n-have, time.Since(start).Round(time.Second))
				last = time.Now()
			}
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Remplissage fait en %s.\n", time.Since(start).Round(time.Second))
		if err := db.Analyze(ctx); err != nil {
			return err
		}
	}
	const login = "praticien.67.1"
	var a *medconseil.Acteur
	if ok, err := db.UserExists(ctx, login); err != nil {
		return err
	} else if !ok {
		if _, err := db.CreateUser(ctx, nil, login, "Praticien du banc", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
			[]medconseil.Habilitation{{Role: medconseil.RolePraticienConseil, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}, sqldb.Meta{}); err != nil {
			return err
		}
	}
	id, _, _, err := db.Credentials(ctx, login)
	if err != nil {
		return err
	}
	if a, err = db.ActeurByID(ctx, id); err != nil {
		return err
	}
	var maxID int64
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM dossier`).Scan(&maxID)
	}); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(42, 10))
	tris := make([]string, 0, 2*len(sqldb.WorklistTris))
	for _, t := range sqldb.WorklistTris {
		tris = append(tris, t.Cle, "-"+t.Cle)
	}
	openEtats := []medconseil.Etat{medconseil.EtatAInstruire, medconseil.EtatConvocation, medconseil.EtatExamen, medconseil.EtatAttentePieces}
	types := []medconseil.TypeDossier{medconseil.TypeArretTravail, medconseil.TypeATMP, medconseil.TypeALD, medconseil.TypeTransport, medconseil.TypeInvalidite}
	kinds := []string{"corbeille", "tri", "etat", "type", "numero", "nir", "nom", "attribution", "urgence", "tout"}
	draw := func() (string, sqldb.WorklistQuery) {
		k := kinds[rng.IntN(len(kinds))]
		q := sqldb.WorklistQuery{Ouverts: true, Tri: tris[rng.IntN(len(tris))], Page: 1 + rng.IntN(5), Meta: sqldb.Meta{Adresse: "127.0.0.1", Finalite: "consultation"}}
		switch k {
		case "corbeille":
			q.Tri, q.Page = "echeance", 1
		case "etat":
			q.Etat = openEtats[rng.IntN(len(openEtats))]
		case "type":
			q.Type = types[rng.IntN(len(types))]
		case "numero":
			q.Ouverts, q.Recherche, q.Page = false, fmt.Sprint(1+rng.Int64N(maxID)), 1
		case "nir":
			a := 1 + rng.Int64N(maxID/2)
			nir, _ := medconseil.NIRWithKey(fmt.Sprintf("1%02d%02d67%03d%03d", 50+a%50, 1+a%12, a%1000, 1+(a/1000)%999))
			q.Ouverts, q.Recherche, q.Page = false, string(nir), 1
		case "nom":
			nom := sqldb.BenchNoms[rng.IntN(len(sqldb.BenchNoms))]
			q.Ouverts, q.Recherche = false, nom[:3+rng.IntN(len(nom)-2)]
		case "attribution":
			q.Attribution = []string{"moi", "equipe", "aucune"}[rng.IntN(3)]
		case "urgence":
			q.Urgence = []string{"retard", "48h"}[rng.IntN(2)]
		case "tout":
			q.Ouverts = false
		}
		return k, q
	}
	// Warm-up: the caches, as on a server that has been running.
	for i := 0; i < *warm; i++ {
		_, q := draw()
		if _, _, err := db.Worklist(ctx, a, q); err != nil {
			return err
		}
	}
	type drawn struct {
		kind string
		q    sqldb.WorklistQuery
	}
	mix := make([]drawn, *reqs)
	for i := range mix {
		mix[i].kind, mix[i].q = draw()
	}
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := append([]time.Duration(nil), ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[min(len(s)-1, int(float64(len(s))*p))]
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	for tour := 1; tour <= *tours; tour++ {
		byKind := map[string][]time.Duration{}
		var all []time.Duration
		cpu0 := cpuTime()
		for _, m := range mix {
			t0 := time.Now()
			if _, _, err := db.Worklist(ctx, a, m.q); err != nil {
				return fmt.Errorf("%s %+v : %w", m.kind, m.q, err)
			}
			d := time.Since(t0)
			byKind[m.kind] = append(byKind[m.kind], d)
			all = append(all, d)
		}
		cpu := cpuTime() - cpu0
		fmt.Fprintf(e.stdout, "Liste de travail, %s, %d dossiers, %d requêtes (praticien-conseil du 67), tour %d/%d (échauffement %d)\n", db.Dialect(), max(have, *n), *reqs, tour, *tours, *warm)
		fmt.Fprintf(e.stdout, "%-12s %6s %8s %8s %8s %8s\n", "sorte", "n", "p50 ms", "p95 ms", "p99 ms", "max ms")
		for _, k := range kinds {
			ds := byKind[k]
			if len(ds) == 0 {
				continue
			}
			fmt.Fprintf(e.stdout, "%-12s %6d %8s %8s %8s %8s\n", k, len(ds), ms(pct(ds, .5)), ms(pct(ds, .95)), ms(pct(ds, .99)), ms(pct(ds, 1)))
		}
		fmt.Fprintf(e.stdout, "%-12s %6d %8s %8s %8s %8s\n", "toutes", len(all), ms(pct(all, .5)), ms(pct(all, .95)), ms(pct(all, .99)), ms(pct(all, 1)))
		fmt.Fprintf(e.stdout, "processeur de ce processus : %.2f ms par liste (%s)\n", float64(cpu.Microseconds())/1000/float64(len(all)),
			map[bool]string{true: "base comprise", false: "client seul, hors serveur PostgreSQL"}[db.Dialect() == sqldb.SQLite])
	}
	var counts []time.Duration
	for i := 0; i < 20; i++ {
		t0 := time.Now()
		if _, err := db.Counts(ctx, a); err != nil {
			return err
		}
		counts = append(counts, time.Since(t0))
	}
	fmt.Fprintf(e.stdout, "%-12s %6d %8s %8s %8s %8s\n", "compteurs", len(counts), ms(pct(counts, .5)), ms(pct(counts, .95)), ms(pct(counts, .99)), ms(pct(counts, 1)))
	return nil
}
