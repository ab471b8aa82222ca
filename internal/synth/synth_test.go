package synth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"medconseil"
)

// referenceDir returns the shared référentiels, or skips the test when they are
// absent (they are not part of the repository).
func referenceDir(t testing.TB) string {
	dir := os.Getenv("MEDCONSEIL_REFERENCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(dir, "snds", "IR_NAT_V.csv")); err != nil {
		t.Skipf("référentiels absents (%s) : test ignoré ; définir MEDCONSEIL_REFERENCE", dir)
	}
	return dir
}

var (
	refOnce sync.Once
	refVal  *Reference
	refErr  error
)

func loadRef(t testing.TB) *Reference {
	dir := referenceDir(t)
	refOnce.Do(func() { refVal, refErr = LoadReference(dir, "44") })
	if refErr != nil {
		t.Fatal(refErr)
	}
	return refVal
}

func generate(t testing.TB, scale float64, seed uint64, workers int) (string, *Result) {
	ref := loadRef(t)
	out := t.TempDir()
	res, err := Run(context.Background(), ref, Config{Region: "44", Scale: scale, Seed: seed, Year: 2024, Out: out, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

func checksums(t *testing.T, dir string) map[string]string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(h[:])
	}
	return out
}

// Same seed and scale give byte-identical files, whatever the number of workers;
// another seed gives other files.
func TestReproducible(t *testing.T) {
	a, _ := generate(t, 0.002, 7, 1)
	b, _ := generate(t, 0.002, 7, 3)
	c, _ := generate(t, 0.002, 8, 2)
	sa, sb, sc := checksums(t, a), checksums(t, b), checksums(t, c)
	if len(sa) != 12 {
		t.Fatalf("%d fichiers, want 12 (11 tables + ground truth)", len(sa))
	}
	for name, h := range sa {
		if sb[name] != h {
			t.Errorf("%s : sha256 %s (1 fil) ≠ %s (3 fils)", name, h, sb[name])
		}
	}
	if sc[TablePRS+".parquet"] == sa[TablePRS+".parquet"] {
		t.Errorf("graines 7 et 8 : même ER_PRS_F")
	}
}

func read[T any](t *testing.T, dir, table string) []T {
	rows, err := parquet.ReadFile[T](filepath.Join(dir, table+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

var (
	genOnce sync.Once
	genDir  string
	genRes  *Result
)

// The scale the check uses.
func generated(t *testing.T) (string, *Result) {
	loadRef(t)
	genOnce.Do(func() {
		dir, err := os.MkdirTemp("", "synth-test-")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), refVal, Config{Region: "44", Scale: 0.005, Seed: 7, Year: 2024, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		genDir, genRes = dir, res
	})
	if genRes == nil {
		t.Fatal("génération échouée")
	}
	return genDir, genRes
}

func TestMain(m *testing.M) {
	code := m.Run()
	if genDir != "" {
		os.RemoveAll(genDir)
	}
	os.Exit(code)
}

func TestRatesWithinTargets(t *testing.T) {
	_, res := generated(t)
	for _, r := range res.Stats.Rates() {
		if !r.Within(0.10) {
			t.Errorf("%s = %.3f, cible %.3f ± 10 %%", r.Name, r.Produced, r.Target)
		}
	}
	if want := int64(25379); res.Stats.Persons != want { // round(5,075,846 × 0.005)
		t.Errorf("assurés = %d, want %d", res.Stats.Persons, want)
	}
}

// Every NIR passes the validation, with a place of birth that exists; the
// pseudonyms are distinct and the same in IR_BEN_R.
func TestNIR(t *testing.T) {
	dir, _ := generated(t)
	ref := loadRef(t)
	communes := map[string]bool{}
	for _, c := range ref.Communes {
		communes[c.Code] = true
	}
	for _, c := range ref.Nationales {
		communes[c.Code] = true
	}
	nirs := read[NIRC](t, dir, TableNIR)
	ben := read[BEN](t, dir, TableBEN)
	if len(nirs) != len(ben) {
		t.Fatalf("MC_NIR_R %d lignes, IR_BEN_R %d", len(nirs), len(ben))
	}
	seenNIR, seenPSA := map[string]bool{}, map[string]bool{}
	for i, r := range nirs {
		n, err := medconseil.ParseNIR(r.BEN_NIR)
		if err != nil {
			t.Fatalf("NIR %s : %v", r.BEN_NIR, err)
		}
		place := n.CommuneNaissance()
		if place[:2] != "99" && !communes[place] {
			t.Errorf("NIR %s : commune de naissance %s inconnue", r.BEN_NIR, place)
		}
		if seenNIR[r.BEN_NIR] || seenPSA[r.BEN_NIR_PSA] {
			t.Errorf("NIR ou pseudonyme en double : %s", r.BEN_NIR)
		}
		seenNIR[r.BEN_NIR], seenPSA[r.BEN_NIR_PSA] = true, true
		if ben[i].BEN_NIR_PSA != r.BEN_NIR_PSA || len(r.BEN_NIR_PSA) != 17 {
			t.Fatalf("ligne %d : pseudonyme %q ≠ %q", i, ben[i].BEN_NIR_PSA, r.BEN_NIR_PSA)
		}
		if int(ben[i].BEN_SEX_COD) != n.Sex() || int(ben[i].BEN_NAI_ANN)%100 != n.BirthYY() {
			t.Errorf("%s : sexe ou année de naissance incohérents avec IR_BEN_R", r.BEN_NIR)
		}
		if r.BEN_RES_COM[:2] != ben[i].BEN_RES_DPT[1:] {
			t.Errorf("%s : commune %s hors du département %s", r.BEN_NIR, r.BEN_RES_COM, ben[i].BEN_RES_DPT)
		}
	}
}

// Every code exists in its nomenclature; every professional number in DA_PRA_R.
func TestCodesExist(t *testing.T) {
	dir, _ := generated(t)
	ref := loadRef(t)
	bad := map[string]int{}
	check := func(nom string, code string) {
		if !ref.Has(nom, code) {
			bad[nom+":"+code]++
		}
	}
	i32 := func(n int32) string { return strconv.Itoa(int(n)) }
	pra := map[string]PRA{}
	for _, p := range read[PRA](t, dir, TablePRA) {
		pra[p.PFS_PFS_NUM] = p
		if len(p.PFS_PFS_NUM) != 8 || p.PFS_PFS_NUM[:2] != p.PFS_COM_COD[:2] {
			t.Errorf("numéro de cabinet %s : 8 caractères commençant par le département de %s", p.PFS_PFS_NUM, p.PFS_COM_COD)
		}
		if p.PFS_RPPS_NUM != "" {
			if _, err := medconseil.ParseRPPS(p.PFS_RPPS_NUM); err != nil || luhn([]byte(p.PFS_RPPS_NUM[:10])) != p.PFS_RPPS_NUM[10]-'0' {
				t.Errorf("RPPS %s invalide", p.PFS_RPPS_NUM)
			}
		}
		check("IR_SPE_V", i32(p.PFS_PRA_SPE))
		check("IR_ACT_V", i32(p.PFS_EXC_NAT))
	}
	keys := map[Keys]bool{}
	for _, r := range read[PRS](t, dir, TablePRS) {
		keys[r.Keys] = true
		check("IR_NAT_V", i32(r.PRS_NAT_REF))
		check("IR_SPE_V", i32(r.PSE_SPE_COD))
		check("IR_ACT_V", i32(r.PSE_ACT_NAT))
		check("IR_SPE_V", i32(r.PSP_SPE_COD))
		check("IR_ACT_V", i32(r.PSP_ACT_NAT))
		check("IR_ASU_V", i32(r.RGO_ASU_NAT))
		check("IR_EXO_V", i32(r.EXO_MTF))
		check("IR_DPT_V", r.BEN_RES_DPT)
		for _, n := range []string{r.PFS_EXE_NUM, r.PFS_PRE_NUM, r.PRS_MTT_NUM} {
			if _, ok := pra[n]; n != "" && !ok {
				t.Fatalf("numéro %s absent de DA_PRA_R", n)
			}
		}
		if r.PFS_EXE_NUM == "" && r.ETB_EXE_FIN == "" && (r.PRS_NAT_REF < 6110 || r.PRS_NAT_REF > 6119) {
			t.Errorf("prestation %d sans exécutant", r.PRS_NAT_REF)
		}
	}
	for _, r := range read[TRS](t, dir, TableTRS) {
		if !keys[r.Keys] {
			t.Fatalf("ER_TRS_F : clés de jointure sans ligne ER_PRS_F : %+v", r.Keys)
		}
		check("IR_MTR_V", i32(r.TRS_TRS_MTF))
	}
	for _, r := range read[DTR](t, dir, TableDTR) {
		if !keys[r.Keys] {
			t.Fatalf("ER_DTR_F : clés de jointure sans ligne ER_PRS_F")
		}
		check("IR_DTR_V", i32(r.TRS_PRS_IDE))
		check("IR_MTR_V", i32(r.TRS_TRS_MTF))
	}
	for _, r := range read[TIP](t, dir, TableTIP) {
		if !keys[r.Keys] {
			t.Fatalf("ER_TIP_F : clés de jointure sans ligne ER_PRS_F")
		}
		check("NT_LPP", strconv.FormatInt(r.TIP_PRS_IDE, 10))
		check("IR_PRF_V", i32(r.TIP_PRS_TYP))
	}
	for _, r := range read[ARR](t, dir, TableARR) {
		check("AT_AAT_V", r.AAT_NAT_COD)
		check("IR_CIM_V", r.MED_MTF_COD)
		if _, ok := pra[r.PFS_PRE_NUM]; !ok {
			t.Fatalf("prescripteur d'arrêt %s absent de DA_PRA_R", r.PFS_PRE_NUM)
		}
	}
	for _, r := range read[ATM](t, dir, TableATM) {
		check("AT_NTU_V", i32(r.SIN_NAT_COD))
		check("IR_CIM_V", r.MED_MTF_COD)
		if r.SIN_MLP_TAB != "" {
			check("AT_MLT_V", r.SIN_MLP_TAB)
		}
	}
	for _, r := range read[IMB](t, dir, TableIMB) {
		check("IR_ETM_V", i32(r.IMB_ETM_NAT))
		check("IR_CIM_V", r.MED_MTF_COD)
		if r.IMB_ETM_NAT == 41 {
			check("IR_ALD_V", i32(r.IMB_ALD_NUM))
		}
	}
	if len(bad) > 0 {
		t.Errorf("codes absents des nomenclatures : %v", bad)
	}
}

// No claim after the beneficiary's death, except the planted ones, which the
// ground truth lists.
func TestNoClaimAfterDeathExceptPlanted(t *testing.T) {
	dir, _ := generated(t)
	var gt GroundTruth
	b, err := os.ReadFile(filepath.Join(dir, GroundTruthFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	planted := map[string]bool{}
	for _, a := range gt.Anomalies {
		if a.Type == AnomalyAfterDeath {
			planted[a.Entity] = true
		}
	}
	death := map[string]int32{}
	for _, r := range read[BEN](t, dir, TableBEN) {
		if r.BEN_DCD_DTE != 0 {
			death[r.BEN_NIR_PSA] = r.BEN_DCD_DTE
		}
	}
	after := map[string]int{}
	for _, r := range read[PRS](t, dir, TablePRS) {
		if d, ok := death[r.BEN_NIR_PSA]; ok && r.EXE_SOI_DTD > d {
			after[r.BEN_NIR_PSA]++
		}
	}
	for psa, n := range after {
		if !planted[psa] {
			t.Errorf("%s : %d prestation(s) après le décès, non plantées", psa, n)
		}
	}
	for psa := range planted {
		if after[psa] == 0 {
			t.Errorf("%s : acte après décès planté mais absent des prestations", psa)
		}
	}
}

// Every anomaly of the catalogue is planted, at several intensities.
func TestGroundTruth(t *testing.T) {
	dir, _ := generated(t)
	var gt GroundTruth
	b, _ := os.ReadFile(filepath.Join(dir, GroundTruthFile))
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	intensities := map[AnomalyKind]map[float64]bool{}
	for _, a := range gt.Anomalies {
		if intensities[a.Type] == nil {
			intensities[a.Type] = map[float64]bool{}
		}
		intensities[a.Type][a.Intensity] = true
		if a.Entity == "" || a.Prevalence == "" {
			t.Errorf("%s : entité ou prévalence manquante", a.Type)
		}
	}
	kinds := []AnomalyKind{AnomalyOverIJ, AnomalyImpossibleDay, AnomalyAfterDeath, AnomalyPhantom, AnomalyKmInflation, AnomalyTripNoCare, AnomalyCollusion, AnomalySplitting}
	for _, k := range kinds {
		if len(intensities[k]) < 2 {
			t.Errorf("%s : %d intensité(s), want ≥ 2", k, len(intensities[k]))
		}
	}
}

// Impossible days show in the claims: a planted kiné bills its intensity on each
// listed date, while unplanted providers stay under 40 acts a day.
func TestImpossibleDays(t *testing.T) {
	dir, _ := generated(t)
	var gt GroundTruth
	b, _ := os.ReadFile(filepath.Join(dir, GroundTruthFile))
	json.Unmarshal(b, &gt)
	perDay := map[string]map[int32]int{}
	for _, r := range read[PRS](t, dir, TablePRS) {
		if r.PRS_NAT_REF == 3111 || r.PRS_NAT_REF == 3122 || r.PRS_NAT_REF == 3125 {
			if perDay[r.PFS_EXE_NUM] == nil {
				perDay[r.PFS_EXE_NUM] = map[int32]int{}
			}
			perDay[r.PFS_EXE_NUM][r.EXE_SOI_DTD]++
		}
	}
	planted := map[string]bool{}
	for _, a := range gt.Anomalies {
		if a.Type != AnomalyImpossibleDay {
			continue
		}
		planted[a.Entity] = true
		for _, ds := range a.Dates {
			d, _ := medconseil.ParseDate(ds)
			if n := perDay[a.Entity][pqDate(d)]; n < int(a.Intensity) {
				t.Errorf("%s le %s : %d actes, want ≥ %.0f", a.Entity, ds, n, a.Intensity)
			}
		}
	}
	var worst []int
	for pfs, days := range perDay {
		if planted[pfs] {
			continue
		}
		for _, n := range days {
			worst = append(worst, n)
		}
	}
	sort.Ints(worst)
	if len(worst) > 0 && worst[len(worst)-1] >= 40 {
		t.Errorf("un professionnel non planté facture %d actes en un jour", worst[len(worst)-1])
	}
}

func TestMakeNIR(t *testing.T) {
	orders := map[uint64]uint16{}
	for _, tc := range []struct {
		sex   uint8
		birth medconseil.Date
		place string
	}{
		{1, medconseil.NewDate(1980, time.March, 4), "67482"},
		{2, medconseil.NewDate(2001, time.December, 31), "99352"},
		{2, medconseil.NewDate(1931, time.January, 1), "57463"},
	} {
		n := makeNIR(tc.sex, tc.birth, tc.place, orders)
		if _, err := medconseil.ParseNIR(string(n)); err != nil {
			t.Errorf("makeNIR(%d, %s, %s) = %s : %v", tc.sex, tc.birth, tc.place, n, err)
		}
		if n.CommuneNaissance() != tc.place || n.Sex() != int(tc.sex) || n.BirthMonth() != tc.birth.Month() {
			t.Errorf("makeNIR(%d, %s, %s) = %s : parties incohérentes", tc.sex, tc.birth, tc.place, n)
		}
	}
	a := makeNIR(1, medconseil.NewDate(1980, time.March, 4), "67482", orders)
	b := makeNIR(1, medconseil.NewDate(1980, time.March, 9), "67482", orders)
	if a == b {
		t.Errorf("deux naissances du même mois et lieu : même NIR %s", a)
	}
}

func TestAllocate(t *testing.T) {
	cs := []Commune{{Population: 10}, {Population: 25}, {Population: 65}}
	for _, total := range []int{0, 1, 7, 99, 1000} {
		got := allocate(cs, total)
		sum := 0
		for _, n := range got {
			sum += n
		}
		if sum != total {
			t.Errorf("allocate(%d) = %v, somme %d", total, got, sum)
		}
	}
}

// BenchmarkRun generates a small region; the full-scale figures come from
// `medconseil synth --bench` (see docs/synth.md).
func BenchmarkRun(b *testing.B) {
	ref := loadRef(b)
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), ref, Config{Region: "44", Scale: 0.002, Seed: 7, Year: 2024, Out: b.TempDir(), Progress: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Rows[TablePRS])/res.Elapsed.Seconds(), "prs_rows/s")
	}
}
