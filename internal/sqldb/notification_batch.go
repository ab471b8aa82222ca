package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"medconseil"
)

// notifyAll writes the notifications ns of a sweep batch into the outbox with one
// statement, in the order given: what notify does row by row (same checks, the
// caisse of each dossier's département, seq allocated under the outbox's lock on
// PostgreSQL so that it grows in commit order).
func (t *Tx) notifyAll(ctx context.Context, ns []Notification, now time.Time) error {
	if len(ns) == 0 {
		return nil
	}
	if len(ns) == 1 {
		_, err := t.notify(ctx, ns[0], now)
		return err
	}
	type row struct {
		Dossier    int64  `json:"d"`
		Nature     string `json:"n"`
		Conclusion string `json:"c"`
		Date       string `json:"t"`
	}
	rows := make([]row, len(ns))
	for i, n := range ns {
		if _, ok := NotificationNature(n.Nature); !ok {
			return medconseil.Internal(fmt.Errorf("notification nature %q not in the closed list", n.Nature))
		}
		if n.Conclusion == "" || len([]rune(n.Conclusion)) > 500 || n.Date.IsZero() {
			return medconseil.Internal(fmt.Errorf("notification of dossier %d: empty or too long conclusion, or no date", n.DossierID))
		}
		rows[i] = row{n.DossierID, n.Nature, n.Conclusion, n.Date.String()}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return medconseil.Internal(err)
	}
	q := `INSERT INTO notification (seq, dossier_id, caisse, nature, conclusion, date, cree_le)
		SELECT (SELECT COALESCE(MAX(seq), 0) FROM notification) + j.key + 1, d.id, d.departement,
			json_extract(j.value, '$.n'), json_extract(j.value, '$.c'), json_extract(j.value, '$.t'), ?
		FROM json_each(?) AS j JOIN dossier d ON d.id = json_extract(j.value, '$.d')`
	if t.db.dialect == Postgres {
		if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, notifyLock); err != nil {
			return medconseil.Internal(err)
		}
		q = `INSERT INTO notification (seq, dossier_id, caisse, nature, conclusion, date, cree_le)
		SELECT (SELECT COALESCE(MAX(seq), 0) FROM notification) + j.k, d.id, d.departement, j.v->>'n', j.v->>'c', j.v->>'t', CAST(? AS TEXT)
		FROM jsonb_array_elements(CAST(? AS jsonb)) WITH ORDINALITY AS j(v, k) JOIN dossier d ON d.id = (j.v->>'d')::bigint`
	}
	r, err := t.Exec(ctx, q, ts(now), string(b))
	if err != nil {
		return medconseil.Internal(fmt.Errorf("notifications : %w", err))
	}
	if n, _ := r.RowsAffected(); n != int64(len(ns)) {
		return medconseil.Internal(fmt.Errorf("notifications : %d écrites sur %d (dossier absent ?)", n, len(ns)))
	}
	return nil
}
