package rules_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"medconseil"
	"medconseil/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// ruleCase is one YAML table-test case: name, date of the facts, input, expected output.
type ruleCase struct {
	Name   string `yaml:"name"`
	Date   string `yaml:"date"`
	Input  any    `yaml:"input"`
	Output struct {
		Outcome string            `yaml:"outcome"`
		Reasons []string          `yaml:"reasons"` // codes that must appear
		Absent  []string          `yaml:"absent"`  // codes that must not appear
		Results map[string]any    `yaml:"results"`
		Error   string            `yaml:"error"` // field named by an input error, or "regle" for a date the rules do not cover
		Trace   map[string]string `yaml:"trace"` // parameter → value used
	} `yaml:"output"`
}

func engine(t testing.TB) *rules.Engine {
	t.Helper()
	e, err := rules.NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// jsonable turns YAML-decoded values into what encoding/json writes as the API input.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
	case time.Time:
		return x.Format("2006-01-02")
	}
	return v
}

func loadCases(t *testing.T, file string) []ruleCase {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var cases []ruleCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return cases
}

func TestCases(t *testing.T) {
	e := engine(t)
	files, _ := filepath.Glob("testdata/cases/*.yaml")
	seen := map[string]int{}
	for _, file := range files {
		ruleset := strings.TrimSuffix(filepath.Base(file), ".yaml")
		for _, c := range loadCases(t, file) {
			seen[ruleset]++
			t.Run(ruleset+"/"+c.Name, func(t *testing.T) {
				raw, err := json.Marshal(jsonable(c.Input))
				if err != nil {
					t.Fatal(err)
				}
				x, err := e.Evaluate(ruleset, bytes.NewReader(raw))
				if c.Output.Error != "" {
					var de *medconseil.Error
					if err == nil || !errors.As(err, &de) {
						t.Fatalf("Evaluate(%s) err = %v, want an error on %s", raw, err, c.Output.Error)
					}
					if c.Output.Error == "regle" {
						if de.Code != medconseil.EREGLE {
							t.Errorf("error %v: code %s, want %s", err, de.Code, medconseil.EREGLE)
						}
						return
					}
					fields := []string{}
					for _, fe := range medconseil.FieldErrors(err) {
						fields = append(fields, fe.Field)
					}
					if !slices.Contains(fields, c.Output.Error) {
						t.Errorf("error fields = %v (%v), want %s", fields, err, c.Output.Error)
					}
					return
				}
				if err != nil {
					t.Fatalf("Evaluate(%s): %v", raw, err)
				}
				if c.Date != "" && x.Date != c.Date {
					t.Errorf("date = %s, want %s", x.Date, c.Date)
				}
				codes := []string{}
				for _, r := range x.Reasons {
					codes = append(codes, r.Code)
					if r.Message == "" || strings.Contains(r.Message, "%!") {
						t.Errorf("reason %s: bad message %q", r.Code, r.Message)
					}
				}
				if x.Outcome != c.Output.Outcome {
					t.Errorf("outcome = %s, want %s (reasons %v)", x.Outcome, c.Output.Outcome, codes)
				}
				for _, want := range c.Output.Reasons {
					if !slices.Contains(codes, want) {
						t.Errorf("reasons = %v, want %s among them", codes, want)
					}
				}
				for _, no := range c.Output.Absent {
					if slices.Contains(codes, no) {
						t.Errorf("reasons = %v, want no %s", codes, no)
					}
				}
				for name, want := range c.Output.Results {
					var got any = "<absent>"
					for _, r := range x.Results {
						if r.Name == name {
							got = r.Value
						}
					}
					if fmt.Sprint(jsonable(want)) != fmt.Sprint(got) {
						t.Errorf("result %s = %v, want %v", name, got, want)
					}
				}
				for p, want := range c.Output.Trace {
					got := "<absent>"
					for _, u := range x.Trace {
						if u.Parameter == p {
							got = u.Value
						}
					}
					if got != want {
						t.Errorf("trace %s = %s, want %s", p, got, want)
					}
				}
			})
		}
	}
	for _, rs := range e.RuleSets() {
		if seen[rs.Name] < 10 {
			t.Errorf("rule set %s has %d cases, want at least 10", rs.Name, seen[rs.Name])
		}
	}
}

// TestGolden compares full explained decisions with testdata/golden/*.golden.
func TestGolden(t *testing.T) {
	e := engine(t)
	inputs, _ := filepath.Glob("testdata/golden/*.json")
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			ruleset, _, _ := strings.Cut(name, "_")
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			x, err := e.Evaluate(ruleset, f)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := rules.EncodeJSON(&got, x); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if d := cmp.Diff(string(want), got.String()); d != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, d)
			}
		})
	}
}

// TestExamples: every docs/rules/<ruleset>.example.json is accepted by its rule set.
func TestExamples(t *testing.T) {
	e := engine(t)
	for _, rs := range e.RuleSets() {
		t.Run(rs.Name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "docs", "rules", rs.Name+".example.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			doc, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Evaluate(rs.Name, bytes.NewReader(doc)); err != nil {
				t.Errorf("example rejected: %v", err)
			}
			if rules.Example(rs.Name) != string(doc) {
				t.Errorf("internal/rules/exemples/%s.example.json differs from docs/rules: copy it", rs.Name)
			}
		})
	}
}
