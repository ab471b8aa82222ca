package lifecycle_test

import (
	"flag"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"medconseil"
	"medconseil/internal/lifecycle"
)

func load(t *testing.T) *lifecycle.Set {
	t.Helper()
	s, err := lifecycle.Default()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func date(t *testing.T, s string) medconseil.Date {
	t.Helper()
	d, err := medconseil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEveryTypeHasALifecycle(t *testing.T) {
	s := load(t)
	for _, ty := range lifecycle.Types {
		if _, ok := s.Get(ty); !ok {
			t.Errorf("no lifecycle for %s", ty)
		}
	}
}

// TestEveryStateReachable walks the transitions and deadline effects of every
// embedded file independently of the loader's own check.
func TestEveryStateReachable(t *testing.T) {
	for _, l := range load(t).All() {
		seen := map[medconseil.Etat]bool{l.Initial: true}
		for changed := true; changed; {
			changed = false
			for _, tr := range l.Transitions {
				for _, s := range tr.De {
					if seen[s] && tr.Vers != "" && !seen[tr.Vers] {
						seen[tr.Vers], changed = true, true
					}
				}
			}
			for _, e := range l.Echeances {
				for _, s := range e.TantQue {
					if seen[s] && e.Vers != "" && !seen[e.Vers] {
						seen[e.Vers], changed = true, true
					}
				}
			}
		}
		for _, s := range l.Etats {
			if !seen[s] {
				t.Errorf("%s: state %s unreachable", l.Fichier, s)
			}
		}
	}
}

func TestEveryDeadlineHasASource(t *testing.T) {
	n := 0
	for _, l := range load(t).All() {
		for _, e := range l.Echeances {
			n++
			if len(e.Sources) == 0 {
				t.Errorf("%s:%d %s: no source", l.Fichier, e.Line, e.Nom)
			}
			for _, s := range e.Sources {
				if strings.TrimSpace(s.Title) == "" || (!e.Interne && !strings.HasPrefix(s.Href, "https://")) {
					t.Errorf("%s:%d %s: source %+v incomplete", l.Fichier, e.Line, e.Nom, s)
				}
			}
			if !e.Interne && e.Du.IsZero() && e.Au.IsZero() && e.Effet != lifecycle.DecisionDefinitive && e.Effet != lifecycle.RejetImplicite {
				t.Errorf("%s:%d %s: a legal délai needs the date from which it applies (du)", l.Fichier, e.Line, e.Nom)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d deadlines", n)
	}
}

func TestLimite(t *testing.T) {
	s := load(t)
	tests := []struct {
		typ          medconseil.TypeDossier
		nom, dep     string
		start, limit string
	}{
		// REGULATIONS.md §2.1: certificate received Wed 10/1/2024 → end of 11/3/2024.
		{medconseil.TypeATMP, "decision_rechute", "75", "2024-01-10", "2024-03-11"},
		// 30 jf from Mon 2/12/2024 → D+31 = Thu 2/1/2025.
		{medconseil.TypeATMP, "decision_at", "75", "2024-12-02", "2025-01-02"},
		// 30 jf from Thu 24/4/2025 → D+31 = Sun 25/5/2025 → Mon 26/5/2025.
		{medconseil.TypeATMP, "decision_at", "75", "2025-04-24", "2025-05-26"},
		// 20 jf from Thu 5/12/2024 → D+21 = Thu 26/12/2024: working day in Paris,
		// Saint-Étienne in Alsace-Moselle → Fri 27/12/2024.
		{medconseil.TypeATMP, "expiration_questionnaire_at", "75", "2024-12-05", "2024-12-26"},
		{medconseil.TypeATMP, "expiration_questionnaire_at", "67", "2024-12-05", "2024-12-27"},
		// Transport: 15 calendar days, no postponement.
		{medconseil.TypeTransport, "accord_tacite", "67", "2026-11-02", "2026-11-17"},
		{medconseil.TypeTransport, "accord_tacite", "67", "2026-11-07", "2026-11-22"},
		// Months: 31/12 + 2 months = 28/2 (end of month).
		{medconseil.TypeTransport, "decision_definitive", "67", "2026-12-31", "2027-02-28"},
	}
	for _, tt := range tests {
		l, _ := s.Get(tt.typ)
		e, ok := l.Echeance(tt.nom)
		if !ok {
			t.Fatalf("%s: no deadline %s", tt.typ, tt.nom)
		}
		if got := e.Limite(date(t, tt.start), tt.dep); got.String() != tt.limit {
			t.Errorf("%s %s from %s (%s) = %s, want %s", tt.typ, tt.nom, tt.start, tt.dep, got, tt.limit)
		}
	}
}

func TestPlanNaturesAndDates(t *testing.T) {
	s := load(t)
	l, _ := s.Get(medconseil.TypeATMP)
	names := func(ps []lifecycle.Planned) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Echeance.Nom+"@"+p.Due.String())
		}
		return strings.Join(out, ",")
	}
	recue := date(t, "2026-11-02")
	if got := names(l.Plan(lifecycle.Reception, "accident", l.ApresDepot, recue, recue, "67")); got != "decision_at@2026-12-04" {
		t.Errorf("accident at reception: %s", got)
	}
	if got := names(l.Plan(lifecycle.Reception, "rechute", l.ApresDepot, recue, recue, "67")); got != "decision_rechute@2027-01-05" {
		t.Errorf("rechute at reception: %s", got)
	}
	// The 90 jf of R441-8 count from the reception, not from the investigation.
	if got := names(l.Plan("ouvrir_enquete", "accident", medconseil.EtatAInstruire, recue, date(t, "2026-11-20"), "67")); got != "decision_at_apres_enquete@2027-02-02" {
		t.Errorf("accident after enquête: %s", got)
	}
	// Before the 2019 regime, no deadline is invented.
	old := date(t, "2019-11-30")
	if got := names(l.Plan(lifecycle.Reception, "accident", l.ApresDepot, old, old, "67")); got != "" {
		t.Errorf("accident declared 30/11/2019: %s, want none", got)
	}
	// Transport: 10 days before 28/5/2014, 15 after.
	tr, _ := s.Get(medconseil.TypeTransport)
	d1, d2 := date(t, "2014-05-27"), date(t, "2014-05-28")
	if got := names(tr.Plan(lifecycle.Reception, "", tr.ApresDepot, d1, d1, "75")); got != "accord_tacite_10_jours@2014-06-07" {
		t.Errorf("transport 27/5/2014: %s", got)
	}
	if got := names(tr.Plan(lifecycle.Reception, "", tr.ApresDepot, d2, d2, "75")); got != "accord_tacite@2014-06-13" {
		t.Errorf("transport 28/5/2014: %s", got)
	}
	// A deadline does not start in a state where it would not run.
	if got := names(tr.Plan(lifecycle.Reception, "", medconseil.EtatAvisRendu, d2, d2, "75")); got != "" {
		t.Errorf("transport planned in avis_rendu: %s", got)
	}
}

// broken returns the transport file with old replaced by new.
func broken(t *testing.T, old, new string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, l := range load(t).All() {
		b, err := os.ReadFile("cycles/" + l.Fichier)
		if err != nil {
			t.Fatal(err)
		}
		if l.Type == medconseil.TypeTransport {
			if !strings.Contains(string(b), old) {
				t.Fatalf("transport.yaml does not contain %q", old)
			}
			b = []byte(strings.Replace(string(b), old, new, 1))
		}
		fsys[l.Fichier] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func lineOf(t *testing.T, text string) int {
	t.Helper()
	b, err := os.ReadFile("cycles/transport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("%q not in transport.yaml", text)
	return 0
}

func TestLoadRejects(t *testing.T) {
	pos := func(text string) string {
		return "transport.yaml:" + itoa(lineOf(t, text)) + " "
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown state", "    vers: convocation\n", "    vers: convoquee\n", pos("vers: convocation") + ": transition « convoquer » : état « convoquee » non déclaré"},
		{"missing source", "    sources:\n      - title: Article R322-10-4 du code de la sécurité sociale, version de 1988\n        href: https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006749248\n", "",
			"transport.yaml:" + itoa(lineOf(t, "- nom: accord_tacite_10_jours")) + " : échéance « accord_tacite_10_jours » : aucune source"},
		{"unreachable state", "    vers: convocation\n", "    vers: a_instruire\n", pos("etats: [") + ": état « convocation » inatteignable"},
		{"unknown key", "    duree: 10\n", "    duree: 10\n    delai: 10\n", "transport.yaml:" + itoa(lineOf(t, "    duree: 10")+1) + " : échéance : clé « delai » inconnue"},
		{"unknown role", "par: [praticien_conseil, medecin_chef, agent_administratif]", "par: [praticien_conseil, chef]", "« chef » n'est ni un rôle ni « systeme »"},
		{"bad unit", "    unite: jour\n", "    unite: semaine\n", "unité « semaine » inconnue"},
		{"reminder with a state", "    effet: accord_tacite\n", "    effet: rappel\n", "un rappel ne change pas l'état"},
		{"source without link", "        href: https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006749248\n", "        href: legifrance\n", "doit commencer par https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lifecycle.Load(broken(t, tt.old, tt.new))
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

var update = flag.Bool("update", false, "rewrite docs/lifecycle.md")

// TestDocIsCurrent keeps docs/lifecycle.md equal to what the lifecycle files say.
func TestDocIsCurrent(t *testing.T) {
	want := lifecycle.Markdown(load(t))
	path := "../../docs/lifecycle.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("docs/lifecycle.md is stale: go test ./internal/lifecycle -run TestDocIsCurrent -update")
	}
}
