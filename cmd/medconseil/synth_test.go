package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func synthEnv(ref string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "MEDCONSEIL_REFERENCE" {
			return ref
		}
		return ""
	}}, &out, &errb
}

func TestSynthFlags(t *testing.T) {
	e, _, errb := synthEnv("")
	if err := run(context.Background(), e, []string{"synth", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("synth -h : %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(errb.String(), "--scale") && !strings.Contains(errb.String(), "-scale") {
		t.Errorf("aide sans --scale : %q", errb.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"synth", "--out", t.TempDir(), "--reference", filepath.Join(t.TempDir(), "absent")}, "référentiels absents"},
		{[]string{"synth", "--out", t.TempDir(), "--region", "11"}, "région 44"},
	} {
		e, _, _ := synthEnv("")
		err := run(context.Background(), e, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v : %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestSynthRun(t *testing.T) {
	ref := os.Getenv("MEDCONSEIL_REFERENCE")
	if ref == "" {
		ref = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(ref, "snds")); err != nil {
		t.Skipf("référentiels absents (%s) : test ignoré", ref)
	}
	out := t.TempDir()
	e, stdout, stderr := synthEnv(ref)
	if err := run(context.Background(), e, []string{"synth", "--scale", "0.001", "--seed", "3", "--year", "2024", "--out", out, "--bench"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ER_PRS_F", "arrêts par salarié", "Bench : échelle 0.001"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("résumé sans %q :\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr.String(), "activité : 100 %") {
		t.Errorf("progression sans 100 %% (sortie non terminal) :\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "ground_truth.json")); err != nil {
		t.Error(err)
	}

	// --db fills the operational store with the arrêts in flight; a second run
	// replays the same idempotency keys and creates nothing more.
	keys := filepath.Join(t.TempDir(), "cles")
	if err := run(context.Background(), e, []string{"keys", "generate", "--out", keys}); err != nil {
		t.Fatal(err)
	}
	dsn := filepath.Join(t.TempDir(), "synth.db")
	migrateDB(t, dsn)
	for i := 0; i < 2; i++ {
		e, stdout, _ := synthEnv(ref)
		if err := run(context.Background(), e, []string{"synth", "--scale", "0.001", "--seed", "3", "--year", "2024", "--out", t.TempDir(), "--db", dsn, "--key-file", keys, "--db-max", "20"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), "avis d'arrêt en cours déposés") {
			t.Errorf("run %d : pas de dépôt en base :\n%s", i, stdout)
		}
	}
}
