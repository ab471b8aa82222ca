package sqldb

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
)

// maxAcces bounds one answer of AccessesOf; Tronque says when more exist.
const maxAcces = 5000

// Acces is the list, taken from the audit journal, of every access to one assuré's
// data: the right of access (RGPD art. 15; L1111-7 CSP) includes who consulted it,
// when and why (R162-1-10 CSS keeps that history).
type Acces struct {
	NIR      medconseil.NIR `json:"nir"`
	Dossiers []int64        `json:"dossiers"`
	Entrees  []AuditEntry   `json:"entrees"`
	Tronque  bool           `json:"tronque"` // more than maxAcces entries: narrow by date in the journal
}

// AccessesOf lists the journal entries about nir — its assuré record and each of its
// dossiers — oldest first. Only the auditor / DPO may ask; the request is itself
// journaled against the assuré, in the same transaction.
func (db *DB) AccessesOf(ctx context.Context, a *medconseil.Acteur, nir medconseil.NIR, m Meta) (*Acces, error) {
	out := &Acces{NIR: nir, Dossiers: []int64{}, Entrees: []AuditEntry{}}
	objet := "assure:" + string(nir)
	var refused bool
	err := db.Write(ctx, func(tx *Tx) error {
		if !authz.CanAudit(a) {
			refused = true
			return tx.journal(ctx, a, "acces.consultation", objet, 0, m, ResultRefused)
		}
		rows, err := tx.Query(ctx, `SELECT id FROM dossier WHERE nir = ? ORDER BY id`, string(nir))
		if err != nil {
			return medconseil.Internal(err)
		}
		objets := []any{objet}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			out.Dossiers = append(out.Dossiers, id)
			objets = append(objets, "dossier:"+strconv.FormatInt(id, 10))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		// The objets are bound one by one: an assuré has a handful of dossiers, and
		// an IN list stays on the audit_objet index in both engines. The reads that
		// showed a dossier among others (lists, exports, histories) name it in
		// divulgues: those are found by a scan of that column, one per dossier.
		seen := map[int64]bool{}
		collect := func(q string, args ...any) error {
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return medconseil.Internal(err)
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanAudit(rows)
				if err != nil {
					return err
				}
				if !seen[e.Seq] {
					seen[e.Seq] = true
					out.Entrees = append(out.Entrees, e)
				}
			}
			return rows.Err()
		}
		for start := 0; start < len(objets) && len(out.Entrees) <= maxAcces; start += 500 {
			chunk := objets[start:min(start+500, len(objets))]
			ph := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
			if err := collect(`SELECT `+auditCols+` FROM audit WHERE objet IN (`+ph+`) ORDER BY seq LIMIT `+strconv.Itoa(maxAcces+1), chunk...); err != nil {
				return err
			}
		}
		for _, id := range out.Dossiers {
			if len(out.Entrees) > maxAcces {
				break
			}
			if err := collect(`SELECT `+auditCols+` FROM audit WHERE divulgues <> '' AND ',' || divulgues || ',' LIKE ? ORDER BY seq LIMIT `+strconv.Itoa(maxAcces+1),
				"%,"+strconv.FormatInt(id, 10)+",%"); err != nil {
				return err
			}
		}
		sort.Slice(out.Entrees, func(i, j int) bool { return out.Entrees[i].Seq < out.Entrees[j].Seq })
		if len(out.Entrees) > maxAcces {
			out.Entrees, out.Tronque = out.Entrees[:maxAcces], true
		}
		return tx.journal(ctx, a, "acces.consultation", objet, medconseil.FieldSet(0).With(medconseil.Identite), m, ResultOK)
	})
	if err != nil {
		return nil, err
	}
	if refused {
		return nil, &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "la liste des accès aux données d'un assuré est réservée à l'auditeur / DPO"}
	}
	return out, nil
}

// DossiersOf returns the dossiers of nir that a may see, each read through the
// store's gate (policy, journal entry with m's finalité); those a may not see are
// left out, exactly as absent. For the communicable file of the right of access.
func (db *DB) DossiersOf(ctx context.Context, a *medconseil.Acteur, nir medconseil.NIR, m Meta) ([]*medconseil.Dossier, error) {
	var ids []int64
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM dossier WHERE nir = ? ORDER BY id`, string(nir))
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return medconseil.Internal(err)
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := []*medconseil.Dossier{}
	for _, id := range ids {
		d, err := db.Dossier(ctx, a, id, m)
		if medconseil.ErrorCode(err) == medconseil.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		d.Historique = nil
		out = append(out, d)
	}
	return out, nil
}
