package detect

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

// Dialect adapts the profiling SQL, written in a portable subset (CTEs,
// GROUP BY, CASE, window functions), to one engine. The differences are
// few and textual; the queries themselves do not change.
type Dialect struct {
	Name string
	// Postgres: CREATE OR REPLACE TEMP TABLE does not exist, DOUBLE is
	// DOUBLE PRECISION, and temporary tables get no statistics unless
	// analysed (the planner would otherwise guess their size).
	Postgres bool
}

// The dialects.
var (
	DuckDB   = Dialect{Name: "DuckDB"}
	Postgres = Dialect{Name: "PostgreSQL", Postgres: true}
)

var (
	reCreateTemp = regexp.MustCompile(`(?i)CREATE OR REPLACE TEMP TABLE (\w+) AS`)
	reDouble     = regexp.MustCompile(`(?i) AS DOUBLE\)`)
)

// rewrite translates one statement.
func (d Dialect) rewrite(q string) string {
	if !d.Postgres {
		return q
	}
	q = reCreateTemp.ReplaceAllString(q, "CREATE TEMP TABLE $1 AS")
	return reDouble.ReplaceAllString(q, " AS DOUBLE PRECISION)")
}

// execScript runs a script of statements separated by ";" at the end of a
// line, one by one (database/sql drivers differ on multi-statement strings);
// on PostgreSQL every temporary table is analysed once created.
func (d Dialect) execScript(ctx context.Context, db *sql.DB, script string) error {
	for _, st := range strings.Split(script, ";\n") {
		if strings.TrimSpace(stripComments(st)) == "" {
			continue
		}
		m := reCreateTemp.FindStringSubmatch(st)
		if d.Postgres && m != nil {
			if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+m[1]); err != nil {
				return fmt.Errorf("DROP %s : %w", m[1], err)
			}
		}
		if _, err := db.ExecContext(ctx, d.rewrite(st)); err != nil {
			return fmt.Errorf("%s : %w", firstLine(st), err)
		}
		if d.Postgres && m != nil {
			if _, err := db.ExecContext(ctx, "ANALYZE "+m[1]); err != nil {
				return fmt.Errorf("ANALYZE %s : %w", m[1], err)
			}
		}
	}
	return nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func firstLine(s string) string {
	for _, l := range strings.Split(stripComments(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
