package demo_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/demo"
)

func referenceDir(t *testing.T) string {
	t.Helper()
	ref := os.Getenv("MEDCONSEIL_REFERENCE")
	if ref == "" {
		ref = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(ref, "snds", "IR_NAT_V.csv")); err != nil {
		t.Skipf("référentiels absents (%s) ; définir MEDCONSEIL_REFERENCE", ref)
	}
	return ref
}

// TestPrepareControle: the demo's region is generated into place with its stamp,
// the planted Bas-Rhin over-prescriber carries the demo prescriber's RPPS (and
// nobody else does), nothing temporary is left, and the stamp is recognised for
// the same spec only.
func TestPrepareControle(t *testing.T) {
	if testing.Short() {
		t.Skip("génère une région")
	}
	ref := referenceDir(t)
	dir := filepath.Join(t.TempDir(), "controle")
	spec := demo.Controle
	var seen []int
	st, err := demo.PrepareControle(context.Background(), ref, dir, spec, func(pct int) { seen = append(seen, pct) })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 2 || seen[len(seen)-1] != 100 {
		t.Errorf("progress reported: %v", seen)
	}
	if got, ok := demo.ReadControleStamp(dir, spec); !ok || got.Professionnel != st.Professionnel {
		t.Errorf("stamp not recognised: %+v", got)
	}
	other := spec
	other.Scale = 0.005
	if _, ok := demo.ReadControleStamp(dir, other); ok {
		t.Error("stamp recognised for another seed")
	}
	if left, _ := filepath.Glob(dir + ".tmp-*"); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
	if st.Professionnel == "" {
		t.Fatal("no planted over-prescriber of the Bas-Rhin was given the demo RPPS")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var pro string
	if err := db.QueryRow(`SELECT COUNT(*), MIN(PFS_PFS_NUM) FROM read_parquet(?) WHERE PFS_RPPS_NUM = ?`, filepath.Join(dir, "MC_PRA_R.parquet"), demo.PrescripteurRPPS).Scan(&n, &pro); err != nil {
		t.Fatal(err)
	}
	if n != 1 || pro != st.Professionnel {
		t.Errorf("RPPS %s held by %d professional(s) (%s), want only %s", demo.PrescripteurRPPS, n, pro, st.Professionnel)
	}
	// His arrêts are found by the MSO follow-up of a procedure opened on him
	// (his number in the data, the RPPS given at the opening).
	mois, err := controle.SuiviMensuel(context.Background(), dir, medconseil.NewDate(spec.Year, time.January, 1), medconseil.NewDate(spec.Year, time.December, 31), st.Professionnel, demo.PrescripteurRPPS)
	if err != nil {
		t.Fatal(err)
	}
	arrets := 0
	for _, m := range mois {
		arrets += m.Arrets
	}
	if len(mois) != 12 || arrets == 0 {
		t.Errorf("follow-up of %s over %d: %d months, %d arrêts", st.Professionnel, spec.Year, len(mois), arrets)
	}
	// A second preparation replaces the directory whole.
	if _, err := demo.PrepareControle(context.Background(), ref, dir, other, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := demo.ReadControleStamp(dir, other); !ok {
		t.Error("regenerated directory without the new stamp")
	}
	if left, _ := filepath.Glob(dir + ".tmp-*"); len(left) > 0 {
		t.Errorf("temporary directories left after the replacement: %v", left)
	}
}
