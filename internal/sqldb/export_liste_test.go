package sqldb

import (
	"context"
	"strings"

	"medconseil"
)

// WorklistPlans returns the plan lines (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
// PostgreSQL) of the count and page statements of q for a.
func (db *DB) WorklistPlans(ctx context.Context, a *medconseil.Acteur, q WorklistQuery) (count, page string, err error) {
	st, err := db.worklistSQL(a, q)
	if err != nil || st == nil {
		return "", "", err
	}
	if count, err = explainPlan(ctx, db, st.count, st.countArgs, false); err != nil {
		return "", "", err
	}
	page, err = explainPlan(ctx, db, st.page, st.pageArgs, false)
	return count, page, err
}

// explainPlan returns the plan of q, one line per node; analyze runs it too
// (PostgreSQL's EXPLAIN ANALYZE, with buffers).
func explainPlan(ctx context.Context, db *DB, q string, args []any, analyze bool) (string, error) {
	var b strings.Builder
	err := db.Read(ctx, func(tx *Tx) error {
		prefix := "EXPLAIN QUERY PLAN "
		if db.dialect == Postgres {
			prefix = "EXPLAIN (COSTS OFF) "
			if analyze {
				prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
			}
		}
		rs, err := tx.tx.QueryContext(ctx, db.Rebind(prefix+q), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				return err
			}
			if db.dialect == Postgres {
				b.WriteString(toString(vals[0]) + "\n")
			} else {
				b.WriteString(toString(vals[len(vals)-1]) + "\n")
			}
		}
		return rs.Err()
	})
	return b.String(), err
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
