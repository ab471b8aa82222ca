package reference_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/reference"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lombalgie basse", "lombalgie basse"},
		{"LOMBO-SACRÉE", "lombo sacree"},
		{"  Œdème  de l'avant-pied ", "oedeme de l avant pied"},
		{"Hémoglobinopathies, hémolyses", "hemoglobinopathies hemolyses"},
	} {
		if got := reference.Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"Coussins des genoux", "coussin genou"},
		{"hôpitaux", "hopital"},
		{"chaussures thérapeutiques", "chaussure therapeutique"},
		{"CHRU", "chu"},
		{"stress", "stress"},
	} {
		if got := strings.Join(reference.Terms(tc.in), " "); got != tc.want {
			t.Errorf("Terms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{{"M54.5", "M545"}, {"m54 5", "M545"}, {"2166740", "2166740"}, {"a/b", ""}} {
		if got := reference.CompactCode(tc.in); got != tc.want {
			t.Errorf("CompactCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchRanking(t *testing.T) {
	b := reference.NewBuilder("test")
	b.Add(reference.Doc{Code: "M545", Label: "Lombalgie basse"}, 0, "")
	b.Add(reference.Doc{Code: "M5456", Label: "Lombalgie basse - Région lombaire"}, 0, "")
	b.Add(reference.Doc{Code: "M544", Label: "Lumbago avec sciatique"}, 0, "")
	b.Add(reference.Doc{Code: "X545", Label: "Dorsalgie avec code M545 dans le texte"}, 0, "")
	b.Add(reference.Doc{Code: "L001", Label: "Basse lombaire - région"}, 0, "")
	ix := b.Build()
	for _, tc := range []struct {
		q     string
		first string
		match reference.Match
	}{
		{"M545", "M545", reference.MatchCode},
		{"m54.5", "M545", reference.MatchCode},
		{"M54", "M544", reference.MatchCodePrefix},
		{"lombalgie", "M545", reference.MatchWords},
		{"LOMBALGIES", "M545", reference.MatchWords},
		{"basse lombalgie", "M545", reference.MatchWords},
		{"lomba", "M545", reference.MatchWords},
		{"lombosciatique", "M544", reference.MatchWords},
		{"lombalgie inconnu", "M545", reference.MatchPartial},
	} {
		hits := ix.Search(tc.q, 10)
		if len(hits) == 0 {
			t.Errorf("Search(%q): no hit", tc.q)
			continue
		}
		if hits[0].Code != tc.first || hits[0].Match != tc.match {
			t.Errorf("Search(%q)[0] = %s (%v), want %s (%v)", tc.q, hits[0].Code, hits[0].Match, tc.first, tc.match)
		}
	}
	if hits := ix.Search("", 10); hits != nil {
		t.Errorf("Search(\"\") = %v, want nothing", hits)
	}
	if hits := ix.Search("lombalgie", 1); len(hits) != 1 {
		t.Errorf("Search limit 1: %d hits", len(hits))
	}
}

// TestExamples runs the searches of issue 3 against the real référentiels.
func TestExamples(t *testing.T) {
	s := full(t)
	for _, tc := range []struct {
		ref, q string
		top    int
		want   func(h reference.Hit) bool
		what   string
	}{
		{"lpp", "coussin positionnement", 5, func(h reference.Hit) bool {
			return strings.Contains(h.Label, "COUSSIN") && strings.Contains(h.Label, "POSITIONNEMENT")
		}, "coussins de positionnement"},
		{"lpp", "chaussure avant pied", 5, func(h reference.Hit) bool { return strings.HasPrefix(h.Label, "CHUT") }, "lignes CHUT"},
		{"lpp", "CHUT", 10, func(h reference.Hit) bool { return strings.HasPrefix(h.Label, "CHUT") }, "lignes CHUT"},
		{"lpp", "2166740", 1, func(h reference.Hit) bool { return h.Code == "2166740" }, "2166740"},
		{"cim10", "lombalgie", 1, func(h reference.Hit) bool { return h.Code == "M54.5" }, "M545 en premier"},
		{"cim10", "M545", 1, func(h reference.Hit) bool { return h.Code == "M54.5" }, "M545"},
		{"cim10", "M54.5", 1, func(h reference.Hit) bool { return h.Code == "M54.5" }, "M545"},
		{"communes", "strasbourg", 1, func(h reference.Hit) bool { return h.Code == "67482" }, "67482"},
		{"finess", "strasbourg", 5, func(h reference.Hit) bool { return strings.Contains(h.Detail, "STRASBOURG") }, "établissements de Strasbourg"},
		{"finess", "CHU Nancy", 3, func(h reference.Hit) bool { return strings.HasPrefix(h.Label, "CHRU NANCY") }, "CHRU de Nancy"},
		{"ald", "alzheimer", 1, func(h reference.Hit) bool { return h.Code == "15" }, "ALD 15"},
	} {
		hits := s.Index(tc.ref).Search(tc.q, tc.top)
		if len(hits) < tc.top {
			t.Errorf("%s %q: %d hits, want %d", tc.ref, tc.q, len(hits), tc.top)
		}
		for i, h := range hits {
			if !tc.want(h) {
				t.Errorf("%s %q: hit %d = %s %q, want %s", tc.ref, tc.q, i+1, h.Code, h.Label, tc.what)
			}
		}
	}
	// M544 among the first five.
	for _, q := range []string{"lombosciatique", "sciatique lombaire"} {
		found := false
		for _, h := range s.Index("cim10").Search(q, 5) {
			found = found || h.Code == "M54.4"
		}
		if !found {
			t.Errorf("cim10 %q: M54.4 not among the first five", q)
		}
	}
	if n := len(s.EtablissementsOf("67482")); n < 50 {
		t.Errorf("EtablissementsOf(67482) = %d establishments, want the many of Strasbourg", n)
	}
}

func TestLPPDetail(t *testing.T) {
	s := full(t)
	l := s.LPP["2166740"]
	if l == nil || l.Path != "2.1.8.1" {
		t.Fatalf("LPP 2166740 = %+v, want path 2.1.8.1", l)
	}
	if len(l.Tarifs) == 0 || l.Tarifs[0].Debut != "2009-08-01" || l.Tarifs[0].Tarif != 3049 {
		t.Errorf("LPP 2166740 tariffs = %+v, want 30,49 € from 2009-08-01", l.Tarifs)
	}
	path := reference.LPPPath(l.Path)
	if len(path) != 4 || !strings.Contains(path[3].Label, "CHUT") {
		t.Errorf("LPPPath(2.1.8.1) = %+v", path)
	}
	if ind := reference.IndicationsOf(l.Path); len(ind) != 3 {
		t.Errorf("IndicationsOf(2.1.8.1) = %d, want the three CHUT types", len(ind))
	}
	if ap := reference.AccordPrealable("2.7.1", "2024-01-01"); len(ap) != 1 || !ap[0].Accord {
		t.Errorf("AccordPrealable(2.7.1) = %+v, want accord préalable", ap)
	}
	if ap := reference.AccordPrealable("4.1", "2026-01-01"); len(ap) != 1 || ap[0].Accord {
		t.Errorf("AccordPrealable(4.1, 2026) = %+v, want the VPH reform", ap)
	}
	if ap := reference.AccordPrealable("2.1.8.1", "2024-01-01"); len(ap) != 0 {
		t.Errorf("AccordPrealable(CHUT) = %+v, want none", ap)
	}
	if c := s.CIM10["C510"]; c == nil || c.ALD != 30 {
		t.Errorf("CIM10 C510 = %+v, want ALD 30", c)
	}
	a := s.ALDByNumero(12)
	if a == nil || a.Statut == nil || a.Statut.Ouverte || a.Statut.FermeeLe != "2011-06-27" {
		t.Errorf("ALD 12 = %+v, want closed since 2011-06-27", a)
	}
	if s.ALDByNumero(31) == nil || s.ALDByNumero(32) == nil {
		t.Error("ALD 31 and 32 missing")
	}
}

func TestAuthoredHaveSources(t *testing.T) {
	check := func(what string, r reference.Ref) {
		if r.Title == "" {
			t.Errorf("%s: no source", what)
		}
	}
	for _, n := range reference.LPPTree {
		check("LPP "+n.Path, n.Ref)
	}
	for _, a := range reference.AccordsPrealablesLPP {
		check("accord "+a.Path, a.Ref)
	}
	for _, a := range reference.Indications {
		check("indication "+a.Type, a.Ref)
	}
	for _, a := range reference.ALDStatuts {
		check("ALD", a.Ref)
	}
	for _, a := range reference.SeuilsKine {
		check("kiné "+a.Situation, a.Ref)
	}
	for _, a := range reference.ModesTransport {
		check("transport "+a.Mode, a.Ref)
	}
	for _, a := range reference.ConditionsTransport {
		check("transport", a.Ref)
	}
	for _, a := range reference.DureesPrescription {
		check("prescription "+a.Classe, a.Ref)
	}
	for _, a := range reference.HistoriqueRTUCPC {
		check("RTU "+a.Date, a.Ref)
	}
	for _, a := range reference.MTDents {
		check("M'T dents "+a.Depuis, a.Ref)
	}
	for _, tc := range []struct {
		date string
		age  int
		want bool
	}{{"2017-06-01", 21, false}, {"2018-06-01", 21, true}, {"2018-06-01", 3, false}, {"2020-01-01", 3, true}, {"2025-05-01", 7, true}} {
		p, _ := reference.MTDentsAt(tc.date)
		got := false
		for _, a := range p.Ages {
			got = got || a == tc.age
		}
		if got != tc.want {
			t.Errorf("MTDentsAt(%s) has %d = %v, want %v", tc.date, tc.age, got, tc.want)
		}
	}
}

func TestGeography(t *testing.T) {
	// Strasbourg – Nancy cathedrals are about 116 km apart as the crow flies.
	if d := reference.Distance(48.5734, 7.7521, 48.6921, 6.1844); d < 114 || d > 118 {
		t.Errorf("Distance(Strasbourg, Nancy) = %.1f km, want ≈116", d)
	}
	if d := reference.Distance(48, 7, 48, 7); d != 0 {
		t.Errorf("Distance(p, p) = %v, want 0", d)
	}
	s := full(t)
	d, err := s.DistanceCommunes("67482", "54395")
	if err != nil || d < 110 || d > 125 {
		t.Errorf("DistanceCommunes(Strasbourg, Nancy) = %.1f, %v", d, err)
	}
	if _, err := s.DistanceCommunes("67482", "99999"); medconseil.ErrorCode(err) != medconseil.ENOTFOUND {
		t.Errorf("DistanceCommunes(unknown) err = %v, want ENOTFOUND", err)
	}
	near, err := s.Nearest("54395", "101", 3)
	if err != nil || len(near) != 3 || !strings.Contains(near[0].Nom, "NANCY") || near[0].DistanceKm > 10 {
		t.Errorf("Nearest(Nancy, CHR) = %+v, %v", near, err)
	}
	within, err := s.Within("67482", "101", 150)
	if err != nil || len(within) == 0 {
		t.Fatalf("Within(Strasbourg, CHR, 150) = %v, %v", within, err)
	}
	for _, p := range within {
		if p.DistanceKm > 150 {
			t.Errorf("Within 150 km: %s at %.1f km", p.Nom, p.DistanceKm)
		}
	}
}

// brokenCopy copies the reference tree into a temp dir (symlinks for untouched
// files) and rewrites one line of file with edit.
func brokenCopy(t *testing.T, src, rel string, line int, edit func(string) string) string {
	t.Helper()
	dst := t.TempDir()
	for _, s := range reference.Sources() {
		p := filepath.Join(dst, filepath.FromSlash(s.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if s.Path == rel {
			b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			lines[line-1] = edit(lines[line-1])
			if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		abs, _ := filepath.Abs(filepath.Join(src, filepath.FromSlash(s.Path)))
		if err := os.Symlink(abs, p); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestMalformedFiles(t *testing.T) {
	src := referenceDir(t)
	for _, tc := range []struct {
		name string
		line int
		edit func(string) string
		want []string
	}{
		{"header", 1, func(string) string {
			return "CIM_CODE;CIM_LIB;ALD_030_COD;CAT_CIM_COD;VER_CPT_COD;VER_CPT_DTE;CAT_TUM_COD;TEC_COL"
		}, []string{"snds/IR_CIM_V.csv", "ligne 1", "colonne 1", "CIM_COD"}},
		{"columns", 100, func(l string) string { return l + ";extra" }, []string{"ligne 100", "colonne 9", "9 colonnes trouvées, 8 attendues"}},
		{"code", 200, func(l string) string { return "1234" + l[strings.Index(l, ";"):] }, []string{"ligne 200", "colonne 1", "code « 1234 » invalide"}},
		{"encoding", 300, func(l string) string { return strings.Replace(l, ";", ";\xe9", 1) }, []string{"ligne 300", "colonne", "encodage invalide"}},
		{"quote", 400, func(l string) string { return strings.Replace(l, ";", `;"x"y`, 1) }, []string{"ligne 400", "guillemet"}},
		{"ald", 500, func(l string) string {
			f := strings.Split(l, ";")
			f[2] = "x9"
			return strings.Join(f, ";")
		}, []string{"ligne 500", "colonne 3", "ALD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := brokenCopy(t, src, "snds/IR_CIM_V.csv", tc.line, tc.edit)
			files, _, err := reference.ReadDir(dir)
			if err == nil {
				_, err = reference.Build(files)
			}
			var de *medconseil.Error
			if !errors.As(err, &de) || de.Code != medconseil.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(de.Message, w) {
					t.Errorf("message %q lacks %q", de.Message, w)
				}
			}
		})
	}
}

func TestMissingDirectory(t *testing.T) {
	files, missing, err := reference.ReadDir(t.TempDir())
	if err != nil || len(files) != 0 || len(missing) != len(reference.Sources()) {
		t.Fatalf("ReadDir(empty) = %d files, %d missing, %v", len(files), len(missing), err)
	}
	s, err := reference.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.MissingRef(); len(got) != len(reference.Names) || !strings.Contains(got[0], "IR_CIM_V") {
		t.Errorf("MissingRef() = %v", got)
	}
	if s.Index("cim10") != nil {
		t.Error("Index(cim10) without files should be nil")
	}
}

func FuzzParse(f *testing.F) {
	src, _ := reference.SourceByName("IR_ALD_V")
	f.Add("ALD_030_COD;ALD_030_LIB;ALD_DEC_DAT;TEC_COL\n1;AVC;;0\n")
	f.Add("ALD_030_COD;ALD_030_LIB;ALD_DEC_DAT;TEC_COL\n\"1;x\n")
	f.Add("\xef\xbb\xbfALD_030_COD;ALD_030_LIB;ALD_DEC_DAT;TEC_COL\n12;\xff;;0\n")
	f.Fuzz(func(t *testing.T, s string) {
		file, err := reference.Parse(src, strings.NewReader(s))
		if err != nil {
			if medconseil.ErrorCode(err) != medconseil.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if _, err := reference.Build([]*reference.File{file}); err != nil && medconseil.ErrorCode(err) != medconseil.EINVALID {
			t.Fatalf("Build error %v is not EINVALID", err)
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	s := full(b)
	qs := s.SampleQueries(3000, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := qs[i%len(qs)]
		s.Index(q.Ref).Search(q.Q, 20)
	}
}

func BenchmarkImportFiles(b *testing.B) {
	dir := referenceDir(b)
	for i := 0; i < b.N; i++ {
		files, _, err := reference.ReadDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reference.Build(files); err != nil {
			b.Fatal(err)
		}
	}
}
