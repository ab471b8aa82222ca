package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // writes the test Parquet

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
	"medconseil/internal/web"
)

// controleParquet writes a small ER_PRS_F and MC_ARR_F (real Parquet, SNDS
// column names) for professional 671012345 / RPPS 10001234567: three claims lines
// (one paid more than 3 years before today: time-barred), and arrêts in the 6
// months before mso (the reference) and in the months from mso on.
func controleParquet(t *testing.T, mso medconseil.Date) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	today := medconseil.DateOf(time.Now())
	old, recent := today.AddYears(-4), today.AddYears(-1)
	arr := func(pre medconseil.Date, jours int) string {
		return fmt.Sprintf("('10001234567', DATE '%s', DATE '%s', DATE '%s')", pre, pre, pre.AddDays(jours-1))
	}
	var rows []string
	for m := -6; m < 0; m++ {
		rows = append(rows, arr(mso.AddMonths(m).AddDays(2), 40)) // 40 days a month before: reference 40
	}
	rows = append(rows, arr(mso.AddDays(3), 20), arr(mso.AddMonths(1).AddDays(3), 35), "('10009999999', DATE '"+mso.String()+"', DATE '"+mso.String()+"', DATE '"+mso.AddDays(90).String()+"')")
	stmts := []string{
		`CREATE TABLE prs (PFS_EXE_NUM VARCHAR, EXE_SOI_DTD DATE, FLX_TRT_DTD DATE, PRS_NAT_REF INTEGER, BSE_REM_MNT DECIMAL(18,2))`,
		fmt.Sprintf(`INSERT INTO prs VALUES
			('671012345', DATE '%s', DATE '%s', 1111, 120.50),
			('671012345', DATE '%s', DATE '%s', 1111, 80.00),
			('671012345', DATE '%s', DATE '%s', 3334, 45.25),
			('679999999', DATE '%s', DATE '%s', 1111, 999.00)`, old, old.AddDays(10), recent, recent.AddDays(10), recent, recent.AddDays(12), recent, recent.AddDays(10)),
		`COPY prs TO '` + filepath.Join(dir, "ER_PRS_F.parquet") + `' (FORMAT parquet)`,
		`CREATE TABLE arr (PFS_PRE_NUM VARCHAR, ARR_PRE_DTD DATE, ARR_DEB_DTD DATE, ARR_FIN_DTD DATE)`,
		`INSERT INTO arr VALUES ` + strings.Join(rows, ", "),
		`COPY arr TO '` + filepath.Join(dir, "MC_ARR_F.parquet") + `' (FORMAT parquet)`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return dir
}

