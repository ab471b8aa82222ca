package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/synth"
)

// runSynth generates the synthetic region: SNDS-shaped Parquet and the ground
// truth of the planted anomalies in --out.
func runSynth(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "synth", "synth --region 44 --scale S --seed N --year Y --out DIR [--reference DIR] [--db DSN --key-file F [--audit-key-file K] [--parquet=false]] [--bench]")
	region := fs.String("region", "44", "code INSEE de la région (44 = Grand Est)")
	scale := fs.Float64("scale", 0.01, "échelle : 1.0 = 5 075 846 assurés")
	seed := fs.Uint64("seed", 1, "graine : même graine et même échelle, mêmes fichiers à l'octet près")
	year := fs.Int("year", time.Now().Year()-1, "année d'activité simulée")
	out := fs.String("out", "", "répertoire de sortie (Parquet et ground_truth.json) ; défaut synth-out/region-R-echelle-S-graine-N")
	refDir := fs.String("reference", "", "répertoire des référentiels (défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference)")
	workers := fs.Int("workers", 0, "nombre de fils de génération (défaut : tous les cœurs)")
	bench := fs.Bool("bench", false, "mesure : durée et mémoire maximale (VmHWM) du processus")
	db := fs.String("db", "", "base opérationnelle à remplir d'une année de dossiers de tous types (pré-analysés) : chemin SQLite ou postgres://…")
	keyFile := fs.String("key-file", e.getenv("MEDCONSEIL_KEY_FILE"), "clés de chiffrement des données cliniques, pour --db (env MEDCONSEIL_KEY_FILE ou MEDCONSEIL_KEYS)")
	dbMax := fs.Int("db-max", 500, "nombre maximal de dossiers déposés par type dans la base (0 : l'année entière)")
	parquet := fs.Bool("parquet", true, "écrit les tables Parquet dans --out ; --parquet=false avec --db : la base seule (même génération, mêmes dossiers, plus vite)")
	cpuProfile := fs.String("cpuprofile", "", "écrit un profil CPU de toute la commande (génération et --db) dans ce fichier")
	tracePath := fs.String("trace", "", "écrit une trace d'exécution de toute la commande (go tool trace : attentes des fils) dans ce fichier ; volumineuse, à l'échelle 0,1 au plus")
	var sf storeFlags // --db on PostgreSQL: its audit journal's key and checkpoints
	sf.registerAudit(fs, e)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("argument inattendu : " + fs.Arg(0))
	}
	if *out == "" {
		*out = filepath.Join("synth-out", fmt.Sprintf("region-%s-echelle-%g-graine-%d", *region, *scale, *seed))
	}
	if !*parquet && *db == "" {
		return usageError("--parquet=false n'a de sens qu'avec --db (sinon rien n'est écrit)")
	}
	if *region != "44" {
		return usageError("seule la région 44 (Grand Est) est disponible")
	}
	stopTrace, err := startTrace(*tracePath)
	if err != nil {
		return err
	}
	defer stopTrace()
	dir := *refDir
	if dir == "" {
		dir = e.getenv("MEDCONSEIL_REFERENCE")
	}
	if dir == "" {
		dir = filepath.Join("..", "shared", "reference")
	}
	ref, err := synth.LoadReference(dir, *region)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg := synth.Config{Region: *region, Scale: *scale, Seed: *seed, Year: *year, Out: *out, Workers: *workers, Progress: e.stderr, TTY: isTerminal(e.stderr), NoParquet: !*parquet, Clos: *db != ""}
	res, err := synth.Run(ctx, ref, cfg)
	if err != nil {
		return err
	}
	synth.WriteSummary(e.stdout, res)
	if *db != "" {
		sf.db, sf.keyFile = *db, *keyFile
		t0, cpu0 := time.Now(), cpuTime()
		if err := fillStore(ctx, e, &sf, res.EnCours, res.Clos, yearPlan{scale: *scale, seed: *seed, year: *year, max: *dbMax}); err != nil {
			return err
		}
		// The CPU time is what carries over from a loaded machine.
		fmt.Fprintf(e.stdout, "Base opérationnelle remplie en %s (processeur : %s)\n", time.Since(t0).Round(time.Millisecond), (cpuTime() - cpu0).Round(time.Millisecond))
	}
	if *bench {
		fmt.Fprintf(e.stdout, "Bench : échelle %g, %d cœurs, durée %s, mémoire maximale %s\n", *scale, runtime.GOMAXPROCS(0), res.Elapsed.Round(time.Millisecond), peakMemory())
	}
	return nil
}

