package sqldb

import (
	"context"
	"fmt"
	"strings"

	"medconseil"
)

// DossierGauge counts the open dossiers of one type in one échelon (département),
// and those of them past their due date.
type DossierGauge struct {
	Type        medconseil.TypeDossier
	Departement string
	Ouverts     int
	EnRetard    int
}

// DossierGauges counts open and overdue dossiers per type and échelon, for the
// operator's metrics and health page: aggregate counts, no personal data, so not
// journaled. A dossier is open while it awaits an avis (Etat.Open); overdue when its
// due date is before today.
func (db *DB) DossierGauges(ctx context.Context, today medconseil.Date) ([]DossierGauge, error) {
	var open []string
	var args []any
	args = append(args, today)
	for _, e := range medconseil.Etats {
		if e.Open() {
			open = append(open, "?")
			args = append(args, string(e))
		}
	}
	var out []DossierGauge
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT type, departement, COUNT(*), SUM(CASE WHEN echeance IS NOT NULL AND echeance < ? THEN 1 ELSE 0 END)
			FROM dossier WHERE etat IN (`+strings.Join(open, ", ")+`) GROUP BY type, departement ORDER BY type, departement`, args...)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var g DossierGauge
			var t string
			if err := rows.Scan(&t, &g.Departement, &g.Ouverts, &g.EnRetard); err != nil {
				return medconseil.Internal(err)
			}
			g.Type = medconseil.TypeDossier(t)
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, err
}

// JournalHead returns the number and time of the last journal entry (0 and "" for
// an empty journal).
func (db *DB) JournalHead(ctx context.Context) (seq int64, le string, err error) {
	var m JournalMark
	err = db.Read(ctx, func(tx *Tx) error {
		return lastAudit(ctx, tx.QueryRow, &m)
	})
	if err != nil {
		return 0, "", fmt.Errorf("journal : %w", err)
	}
	return m.Seq, m.Le, nil
}
