package sqldb

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"medconseil"
)

// The intake transaction runs on the single writer (batch.go): every statement it
// spends there is time no other filing gets. What it reads before writing — the
// idempotency key, the échelon covering the département, the assuré's watermark
// and registered identity — is read in one statement (intakeState); the rows a
// filing adds several of (facts, alerts, deadlines) are written in one multi-row
// INSERT per table. The checks and their order are those of the separate
// statements; only the round trips are fewer.

// intakeState is what a filing's transaction reads before it writes.
type intakeState struct {
	echelons int          // échelons covering the département
	mark     watermark    // the assuré's dossiers and identity version
	ident    *identityRow // the registered identity, nil for a new assuré
	// The response stored under the request's idempotency key, if any.
	idemFound           bool
	idemRoute, idemHash string
	idemBody            string
}

const intakeStateCols = `(SELECT COUNT(*) FROM organisme WHERE type = 'echelon' AND departement = ?),
	w.n, w.s, a.nir, a.nom, a.prenom, a.naissance, a.residence, a.version, a.medecin_traitant`

// watermarkFrom is the FROM of a statement reading the assuré's watermark (w)
// and registered identity (a); its parameters are the NIR, twice. The dossiers are
// counted and their ids summed: an id reserved ahead (dossier_ids.go) may be
// written after a higher one, which the highest id alone would not show.
const watermarkFrom = ` FROM (SELECT COUNT(*) AS n, CAST(COALESCE(SUM(id), 0) AS BIGINT) AS s FROM dossier WHERE nir = ?) w LEFT JOIN assure a ON a.nir = ?`

// intakeState reads, in one statement, the idempotency record of the request (when
// it carries a key), the number of échelons covering dep, and the assuré's
// watermark and registered identity.
func (t *Tx) intakeState(ctx context.Context, a *medconseil.Acteur, m Meta, dep string, nir medconseil.NIR) (intakeState, error) {
	var st intakeState
	withKey := m.IdemKey != "" && a != nil
	q := `SELECT ` + intakeStateCols
	args := []any{dep, string(nir), string(nir)}
	if withKey {
		q += `, i.route, i.corps_hash, i.reponse` + watermarkFrom + ` LEFT JOIN idempotence i ON i.utilisateur_id = ? AND i.cle = ?`
		args = append(args, a.ID, m.IdemKey)
	} else {
		q += watermarkFrom
	}
	var id identityScan
	dest := append([]any{&st.echelons, &st.mark.n, &st.mark.sum}, id.dest()...)
	var route, hash, body sql.NullString
	if withKey {
		dest = append(dest, &route, &hash, &body)
	}
	if err := t.QueryRow(ctx, q, args...).Scan(dest...); err != nil {
		return st, medconseil.Internal(err)
	}
	st.ident, st.mark.version = id.row()
	st.idemFound, st.idemRoute, st.idemHash, st.idemBody = route.Valid, route.String, hash.String, body.String
	return st, nil
}

// idemReplay is idemLookup on what intakeState read: the stored response of the
// same request, or a conflict when the key served another request.
func (st *intakeState) idemReplay(m Meta, route string) (string, bool, error) {
	if !st.idemFound {
		return "", false, nil
	}
	if st.idemRoute != route || st.idemHash != m.BodyHash {
		return "", false, &medconseil.Error{Code: medconseil.ECONFLICT, Field: "Idempotency-Key", Message: "cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé"}
	}
	return st.idemBody, true, nil
}

// identityScan receives the assure columns of a LEFT JOIN (all NULL when the
// assuré is not registered yet).
type identityScan struct {
	nir, nom, prenom, residence, mt sql.NullString
	naissance                       medconseil.Date
	version                         sql.NullInt64
}

func (s *identityScan) dest() []any {
	return []any{&s.nir, &s.nom, &s.prenom, &s.naissance, &s.residence, &s.version, &s.mt}
}

