package main

import (
	"context"
	"fmt"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
)

const benchTableauUsage = "bench tableau --db DSN [--du AAAA-MM-JJ --au AAAA-MM-JJ] [--runs 5]"

// runBenchTableau measures the dashboard (issue 10: over a year of the region ≤ 1 s)
// on an existing base, e.g. the one synth --db fills: for the régional, the médecin
// chef of the Bas-Rhin and the statisticien, R dashboards each through DB.Tableau
// exactly as GET /api/v1/tableau-de-bord calls it (policy, counters, journal entry),
// with the time and the CPU time of this process per dashboard.
func runBenchTableau(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "bench tableau", benchTableauUsage)
	var sf storeFlags
	sf.register(fs, e, "")
	du := fs.String("du", "", "début de la période (défaut : le 1er janvier de l'année où la base a reçu le plus de dossiers)")
	au := fs.String("au", "", "fin de la période (défaut : le 31 décembre de cette année)")
	runs := fs.Int("runs", 5, "tableaux par rôle")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runs < 1 {
		return usageError("--runs : au moins 1")
	}
	db, err := sf.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	var last string
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return tx.QueryRow(ctx, `SELECT substr(recue_le, 1, 10) FROM dossier GROUP BY substr(recue_le, 1, 4) ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&last)
	}); err != nil {
		return err
	}
	if n == 0 {
		return fail("la base %s n'a aucun dossier : la remplir d'abord (synth --db)", sf.db)
	}
	q := sqldb.TableauQuery{Meta: sqldb.Meta{Adresse: "console", Finalite: "pilotage"}}
	if *du == "" || *au == "" {
		y, err := medconseil.ParseDate(last[:10])
		if err != nil {
			return fail("date de réception illisible %q : %w", last, err)
		}
		year := y.Year()
		q.Du, q.Au = medconseil.NewDate(year, time.January, 1), medconseil.NewDate(year, time.December, 31)
	}
	if *du != "" {
		if q.Du, err = medconseil.ParseDate(*du); err != nil {
			return usageError("--du : " + err.Error())
		}
	}
	if *au != "" {
		if q.Au, err = medconseil.ParseDate(*au); err != nil {
			return usageError("--au : " + err.Error())
		}
	}
	q.Aujourdhui = q.Au.AddDays(1)
	fmt.Fprintf(e.stdout, "Base %s : %d dossiers ; période du %s au %s\n", sf.db, n, q.Du, q.Au)
	region := medconseil.Territoire{Niveau: medconseil.NiveauRegion, Code: "44"}
	for _, r := range []struct {
		nom string
		a   *medconseil.Acteur
	}{
		{"régional", &medconseil.Acteur{Login: "regional", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleMedecinRegional, Territoire: region}}}},
		{"médecin chef 67", &medconseil.Acteur{Login: "chef.67", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleMedecinChef, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}}},
		{"statisticien", &medconseil.Acteur{Login: "statisticien", Habilitations: []medconseil.Habilitation{{Role: medconseil.RoleStatisticien, Territoire: region}}}},
	} {
		var walls, cpus []time.Duration
		var t *sqldb.Tableau
		for range *runs {
			t0, c0 := time.Now(), cpuTime()
			if t, err = db.Tableau(ctx, r.a, q); err != nil {
				return err
			}
			walls, cpus = append(walls, time.Since(t0)), append(cpus, cpuTime()-c0)
		}
		fmt.Fprintf(e.stdout, "%-16s %8d reçus : médiane %v (processeur %v), min %v, max %v\n", r.nom, t.Total.Recus.N,
			median(walls).Round(time.Millisecond), median(cpus).Round(time.Millisecond), slicesMin(walls).Round(time.Millisecond), slicesMax(walls).Round(time.Millisecond))
	}
	return nil
}

func slicesMin(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func slicesMax(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
