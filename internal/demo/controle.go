package demo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver, to rewrite MC_PRA_R

	"medconseil/internal/synth"
)

// ControleSpec is the synthetic region the demo generates for the control of
// professionals (profiles, targeting, fraud rules, indus): small enough to be
// ready in seconds, large enough for funnels of some eighty prescribers and for
// every fraud rule to fire. Seed 8 at scale 0.01 plants, among others, a general
// practitioner of the Bas-Rhin prescribing arrêts three times too long, whom the
// targeting flags: the demo's médecin chef (chef.67) can open his procedure.
type ControleSpec struct {
	Scale float64
	Seed  uint64
	Year  int
}

// Controle is the demo's synthetic region. The year is fixed so that the seed's
// planted anomalies stay where the demo expects them.
var Controle = ControleSpec{Scale: 0.01, Seed: 8, Year: 2025}

// ControleStamp is written in the directory once it is complete (demo.json): a
// directory with the same stamp is reused at the next start.
type ControleStamp struct {
	Generateur string  `json:"generateur"` // synth.Version
	Echelle    float64 `json:"echelle"`
	Graine     uint64  `json:"graine"`
	Annee      int     `json:"annee"`
	// Professionnel is the PFS_PFS_NUM given the RPPS of the demo's prescriber
	// (PrescripteurRPPS) in MC_PRA_R, "" when the data planted none to give.
	Professionnel string `json:"professionnel,omitempty"`
	Duree         string `json:"duree"` // how long the generation took
}

// StampFile is the stamp's name in the directory.
const StampFile = "demo.json"

func (s ControleSpec) matches(st ControleStamp) bool {
	return st.Generateur == synth.Version && st.Echelle == s.Scale && st.Graine == s.Seed && st.Annee == s.Year
}

// ReadControleStamp returns the stamp of dir when dir holds a complete generation
// of spec.
func ReadControleStamp(dir string, spec ControleSpec) (ControleStamp, bool) {
	var st ControleStamp
	b, err := os.ReadFile(filepath.Join(dir, StampFile))
	if err != nil || json.Unmarshal(b, &st) != nil || !spec.matches(st) {
		return st, false
	}
	return st, true
}

// PrepareControle makes dir hold the demo's synthetic region (SNDS-shaped
// Parquet and ground_truth.json): generated into a temporary directory beside
// it, completed (the demo prescriber's RPPS, the stamp), then renamed into
// place, so that dir is never half written; a previous dir of another
// generation is replaced. The référentiels are read from refDir.
//
// progress, if not nil, is called with the share of the activity generated
// (0–100), every 10 %.
func PrepareControle(ctx context.Context, refDir, dir string, spec ControleSpec, progress func(pct int)) (ControleStamp, error) {
	t0 := time.Now()
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return ControleStamp{}, err
	}
	// Leftovers of a generation interrupted (Ctrl-C, crash) are removed.
	if old, _ := filepath.Glob(filepath.Join(parent, filepath.Base(dir)+".tmp-*")); len(old) > 0 {
		for _, o := range old {
			_ = os.RemoveAll(o)
		}
	}
	ref, err := synth.LoadReference(refDir, "44")
	if err != nil {
		return ControleStamp{}, err
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-")
	if err != nil {
		return ControleStamp{}, err
	}
	done := false
	defer func() {
		if !done {
			_ = os.RemoveAll(tmp)
		}
	}()
	cfg := synth.Config{Region: "44", Scale: spec.Scale, Seed: spec.Seed, Year: spec.Year, Out: tmp}
	if progress != nil {
		cfg.Progress = progressLines(progress)
	}
	if _, err := synth.Run(ctx, ref, cfg); err != nil {
		return ControleStamp{}, err
	}
	pro, err := givePrescripteurRPPS(ctx, tmp)
	if err != nil {
		return ControleStamp{}, err
	}
	st := ControleStamp{Generateur: synth.Version, Echelle: spec.Scale, Graine: spec.Seed, Annee: spec.Year, Professionnel: pro,
		Duree: time.Since(t0).Round(100 * time.Millisecond).String()}
	b, _ := json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, StampFile), append(b, '\n'), 0o644); err != nil {
		return ControleStamp{}, err
	}
	if _, err := os.Stat(dir); err == nil {
		stale := tmp + "-ancien"
		if err := os.Rename(dir, stale); err != nil {
			return ControleStamp{}, err
		}
		defer os.RemoveAll(stale)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return ControleStamp{}, err
	}
	done = true
	return st, nil
}

// givePrescripteurRPPS makes the demo coherent: the planted IJ over-prescriber of
// the Bas-Rhin with the strongest intensity (ground_truth.json) takes, in
// MC_PRA_R, the RPPS of the demo's prescriber account (prescripteur.demo,
// PrescripteurRPPS). A MSAP opened on him from the targeting page then applies
// to the arrêts that account files. Returns his PFS_PFS_NUM, "" when the data
// planted none in the Bas-Rhin.
func givePrescripteurRPPS(ctx context.Context, dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, synth.GroundTruthFile))
	if err != nil {
		return "", err
	}
	var gt synth.GroundTruth
	if err := json.Unmarshal(b, &gt); err != nil {
		return "", fmt.Errorf("%s : %w", synth.GroundTruthFile, err)
	}
	var cands []synth.Anomaly
	for _, a := range gt.Anomalies {
		if a.Type == "surprescription_ij" && a.EntityType == "professionnel" && strings.HasPrefix(a.Entity, "67") {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return "", nil
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Intensity != cands[j].Intensity {
			return cands[i].Intensity > cands[j].Intensity
		}
		return cands[i].Entity < cands[j].Entity
	})
	pro := cands[0].Entity
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	src := filepath.Join(dir, synth.TableRPS+".parquet")
	out := src + ".demo"
	// The professional who held the demo RPPS by chance, if any, takes his.
	q := fmt.Sprintf(`COPY (
		WITH t AS (SELECT PFS_RPPS_NUM AS r FROM read_parquet('%[1]s') WHERE PFS_PFS_NUM = $1)
		SELECT PFS_PFS_NUM,
			CASE WHEN PFS_PFS_NUM = $1 THEN $2 WHEN PFS_RPPS_NUM = $2 THEN (SELECT r FROM t) ELSE PFS_RPPS_NUM END AS PFS_RPPS_NUM,
			* EXCLUDE (PFS_PFS_NUM, PFS_RPPS_NUM)
		FROM read_parquet('%[1]s') ORDER BY PFS_PFS_NUM) TO '%[2]s' (FORMAT parquet)`, sqlQuote(src), sqlQuote(out))
	if _, err := db.ExecContext(ctx, q, pro, PrescripteurRPPS); err != nil {
		return "", fmt.Errorf("RPPS du prescripteur de démonstration dans %s : %w", synth.TableRPS, err)
	}
	if err := os.Rename(out, src); err != nil {
		return "", err
	}
	return pro, nil
}

// sqlQuote escapes a path for a SQL string literal.
func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }

// progressLines reads the generator's progress lines (« activité :  43 % … »)
// and hands f the share done.
type progressLines func(pct int)

func (f progressLines) Write(b []byte) (int, error) {
	for _, l := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "activité :")
		if !ok {
			continue
		}
		var pct int
		if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d", &pct); err == nil {
			f(pct)
		}
	}
	return len(b), nil
}
