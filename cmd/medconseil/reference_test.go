package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medconseil/internal/reference"
)

func sharedReference(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("MEDCONSEIL_REFERENCE"); d != "" {
		return d
	}
	d := filepath.Join("..", "..", "..", "shared", "reference")
	if _, err := os.Stat(filepath.Join(d, "snds", "IR_CIM_V.csv")); err != nil {
		t.Skip("reference directory not found (set MEDCONSEIL_REFERENCE)")
	}
	return d
}

// copyWithBrokenCIM links every source of src into a temp dir, except
// IR_CIM_V.csv whose line 120 gets a bad code.
func copyWithBrokenCIM(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, s := range reference.Sources() {
		from, _ := filepath.Abs(filepath.Join(src, filepath.FromSlash(s.Path)))
		to := filepath.Join(dst, filepath.FromSlash(s.Path))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if s.Name != "IR_CIM_V" {
			if err := os.Symlink(from, to); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		lines[119] = "12X45" + lines[119][strings.Index(lines[119], ";"):]
		if err := os.WriteFile(to, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestReferenceImportAndSearch(t *testing.T) {
	ref := sharedReference(t)
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ref.db")
	migrateDB(t, db)

	e, out, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"reference", "import", ref, "--db", db}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"snds/IR_CIM_V.csv", "18334 lignes", "geo/communes/communes-centroides-2023.csv", "35082 lignes", "nouvelle version", "20 fichier(s) importé(s)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first import output lacks %q:\n%s", want, out)
		}
	}

	e, out, _ = testEnv("", map[string]string{"MEDCONSEIL_DB": db})
	if err := run(ctx, e, []string{"reference", "import", ref}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Rien n'a changé") {
		t.Errorf("second import output:\n%s", out)
	}

	e, _, errw := testEnv("", nil)
	err := run(ctx, e, []string{"reference", "import", copyWithBrokenCIM(t, ref), "--db", db})
	if err == nil || !strings.Contains(message(err), "IR_CIM_V.csv, ligne 120, colonne 1") {
		t.Fatalf("broken import err = %v", err)
	}
	if !strings.Contains(errw.String(), "aucun fichier n'a été écrit") {
		t.Errorf("broken import stderr: %s", errw)
	}

	// The previous version stays in force: searches still answer from it.
	for _, tc := range []struct{ ref, q, want string }{
		{"cim10", "lombalgie", "M54.5"},
		{"lpp", "coussin positionnement", "POSITIONNEMENT"},
		{"communes", "strasbourg", "67482"},
	} {
		e, out, _ := testEnv("", nil)
		if err := run(ctx, e, []string{"reference", "search", tc.ref, tc.q, "--db", db, "--limit", "3"}); err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(out.String(), "\n")
		if !strings.Contains(first, tc.want) {
			t.Errorf("search %s %q: first line %q, want %s", tc.ref, tc.q, first, tc.want)
		}
	}
}

func TestReferenceUsage(t *testing.T) {
	ctx := context.Background()
	for _, sub := range []string{"import", "search", "bench"} {
		e, _, errw := testEnv("", nil)
		err := run(ctx, e, []string{"reference", sub, "-h"})
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errw.String(), "Usage") {
			t.Errorf("reference %s -h: %v, %q", sub, err, errw)
		}
	}
	e, _, _ := testEnv("", nil)
	if err := run(ctx, e, []string{"reference", "search", "inconnu", "x"}); exitCode(err) != 2 {
		t.Errorf("unknown référentiel: %v", err)
	}
	// Without any reference directory the search says what is missing.
	e, _, _ = testEnv("", map[string]string{"MEDCONSEIL_REFERENCE": t.TempDir()})
	err := run(ctx, e, []string{"reference", "search", "cim10", "lombalgie"})
	if err == nil || !strings.Contains(err.Error(), "indisponible") {
		t.Errorf("search without files: %v", err)
	}
}
