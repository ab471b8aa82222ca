package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"medconseil/internal/synth"
)

// runSynth generates the synthetic region: SNDS-shaped Parquet and the ground
// truth of the planted anomalies in --out.
func runSynth(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "synth", "synth --region 44 --scale S --seed N --year Y --out DIR [--reference DIR] [--bench]")
	region := fs.String("region", "44", "code INSEE de la région (44 = Grand Est)")
	scale := fs.Float64("scale", 0.01, "échelle : 1.0 = 5 075 846 assurés")
	seed := fs.Uint64("seed", 1, "graine : même graine et même échelle, mêmes fichiers à l'octet près")
	year := fs.Int("year", time.Now().Year()-1, "année d'activité simulée")
	out := fs.String("out", "", "répertoire de sortie (Parquet et ground_truth.json)")
	refDir := fs.String("reference", "", "répertoire des référentiels (défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference)")
	workers := fs.Int("workers", 0, "nombre de fils de génération (défaut : tous les cœurs)")
	bench := fs.Bool("bench", false, "mesure : durée et mémoire maximale (VmHWM) du processus")
	db := fs.String("db", "", "base opérationnelle à remplir (non disponible)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("argument inattendu : " + fs.Arg(0))
	}
	if *db != "" {
		return errors.New("synth --db : le remplissage de la base opérationnelle n'est pas encore disponible (le magasin n'expose pas encore la création d'assurés) ; générez les fichiers avec --out")
	}
	if *out == "" {
		return usageError("--out est obligatoire")
	}
	if *region != "44" {
		return usageError("seule la région 44 (Grand Est) est disponible")
	}
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
	cfg := synth.Config{Region: *region, Scale: *scale, Seed: *seed, Year: *year, Out: *out, Workers: *workers, Progress: e.stderr, TTY: isTerminal(e.stderr)}
	res, err := synth.Run(ctx, ref, cfg)
	if err != nil {
		return err
	}
	synth.WriteSummary(e.stdout, res)
	if *bench {
		fmt.Fprintf(e.stdout, "Bench : échelle %g, %d cœurs, durée %s, mémoire maximale %s\n", *scale, runtime.GOMAXPROCS(0), res.Elapsed.Round(time.Millisecond), peakMemory())
	}
	return nil
}

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
