package controle_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/rules"
)

var dateEq = cmp.Comparer(func(a, b medconseil.Date) bool { return a == b })

func d(y int, m time.Month, day int) medconseil.Date { return medconseil.NewDate(y, m, day) }

// writeParquet writes a small ER_PRS_F and MC_ARR_F with DuckDB: real Parquet files
// with the SNDS column names and types the synthetic region uses.
func writeParquet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		`CREATE TABLE prs (PFS_EXE_NUM VARCHAR, EXE_SOI_DTD DATE, FLX_TRT_DTD DATE, PRS_NAT_REF INTEGER, BSE_REM_MNT DECIMAL(18,2))`,
		`INSERT INTO prs VALUES
			('67P000001', DATE '2022-09-20', DATE '2022-10-03', 1111, 120.50),  -- paid > 3 years before 2026-01-15: time-barred
			('67P000001', DATE '2023-01-10', DATE '2023-01-20', 1111, 80.00),
			('67P000001', DATE '2023-02-11', DATE '2023-02-21', 3334, 45.25),   -- another nature
			('67P000001', DATE '2024-05-02', DATE '2024-05-10', 1111, 19.99),
			('67P000002', DATE '2024-05-02', DATE '2024-05-10', 1111, 999.00),  -- another professional
			('67P000001', DATE '2025-12-31', DATE '2026-01-05', 1111, 10.00)    -- care after the period`,
		`COPY prs TO '` + filepath.Join(dir, "ER_PRS_F.parquet") + `' (FORMAT parquet)`,
		`CREATE TABLE arr (PFS_PRE_NUM VARCHAR, ARR_PRE_DTD DATE, ARR_DEB_DTD DATE, ARR_FIN_DTD DATE)`,
		`INSERT INTO arr VALUES
			('10001234567', DATE '2026-01-05', DATE '2026-01-05', DATE '2026-01-14'),
			('10001234567', DATE '2026-01-20', DATE '2026-01-20', DATE '2026-01-22'),
			('10001234567', DATE '2026-03-02', DATE '2026-03-02', DATE '2026-03-08'),
			('10009999999', DATE '2026-01-05', DATE '2026-01-05', DATE '2026-02-14')`,
		`COPY arr TO '` + filepath.Join(dir, "MC_ARR_F.parquet") + `' (FORMAT parquet)`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return dir
}

