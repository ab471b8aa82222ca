package synth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"medconseil"
)

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
	if len(sa) != 16 {
		t.Fatalf("%d fichiers, want 16 (15 tables + ground truth)", len(sa))
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

// testScale is the scale of the shared generation: 50,758 insured, enough
// professionals of each kind for the baselines, a few seconds of CPU.
const testScale = 0.01

func generated(t *testing.T) (string, *Result) {
	loadRef(t)
	genOnce.Do(func() {
		dir, err := os.MkdirTemp("", "synth-test-")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), refVal, Config{Region: "44", Scale: testScale, Seed: 7, Year: 2024, Out: dir})
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

// The produced figures are within 10 % of their targets (docs/synth.md), no
// provider is idle and no médecin traitant's list exceeds the cap.
func TestCalibration(t *testing.T) {
	_, res := generated(t)
	tol := map[string]float64{
		"part des arrêts > 1 an":                              0.25, // a rare class at this scale
		"part des actes G/V le dimanche":                      1,    // a few tenths of a percent
		"part des actes G/V le samedi":                        0.2,  // an estimate
		"coefficient de variation du volume des généralistes": 0.15,
		"part des trajets sans soin au DCIR (légitime)":       0.5, // the 10–30 %
	}
	for _, r := range res.Calibration {
		switch {
		case r.Target == 0:
			if r.Produced != 0 {
				t.Errorf("%s = %g, want 0", r.Name, r.Produced)
			}
		case strings.HasPrefix(r.Name, "taille maximale"):
			if r.Produced > r.Target {
				t.Errorf("%s = %g > %g", r.Name, r.Produced, r.Target)
			}
		default:
			e := tol[r.Name]
			if e == 0 {
				e = 0.10
			}
			if !r.Within(e) {
				t.Errorf("%s = %.3f, cible %.3f ± %.0f %%", r.Name, r.Produced, r.Target, e*100)
			}
		}
	}
	if want := int64(50758); res.Stats.Persons != want { // round(5,075,846 × 0.01)
		t.Errorf("assurés = %d, want %d", res.Stats.Persons, want)
	}
}

// column is what the tests learn of one Parquet column.
type column struct {
	name     string
	kind     parquet.Kind
	date     bool
	decimal  bool
	str      bool
	optional bool
	nulls    int
	values   int
	sentinel int            // non-null values that look like a NULL written as a value
	distinct map[string]int // up to maxDistinct values
}

const maxDistinct = 20000

type scanned struct {
	cols []*column
	rows int
}

var (
	scanMu    sync.Mutex
	scanCache = map[string]scanned{}
)

// scanTable reads every value of every column of a Parquet file, column by
// column (page values, NULLs included), once per file.
func scanTable(t *testing.T, path string) ([]*column, int) {
	t.Helper()
	scanMu.Lock()
	defer scanMu.Unlock()
	if s, ok := scanCache[path]; ok {
		return s.cols, s.rows
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var cols []*column
	for _, p := range pf.Schema().Columns() {
		leaf, _ := pf.Schema().Lookup(p...)
		c := &column{name: strings.Join(p, "."), kind: leaf.Node.Type().Kind(), optional: leaf.Node.Optional(), distinct: map[string]int{}}
		if lt := leaf.Node.Type().LogicalType(); lt != nil {
			switch lt.Value.(type) {
			case *format.DateType:
				c.date = true
			case *format.DecimalType:
				c.decimal = true
			case *format.StringType:
				c.str = true
			}
		}
		cols = append(cols, c)
	}
	buf := make([]parquet.Value, 4096)
	for _, rg := range pf.RowGroups() {
		for j, chunk := range rg.ColumnChunks() {
			c := cols[j]
			pages := chunk.Pages()
			for {
				pg, err := pages.ReadPage()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				vr := pg.Values()
				for {
					n, err := vr.ReadValues(buf)
					for _, v := range buf[:n] {
						c.add(v)
					}
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				parquet.Release(pg)
			}
			pages.Close()
		}
	}
	rows := int(pf.NumRows())
	scanCache[path] = scanned{cols, rows}
	return cols, rows
}

func (c *column) add(v parquet.Value) {
	if v.IsNull() {
		c.nulls++
		return
	}
	c.values++
	var s string
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		b := v.ByteArray()
		if len(b) == 0 {
			c.sentinel++
		}
		if len(c.distinct) < maxDistinct {
			s = string(b)
		}
	case parquet.Int32:
		if c.date && v.Int32() == 0 {
			c.sentinel++ // 1970-01-01
		}
		if c.optional && v.Int32() == 0 && !zeroAllowed[c.name] {
			c.sentinel++
		}
		s = strconv.Itoa(int(v.Int32()))
	case parquet.Int64:
		if c.optional && v.Int64() == 0 && !zeroAllowed[c.name] {
			c.sentinel++
		}
		s = strconv.FormatInt(v.Int64(), 10)
	default:
		s = v.String()
	}
	if len(c.distinct) < maxDistinct || c.distinct[s] > 0 {
		c.distinct[s]++
	}
}

// zeroAllowed lists optional integer columns where 0 is a true value (a count).
var zeroAllowed = map[string]bool{"PFS_AMB_NBR": true, "PFS_VSL_NBR": true, "PFS_TXI_NBR": true}

// Every column of every table is read back: where a value is absent it is a
// Parquet NULL, never 0, ” or 1970-01-01; each optional column has NULLs and
// values; the deceased are exactly those with a BEN_DCD_DTE.
func TestNullsAreNulls(t *testing.T) {
	dir, res := generated(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if len(files) != 15 {
		t.Fatalf("%d tables, want 15", len(files))
	}
	for _, f := range files {
		table := strings.TrimSuffix(filepath.Base(f), ".parquet")
		cols, rows := scanTable(t, f)
		for _, c := range cols {
			if c.sentinel > 0 {
				t.Errorf("%s.%s : %d valeur(s) sentinelle (0, '' ou 1970-01-01) au lieu de NULL", table, c.name, c.sentinel)
			}
			if !c.optional && c.nulls > 0 {
				t.Errorf("%s.%s : colonne obligatoire avec %d NULL", table, c.name, c.nulls)
			}
			if c.optional && rows > 100 && (c.nulls == 0 || c.values == 0) {
				t.Errorf("%s.%s : colonne facultative sans NULL ou sans valeur (%d NULL, %d valeurs)", table, c.name, c.nulls, c.values)
			}
			if table == TableBEN && c.name == "BEN_DCD_DTE" && int64(c.values) != res.Stats.Deces {
				t.Errorf("IR_BEN_R : %d dates de décès pour %d décès", c.values, res.Stats.Deces)
			}
		}
	}
}

// schemaField is a column of an official SNDS table schema.
type schemaField struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Format       string `json:"format"`
	Nomenclature string `json:"nomenclature"`
	TypeOracle   string `json:"type_oracle"`
}

func loadSchema(t *testing.T, table string) map[string]schemaField {
	b, err := os.ReadFile(filepath.Join(referenceDir(t), "snds-schema", table+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Fields []schemaField `json:"fields"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]schemaField{}
	for _, f := range s.Fields {
		out[f.Name] = f
	}
	return out
}

// typeOK reports whether a Parquet column has the type the schema gives: integer
// as INT32/INT64, number as DECIMAL or floating point, date as DATE, string and
// the date parts (year, yearmonth, %m months, char in Oracle) as UTF-8 strings.
func typeOK(f schemaField, c *column) bool {
	switch {
	case f.Type == "integer":
		return (c.kind == parquet.Int32 || c.kind == parquet.Int64) && !c.date && !c.decimal
	case f.Type == "number":
		return c.decimal || c.kind == parquet.Double || c.kind == parquet.Float
	case f.Type == "date" && f.Format != "%m":
		return c.date
	case f.Type == "boolean":
		return c.kind == parquet.Boolean
	}
	return c.kind == parquet.ByteArray && c.str // string, year, yearmonth, date %m
}

// Every SNDS table has only columns of its official schema, with their types;
// the columns are there; every coded column's values exist in its
// nomenclature (those of the référentiels; the others are listed).
func TestSchemaConformity(t *testing.T) {
	dir, _ := generated(t)
	ref := loadRef(t)
	communes := map[string]bool{}
	for _, c := range ref.Communes {
		communes["0"+c.Dep+c.Code[2:]] = true
	}
	required := map[string][]string{
		TablePRS: {"DPN_QLF", "PRS_DPN_QLP", "CPL_MAJ_TOP", "BSE_PRS_NAT", "EXE_SOI_AMD", "EXE_SOI_AMF", "ORG_CLE_NEW", "PRS_REJ_TOP", "IJR_EMP_NUM", "PRS_PPU_SEC", "PRE_PRE_DTD", "PRS_MTT_NUM"},
		TableETE: {"ETB_EXE_FIN", "PRS_PPU_SEC"},
		TablePHA: {"PHA_PRS_C13", "PHA_ACT_QSN"},
		TableTRS: {"TRS_DEP_CDP", "TRS_ARR_CDP", "TRS_DTD_DTE"},
		TableBEN: {"BEN_IDT_ANO", "BEN_RNG_GEM", "BEN_NAI_ANN", "BEN_NAI_MOI", "BEN_DCD_DTE"},
		TablePRA: {"PFS_PRA_SPE", "PFS_EXC_COM"},
	}
	keys := []string{"FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP", "FLX_EMT_NUM", "FLX_EMT_ORD", "ORG_CLE_NUM", "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"}
	unavailable := map[string]bool{}
	for _, table := range []string{TablePRS, TableETE, TablePHA, TableTRS, TableDTR, TableTIP, TableBEN, TableIMB, TablePRA} {
		schema := loadSchema(t, table)
		cols, _ := scanTable(t, filepath.Join(dir, table+".parquet"))
		have := map[string]bool{}
		for _, c := range cols {
			have[c.name] = true
			f, ok := schema[c.name]
			if !ok {
				t.Errorf("%s.%s : colonne absente du schéma officiel", table, c.name)
				continue
			}
			if !typeOK(f, c) {
				t.Errorf("%s.%s : type Parquet %v (date %v, décimal %v, chaîne %v) ≠ schéma %s %s", table, c.name, c.kind, c.date, c.decimal, c.str, f.Type, f.Format)
			}
			nom, _, _ := strings.Cut(f.Nomenclature, ":")
			switch {
			case nom == "" || nom == "-" || nom == "IR_DTE_V":
			case c.name == "FLX_EMT_NUM":
				for v := range c.distinct {
					if !ref.Has("IR_NEM_T", "1;"+v) {
						t.Errorf("%s.%s = %s absent d'IR_NEM_T (type 1)", table, c.name, v)
					}
				}
			case nom == "IR_GEO_V":
				// BEN_RES_COM holds the 3 last characters of the INSEE code; checked
				// with the département below.
			case ref.Codes[nom] == nil:
				unavailable[table+"."+c.name+" ("+nom+")"] = true
			default:
				for v := range c.distinct {
					if !ref.Has(nom, v) {
						t.Errorf("%s.%s = %q absent de %s", table, c.name, v, nom)
					}
				}
			}
		}
		for _, n := range required[table] {
			if !have[n] {
				t.Errorf("%s : colonne %s manquante", table, n)
			}
		}
		if table != TableBEN && table != TableIMB && table != TablePRA {
			for _, n := range keys {
				if !have[n] {
					t.Errorf("%s : clé de jointure %s manquante", table, n)
				}
			}
		}
	}
	for _, b := range read[BEN](t, dir, TableBEN) {
		if !communes[b.BEN_RES_DPT+b.BEN_RES_COM] {
			t.Fatalf("IR_BEN_R : commune %s %s inconnue", b.BEN_RES_DPT, b.BEN_RES_COM)
		}
	}
	var names []string
	for n := range unavailable {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("colonnes codées dont la nomenclature n'est pas dans les référentiels : %s", strings.Join(names, ", "))
}

// prsLite is the subset of ER_PRS_F the checks and the baselines read.
type prsLite struct {
	DCT_ORD_NUM int64  `parquet:"DCT_ORD_NUM"`
	ORG_CLE_NUM string `parquet:"ORG_CLE_NUM"`
	PRS_ORD_NUM int32  `parquet:"PRS_ORD_NUM"`
	BEN_NIR_PSA string `parquet:"BEN_NIR_PSA"`
	BEN_AMA_COD int32  `parquet:"BEN_AMA_COD"`
	EXE_SOI_DTD int32  `parquet:"EXE_SOI_DTD"`
	PRE_PRE_DTD int32  `parquet:"PRE_PRE_DTD,optional"` // 0 when NULL (reading only)
	PRS_NAT_REF int32  `parquet:"PRS_NAT_REF"`
	CPL_MAJ_TOP int32  `parquet:"CPL_MAJ_TOP"`
	DPN_QLF     int32  `parquet:"DPN_QLF"`
	PRS_ACT_QTE int64  `parquet:"PRS_ACT_QTE"`
	PSE_SPE_COD int32  `parquet:"PSE_SPE_COD"`
	PFS_EXE_NUM string `parquet:"PFS_EXE_NUM,optional"` // "" when NULL
	PFS_PRE_NUM string `parquet:"PFS_PRE_NUM,optional"`
	EXO_MTF     int32  `parquet:"EXO_MTF"`
}

// keyLite is what the join checks read of a satellite table.
type keyLite struct {
	DCT_ORD_NUM int64 `parquet:"DCT_ORD_NUM"`
	PRS_ORD_NUM int32 `parquet:"PRS_ORD_NUM"`
	PHA_PRS_C13 int64 `parquet:"PHA_PRS_C13,optional"`
}

var (
	prsOnce sync.Once
	prsRows []prsLite
)

// readPRS reads the columns of prsLite from ER_PRS_F, column by column (much
// faster than decoding rows into structs); NULL reads as 0 or "".
func readPRS(t *testing.T, dir string) []prsLite {
	prsOnce.Do(func() {
		c := readColumns(t, filepath.Join(dir, TablePRS+".parquet"), "DCT_ORD_NUM", "ORG_CLE_NUM", "PRS_ORD_NUM", "BEN_NIR_PSA", "BEN_AMA_COD",
			"EXE_SOI_DTD", "PRE_PRE_DTD", "PRS_NAT_REF", "CPL_MAJ_TOP", "DPN_QLF", "PRS_ACT_QTE", "PSE_SPE_COD", "PFS_EXE_NUM", "PFS_PRE_NUM", "EXO_MTF")
		n := len(c.i["DCT_ORD_NUM"])
		prsRows = make([]prsLite, n)
		for i := range prsRows {
			prsRows[i] = prsLite{DCT_ORD_NUM: c.i["DCT_ORD_NUM"][i], ORG_CLE_NUM: c.s["ORG_CLE_NUM"][i], PRS_ORD_NUM: int32(c.i["PRS_ORD_NUM"][i]),
				BEN_NIR_PSA: c.s["BEN_NIR_PSA"][i], BEN_AMA_COD: int32(c.i["BEN_AMA_COD"][i]), EXE_SOI_DTD: int32(c.i["EXE_SOI_DTD"][i]),
				PRE_PRE_DTD: int32(c.i["PRE_PRE_DTD"][i]), PRS_NAT_REF: int32(c.i["PRS_NAT_REF"][i]), CPL_MAJ_TOP: int32(c.i["CPL_MAJ_TOP"][i]),
				DPN_QLF: int32(c.i["DPN_QLF"][i]), PRS_ACT_QTE: c.i["PRS_ACT_QTE"][i], PSE_SPE_COD: int32(c.i["PSE_SPE_COD"][i]),
				PFS_EXE_NUM: c.s["PFS_EXE_NUM"][i], PFS_PRE_NUM: c.s["PFS_PRE_NUM"][i], EXO_MTF: int32(c.i["EXO_MTF"][i])}
		}
	})
	return prsRows
}

// colData holds columns read whole: integers (0 for NULL) and strings ("" for NULL).
type colData struct {
	i map[string][]int64
	s map[string][]string
}

func readColumns(t *testing.T, path string, names ...string) colData {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := colData{i: map[string][]int64{}, s: map[string][]string{}}
	cols := pf.Schema().Columns()
	buf := make([]parquet.Value, 4096)
	intern := map[string]string{}
	for _, rg := range pf.RowGroups() {
		for j, chunk := range rg.ColumnChunks() {
			name := strings.Join(cols[j], ".")
			if !want[name] {
				continue
			}
			pages := chunk.Pages()
			for {
				pg, err := pages.ReadPage()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				vr := pg.Values()
				for {
					n, err := vr.ReadValues(buf)
					for _, v := range buf[:n] {
						switch v.Kind() {
						case parquet.ByteArray:
							b := v.ByteArray()
							str, ok := intern[string(b)]
							if !ok {
								str = string(b)
								if len(intern) < 1<<20 {
									intern[str] = str
								}
							}
							out.s[name] = append(out.s[name], str)
						case parquet.Int32:
							out.i[name] = append(out.i[name], int64(v.Int32()))
						case parquet.Int64:
							out.i[name] = append(out.i[name], v.Int64())
						default: // NULL
							if leaf, _ := pf.Schema().Lookup(cols[j]...); leaf.Node.Type().Kind() == parquet.ByteArray {
								out.s[name] = append(out.s[name], "")
							} else {
								out.i[name] = append(out.i[name], 0)
							}
						}
					}
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				parquet.Release(pg)
			}
			pages.Close()
		}
	}
	return out
}

// The code fixes of the issue, and the join keys: every satellite line has its
// ER_PRS_F line; every professional number exists in DA_PRA_R; only IJ and
// establishment lines lack an executing professional.
func TestCodesAndJoins(t *testing.T) {
	dir, _ := generated(t)
	ref := loadRef(t)
	pra := map[string]PRA{}
	for _, p := range read[PRA](t, dir, TablePRA) {
		pra[p.PFS_PFS_NUM] = p
		if len(p.PFS_PFS_NUM) != 8 || p.PFS_PFS_NUM[:2] != p.PFS_EXC_COM[:2] {
			t.Errorf("numéro de cabinet %s : 8 caractères commençant par le département de %s", p.PFS_PFS_NUM, p.PFS_EXC_COM)
		}
	}
	for _, r := range read[RPPS](t, dir, TableRPS) {
		if r.PFS_RPPS_NUM != nil {
			n := *r.PFS_RPPS_NUM
			if _, err := medconseil.ParseRPPS(n); err != nil || luhn([]byte(n[:10])) != n[10]-'0' {
				t.Errorf("RPPS %s invalide", n)
			}
		}
	}
	type key struct {
		dct int64
		ord int32
	}
	keys := map[key]bool{}
	ete := map[int64]bool{}
	for _, r := range read[keyLite](t, dir, TableETE) {
		ete[r.DCT_ORD_NUM] = true
	}
	for _, r := range readPRS(t, dir) {
		keys[key{r.DCT_ORD_NUM, r.PRS_ORD_NUM}] = true
		for _, n := range []string{r.PFS_EXE_NUM, r.PFS_PRE_NUM} {
			if _, ok := pra[n]; n != "" && !ok {
				t.Fatalf("numéro %s absent de DA_PRA_R", n)
			}
		}
		ij := r.PRS_NAT_REF >= 6110 && r.PRS_NAT_REF <= 6112
		if r.PFS_EXE_NUM == "" && !ij && !ete[r.DCT_ORD_NUM] {
			t.Errorf("prestation %d sans exécutant ni établissement", r.PRS_NAT_REF)
		}
		if r.EXO_MTF == 42 && r.PRS_NAT_REF == 0 {
			t.Errorf("EXO_MTF 42 sur une ligne sans nature")
		}
		if r.PFS_EXE_NUM != "" {
			p := pra[r.PFS_EXE_NUM]
			switch {
			case (r.PRS_NAT_REF == 1110 || r.PRS_NAT_REF == 1211) && p.PFS_PRA_SPE != "1":
				t.Fatalf("consultation de généraliste (%d) facturée par %s, spécialité %s", r.PRS_NAT_REF, r.PFS_EXE_NUM, p.PFS_PRA_SPE)
			case (r.PRS_NAT_REF == 4212 || r.PRS_NAT_REF == 4213) && p.PFS_PRA_SPE != "55":
				t.Fatalf("code ambulance/VSL %d facturé par %s (%s)", r.PRS_NAT_REF, r.PFS_EXE_NUM, p.PFS_PRA_SPE)
			case r.PRS_NAT_REF == 4214 && p.PFS_PRA_SPE != "56":
				t.Fatalf("code taxi facturé par %s (%s)", r.PFS_EXE_NUM, p.PFS_PRA_SPE)
			}
		}
		if r.BEN_AMA_COD < 0 || r.BEN_AMA_COD > 110 {
			t.Fatalf("BEN_AMA_COD %d", r.BEN_AMA_COD)
		}
	}
	for _, r := range read[keyLite](t, dir, TableDTR) {
		if !keys[key{r.DCT_ORD_NUM, r.PRS_ORD_NUM}] {
			t.Fatalf("ER_DTR_F : clés de jointure sans ligne ER_PRS_F")
		}
	}
	for _, r := range read[keyLite](t, dir, TableTRS) {
		if !keys[key{r.DCT_ORD_NUM, r.PRS_ORD_NUM}] {
			t.Fatalf("ER_TRS_F : clés de jointure sans ligne ER_PRS_F")
		}
	}
	pha := read[keyLite](t, dir, TablePHA)
	for _, r := range pha {
		if !keys[key{r.DCT_ORD_NUM, r.PRS_ORD_NUM}] {
			t.Fatalf("ER_PHA_F : clés de jointure sans ligne ER_PRS_F")
		}
	}
	cip := map[int64]bool{}
	for _, m := range read[PHAR](t, dir, TablePHR) {
		cip[m.PHA_CIP_C13] = true
	}
	for _, r := range pha {
		if !cip[r.PHA_PRS_C13] {
			t.Fatalf("ER_PHA_F : CIP %d absent de MC_PHA_R", r.PHA_PRS_C13)
		}
	}
	bad := map[string]int{}
	for _, r := range read[ARR](t, dir, TableARR) {
		if !ref.Has("AT_AAT_V", r.AAT_NAT_COD) || !ref.Has("IR_CIM_V", r.MED_MTF_COD) {
			bad[r.AAT_NAT_COD+" "+r.MED_MTF_COD]++
		}
		if _, ok := pra[r.PFS_PRE_NUM]; !ok {
			t.Fatalf("prescripteur d'arrêt %s absent de DA_PRA_R", r.PFS_PRE_NUM)
		}
	}
	for _, r := range read[ATM](t, dir, TableATM) {
		if !ref.Has("AT_NTU_V", strconv.Itoa(int(r.SIN_NAT_COD))) || (r.SIN_MLP_TAB != nil && !ref.Has("AT_MLT_V", *r.SIN_MLP_TAB)) {
			bad["ATM "+strconv.Itoa(int(r.SIN_NAT_COD))]++
		}
	}
	if len(bad) > 0 {
		t.Errorf("codes absents des nomenclatures : %v", bad)
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
	seenNIR, seenPSA, seenIDT := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, r := range nirs {
		n, err := medconseil.ParseNIR(r.BEN_NIR)
		if err != nil {
			t.Fatalf("NIR %s : %v", r.BEN_NIR, err)
		}
		place := n.CommuneNaissance()
		if place[:2] != "99" && !communes[place] {
			t.Errorf("NIR %s : commune de naissance %s inconnue", r.BEN_NIR, place)
		}
		if seenNIR[r.BEN_NIR] || seenPSA[r.BEN_NIR_PSA] || seenIDT[ben[i].BEN_IDT_ANO] {
			t.Errorf("NIR ou pseudonyme en double : %s", r.BEN_NIR)
		}
		seenNIR[r.BEN_NIR], seenPSA[r.BEN_NIR_PSA], seenIDT[ben[i].BEN_IDT_ANO] = true, true, true
		if ben[i].BEN_NIR_PSA != r.BEN_NIR_PSA || len(r.BEN_NIR_PSA) != 17 || len(ben[i].BEN_IDT_ANO) != 17 || ben[i].BEN_IDT_ANO == r.BEN_NIR_PSA {
			t.Fatalf("ligne %d : pseudonymes %q / %q / %q", i, ben[i].BEN_NIR_PSA, r.BEN_NIR_PSA, ben[i].BEN_IDT_ANO)
		}
		yy, _ := strconv.Atoi(ben[i].BEN_NAI_ANN)
		if int(ben[i].BEN_SEX_COD) != n.Sex() || yy%100 != n.BirthYY() || len(ben[i].BEN_NAI_MOI) != 2 || ben[i].BEN_RNG_GEM != 1 {
			t.Errorf("%s : sexe, naissance ou rang incohérents avec IR_BEN_R", r.BEN_NIR)
		}
		if r.BEN_RES_COM[:2] != ben[i].BEN_RES_DPT[1:] {
			t.Errorf("%s : commune %s hors du département %s", r.BEN_NIR, r.BEN_RES_COM, ben[i].BEN_RES_DPT)
		}
	}
}

func groundTruth(t *testing.T, dir string) GroundTruth {
	var gt GroundTruth
	b, err := os.ReadFile(filepath.Join(dir, GroundTruthFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	return gt
}

// Lines after death: every planted one is there; the others are the few
// legitimate late lines, one per person within two days of the death.
func TestAfterDeath(t *testing.T) {
	dir, _ := generated(t)
	gt := groundTruth(t, dir)
	planted := map[string]bool{}
	for _, a := range gt.Anomalies {
		if a.Type == AnomalyAfterDeath {
			planted[a.Entity] = true
		}
	}
	death := map[string]int32{}
	for _, r := range read[BEN](t, dir, TableBEN) {
		if r.BEN_DCD_DTE != nil {
			death[r.BEN_NIR_PSA] = *r.BEN_DCD_DTE
		}
	}
	after := map[string]int{}
	for _, r := range readPRS(t, dir) {
		if d, ok := death[r.BEN_NIR_PSA]; ok && r.EXE_SOI_DTD > d && r.PRS_ACT_QTE > 0 {
			after[r.BEN_NIR_PSA]++
			if !planted[r.BEN_NIR_PSA] && r.EXE_SOI_DTD > d+2 {
				t.Errorf("%s : prestation %d jours après le décès, non plantée", r.BEN_NIR_PSA, r.EXE_SOI_DTD-d)
			}
		}
	}
	legit := 0
	for psa, n := range after {
		if !planted[psa] {
			legit++
			if n > 1 {
				t.Errorf("%s : %d lignes tardives légitimes, want 1", psa, n)
			}
		}
	}
	for psa := range planted {
		if after[psa] == 0 {
			t.Errorf("%s : acte après décès planté mais absent des prestations", psa)
		}
	}
	if legit == 0 {
		t.Errorf("aucune ligne tardive légitime : la règle « acte après décès » serait parfaite")
	}
}

// The ground truth lists each anomaly once, with data: an ID, an entity that
// exists, an expected effect; planted lines are counted.
func TestGroundTruth(t *testing.T) {
	dir, _ := generated(t)
	gt := groundTruth(t, dir)
	if gt.Format != 2 || gt.Year != 2024 || gt.Seed != 7 {
		t.Errorf("en-tête : %+v", gt)
	}
	pra := map[string]bool{}
	for _, p := range read[PRA](t, dir, TablePRA) {
		pra[p.PFS_PFS_NUM] = true
	}
	ben := map[string]bool{}
	for _, b := range read[BEN](t, dir, TableBEN) {
		ben[b.BEN_NIR_PSA] = true
	}
	seen := map[string]bool{}
	types := map[AnomalyKind]int{}
	for i, a := range gt.Anomalies {
		if a.ID != "A"+strconv.Itoa(1000 + i + 1)[1:] {
			t.Errorf("%s : identifiant attendu A%03d", a.ID, i+1)
		}
		k := string(a.Type) + " " + a.Entity
		if seen[k] {
			t.Errorf("%s listée deux fois", k)
		}
		seen[k] = true
		types[a.Type]++
		if a.Effect == "" || a.Prevalence == "" {
			t.Errorf("%s : effet attendu ou prévalence manquants", a.ID)
		}
		switch a.EntityType {
		case "professionnel":
			if !pra[a.Entity] {
				t.Errorf("%s : professionnel %s absent de DA_PRA_R", a.ID, a.Entity)
			}
		case "beneficiaire":
			if !ben[a.Entity] {
				t.Errorf("%s : bénéficiaire %s absent d'IR_BEN_R", a.ID, a.Entity)
			}
		default:
			t.Errorf("%s : type d'entité %q", a.ID, a.EntityType)
		}
		switch a.Type {
		case AnomalyAfterDeath, AnomalyPhantom, AnomalyImpossibleDay, AnomalyTripNoCare:
			if a.Claims == 0 {
				t.Errorf("%s (%s) : aucune ligne plantée", a.ID, a.Type)
			}
		case AnomalyOverIJ:
			if a.Measures["arrets_prescrits"] == 0 {
				t.Errorf("%s : aucun arrêt", a.ID)
			}
			if l, ok := gt.LegitIJ[a.Entity]; !ok || l != a.Measures["facteur_legitime"] {
				t.Errorf("%s : facteur légitime %v dans facteurs_legitimes_ij (%v), %v dans measures", a.ID, l, ok, a.Measures["facteur_legitime"])
			}
		case AnomalyCollusion:
			if a.Measures["trajets_partenaire"] == 0 {
				t.Errorf("%s : aucun trajet du partenaire", a.ID)
			}
		}
	}
	for _, k := range []AnomalyKind{AnomalyOverIJ, AnomalyImpossibleDay, AnomalyAfterDeath, AnomalyPhantom, AnomalyKmInflation, AnomalyTripNoCare, AnomalyCollusion, AnomalySplitting} {
		if types[k] == 0 {
			t.Errorf("%s : aucune anomalie", k)
		}
	}
	// Every GP of DA_PRA_R has its legitimate propensity, nobody else.
	gps := 0
	for _, p := range read[PRA](t, dir, TablePRA) {
		if p.PFS_PRA_SPE != "1" {
			if _, ok := gt.LegitIJ[p.PFS_PFS_NUM]; ok {
				t.Errorf("%s (spécialité %s) dans facteurs_legitimes_ij", p.PFS_PFS_NUM, p.PFS_PRA_SPE)
			}
			continue
		}
		gps++
		if l, ok := gt.LegitIJ[p.PFS_PFS_NUM]; !ok || l <= 0 {
			t.Errorf("généraliste %s : facteur légitime %v (%v)", p.PFS_PFS_NUM, l, ok)
		}
	}
	if gps == 0 || len(gt.LegitIJ) != gps {
		t.Errorf("facteurs_legitimes_ij : %d entrées pour %d généralistes", len(gt.LegitIJ), gps)
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

func TestAmaCod(t *testing.T) {
	b := medconseil.NewDate(2023, time.May, 10)
	for _, tc := range []struct {
		d    medconseil.Date
		want int32
	}{
		{medconseil.NewDate(2023, time.May, 20), 0},
		{medconseil.NewDate(2024, time.March, 9), 9},
		{medconseil.NewDate(2025, time.May, 9), 23},
		{medconseil.NewDate(2025, time.May, 10), 2},
		{medconseil.NewDate(2040, time.June, 1), 17},
	} {
		if got := amaCod(b, tc.d); got != tc.want {
			t.Errorf("amaCod(%s, %s) = %d, want %d", b, tc.d, got, tc.want)
		}
	}
}

func TestCIP13(t *testing.T) {
	for _, m := range medicaments {
		s := strconv.FormatInt(m.cip, 10)
		if len(s) != 13 || !strings.HasPrefix(s, "34009") {
			t.Errorf("CIP %s", s)
		}
		sum := 0
		for i, c := range s[:12] {
			d := int(c - '0')
			if i%2 == 1 {
				d *= 3
			}
			sum += d
		}
		if int(s[12]-'0') != (10-sum%10)%10 {
			t.Errorf("CIP %s : clé EAN-13 fausse", s)
		}
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
