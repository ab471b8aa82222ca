package detect

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil/internal/synth"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// dcirKeys are the nine DCIR join keys of a hand-written claims line numbered k.
const dcirKeys = `DATE '2025-01-01' AS FLX_DIS_DTD, DATE '2025-01-01' AS FLX_TRT_DTD, 1 AS FLX_EMT_TYP, 1 AS FLX_EMT_NUM, 1 AS FLX_EMT_ORD, '01C571' AS ORG_CLE_NUM, CAST(k AS BIGINT) AS DCT_ORD_NUM, 1 AS PRS_ORD_NUM, 1 AS REM_TYP_AFF`

// duckWrite runs statements (COPY … TO a Parquet file) on a scratch DuckDB.
func duckWrite(t *testing.T, stmts ...string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
}

// profiled opens dir (Open) and profiles it; the database is closed with the test.
func profiled(t *testing.T, dir string) (*sql.DB, *Profiles) {
	t.Helper()
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pr, err := Profile(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return db, pr
}

// fixture writes a tiny region as Parquet with DuckDB itself: two GPs of the
// same département, four patients in two age-sex strata.
//
//	b1 H 30 ans, b2 H 30 ans (stratum H 25-34); b3 F 50 ans, b4 F 50 ans (F 45-54)
//	GP A (57110001) sees b1 and b3; GP B (57110002) sees b2 and b4.
//	A: one arrêt for b1 (10 days). B: one arrêt for b2 (10 days), one for b4
//	(20 days paid in two monthly lines; one avis of 20 days in MC_ARR_F).
//
// Arrêts, by hand. H 25-34: pairs (A,b1)=1, (B,b2)=1 → μ=1, σ²=0. F 45-54:
// (A,b3)=0, (B,b4)=1 → μ=0.5, σ²=0.25. A: O=1, E=1+0.5=1.5, V=0.25; B: O=2,
// E=1.5, V=0.25. Days: H 25-34 μ=10, σ²=0; F 45-54: 0 and 20 → μ=10, σ²=100.
// A: O=10, E=20, V=100; B: O=30, E=20, V=100.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	duckWrite(t,
		`COPY (SELECT `+dcirKeys+`, ben AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, CAST(d AS DATE) AS EXE_SOI_DTD, nat AS PRS_NAT_REF,
			CAST(pd AS DATE) AS PRE_PRE_DTD, CAST(q AS DECIMAL(18,2)) AS PRS_ACT_QTE, exe AS PFS_EXE_NUM, pre AS PFS_PRE_NUM,
			CASE WHEN ben IN ('b1', 'b3') THEN '57110001' ELSE '57110002' END AS PRS_MTT_NUM
		FROM (VALUES
			(1, 'b1', '2025-02-01', 1110, NULL, 1, '57110001', NULL),
			(2, 'b3', '2025-03-01', 1110, NULL, 1, '57110001', NULL),
			(3, 'b2', '2025-02-01', 1110, NULL, 1, '57110002', NULL),
			(4, 'b4', '2025-04-01', 1110, NULL, 1, '57110002', NULL),
			(5, 'b1', '2025-02-05', 6111, '2025-02-01', 10, NULL, '57110001'),
			(6, 'b2', '2025-02-05', 6111, '2025-02-01', 10, NULL, '57110002'),
			(7, 'b4', '2025-04-05', 6111, '2025-04-01', 10, NULL, '57110002'),
			(8, 'b4', '2025-05-01', 6111, '2025-04-01', 10, NULL, '57110002')
		) v(k, ben, d, nat, pd, q, exe, pre)) TO '`+filepath.Join(dir, "ER_PRS_F.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT `+dcirKeys+`, CAST(0 AS BIGINT) AS PHA_PRS_C13, 0 AS PHA_ACT_QSN FROM range(1) r(k) WHERE false) TO '`+filepath.Join(dir, "ER_PHA_F.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT * FROM (VALUES ('b1', 1, 1, '1995', '057'), ('b2', 1, 1, '1995', '057'), ('b3', 1, 2, '1975', '057'), ('b4', 1, 2, '1975', '057'))
			v(BEN_NIR_PSA, BEN_RNG_GEM, BEN_SEX_COD, BEN_NAI_ANN, BEN_RES_DPT)) TO '`+filepath.Join(dir, "IR_BEN_R.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT * FROM (VALUES ('57110001', '1'), ('57110002', '1')) v(PFS_PFS_NUM, PFS_PRA_SPE)) TO '`+filepath.Join(dir, "DA_PRA_R.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT 'b9' AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, 41 AS IMB_ETM_NAT, DATE '2020-01-01' AS IMB_ALD_DTD, CAST(NULL AS DATE) AS IMB_ALD_DTF) TO '`+filepath.Join(dir, "IR_IMB_R.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT * FROM (VALUES (1, 1, '57110001', 'b1', DATE '2025-02-01', DATE '2025-02-10'), (2, 2, '57110002', 'b2', DATE '2025-02-01', DATE '2025-02-10'),
			(3, 3, '57110002', 'b4', DATE '2025-04-01', DATE '2025-04-20')) v(ARR_NUM, ARR_INI_NUM, PFS_PRE_NUM, BEN_NIR_PSA, ARR_DEB_DTD, ARR_FIN_DTD)) TO '`+filepath.Join(dir, "MC_ARR_F.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT CAST(1 AS BIGINT) AS PHA_CIP_C13, 'opioide' AS PHA_CLA_LIB) TO '`+filepath.Join(dir, "MC_PHA_R.parquet")+`' (FORMAT parquet)`,
	)
	return dir
}