func params(t *testing.T) *rules.Set {
	t.Helper()
	s, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInduFromParquet(t *testing.T) {
	dir := writeParquet(t)
	ctx := context.Background()
	lines, err := controle.ReadLignes(ctx, dir, controle.Selection{Professionnel: "67P000001", Du: d(2022, 1, 1), Au: d(2025, 12, 30), Natures: []int{1111}})
	if err != nil {
		t.Fatal(err)
	}
	want := []controle.Ligne{
		{Soins: d(2022, 9, 20), Paiement: d(2022, 10, 3), Nature: 1111, Montant: 12050},
		{Soins: d(2023, 1, 10), Paiement: d(2023, 1, 20), Nature: 1111, Montant: 8000},
		{Soins: d(2024, 5, 2), Paiement: d(2024, 5, 10), Nature: 1111, Montant: 1999},
	}
	if diff := cmp.Diff(want, lines, dateEq); diff != "" {
		t.Fatalf("lines (-want +got):\n%s", diff)
	}
	p := params(t)
	// Not a fraud: the 3 years of L133-4 III cut off the line paid on 3/10/2022.
	got, err := controle.ComputeIndu(p, lines, controle.InduInput{Calcul: d(2026, 1, 15)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Limite != d(2023, 1, 15) || got.Retenu != 9999 || got.Prescrit != 12050 || got.Majoration != 0 || got.Total != 9999 {
		t.Errorf("indu = limite %s retenu %d prescrit %d majoration %d total %d, want 2023-01-15 9999 12050 0 9999", got.Limite, got.Retenu, got.Prescrit, got.Majoration, got.Total)
	}
	if !got.Lignes[0].Prescrite || got.Lignes[1].Prescrite || !strings.Contains(got.Lignes[0].Motif, "L133-4 III") {
		t.Errorf("trace = %+v", got.Lignes)
	}
	if len(got.Regles) != 1 || !strings.Contains(got.Regles[0], "controle/indu_prescription_ans = 3") || !strings.Contains(got.Regles[0], "[à vérifier]") {
		t.Errorf("rules = %q", got.Regles)
	}
	// Fraud known on 1/6/2024: 5 years from knowledge, nothing time-barred, +10 %.
	got, err = controle.ComputeIndu(p, lines, controle.InduInput{Calcul: d(2026, 1, 15), Fraude: true, Connaissance: d(2024, 6, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Retenu != 22049 || got.Prescrit != 0 || got.Majoration != 2205 || got.Total != 24254 {
		t.Errorf("fraud: retenu %d prescrit %d majoration %d total %d, want 22049 0 2205 24254", got.Retenu, got.Prescrit, got.Majoration, got.Total)
	}
	// Fraud known more than 5 years before: the whole action is time-barred.
	got, err = controle.ComputeIndu(p, lines, controle.InduInput{Calcul: d(2026, 1, 15), Fraude: true, Connaissance: d(2020, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Retenu != 0 || got.Prescrit != 22049 {
		t.Errorf("fraud known in 2020: retenu %d prescrit %d, want 0 22049", got.Retenu, got.Prescrit)
	}
	// Order of the source does not change the result.
	rev := []controle.Ligne{lines[2], lines[0], lines[1]}
	a, _ := controle.ComputeIndu(p, lines, controle.InduInput{Calcul: d(2026, 1, 15)})
	b, _ := controle.ComputeIndu(p, rev, controle.InduInput{Calcul: d(2026, 1, 15)})
	if diff := cmp.Diff(a, b, dateEq); diff != "" {
		t.Errorf("order matters:\n%s", diff)
	}
	// Bad input.
	if _, err := controle.ComputeIndu(p, lines, controle.InduInput{Calcul: d(2026, 1, 15), Fraude: true}); err == nil {
		t.Error("fraud without the date of knowledge accepted")
	}
	if _, err := controle.ReadLignes(ctx, dir, controle.Selection{Professionnel: "x", Du: d(2024, 1, 1), Au: d(2023, 1, 1)}); err == nil {
		t.Error("reversed period accepted")
	}
}

func TestSuiviMensuel(t *testing.T) {
	dir := writeParquet(t)
	// The professional is recognised by any of his numbers (PFS_PFS_NUM in the
	// SNDS, or the RPPS as this file writes it).
	got, err := controle.SuiviMensuel(context.Background(), dir, d(2026, 1, 1), d(2026, 3, 31), "67110004", "10001234567")
	if err != nil {
		t.Fatal(err)
	}
	want := []controle.Mois{{Mois: "2026-01", Arrets: 2, Jours: 13}, {Mois: "2026-02"}, {Mois: "2026-03", Arrets: 1, Jours: 7}}
	if diff := cmp.Diff(want, got, dateEq); diff != "" {
		t.Errorf("suivi (-want +got):\n%s", diff)
	}
	got, err = controle.SuiviMensuel(context.Background(), dir, d(2026, 1, 1), d(2026, 3, 31), "67110004")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]controle.Mois{{Mois: "2026-01"}, {Mois: "2026-02"}, {Mois: "2026-03"}}, got, dateEq); diff != "" {
		t.Errorf("suivi of a professional without arrêts (-want +got):\n%s", diff)
	}
}

func TestCircuits(t *testing.T) {
	p := params(t)
	for _, c := range controle.Circuits {
		if _, ok := c.Etape(c.Initial); !ok {
			t.Errorf("%s: initial step %s unknown", c.Circuit, c.Initial)
		}
		events := map[string]bool{controle.Ouverture: true}
		for _, tr := range c.Transitions {
			events[tr.Evenement] = true
			for _, e := range append(append([]controle.Etape{}, tr.De...), tr.Vers) {
				if _, ok := c.Etape(e); !ok {
					t.Errorf("%s/%s: step %s unknown", c.Circuit, tr.Evenement, e)
				}
			}
		}
		for _, x := range c.Echeances {
			events[x.Nom] = true
		}
		for _, x := range c.Echeances {
			if !events[x.Apres] {
				t.Errorf("%s/%s: started by unknown event %s", c.Circuit, x.Nom, x.Apres)
			}
			if x.Vers != "" {
				if _, ok := c.Etape(x.Vers); !ok {
					t.Errorf("%s/%s: effect step %s unknown", c.Circuit, x.Nom, x.Vers)
				}
			}
			if !x.FinPeriode {
				if _, err := controle.Plan(p, x, d(2026, 3, 1), medconseil.Date{}); err != nil {
					t.Errorf("%s: %v", c.Circuit, err)
				}
			}
		}
	}
	// R148-1 I: notified on 10/3/2026, one month to be heard: limit 10/4/2026.
	x, _ := controle.MSO.Echeance("observations")
	pl, err := controle.Plan(p, x, d(2026, 3, 10), medconseil.Date{})
	if err != nil || pl.Limite != d(2026, 4, 10) || !pl.Verifier || !strings.Contains(pl.Reference, "R148-1") {
		t.Errorf("observations = %+v, %v", pl, err)
	}
	// R148-4: 15 days to refuse the MSO.
	x, _ = controle.MSO.Echeance("refus_mso")
	if pl, _ := controle.Plan(p, x, d(2026, 3, 10), medconseil.Date{}); pl.Limite != d(2026, 3, 25) {
		t.Errorf("refus_mso limit = %s, want 2026-03-25", pl.Limite)
	}
}

func TestParsePropositions(t *testing.T) {
	ps, err := controle.ParsePropositions(strings.NewReader(`[{"professionnel":"10001234567","anomalie":"surprescription_ij","score":7.5,"explication":"jours d'IJ : observé 812, attendu 301"}]`))
	if err != nil || len(ps) != 1 || ps[0].Score != 7.5 {
		t.Fatalf("parse = %+v, %v", ps, err)
	}
	for _, bad := range []string{``, `{}`, `[]`, `[{"professionnel":"","anomalie":"x","score":1,"explication":""}]`, `[{"professionnel":"1","anomalie":"x","score":1,"explication":"","autre":1}]`, `[{"professionnel":"1","anomalie":"","score":1,"explication":""}]`} {
		if _, err := controle.ParsePropositions(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