// pagePoolFor is the SQLite page pool a fill at that scale reserves: what the
// writer's bulk cache and the readers take at scale 0.3 and above (the base
// outgrows the writer's cache), 4 Gio per unit of scale below, 64 Mio at least.
func pagePoolFor(scale float64) int64 {
	return min(sqldb.BulkLoadPageCache, max(64<<20, int64(scale*(4<<30))))
}

// fillStore gives the operational store a year of casework: the organisation, the
// year's closed arrêts with their avis (fileHistory, the store's bulk history
// path, without pre-analysis), the avis d'arrêt still in flight at the end of the
// synthetic year (initial avis and their prolongations, each creating its assuré
// or finding it in the history), and a year of every other dossier type for the
// region (fileYear), those filed through the intake with their pre-analysis.
func fillStore(ctx context.Context, e *env, sf *storeFlags, enCours, clos []synth.ArretEnCours, plan yearPlan) error {
	if !isPostgres(sf.db) {
		// Before the base is opened: SQLite takes the pool at its initialisation.
		// Only a caller that opened SQLite before in the same process (a test)
		// goes without.
		switch err := sqldb.ReservePageCache(pagePoolFor(plan.scale)); {
		case errors.Is(err, sqldb.ErrPageCacheLate):
			fmt.Fprintf(e.stderr, "Remarque : %v ; remplissage sans elle, plus lent.\n", err)
		case err != nil:
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
	// A bulk load until the deferred indexes are built (BulkLoad: what it
	// changes, and why the load is durable only at its end).
	endBulk, err := db.BulkLoad(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if endBulk != nil { // a failed load: make durable what it wrote
			_ = endBulk(context.WithoutCancel(ctx))
		}
	}()
	hist, err := fileHistory(ctx, e, db, clos, plan)
	if err != nil {
		return err
	}
	// Nobody waits on one filing: fewer, bigger commits.
	db.SetGroupSize(synthGroup, synthLinger)
	in, err := synthIntake(db)
	if err != nil {
		return err
	}
	operator := synthOperator()
	m := sqldb.Meta{Adresse: "console", Finalite: "synthese"}
	// Which avis are filed: the first plan.max initial avis (all when 0) and the
	// prolongations of those, as they come.
	var sel []*synth.ArretEnCours
	chosen := map[int64]bool{}
	for i := range enCours {
		a := &enCours[i]
		if plan.max > 0 && len(sel) >= plan.max && !a.Prolongation {
			break
		}
		if _, ok := hist.InitialID(a.Initial); a.Prolongation && !chosen[a.Initial] && !ok {
			continue // its initial avis is not filed (over the limit)
		}
		if !a.Prolongation {
			chosen[a.Num] = true
		}
		sel = append(sel, a)
	}
	// Each avis is received the day after it starts, in the order of reception:
	// the initial avis of a day, then its prolongations, which name their
	// initial avis (filed before them, here or in the history). One load for
	// the year: the group commit writes avis of several days together.
	sort.SliceStable(sel, func(i, j int) bool {
		if sel[i].Debut != sel[j].Debut {
			return sel[i].Debut.Before(sel[j].Debut)
		}
		return !sel[i].Prolongation && sel[j].Prolongation
	})
	var batch []sqldb.BulkFiling
	var nums []*synth.ArretEnCours
	pos := make(map[int64]int, len(chosen)) // an initial avis's position in batch, from 1
	for _, a := range sel {
		cim, err := medconseil.ParseCIM10(a.CIM10)
		if err != nil {
			return err
		}
		x := sqldb.ArretInput{
			Assure:       medconseil.Assure{NIR: a.NIR, Naissance: a.Naissance, Residence: a.Residence},
			Prescripteur: medconseil.RPPS(a.PrescripteurRPPS),
			Arret:        medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: a.Debut, Fin: a.Fin, CIM10: cim, Libelle: a.Libelle},
		}
		f := sqldb.BulkFiling{Arret: &x, Recue: a.Debut.Time(time.UTC).Add(34 * time.Hour)}
		if a.Prolongation {
			x.Arret.Nature = medconseil.NatureProlongation
			if k, ok := pos[a.Initial]; ok {
				f.Names = k
			} else if id, ok := hist.InitialID(a.Initial); ok { // an arrêt begun before the year
				x.Arret.InitialID = id
			} else {
				continue // its initial avis starts later: not a prolongation of it
			}
		}
		// With the salary the ij rule set needs for two thirds of them; the
		// agents add the others.
		if a.Num%3 != 0 {
			x.Faits = map[string]string{"salaires_3_derniers_mois": fmt.Sprintf("%d,00", 4500+(a.Num*7919)%6000), "heures_3_mois": "455"}
		}
		f.Meta = m
		f.Meta.IdemKey = fmt.Sprintf("synth-%d", a.Num)
		batch = append(batch, f)
		nums = append(nums, a)
		if !a.Prolongation {
			pos[a.Num] = len(batch)
		}
	}
	t0, cpu0 := time.Now(), cpuTime()
	g0, j0 := db.GroupStats()
	got, err := in.FileInOrder(ctx, operator, batch, synthPreparers())
	if err != nil {
		for k, id := range got {
			if id == 0 {
				return fmt.Errorf("dépôt de l'arrêt %d : %w", nums[k].Num, err)
			}
		}
		return err
	}
	created := len(got)
	fmt.Fprintf(e.stdout, "Base opérationnelle : %d avis d'arrêt en cours déposés (%d candidats) en %s (processeur : %s ; %s)\n", created, len(enCours),
		time.Since(t0).Round(time.Millisecond), (cpuTime() - cpu0).Round(time.Millisecond), groupsSince(db, g0, j0))
	if err := fileYear(ctx, e, db, in, enCours, plan); err != nil {
		return err
	}
	// The indexes the history import left for the end (the worklist's, the
	// dashboard's), built once over the year's rows.
	t1 := time.Now()
	if err := db.RebuildDeferredIndexes(ctx, nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Base opérationnelle : index de la liste de travail et du tableau de bord construits en %s\n", time.Since(t1).Round(time.Millisecond))
	end := endBulk
	endBulk = nil
	return end(ctx)
}

// groupsSince describes the commits since GroupStats gave g0 and j0: how many,
// and how many filings each took on average.
func groupsSince(db *sqldb.DB, g0, j0 int64) string {
	g, j := db.GroupStats()
	if g == g0 {
		return "aucune validation"
	}
	return fmt.Sprintf("%d validations de %.1f dépôts en moyenne", g-g0, float64(j-j0)/float64(g-g0))
}

// synthGroup is how many filings synth --db lets one commit take (the API's group
// commit takes at most 64, for latency), and synthLinger how long a group waits for
// the next prepared filing before it commits short of that (docs/perf.md, branche
// h-annee3: without it the groups took 9 to 13 filings).
const (
	synthGroup  = 256
	synthLinger = 5 * time.Millisecond
)

// synthPreparers is how many filings synth --db prepares at once (checks, history,
// pre-analysis) while the single writer writes the prepared ones, in order.
func synthPreparers() int { return runtime.GOMAXPROCS(0) + 2 }

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// peakMemory reads the process's peak resident memory (VmHWM) from /proc.
func peakMemory() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "inconnue"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "inconnue"
}
