package detect

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// pgColumns are the columns of each table the profiling SQL reads: only
// those are loaded into PostgreSQL (DuckDB reads no others from the
// Parquet either; nil loads every column).
var pgColumns = map[string][]string{
	"ER_PRS_F": {"PFS_EXE_NUM", "PFS_PRE_NUM", "BEN_NIR_PSA", "BEN_RNG_GEM", "PRS_NAT_REF", "PRE_PRE_DTD", "PRS_ACT_QTE", "EXE_SOI_DTD", "PRS_MTT_NUM",
		"FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP", "FLX_EMT_NUM", "FLX_EMT_ORD", "ORG_CLE_NUM", "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"},
}

// pgType maps a DuckDB column type to PostgreSQL's.
func pgType(t string) (string, error) {
	switch {
	case t == "VARCHAR":
		return "text", nil
	case t == "INTEGER", t == "SMALLINT", t == "TINYINT", t == "UTINYINT", t == "USMALLINT":
		return "integer", nil
	case t == "BIGINT", t == "UINTEGER":
		return "bigint", nil
	case t == "DOUBLE", t == "FLOAT":
		return "double precision", nil
	case t == "DATE":
		return "date", nil
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "timestamp", nil
	case t == "BOOLEAN":
		return "boolean", nil
	case strings.HasPrefix(t, "DECIMAL"):
		return "numeric", nil
	}
	return "", fmt.Errorf("type DuckDB %s sans équivalent PostgreSQL prévu", t)
}

// LoadPostgres copies the tables the profiling reads from the Parquet (duck,
// opened by Open) into PostgreSQL (pg, one connection, its search_path the
// target schema): DuckDB writes each table as CSV, PostgreSQL reads it with
// COPY FROM STDIN. Returns the lines loaded per table.
func LoadPostgres(ctx context.Context, duck, pg *sql.DB, tmp string, log io.Writer) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range tables {
		rows, err := duck.QueryContext(ctx, "DESCRIBE "+t)
		if err != nil {
			return nil, fmt.Errorf("%s : %w", t, err)
		}
		var cols, defs []string
		want := map[string]bool{}
		for _, c := range pgColumns[t] {
			want[c] = true
		}
		for rows.Next() {
			var name, typ string
			var null, key, def, extra sql.NullString
			if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s : %w", t, err)
			}
			if len(want) > 0 && !want[name] {
				continue
			}
			pt, err := pgType(typ)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s.%s : %w", t, name, err)
			}
			cols = append(cols, name)
			defs = append(defs, name+" "+pt)
		}
		rows.Close()
		csv := filepath.Join(tmp, t+".csv")
		t0 := time.Now()
		if _, err := duck.ExecContext(ctx, fmt.Sprintf("COPY (SELECT %s FROM %s) TO '%s' (FORMAT csv, HEADER false)", strings.Join(cols, ", "), t, strings.ReplaceAll(csv, "'", "''"))); err != nil {
			return nil, fmt.Errorf("%s : export CSV : %w", t, err)
		}
		if _, err := pg.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return nil, fmt.Errorf("%s : %w", t, err)
		}
		if _, err := pg.ExecContext(ctx, fmt.Sprintf("CREATE UNLOGGED TABLE %s (%s)", t, strings.Join(defs, ", "))); err != nil {
			return nil, fmt.Errorf("%s : %w", t, err)
		}
		f, err := os.Open(csv)
		if err != nil {
			return nil, err
		}
		conn, err := pg.Conn(ctx)
		if err != nil {
			f.Close()
			return nil, err
		}
		var n int64
		err = conn.Raw(func(dc any) error {
			c := dc.(*stdlib.Conn).Conn()
			tag, err := c.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT csv)", t, strings.Join(cols, ", ")))
			n = tag.RowsAffected()
			return err
		})
		conn.Close()
		f.Close()
		os.Remove(csv)
		if err != nil {
			return nil, fmt.Errorf("%s : COPY : %w", t, err)
		}
		if _, err := pg.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return nil, fmt.Errorf("%s : %w", t, err)
		}
		out[t] = n
		fmt.Fprintf(log, "%s : %d lignes chargées en %s\n", t, n, time.Since(t0).Round(time.Millisecond))
	}
	return out, nil
}

// CPU is user + system CPU time.
type CPU struct{ User, Sys time.Duration }

// Total is user + system.
func (c CPU) Total() time.Duration { return c.User + c.Sys }

// SelfCPU is this process's CPU time so far (every thread, DuckDB's included).
func SelfCPU() CPU {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return CPU{}
	}
	return CPU{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

// ProcCPU reads the CPU time of another process of this machine (the
// PostgreSQL backend serving the connection) from /proc/PID/stat.
func ProcCPU(pid int) (CPU, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return CPU{}, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return CPU{}, fmt.Errorf("/proc/%d/stat illisible", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return CPU{}, fmt.Errorf("/proc/%d/stat illisible", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	const hz = 100                           // USER_HZ on Linux
	return CPU{time.Duration(ut) * time.Second / hz, time.Duration(st) * time.Second / hz}, nil
}

// SameProfiles checks that two engines computed the same profiles: the same
// prescribers and, per indicator, the same sums (to a relative 1e-9).
func SameProfiles(a, b *Profiles) error {
	if len(a.Prescribers) != len(b.Prescribers) {
		return fmt.Errorf("%d prescripteurs contre %d", len(a.Prescribers), len(b.Prescribers))
	}
	for i, p := range a.Prescribers {
		q := b.Prescribers[i]
		if p.Num != q.Num || p.Patients != q.Patients {
			return fmt.Errorf("prescripteur %s (%d patients) contre %s (%d patients)", p.Num, p.Patients, q.Num, q.Patients)
		}
		for ind := range p.Cells {
			var s1, s2 float64
			var n1, n2 int64
			for s := range p.Cells[ind] {
				s1 += p.Cells[ind][s].S1
				s2 += q.Cells[ind][s].S1
				n1 += p.Cells[ind][s].N
				n2 += q.Cells[ind][s].N
			}
			if n1 != n2 || (s1-s2)*(s1-s2) > 1e-18*s1*s1+1e-12 {
				return fmt.Errorf("%s, %s : n %d, somme %g contre n %d, somme %g", p.Num, Indicators[ind].Code, n1, s1, n2, s2)
			}
		}
	}
	return nil
}