func TestStandardisationByHand(t *testing.T) {
	_, pr := profiled(t, fixture(t))
	if pr.Year != 2025 || len(pr.Prescribers) != 2 {
		t.Fatalf("année %d, %d prescripteurs ; attendu 2025 et 2", pr.Year, len(pr.Prescribers))
	}
	want := map[string]map[string][3]float64{ // indicator → GP → O, E, V
		"arrets_ij": {"57110001": {1, 1.5, 0.25}, "57110002": {2, 1.5, 0.25}},
		"jours_ij":  {"57110001": {10, 20, 100}, "57110002": {30, 20, 100}},
		// The avis of MC_ARR_F say the same days as the IJ lines here.
		"jours_prescrits": {"57110001": {10, 20, 100}, "57110002": {30, 20, 100}},
		// Every patient is 16 to 64 and has his GP as médecin traitant: the
		// arrêts per patient are those above.
		"arrets_mt": {"57110001": {1, 1.5, 0.25}, "57110002": {2, 1.5, 0.25}},
		// Per arrêt, log of its length: H 25-34 ln 10 twice (μ = ln 10, σ² = 0),
		// F 45-54 ln 20 once.
		"duree_arrets_mt": {"57110001": {math.Log(10), math.Log(10), 0}, "57110002": {math.Log(10) + math.Log(20), math.Log(10) + math.Log(20), 0}},
	}
	for ind, in := range Indicators {
		w, ok := want[in.Code]
		if !ok {
			continue
		}
		ref := NewReference(pr.Prescribers, ind)
		for _, p := range pr.Prescribers {
			o, e, v := ref.Expected(p.Cells[ind])
			if x := w[p.Num]; !near(o, x[0]) || !near(e, x[1]) || !near(v, x[2]) {
				t.Errorf("%s %s : O=%v E=%v V=%v, attendu %v", in.Code, p.Num, o, e, v, x)
			}
		}
	}
	if l := pr.StratumLabel(5); l != "F 25-34, 057" {
		t.Errorf("strate 5 : %q", l)
	}
	if l := pr.StratumLabel(16 + 5); l != "F 25-34, 057, ALD" {
		t.Errorf("strate 21 : %q", l)
	}
}

func TestOpenMissingFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "ER_PRS_F.parquet introuvable") {
		t.Fatalf("erreur %v", err)
	}
}

