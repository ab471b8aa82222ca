package controle

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
)

// RPPSOf reads, from the MC_PRA_R Parquet of dir, the RPPS of each professional
// (PFS_PFS_NUM → PFS_RPPS_NUM; companies without one are absent): what the
// targeting page offers when it opens a procedure on a flagged professional,
// whose arrêts are then recognised by that RPPS during a MSAP. A directory
// without MC_PRA_R gives an empty map.
func RPPSOf(ctx context.Context, dir string) (map[string]string, error) {
	p := filepath.Join(dir, "MC_PRA_R.parquet")
	if _, err := os.Stat(p); err != nil {
		return map[string]string{}, nil
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("DuckDB : %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT PFS_PFS_NUM, PFS_RPPS_NUM FROM read_parquet(?) WHERE PFS_RPPS_NUM IS NOT NULL`, p)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", p, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var pro, rpps string
		if err := rows.Scan(&pro, &rpps); err != nil {
			return nil, err
		}
		out[pro] = rpps
	}
	return out, rows.Err()
}
