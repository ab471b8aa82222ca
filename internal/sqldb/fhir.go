package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"medconseil"
)

// fhirFilters adds the conditions of a FHIR search (types, states, _lastUpdated)
// to a worklist's; the values are bound, never joined into the SQL.
func fhirFilters(where []string, args []any, q WorklistQuery) ([]string, []any) {
	if len(q.Types) > 0 {
		where = append(where, "d.type IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.Types)), ",")+")")
		for _, t := range q.Types {
			args = append(args, string(t))
		}
	}
	if len(q.Etats) > 0 {
		where = append(where, "d.etat IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.Etats)), ",")+")")
		for _, e := range q.Etats {
			args = append(args, string(e))
		}
	}
	// maj_le is written by ts (fixed-width UTC text): text order is time order.
	if !q.MajDepuis.IsZero() {
		where, args = append(where, "d.maj_le >= ?"), append(args, ts(q.MajDepuis))
	}
	if !q.MajAvant.IsZero() {
		where, args = append(where, "d.maj_le < ?"), append(args, ts(q.MajAvant))
	}
	return where, args
}

// LastUpdated returns when dossier id last changed (FHIR meta.lastUpdated). It
// discloses no personal data; callers ask it only for a dossier the gate has just
// let them read (Dossier, Worklist).
func (db *DB) LastUpdated(ctx context.Context, id int64) (time.Time, error) {
	var s string
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT maj_le FROM dossier WHERE id = ?`, id).Scan(&s)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, medconseil.NotFound("Dossier")
	}
	if err != nil {
		return time.Time{}, medconseil.Internal(err)
	}
	t, err := parseTS(s)
	if err != nil {
		return time.Time{}, medconseil.Internal(err)
	}
	return t, nil
}
