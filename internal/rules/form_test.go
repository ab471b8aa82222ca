package rules_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"medconseil"
	"medconseil/internal/rules"
)

// TestFormRoundTrip: every rule set has a form with a French label for every input
// field; the form prefilled from the example, posted back, decides exactly as the
// example JSON.
func TestFormRoundTrip(t *testing.T) {
	e := engine(t)
	for _, rs := range e.RuleSets() {
		t.Run(rs.Name, func(t *testing.T) {
			ex := []byte(rules.Example(rs.Name))
			f, err := e.Form(rs.Name, ex)
			if err != nil {
				t.Fatal(err)
			}
			post := url.Values{}
			ids := map[string]bool{}
			for _, g := range f.Groups {
				if g.Legend == "" {
					t.Errorf("group without legend")
				}
				for _, fl := range g.Fields {
					if fl.Label == "" || ids[fl.ID] {
						t.Errorf("field %s: label %q, duplicate id %v", fl.Path, fl.Label, ids[fl.ID])
					}
					ids[fl.ID] = true
					if fl.Kind == rules.KindChoix && len(fl.Options) == 0 {
						t.Errorf("field %s: choice without options", fl.Path)
					}
					if fl.Value != "" && !(fl.Kind == rules.KindBooleen && fl.Value == "false") {
						post.Set(fl.Path, fl.Value)
					}
				}
			}
			raw, err := e.FormInput(rs.Name, post)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Evaluate(rs.Name, bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("form input %s: %v", raw, err)
			}
			want, err := e.Evaluate(rs.Name, bytes.NewReader(ex))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("form decision differs from the example's (-want +got):\n%s\nform input: %s", d, raw)
			}
		})
	}
}

func TestFormInputErrors(t *testing.T) {
	e := engine(t)
	_, err := e.FormInput("kine", url.Values{"date": {"2025-01-10"}, "situation": {"lombalgie"}, "seances_prevues": {"douze"}})
	fe := medconseil.FieldErrors(err)
	if len(fe) != 1 || fe[0].Field != "seances_prevues" {
		t.Fatalf("FormInput error = %v, want one on seances_prevues", err)
	}
	raw, err := e.FormInput("ij", url.Values{"arret.debut": {"2025-06-02"}, "arret.fin": {"2025-06-11"}, "assure.heures_3_mois": {"450"},
		"assure.paies.0": {"2000,00"}, "assure.paies.1": {"2000,00"}, "assure.paies.2": {"2000,00"},
		"historique.1.debut": {"2025-01-02"}, "historique.1.fin": {"2025-01-10"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"arret":{"debut":"2025-06-02","fin":"2025-06-11"},"assure":{"heures_3_mois":450,"paies":["2000,00","2000,00","2000,00"]},"historique":[{"debut":"2025-01-02","fin":"2025-01-10"}]}`
	if string(raw) != want {
		t.Errorf("FormInput = %s\nwant %s", raw, want)
	}
}

// TestFormChoicesMatchTheRules: every choice a form offers is accepted by its rule set
// (a label dictionary that drifts from the codes the rules accept fails here).
func TestFormChoicesMatchTheRules(t *testing.T) {
	e := engine(t)
	for _, rs := range e.RuleSets() {
		f, err := e.Form(rs.Name, []byte(rules.Example(rs.Name)))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range f.Groups {
			for _, fl := range g.Fields {
				for _, o := range fl.Options {
					post := url.Values{}
					for _, g2 := range f.Groups {
						for _, f2 := range g2.Fields {
							if f2.Value != "" && !(f2.Kind == rules.KindBooleen && f2.Value == "false") {
								post.Set(f2.Path, f2.Value)
							}
						}
					}
					post.Set(fl.Path, o.Value)
					raw, err := e.FormInput(rs.Name, post)
					if err != nil {
						t.Fatal(err)
					}
					_, err = e.Evaluate(rs.Name, bytes.NewReader(raw))
					for _, fe := range medconseil.FieldErrors(err) {
						if fe.Field == fl.Path && strings.Contains(fe.Message, "inconnue") {
							t.Errorf("%s: choice %q of %s refused: %v", rs.Name, o.Value, fl.Path, fe)
						}
					}
				}
			}
		}
	}
}