// TestFunnelTau checks the robust overdispersion against a direct
// computation: 21 points with S = 0.1, ten at ln(O/E) = −0.3, one at 0 and
// ten above (nine at +0.3, one far outlier at +3). The weighted median of Y is
// 0, the median of (Y − 0)²/(S² + τ²) is the 11th of twenty-one: 0.09/(0.01 + τ²),
// equal to the χ²₁ median 0.454936 when τ² = 0.09/0.454936 − 0.01; the
// outlier does not move it.
func TestFunnelTau(t *testing.T) {
	var pts []*Point
	for i := range 21 {
		y := -0.3
		switch {
		case i == 10:
			y = 0
		case i == 20:
			y = 3
		case i > 10:
			y = 0.3
		}
		// E = 100, V = 100: S = √V/E = 0.1.
		pts = append(pts, &Point{Pro: &Prescriber{Num: string(rune('a' + i))}, O: 100 * math.Exp(y), E: 100, V: 100})
	}
	f := NewFunnel(0, "1", pts)
	tau2 := 0.09/0.454936 - 0.01
	phi := 9 / 0.454936
	if !near(f.Phi, phi) || !near(f.Tau2, tau2) {
		t.Fatalf("φ=%v τ²=%v, attendus %v et %v", f.Phi, f.Tau2, phi, tau2)
	}
	if z := f.Points[20].ZAdj; !near(z, 3/math.Sqrt(0.01+tau2)) {
		t.Fatalf("z ajusté %v", z)
	}
	if l := f.Limit(100, Z998); !near(l, math.Exp(Z998*math.Sqrt(0.01+tau2))) {
		t.Fatalf("limite %v", l)
	}
	if sh := f.Shrunk(f.Points[20]); !near(sh, math.Exp(3*tau2/(tau2+0.01))) {
		t.Fatalf("ratio rétréci %v", sh)
	}
	var buf bytes.Buffer
	if err := WriteFunnelSVG(&buf, f, "c"); err != nil {
		t.Fatal(err)
	}
	// Well-formed XML with the highlighted point and the two limit pairs.
	d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	circles, lines, hl := 0, 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "circle":
				circles++
				for _, a := range se.Attr {
					if a.Name.Local == "id" && a.Value == "pro-c" {
						hl = true
					}
				}
			case "polyline":
				lines++
			}
		}
	}
	if circles != 21 || lines != 4 || !hl {
		t.Fatalf("SVG : %d points, %d limites, point mis en évidence %v\n%s", circles, lines, hl, buf.String())
	}
}

// TestDetectPlanted generates a small synthetic region (scale 0.02, ≈ 90 GPs,
// seed 7: the output is reproducible byte for byte) and checks that the
// targeting at a 2 % budget finds a planted IJ over-prescriber of intensity 2 or
// 3, and that the JSON has the documented shape. At scale 0.01 (45 GPs) a
// legitimately high prescriber outranks them: power grows with panel counts.
// TestAdjustFollowed checks the médecin traitant share adjustment: Y =
// 0.5·x exactly for 19 prescribers and one at 0.5·x + 2 (beyond |z| > 3 of
// the first fit, left out of the second): the slope is 0.5, every ordinary
// Y becomes the same, the outlier keeps its excess of 2.
func TestAdjustFollowed(t *testing.T) {
	var pts []*Point
	x := map[*Prescriber]float64{}
	for i := range 20 {
		p := &Prescriber{Num: string(rune('a' + i))}
		xi := -1 + float64(i)/10
		y := 0.5 * xi
		if i == 7 {
			y += 2
		}
		x[p] = xi
		pts = append(pts, &Point{Pro: p, O: 1e4 * math.Exp(y), E: 1e4, V: 1e4})
	}
	AdjustFollowed(0, pts, x)
	f := NewFunnel(0, "1", pts)
	for i, p := range f.Points {
		want := pts[0].Y
		if i == 7 {
			want += 2
		}
		if !near(p.Y, want) {
			t.Fatalf("point %d : Y = %v, attendu %v (pente non retirée)", i, p.Y, want)
		}
	}
	// x̄ of the second fit leaves the outlier out: (−1 + 0.3)/19.
	if !near(f.Points[7].Followed, 0.5*(x[f.Points[7].Pro]-(-0.7/19))) {
		t.Fatalf("part expliquée %v", f.Points[7].Followed)
	}
}

