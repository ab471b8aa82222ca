package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"medconseil/internal/sqldb/sqldbtest"
)

// TestOpenAPIMatchesRoutes reads the API routes the handlers register (in the source
// of this package) and the served OpenAPI description, and requires the same set.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`Handle(?:Func)?\("([A-Z]+) (/api/v1/[^"]+)"`)
	inCode := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			inCode[m[1]+" "+strings.ReplaceAll(m[2], "...}", "}")] = true
		}
	}
	e := start(t, sqldbtest.SQLite(t))
	res, body := e.do("GET", "/api/v1/openapi.json", "", nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", res.StatusCode)
	}
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &spec); err != nil || spec.OpenAPI == "" {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	inSpec := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			inSpec[strings.ToUpper(method)+" "+path] = true
		}
	}
	var missing, extra []string
	for r := range inCode {
		if !inSpec[r] {
			missing = append(missing, r)
		}
	}
	for r := range inSpec {
		if !inCode[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 || len(inCode) < 10 {
		t.Errorf("OpenAPI out of step with the routes (%d in code): undocumented %v; documented but absent %v", len(inCode), missing, extra)
	}
}