// controleFixture imports a proposition for 671012345 and opens its MSO/MSAP
// procedure as chef.67; it returns the procedure's id.
func controleFixture(t *testing.T, db *sqldb.DB) int64 {
	t.Helper()
	ctx := context.Background()
	chef := matrixActeur(t, db, "chef.67")
	ps, err := controle.ParsePropositions(strings.NewReader(`[{"professionnel":"671012345","anomalie":"surprescription_ij","score":9.1,"explication":"jours d'IJ : observé 812, attendu 301"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ImportPropositions(ctx, chef, "campagne", ps, "", sqldb.Meta{}); err != nil {
		t.Fatal(err)
	}
	l, err := db.Propositions(ctx, chef, sqldb.Meta{})
	if err != nil || len(l) != 1 {
		t.Fatalf("propositions: %v %v", l, err)
	}
	id, err := db.OpenMSO(ctx, chef, l[0].ID, "10001234567", sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// controleStep moves procedure id through ev as chef.67, today.
func controleStep(t *testing.T, db *sqldb.DB, id int64, ev string, in sqldb.EventInput) {
	t.Helper()
	ctx := context.Background()
	chef := matrixActeur(t, db, "chef.67")
	v, err := db.Controle(ctx, chef, id, sqldb.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Le.IsZero() {
		in.Le = medconseil.DateOf(db.Now())
	}
	if _, err := db.ControleEvent(ctx, chef, id, v.Version, ev, in, sqldb.Meta{}); err != nil {
		t.Fatalf("%s: %v", ev, err)
	}
}

// TestControleIndusSuiviPages: the indu is computed in the browser from the
// claims lines of the procedure's professional (the médecin chef only; a praticien
// is refused; bad input names the field; no data configured says so) and
// recorded with its trace; the MSO follow-up is measured from MC_ARR_F against the
// reference measured in the 6 months before, shown as a table and an SVG chart;
// the hearing is convened by a letter.
func TestControleIndusSuiviPages(t *testing.T) {
	today := medconseil.DateOf(time.Now())
	mso := medconseil.NewDate(today.Year(), today.Month(), 1).AddMonths(-2)
	dir := controleParquet(t, mso)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := startWith(t, db, func(c *web.Config) { c.DetectData = dir })
		id := controleFixture(t, db)
		page := fmt.Sprintf("/controle/%d", id)
		chef, prat := e.browser("chef.67"), e.browser("praticien.67")
		controleStep(t, db, id, "notifier", sqldb.EventInput{})
		// Convocation to the hearing.
		body := chef.get(page)
		if !strings.Contains(body, `id="form-convocation"`) {
			t.Fatalf("no convocation form on the notified procedure")
		}
		res, body := chef.post(page+"/convocation", url.Values{"csrf": {chef.csrf}, "le": {today.Francais()}, "jour": {today.AddDays(3).Francais()}, "heure": {"9h61"}, "lieu": {""}})
		if res.StatusCode != 422 || !strings.Contains(body, "heure de l&#39;audition illisible") || !strings.Contains(body, "lieu de l&#39;audition manquant") {
			t.Errorf("bad convocation: %d", res.StatusCode)
		}
		res, body = chef.post(page+"/convocation", url.Values{"csrf": {chef.csrf}, "le": {today.Francais()}, "jour": {today.AddDays(3).Francais()}, "heure": {"9h30"}, "lieu": {"service médical, Strasbourg"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Convocation à l&#39;audition envoyée") || !strings.Contains(body, "convocation à un entretien") {
			t.Errorf("convocation: %d", res.StatusCode)
		}
		// Indu: the praticien may not, bad input names the field.
		prat.get(page)
		if res, _ := prat.post(page+"/indu", url.Values{"csrf": {prat.csrf}, "du": {"01/01/2020"}, "au": {today.Francais()}}); res.StatusCode != 403 {
			t.Errorf("praticien computes an indu: %d", res.StatusCode)
		}
		res, body = chef.post(page+"/indu", url.Values{"csrf": {chef.csrf}, "du": {"31/02/2024"}, "au": {"01/01/2020"}, "natures": {"11a1"}})
		if res.StatusCode != 422 || !strings.Contains(body, "date illisible « 31/02/2024 »") || !strings.Contains(body, "nature de prestation illisible") {
			t.Errorf("bad indu input: %d", res.StatusCode)
		}
		res, body = chef.post(page+"/indu", url.Values{"csrf": {chef.csrf}, "du": {"01/01/2020"}, "au": {today.Francais()}, "fraude": {"oui"}})
		if res.StatusCode != 422 || !strings.Contains(body, "en cas de fraude, indiquer la date") {
			t.Errorf("fraud without knowledge date: %d", res.StatusCode)
		}
		res, body = chef.post(page+"/indu", url.Values{"csrf": {chef.csrf}, "du": {"01/01/2020"}, "au": {today.Francais()}, "natures": {"1111"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Indu calculé") {
			t.Fatalf("indu: %d %.300s", res.StatusCode, body)
		}
		// 120,50 € paid 4 years ago is time-barred; 80,00 € kept; nature 3334 and the other professional left out.
		for _, w := range []string{"80,00", "120,50", "L133-4 III", "Retenu : <strong>80,00"} {
			if !strings.Contains(body, w) {
				t.Errorf("indu page lacks %q", w)
			}
		}
		if strings.Contains(body, "45,25") || strings.Contains(body, "999,00") {
			t.Errorf("indu page shows lines outside the selection")
		}
		// The MSO follow-up from the data.
		controleStep(t, db, id, "entendre", sqldb.EventInput{Note: "audition"})
		controleStep(t, db, id, "proposer_mso", sqldb.EventInput{Objectif: 25, Debut: mso, Fin: mso.AddMonths(5)})
		suivi := page + "/suivi/mensuel"
		if body := chef.get(suivi); !strings.Contains(body, "Aucun mois mesuré") || !strings.Contains(body, `id="form-mesure"`) {
			t.Fatalf("follow-up page before measure: %.300s", body)
		}
		res, body = chef.post(page+"/suivi/donnees", url.Values{"csrf": {chef.csrf}, "reference": {"-3"}})
		if res.StatusCode != 422 || !strings.Contains(body, "moyenne de référence illisible") {
			t.Errorf("bad reference: %d", res.StatusCode)
		}
		res, body = chef.post(page+"/suivi/donnees", url.Values{"csrf": {chef.csrf}})
		if res.StatusCode != 200 || !strings.Contains(body, "Mois mesurés") {
			t.Fatalf("measure: %d %.300s", res.StatusCode, body)
		}
		// Reference 40 days/month measured before; target 30: 20 days atteint, 35 not.
		for _, w := range []string{`<svg id="graphique-suivi"`, "cible 30 j", mso.String()[:7], "<td>20</td><td>30</td><td>atteint</td>", "<td>35</td><td>30</td><td><strong>non atteint"} {
			if !strings.Contains(body, w) {
				t.Errorf("follow-up page lacks %q", w)
			}
		}
		for login, want := range map[string]int{"praticien.67": 200, "praticien.57": 404, "statisticien": 404, "agent.67": 404} {
			if st, _ := e.browser(login).getStatus(suivi); st != want {
				t.Errorf("%s GET %s = %d, want %d", login, suivi, st, want)
			}
		}
	})
}

// TestControleInduNoData: a server without claims data says so on the field,
// in French, and records nothing.
func TestControleInduNoData(t *testing.T) {
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	id := controleFixture(t, db)
	page := fmt.Sprintf("/controle/%d", id)
	c := e.browser("chef.67")
	if body := c.get(page); !strings.Contains(body, "ne sont pas configurées sur ce serveur") {
		t.Errorf("the page does not say the data are missing")
	}
	today := medconseil.DateOf(time.Now())
	if res, body := c.post(page+"/indu", url.Values{"csrf": {c.csrf}, "du": {"01/01/2020"}, "au": {today.Francais()}}); res.StatusCode != 422 || !strings.Contains(body, "--donnees-controle") {
		t.Errorf("indu without data: %d", res.StatusCode)
	}
	var n int
	if err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM controle_indu`).Scan(&n)
	}); err != nil || n != 0 {
		t.Errorf("indus recorded: %d %v", n, err)
	}
}