// TestTerritory checks that a real difference between départements is taken
// out of Y (four départements of 10 prescribers at −0.4, −0.1, +0.1, +0.4 with
// noise of ±0.05: ω² far above the sampling variance, every Y ends within 0.15 of 0,
// against 0.45 before), and that none is when the départements do not differ.
func TestTerritory(t *testing.T) {
	mk := func(shifts []float64) []*Point {
		var pts []*Point
		for d, sh := range shifts {
			for i := range 10 {
				y := sh + 0.01*float64(i-5)
				pts = append(pts, &Point{Pro: &Prescriber{Num: fmt.Sprint(d, i), Dept: fmt.Sprint(10 + d)}, O: 1e4 * math.Exp(y), E: 1e4, V: 1e4})
			}
		}
		return pts
	}
	f := NewFunnel(0, "1", mk([]float64{-0.4, -0.1, 0.1, 0.4}))
	for _, p := range f.Points {
		if math.Abs(p.Y) > 0.15 {
			t.Fatalf("%s : Y = %v après le territoire (décalage %v)", p.Pro.Num, p.Y, p.Territory)
		}
	}
	f = NewFunnel(0, "1", mk([]float64{0, 0, 0, 0}))
	for _, p := range f.Points {
		if p.Territory != 0 {
			t.Fatalf("%s : décalage %v sans différence entre départements", p.Pro.Num, p.Territory)
		}
	}
}

