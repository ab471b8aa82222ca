package main

import (
	"bytes"
	"context"
	"database/sql"
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
		{[]string{"synth", "--out", t.TempDir(), "--trace", filepath.Join(t.TempDir(), "absent", "t.trace")}, "trace d'exécution"},
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
	tr := filepath.Join(t.TempDir(), "synth.trace")
	if err := run(context.Background(), e, []string{"synth", "--scale", "0.001", "--seed", "3", "--year", "2024", "--out", out, "--bench", "--trace", tr}); err != nil {
		t.Fatal(err)
	}
	// --trace wrote a whole execution trace (go tool trace reads it).
	if b, err := os.ReadFile(tr); err != nil || !bytes.HasPrefix(b, []byte("go 1.")) || len(b) < 1000 {
		t.Errorf("--trace : %d octets, début %q, %v ; want a runtime trace", len(b), b[:min(len(b), 16)], err)
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

// TestSynthDBDeterministic fills two bases from the same seed, one while writing
// the Parquet tables and one without (--parquet=false): every clear column of the
// dossiers, their requests, pre-analyses, alerts, deadlines, assurés, counters and
// journal must be the same, row for row and id for id (the ciphertexts and the
// journal's hash chain differ by construction: random nonces, one audit key per base).
func TestSynthDBDeterministic(t *testing.T) {
	ref := os.Getenv("MEDCONSEIL_REFERENCE")
	if ref == "" {
		ref = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(ref, "snds")); err != nil {
		t.Skipf("référentiels absents (%s) : test ignoré", ref)
	}
	e, _, _ := synthEnv(ref)
	keys := filepath.Join(t.TempDir(), "cles")
	if err := run(context.Background(), e, []string{"keys", "generate", "--out", keys}); err != nil {
		t.Fatal(err)
	}
	var dumps [2]map[string][]string
	for i, parquet := range []string{"--parquet=true", "--parquet=false"} {
		dsn := filepath.Join(t.TempDir(), "synth.db")
		migrateDB(t, dsn)
		e, stdout, _ := synthEnv(ref)
		if err := run(context.Background(), e, []string{"synth", "--scale", "0.002", "--seed", "5", "--year", "2024", "--out", t.TempDir(), "--db", dsn, "--key-file", keys, "--db-max", "0", parquet}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), "avis d'arrêt en cours déposés") {
			t.Fatalf("%s : pas de dépôt en base :\n%s", parquet, stdout)
		}
		dumps[i] = dumpClear(t, dsn)
	}
	if n := len(dumps[0]["dossier"]); n < 200 {
		t.Fatalf("%d dossiers seulement : le test ne dit rien", n)
	}
	for table, rows := range dumps[0] {
		other := dumps[1][table]
		if len(rows) != len(other) {
			t.Errorf("%s : %d lignes puis %d", table, len(rows), len(other))
			continue
		}
		for k := range rows {
			if rows[k] != other[k] {
				t.Errorf("%s, ligne %d :\n  %s\n  %s", table, k, rows[k], other[k])
				break
			}
		}
	}
}

// dumpClear reads, in storage order, every column of the tables synth --db writes
// except the sealed ones (*_enc) and the journal's hash chain.
func dumpClear(t *testing.T, dsn string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	for _, table := range []string{"dossier", "arret", "demande", "dossier_fait", "preanalyse", "alerte", "echeance", "assure", "assure_version",
		"idempotence", "msap_arret", "tableau_dossier", "tableau_compte", "notification", "audit"} {
		rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(c, "_enc") && !strings.HasSuffix(c, "hash") {
				cols = append(cols, c)
			}
		}
		rows.Close()
		if len(cols) == 0 {
			t.Fatalf("table %s absente", table)
		}
		order := "rowid"
		if table == "tableau_compte" { // WITHOUT ROWID
			order = strings.Join(cols, ", ")
		}
		rows, err = db.Query("SELECT concat(" + strings.Join(cols, ", '|', ") + ") FROM " + table + " ORDER BY " + order)
		if err != nil {
			t.Fatalf("%s : %v", table, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}