// row returns the registered identity (nil when absent) and its version (0 when absent).
func (s *identityScan) row() (*identityRow, int) {
	if !s.nir.Valid {
		return nil, 0
	}
	r := &identityRow{version: int(s.version.Int64), mt: s.mt.String}
	r.NIR, r.Nom, r.Prenom, r.Naissance, r.Residence = medconseil.NIR(s.nir.String), s.nom.String, s.prenom.String, s.naissance, s.residence.String
	return r, r.version
}

// preRead reads, in one statement off the writer, the assuré's watermark and
// registered identity, then the history the type's rule set looks at, into in.
func (t *Tx) preRead(ctx context.Context, in *medconseil.Instruction) (watermark, error) {
	var w watermark
	var id identityScan
	nir := string(in.Assure.NIR)
	if err := t.QueryRow(ctx, `SELECT w.n, w.s, a.nir, a.nom, a.prenom, a.naissance, a.residence, a.version, a.medecin_traitant`+watermarkFrom,
		nir, nir).Scan(append([]any{&w.n, &w.sum}, id.dest()...)...); err != nil {
		return w, medconseil.Internal(err)
	}
	var cur *identityRow
	cur, w.version = id.row()
	return w, t.historyOf(ctx, in, 0, cur)
}

// insertRows writes rows (each len(cols) values) into table in one INSERT; tail
// (an ON CONFLICT clause) is appended as is.
func (t *Tx) insertRows(ctx context.Context, table, cols string, rows [][]any, tail string) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows[0])
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	var b strings.Builder
	b.Grow(len(table) + len(cols) + len(tail) + 32 + len(rows)*(len(tuple)+2))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(cols)
	b.WriteString(") VALUES ")
	args := make([]any, 0, n*len(rows))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
		args = append(args, r...)
	}
	b.WriteString(tail)
	if _, err := t.Exec(ctx, b.String(), args...); err != nil {
		return err
	}
	return nil
}

// insertFaits writes the facts given at filing in one statement.
func (t *Tx) insertFaits(ctx context.Context, id int64, faits map[string]string, par string, now time.Time) error {
	if len(faits) == 0 {
		return nil
	}
	le := ts(now)
	// In the order of the names, so that a bulk load is reproducible row for row.
	names := make([]string, 0, len(faits))
	for k := range faits {
		names = append(names, k)
	}
	sort.Strings(names)
	rows := make([][]any, 0, len(faits))
	for _, k := range names {
		rows = append(rows, []any{id, k, faits[k], par, le})
	}
	if err := t.insertRows(ctx, "dossier_fait", "dossier_id, nom, valeur, par, le", rows, ""); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// writeFiledStart is writeStart for a dossier this transaction has just created:
// the cycle row, then every planned deadline in one statement (with the same
// re-arming clause as insertEcheance).
func (t *Tx) writeFiledStart(ctx context.Context, id int64, st lifecycleStart) error {
	if !st.cycle {
		return nil
	}
	if _, err := t.Exec(ctx, `INSERT INTO cycle (dossier_id, nature, recue) VALUES (?, ?, ?)`, id, st.nature, st.recue); err != nil {
		if isUniqueViolation(err) {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: "le cycle de vie de ce dossier est déjà commencé"}
		}
		return medconseil.Internal(err)
	}
	if len(st.plan) == 0 {
		return nil
	}
	now := ts(t.now())
	rows := make([][]any, len(st.plan))
	for i, p := range st.plan {
		rows[i] = []any{id, p.Echeance.Nom, p.Depuis, p.Limite, p.Due, now}
	}
	if err := t.insertRows(ctx, "echeance", "dossier_id, nom, depuis, limite, due, cree_le", rows, `
		ON CONFLICT (dossier_id, nom, depuis) DO UPDATE SET statut = 'attente', limite = excluded.limite, due = excluded.due,
			motif = '', traite_le = '', tentatives = 0, erreur = '', reessai_le = '' WHERE echeance.statut = 'annulee'`); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}