func TestDetectPlanted(t *testing.T) {
	if testing.Short() {
		t.Skip("génère une région")
	}
	refDir := os.Getenv("MEDCONSEIL_REFERENCE")
	if refDir == "" {
		refDir = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(refDir, "snds", "IR_NAT_V.csv")); err != nil {
		t.Skipf("référentiels absents (%s) ; définir MEDCONSEIL_REFERENCE", refDir)
	}
	ref, err := synth.LoadReference(refDir, "44")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := synth.Run(ctx, ref, synth.Config{Region: "44", Scale: 0.02, Seed: 7, Year: 2025, Out: dir}); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, res, err := Run(ctx, db, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := ReadTruth(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Recall is measured by « detect eval » (docs/detection.md: the ×2 and ×3
	// are not all found); here, every planted intensity is scored.
	ev := Score(res, truth)
	cells := 0
	for _, c := range ev.Recall {
		if c.Type == "surprescription_ij" {
			cells++
			if c.Planted == 0 || c.Detectable != c.Planted {
				t.Errorf("cellule de rappel %+v : plantés ou détectables manquants", c)
			}
		}
	}
	if cells != 4 {
		t.Errorf("%d intensités de surprescription_ij évaluées, attendu 4 : %+v", cells, ev.Recall)
	}
	// The fraud rules over the same region: every planted act after death and
	// every phantom-patient provider is alerted, each alert explained and
	// turned into a dossier seed with its motif.
	alerts, err := RunRules(ctx, db, RuleOptions{Reference: refDir, Targeting: res})
	if err != nil {
		t.Fatal(err)
	}
	rev := ScoreRules(alerts, truth)
	// A single planted act 1 or 2 days after the death looks like legitimate
	// late billing (2/30 of the single acts): acte_apres_deces is held to 80 %.
	for _, c := range rev.Recall {
		if c.Rule == "patient_fantome" && c.Found != c.Planted || c.Rule == "acte_apres_deces" && float64(c.Found) < 0.8*float64(c.Planted) {
			t.Errorf("règle %s, intensité %v : %d trouvés sur %d plantés", c.Rule, c.Intensity, c.Found, c.Planted)
		}
	}
	if n := rev.Alerts["acte_apres_deces"]; n[0] == 0 || n[0] != n[1] {
		t.Errorf("actes après décès : %d alertes dont %d justes", n[0], n[1])
	}
	for _, a := range alerts {
		if RuleByCode(a.Regle) == nil || a.Professionnel == "" || !strings.Contains(a.Explication, "seuil") && a.Regle != "surprescription_ij" {
			t.Errorf("alerte mal formée : %+v", a)
		}
		if d := AlertDossier(a); d.Professionnel != a.Professionnel || d.Motif != a.Explication || d.Regle != a.Regle {
			t.Errorf("dossier d'alerte %+v : %+v", a, d)
		}
	}
	if _, err := RunRules(ctx, db, RuleOptions{Only: []string{"inconnue"}}); err == nil || !strings.Contains(err.Error(), "inconnue") {
		t.Errorf("règle inconnue : %v", err)
	}
	b, err := json.Marshal(res.Flags)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("JSON vide")
	}
	for i, m := range out {
		if len(m) != 4 {
			t.Errorf("entrée %d : %d champs, attendu 4 : %v", i, len(m), m)
		}
		pro, ok1 := m["professionnel"].(string)
		_, ok2 := m["anomalie"].(string)
		score, ok3 := m["score"].(float64)
		ex, ok4 := m["explication"].(string)
		if !ok1 || !ok2 || !ok3 || !ok4 || len(pro) != 8 || !strings.Contains(ex, "attendu") || !strings.Contains(ex, "ratio") {
			t.Errorf("entrée %d mal formée : %v", i, m)
		}
		if score < Z998 {
			t.Errorf("entrée %d : score %v sous la limite à 99,8 %%", i, score)
		}
		if i > 0 && score > out[i-1]["score"].(float64) {
			t.Errorf("entrée %d : scores non décroissants", i)
		}
	}
}

// TestTransportsWinsorised checks that the trips one prescriber prescribed to
// one patient count at most the profession's 99th percentile of the non-zero
// counts: 150 patients of GP B with one return trip each (2 trips) and one
// patient of GP A with 80 trips (a transporter's fictitious trips, or a
// series). Of the 151 transported pairs the 99th percentile (the 150th value)
// is 2: A's patient counts 2 trips, not 80, and A is no outlier of trips.
func TestTransportsWinsorised(t *testing.T) {
	dir := fixture(t)
	// Patients p0 (GP A's) and p1…p150 (GP B's), men of 30; each GP
	// consults his own; the taxi 57810001 drives them on the GP's
	// prescription: 80 trips for p0, 2 for each of the others.
	lines := `
		SELECT i AS k, 'p' || i AS ben, DATE '2025-02-01' AS d, 1110 AS nat, CASE WHEN i = 0 THEN '57110001' ELSE '57110002' END AS exe, CAST(NULL AS VARCHAR) AS pre FROM range(151) r(i)
		UNION ALL
		SELECT 1000 + 100 * i + j, 'p' || i, DATE '2025-03-01' + CAST(j AS INTEGER), 4214, '57810001', CASE WHEN i = 0 THEN '57110001' ELSE '57110002' END
		FROM range(151) r(i), range(80) s(j) WHERE j < CASE WHEN i = 0 THEN 80 ELSE 2 END`
	duckWrite(t,
		`COPY (SELECT `+dcirKeys+`, ben AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, d AS EXE_SOI_DTD, nat AS PRS_NAT_REF,
			CAST(NULL AS DATE) AS PRE_PRE_DTD, CAST(1 AS DECIMAL(18,2)) AS PRS_ACT_QTE, exe AS PFS_EXE_NUM, pre AS PFS_PRE_NUM,
			CASE WHEN ben = 'p0' THEN '57110001' ELSE '57110002' END AS PRS_MTT_NUM
		FROM (`+lines+`)) TO '`+filepath.Join(dir, "ER_PRS_F.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT 'p' || i AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, 1 AS BEN_SEX_COD, '1995' AS BEN_NAI_ANN, '057' AS BEN_RES_DPT FROM range(151) r(i))
			TO '`+filepath.Join(dir, "IR_BEN_R.parquet")+`' (FORMAT parquet)`,
		`COPY (SELECT * FROM (VALUES ('57110001', '1'), ('57110002', '1'), ('57810001', '56')) v(PFS_PFS_NUM, PFS_PRA_SPE)) TO '`+filepath.Join(dir, "DA_PRA_R.parquet")+`' (FORMAT parquet)`,
	)
	_, pr := profiled(t, dir)
	ind := indicatorIndex("transports")
	ref := NewReference(pr.Prescribers, ind)
	// One stratum (H 25-34): 151 pairs, all at 2 trips once winsorised:
	// μ = 2, σ² = 0. A: O = 2, E = 2; B: O = 300, E = 300.
	want := map[string][3]float64{"57110001": {2, 2, 0}, "57110002": {300, 300, 0}}
	seen := 0
	for _, p := range pr.Prescribers {
		x, ok := want[p.Num]
		if !ok {
			continue
		}
		seen++
		o, e, v := ref.Expected(p.Cells[ind])
		if !near(o, x[0]) || !near(e, x[1]) || !near(v, x[2]) {
			t.Errorf("transports %s : O=%v E=%v V=%v, attendu %v (80 trajets d'un seul patient plafonnés au 99e centile, 2)", p.Num, o, e, v, x)
		}
	}
	if seen != 2 {
		t.Fatalf("%d généralistes profilés sur 2", seen)
	}
}

// TestDurationsByRank checks durCellsSQL by hand: one stratum (H 25-34),
// four arrêts of 1, 10, 10 and 100 days, the first two of GP A's patients,
// the last two of GP B's. Mid-ranks 1/8, 1/2, 1/2, 7/8; the logs have mean
// m = ln 10 and standard deviation sd = ln 10/√2; each arrêt becomes
// m + sd·Φ⁻¹(u). With a 1000-day arrêt instead of 100, m and sd change but
// not the scores Φ⁻¹(u): only the ranks count.
func TestDurationsByRank(t *testing.T) {
	for _, long := range []int{100, 1000} {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		for _, s := range []string{
			`CREATE TEMP TABLE pat AS SELECT * FROM (VALUES ('b1', 1, 4), ('b2', 1, 4), ('b3', 1, 4)) v(ben, rng, strate)`,
			`CREATE TEMP TABLE mtp AS SELECT * FROM (VALUES ('b1', 1, 'A'), ('b2', 1, 'A'), ('b3', 1, 'B')) v(ben, rng, pro)`,
			fmt.Sprintf(`CREATE TEMP TABLE arrmt AS SELECT ben, ini, DATE '2025-03-01' AS deb, CAST(jours AS DOUBLE) AS jours, 1 AS initial
				FROM (VALUES ('b1', 1, 1), ('b2', 2, 10), ('b3', 3, 10), ('b3', 4, %d)) v(ben, ini, jours)`, long),
		} {
			if _, err := db.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.Query(fmt.Sprintf(durCellsSQL, 2025, 9))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][3]float64{}
		for rows.Next() {
			var pro string
			var ind, strate int
			var n int64
			var s1, s2 float64
			if err := rows.Scan(&pro, &ind, &strate, &n, &s1, &s2); err != nil {
				t.Fatal(err)
			}
			if ind != 9 || strate != 4 {
				t.Errorf("%s : indicateur %d, strate %d", pro, ind, strate)
			}
			got[pro] = [3]float64{float64(n), s1, s2}
		}
		rows.Close()
		db.Close()
		l := []float64{0, math.Log(10), math.Log(10), math.Log(float64(long))}
		m := (l[0] + l[1] + l[2] + l[3]) / 4
		var v float64
		for _, x := range l {
			v += (x - m) * (x - m) / 4
		}
		sd := math.Sqrt(v)
		z := math.Sqrt2 * math.Erfinv(2*0.875-1) // Φ⁻¹(7/8) ≈ 1.150
		want := map[string][2]float64{"A": {2*m - sd*z, m*m + (m-sd*z)*(m-sd*z)}, "B": {2*m + sd*z, m*m + (m+sd*z)*(m+sd*z)}}
		for pro, w := range want {
			g := got[pro]
			// Tukey's λ is within 0.005 of Φ⁻¹ here.
			if g[0] != 2 || math.Abs(g[1]-w[0]) > 0.01 || math.Abs(g[2]-w[1]) > 0.05 {
				t.Errorf("%d jours : %s n=%v S1=%v S2=%v, attendu n=2 S1=%v S2=%v", long, pro, g[0], g[1], g[2], w[0], w[1])
			}
		}
	}
}
