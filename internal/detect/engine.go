// Package detect profiles prescribers over the SNDS-shaped Parquet of the
// synthetic region (docs/synth.md) with an embedded DuckDB, standardises each
// indicator by the age and sex of the prescriber's patients (indirect
// standardisation, observed/expected), places every prescriber on an
// overdispersion-corrected funnel (Spiegelhalter 2005, additive τ²) and
// selects, within a review budget, the professionals to target
// (DETECTION.md §1–2; docs/detection.md).
package detect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// tables are the Parquet files the profiles read; each becomes a view, so the
// queries below never name read_parquet (portable to Trino, docs/architecture.md).
var tables = []string{"ER_PRS_F", "ER_PHA_F", "IR_BEN_R", "DA_PRA_R", "MC_PHA_R", "IR_IMB_R", "MC_ARR_F"}

// optionalTables are read by some fraud rules only (RunRules): a view is made
// when the file exists.
var optionalTables = []string{"ER_TRS_F", "ER_DTR_F"}

// Open opens an in-memory DuckDB with one view per Parquet table of dir. The
// Parquet is read in place; nothing is copied.
func Open(ctx context.Context, dir string) (*sql.DB, error) {
	for _, t := range tables {
		p := filepath.Join(dir, t+".parquet")
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("données : %s introuvable dans %s (générez-les avec « medconseil synth --out %s »)", t+".parquet", dir, dir)
		}
		if st.Size() == 0 {
			return nil, fmt.Errorf("données : %s est vide (génération interrompue ?)", p)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("DuckDB : %w", err)
	}
	// One connection: the views and temporary tables live in it.
	db.SetMaxOpenConns(1)
	for _, t := range append(append([]string{}, tables...), optionalTables...) {
		p := filepath.Join(dir, t+".parquet")
		if _, err := os.Stat(p); err != nil {
			continue // an optional table (the required ones were checked above)
		}
		q := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", t, strings.ReplaceAll(p, "'", "''"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("lecture de %s : %w", p, err)
		}
	}
	return db, nil
}

// errNoData is returned when the data holds no prescriber to profile.
var errNoData = errors.New("aucun prescripteur à profiler dans ces données")
