package sqldb

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"medconseil"
)

// TestWorklistExplainTool prints, for each kind of the worklist bench, the plans
// of its count and page statements and their CPU time, on the base named by
// MEDCONSEIL_LISTE_EXPLAIN (a base filled by `medconseil bench worklist`). A
// developer's tool for docs/perf.md, skipped otherwise.
func TestWorklistExplainTool(t *testing.T) {
	dsn := os.Getenv("MEDCONSEIL_LISTE_EXPLAIN")
	if dsn == "" {
		t.Skip("MEDCONSEIL_LISTE_EXPLAIN absent")
	}
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &medconseil.Acteur{Login: "praticien.67.1", Habilitations: []medconseil.Habilitation{{Role: medconseil.RolePraticienConseil, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "67"}}}}
	only := os.Getenv("LISTE_ONLY")
	reps, _ := strconv.Atoi(os.Getenv("LISTE_REPS"))
	if reps <= 0 {
		reps = 5
	}
	type named struct {
		name string
		q    WorklistQuery
	}
	var qs []named
	add := func(name string, q WorklistQuery) {
		if only == "" || strings.Contains(name, only) {
			qs = append(qs, named{name, q})
		}
	}
	add("corbeille", WorklistQuery{Ouverts: true, Tri: "echeance"})
	for _, t := range WorklistTris {
		add("tri "+t.Cle+" p5", WorklistQuery{Ouverts: true, Tri: t.Cle, Page: 5})
		add("tri -"+t.Cle+" p5", WorklistQuery{Ouverts: true, Tri: "-" + t.Cle, Page: 5})
		add("tout "+t.Cle+" p5", WorklistQuery{Tri: t.Cle, Page: 5})
		add("tout -"+t.Cle+" p5", WorklistQuery{Tri: "-" + t.Cle, Page: 5})
	}
	add("etat a_instruire -recue", WorklistQuery{Ouverts: true, Etat: medconseil.EtatAInstruire, Tri: "-recue"})
	add("etat examen echeance", WorklistQuery{Ouverts: true, Etat: medconseil.EtatExamen, Tri: "echeance"})
	add("type arret -nom", WorklistQuery{Ouverts: true, Type: medconseil.TypeArretTravail, Tri: "-nom", Page: 3})
	add("type invalidite echeance", WorklistQuery{Ouverts: true, Type: medconseil.TypeInvalidite, Tri: "echeance"})
	add("numero", WorklistQuery{Recherche: "123457"})
	add("nir", WorklistQuery{Recherche: "1500267001002"})
	add("nom MAR echeance", WorklistQuery{Recherche: "MAR", Tri: "echeance"})
	add("nom SCHNEIDER -recue p3", WorklistQuery{Recherche: "SCHNEIDER", Tri: "-recue", Page: 3})
	add("nom MOR nom", WorklistQuery{Recherche: "MOR", Tri: "nom"})
	for _, t := range WorklistTris {
		add("nom MOR "+t.Cle+" p3", WorklistQuery{Recherche: "MOR", Tri: t.Cle, Page: 3})
		add("nom MOR -"+t.Cle+" p5", WorklistQuery{Recherche: "MOR", Tri: "-" + t.Cle, Page: 5})
	}
	add("nom MO -recue p5", WorklistQuery{Recherche: "MO", Tri: "-recue", Page: 5})
	add("nom MO nom p5", WorklistQuery{Recherche: "MO", Tri: "nom", Page: 5})
	add("nom MOREAU echeance", WorklistQuery{Recherche: "MOREAU", Tri: "echeance"})
	for _, at := range []string{"moi", "equipe", "aucune"} {
		add("attribution "+at+" echeance", WorklistQuery{Ouverts: true, Attribution: at, Tri: "echeance"})
		add("attribution "+at+" -recue p4", WorklistQuery{Ouverts: true, Attribution: at, Tri: "-recue", Page: 4})
	}
	add("urgence retard echeance", WorklistQuery{Ouverts: true, Urgence: "retard", Tri: "echeance"})
	add("urgence 48h -nom", WorklistQuery{Ouverts: true, Urgence: "48h", Tri: "-nom"})
	for _, nq := range qs {
		st, err := db.worklistSQL(a, nq.q)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("=== %s\n", nq.name)
		for _, part := range []struct {
			name string
			sql  string
			args []any
		}{{"count", st.count, st.countArgs}, {"page", st.page, st.pageArgs}} {
			plan, err := explain(ctx, db, part.sql, part.args)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", nq.name, part.name, err, part.sql)
			}
			cpu, wall, err := measure(ctx, db, part.sql, part.args, reps)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("--- %s: cpu %.2f ms, wall p50 %.2f ms\n%s", part.name, cpu, wall, plan)
		}
	}
	if os.Getenv("LISTE_COUNTS") != "" {
		cpu, wall := cpuLoop(ctx, db, reps, func() error { _, err := db.Counts(ctx, a); return err })
		fmt.Printf("=== compteurs: cpu %.2f ms, wall p50 %.2f ms\n", cpu, wall)
	}
}

func explain(ctx context.Context, db *DB, q string, args []any) (string, error) {
	return explainPlan(ctx, db, q, args, true)
}

// measure runs q reps times and returns the CPU per run (the process's for
// SQLite, the server backend's for PostgreSQL) and the median wall time, in ms.
func measure(ctx context.Context, db *DB, q string, args []any, reps int) (float64, float64, error) {
	run := func() error {
		return db.Read(ctx, func(tx *Tx) error {
			rs, err := tx.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
			}
			return rs.Err()
		})
	}
	if err := run(); err != nil { // warm
		return 0, 0, err
	}
	if db.dialect != Postgres {
		cpu, wall := cpuLoop(ctx, db, reps, run)
		return cpu, wall, nil
	}
	// One connection, so that its backend's CPU is the statements'.
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		return 0, 0, err
	}
	qq := db.Rebind(q)
	var walls []time.Duration
	c0 := backendCPU(pid)
	for i := 0; i < reps; i++ {
		t0 := time.Now()
		rs, err := conn.QueryContext(ctx, qq, args...)
		if err != nil {
			return 0, 0, err
		}
		for rs.Next() {
		}
		rs.Close()
		walls = append(walls, time.Since(t0))
	}
	c1 := backendCPU(pid)
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return (c1 - c0) / float64(reps), float64(walls[len(walls)/2].Microseconds()) / 1000, nil
}

func cpuLoop(ctx context.Context, db *DB, reps int, fn func() error) (float64, float64) {
	var walls []time.Duration
	c0 := selfCPU()
	for i := 0; i < reps; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			panic(err)
		}
		walls = append(walls, time.Since(t0))
	}
	c1 := selfCPU()
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return (c1 - c0) / float64(reps), float64(walls[len(walls)/2].Microseconds()) / 1000
}

func selfCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

// backendCPU reads utime+stime of process pid in ms (clock ticks of 10 ms).
func backendCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) * 10
}
