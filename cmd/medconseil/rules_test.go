package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil/internal/rules"
)

func rulesEnv(stdin string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, &out, &errb
}

func TestRulesCheck(t *testing.T) {
	e, out, _ := rulesEnv("")
	if err := run(context.Background(), e, []string{"rules", "check"}); err != nil {
		t.Fatalf("rules check: %v", err)
	}
	if !strings.Contains(out.String(), "paramètres valides") {
		t.Errorf("output = %q", out.String())
	}
}

func TestRulesCheckNamesFileAndKey(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "description: x\nunit: jour\nsource: moi\nvalues:\n  2020-01-01:\n    value: 3\n    reference:\n      - title: t\n        href: https://x/\nlast_reviewed: 2026-01-01\n", "source"},
		{"no reference", "description: x\nunit: jour\nvalues:\n  2020-01-01:\n    value: 3\nlast_reviewed: 2026-01-01\n", "values.2020-01-01.reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "ij"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "ij", "delai_carence.yaml"), []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			e, _, errb := rulesEnv("")
			err := run(context.Background(), e, []string{"rules", "check", "-dir", dir})
			if err == nil {
				t.Fatal("rules check accepted a bad file")
			}
			for _, w := range []string{"parametres/ij/delai_carence.yaml", tt.want} {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr %q does not name %q", errb.String(), w)
				}
			}
		})
	}
}

// TestRulesEvalSameAsEngine: the command writes exactly what the engine's encoding
// gives, so the API (which calls the same function) and the CLI agree.
func TestRulesEvalSameAsEngine(t *testing.T) {
	eng, err := rules.NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range eng.RuleSets() {
		t.Run(rs.Name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules", rs.Name+".example.json"))
			if err != nil {
				t.Fatal(err)
			}
			e, out, _ := rulesEnv(string(in))
			if err := run(context.Background(), e, []string{"rules", "eval", rs.Name}); err != nil {
				t.Fatalf("rules eval %s: %v", rs.Name, err)
			}
			x, err := eng.Evaluate(rs.Name, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := rules.EncodeJSON(&want, x); err != nil {
				t.Fatal(err)
			}
			if out.String() != want.String() {
				t.Errorf("CLI output differs from the engine:\n%s\nwant:\n%s", out, want.String())
			}
		})
	}
}

func TestRulesEvalCeilingByDate(t *testing.T) {
	for _, tt := range []struct{ debut, mult, ij string }{{"2025-03-31", "1.8", "53,31 €"}, {"2025-04-01", "1.4", "41,47 €"}} {
		in := `{"arret":{"debut":"` + tt.debut + `","fin":"2025-04-30"},"assure":{"heures_3_mois":450,"salaires_3_derniers_mois":"15000,00"}}`
		e, out, _ := rulesEnv(in)
		if err := run(context.Background(), e, []string{"rules", "eval", "ij"}); err != nil {
			t.Fatal(err)
		}
		var x rules.Explanation
		if err := json.Unmarshal(out.Bytes(), &x); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, u := range x.Trace {
			if u.Parameter == "ij/plafond_smic_multiple" {
				found = u.Value == tt.mult && strings.Contains(u.References[len(u.References)-1].Title, "Décret")
			}
		}
		if !found {
			t.Errorf("arrêt du %s: trace without plafond %s and its décret", tt.debut, tt.mult)
		}
		if !strings.Contains(out.String(), tt.ij) {
			t.Errorf("arrêt du %s: IJ %s not in output", tt.debut, tt.ij)
		}
	}
}

func TestRulesEvalInvalidInput(t *testing.T) {
	e, _, _ := rulesEnv(`{"arret":{"debut":"2025-04-01","fin":"2025-04-30","couleur":"bleu"}}`)
	err := run(context.Background(), e, []string{"rules", "eval", "ij"})
	if err == nil || !strings.Contains(message(err), "arret.couleur") {
		t.Errorf("err = %v, want the field arret.couleur named", err)
	}
	e, _, _ = rulesEnv(`{}`)
	if err := run(context.Background(), e, []string{"rules", "eval", "inconnu"}); err == nil {
		t.Error("unknown rule set accepted")
	}
}

func TestRulesHelpAndBench(t *testing.T) {
	for _, sub := range []string{"check", "eval", "list", "bench"} {
		e, _, _ := rulesEnv("")
		if err := run(context.Background(), e, []string{"rules", sub, "-h"}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("rules %s -h: %v, want flag.ErrHelp", sub, err)
		}
	}
	e, out, _ := rulesEnv("")
	if err := run(context.Background(), e, []string{"rules", "bench", "-n", "2000", "-rounds", "2"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "décisions/s") || !strings.Contains(out.String(), "allocations") {
		t.Errorf("bench output = %q", out.String())
	}
	e, out, _ = rulesEnv("")
	if err := run(context.Background(), e, []string{"rules", "list", "-date", "2025-04-01"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ij/plafond_smic_multiple") {
		t.Errorf("list output lacks parameters")
	}
}
