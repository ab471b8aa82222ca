package detect

import (
	"math"
	"testing"
)

func TestFlagZ(t *testing.T) {
	// 0.1 % over 7 indicators: one-sided 1 − 0.001/7 quantile.
	if z := FlagZ(0.001, 7); math.Abs(z-3.6279) > 0.001 {
		t.Errorf("FlagZ(0.001, 7) = %v", z)
	}
	// Never below the funnel's 99.8 % limit.
	if z := FlagZ(0.05, 1); z != Z998 {
		t.Errorf("FlagZ(0.05, 1) = %v", z)
	}
}

func TestPostgresDialect(t *testing.T) {
	in := "CREATE OR REPLACE TEMP TABLE ev AS\nSELECT CAST(x AS DOUBLE) AS y FROM t"
	want := "CREATE TEMP TABLE ev AS\nSELECT CAST(x AS DOUBLE PRECISION) AS y FROM t"
	if got := Postgres.rewrite(in); got != want {
		t.Errorf("réécriture PostgreSQL :\n%s\nattendu :\n%s", got, want)
	}
	if got := DuckDB.rewrite(in); got != in {
		t.Errorf("DuckDB ne réécrit rien : %s", got)
	}
}
