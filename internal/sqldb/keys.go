package sqldb

import (
	"context"
	"fmt"
	"strings"

	"medconseil"
	"medconseil/internal/keyring"
)

// sealedColumn is a column encrypted at rest. A value is sealed with the
// additional data aad(aadTable, <first key column>, aadColumn[:<rank>]): the
// rank (an alert's, an event's, a version's number, a draft's author) is part of
// what the ciphertext is bound to, so a value cannot be moved to another row.
type sealedColumn struct {
	table, column string
	key           []string // the row's key columns; the first is the id in the AAD
	aadTable      string   // the table named in the AAD when not table (a copied value)
	aadColumn     string
	rank          string // column whose value completes aadColumn as "aadColumn:rank"
}

func (c sealedColumn) aadOf(key []int64, rank int64) string {
	t, col := c.table, c.aadColumn
	if c.aadTable != "" {
		t = c.aadTable
	}
	if c.rank != "" {
		col = fmt.Sprintf("%s:%d", col, rank)
	}
	return aad(t, key[0], col)
}

// sealedColumns lists every column encrypted at rest (every *_enc column of
// the schema: TestSealedColumnsCoverSchema fails on one missing), with how its
// AAD is made — key rotation, the count of values per key and the check of a
// key file at start all walk it, so a column missing here would keep values
// under a key the operator believes retired.
var sealedColumns = []sealedColumn{
	{table: "arret", column: "cim10_enc", key: []string{"dossier_id"}, aadColumn: "cim10"},
	{table: "arret", column: "libelle_enc", key: []string{"dossier_id"}, aadColumn: "libelle"},
	{table: "arret", column: "motif_enc", key: []string{"dossier_id"}, aadColumn: "motif"},
	{table: "avis", column: "motif_enc", key: []string{"dossier_id"}, aadColumn: "motif"},
	{table: "avis_version", column: "motif_enc", key: []string{"dossier_id", "numero"}, aadTable: "avis", aadColumn: "motif"},
	{table: "avis_version", column: "motif_correction_enc", key: []string{"dossier_id", "numero"}, aadColumn: "motif_correction", rank: "numero"},
	{table: "brouillon_avis", column: "contenu_enc", key: []string{"dossier_id", "utilisateur_id"}, aadColumn: "contenu", rank: "utilisateur_id"},
	{table: "demande", column: "clinique_enc", key: []string{"dossier_id"}, aadColumn: "clinique"},
	{table: "preanalyse", column: "contenu_enc", key: []string{"dossier_id"}, aadColumn: "contenu"},
	{table: "preanalyse", column: "suite_motif_enc", key: []string{"dossier_id"}, aadColumn: "suite_motif"},
	{table: "alerte", column: "message_enc", key: []string{"dossier_id", "rang"}, aadColumn: "message", rank: "rang"},
	{table: "note_clinique", column: "texte_enc", key: []string{"id"}, aadColumn: "texte"},
	{table: "courrier", column: "pdf_enc", key: []string{"id"}, aadColumn: "pdf"},
	{table: "controle_evenement", column: "note_enc", key: []string{"controle_id", "rang"}, aadColumn: "note", rank: "rang"},
	{table: "controle_element", column: "contenu_enc", key: []string{"controle_id", "rang"}, aadColumn: "contenu", rank: "rang"},
	{table: "controle_indu", column: "trace_enc", key: []string{"controle_id"}, aadColumn: "trace"},
	{table: "msap_arret", column: "motif_enc", key: []string{"dossier_id"}, aadColumn: "motif"},
	{table: "controle_courrier", column: "pdf_enc", key: []string{"id"}, aadColumn: "pdf"},
	{table: "examen", column: "interrogatoire_enc", key: []string{"convocation_id"}, aadColumn: "interrogatoire"},
	{table: "examen", column: "clinique_enc", key: []string{"convocation_id"}, aadColumn: "clinique"},
	{table: "examen", column: "conclusions_enc", key: []string{"convocation_id"}, aadColumn: "conclusions"},
	{table: "echange", column: "resume_enc", key: []string{"id"}, aadColumn: "resume"},
	{table: "pdp_contact", column: "resume_enc", key: []string{"id"}, aadColumn: "resume"},
}

// sealedValue is one sealed value with its row key and AAD.
type sealedValue struct {
	key []int64
	aad string
	v   string
}

// sealedValues reads the sealed values of c matching the extra condition
// (appended to WHERE, with its args), at most limit rows when limit > 0.
func (t *Tx) sealedValues(ctx context.Context, c sealedColumn, cond string, args []any, limit int) ([]sealedValue, error) {
	cols := append([]string{}, c.key...)
	if c.rank != "" {
		cols = append(cols, c.rank)
	}
	q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s <> ''%s`, strings.Join(cols, ", "), c.column, c.table, c.column, cond)
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []sealedValue
	for rows.Next() {
		nums := make([]int64, len(cols))
		dest := make([]any, 0, len(cols)+1)
		for i := range nums {
			dest = append(dest, &nums[i])
		}
		var v string
		if err := rows.Scan(append(dest, &v)...); err != nil {
			return nil, medconseil.Internal(err)
		}
		var rank int64
		if c.rank != "" {
			rank = nums[len(c.key)]
		}
		out = append(out, sealedValue{key: nums[:len(c.key)], aad: c.aadOf(nums[:len(c.key)], rank), v: v})
	}
	return out, rows.Err()
}

// where is the condition selecting the row of key.
func (c sealedColumn) where(key []int64) (string, []any) {
	var conds []string
	var args []any
	for i, k := range c.key {
		conds = append(conds, k+" = ?")
		args = append(args, key[i])
	}
	return strings.Join(conds, " AND "), args
}

func (v sealedValue) String() string {
	parts := make([]string, len(v.key))
	for i, k := range v.key {
		parts[i] = fmt.Sprint(k)
	}
	return strings.Join(parts, "/")
}

// RotateKeys re-encrypts every clinical value with the active key of next, which
// must also hold the keys that sealed the current values. It runs in one
// transaction: either everything is under the new key or nothing changed. It
// returns the number of values re-encrypted.
func (db *DB) RotateKeys(ctx context.Context, next *keyring.Keyring) (int, error) {
	n := 0
	err := db.Write(ctx, func(tx *Tx) error {
		for _, c := range sealedColumns {
			vs, err := tx.sealedValues(ctx, c, "", nil, 0)
			if err != nil {
				return err
			}
			for _, p := range vs {
				if keyring.KeyOf(p.v) == next.Active() {
					continue
				}
				plain, err := next.Decrypt(p.v, p.aad)
				if err != nil {
					return fmt.Errorf("%s.%s ligne %s : %w", c.table, c.column, p, err)
				}
				sealed, err := next.Encrypt(plain, p.aad)
				if err != nil {
					return medconseil.Internal(err)
				}
				cond, args := c.where(p.key)
				if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET %s = ? WHERE %s`, c.table, c.column, cond), append([]any{sealed}, args...)...); err != nil {
					return medconseil.Internal(err)
				}
				n++
			}
		}
		return tx.journal(ctx, &medconseil.Acteur{Login: "operateur"}, "cles.rotation", "cle:"+next.Active(), 0, Meta{Finalite: "exploitation"}, ResultOK)
	})
	return n, err
}

// KeysInUse counts the sealed values per key identifier.
func (db *DB) KeysInUse(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := db.Read(ctx, func(tx *Tx) error {
		for _, c := range sealedColumns {
			rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE %s <> ''`, c.column, c.table, c.column))
			if err != nil {
				return medconseil.Internal(err)
			}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					rows.Close()
					return medconseil.Internal(err)
				}
				out[keyring.KeyOf(v)]++
			}
			rows.Close()
		}
		return nil
	})
	return out, err
}

// CheckKeys verifies that kr can decrypt the store: no sealed value names a key
// kr lacks, and for each key of kr that sealed something, one such value decrypts
// (a key file with the right identifiers but the wrong bytes is caught). serve
// refuses to start otherwise, and a running server refuses a rotated file that
// fails it.
func (db *DB) CheckKeys(ctx context.Context, kr *keyring.Keyring) error {
	ids := kr.IDs()
	return db.Read(ctx, func(tx *Tx) error {
		for _, c := range sealedColumns {
			cond := ""
			args := []any{}
			for _, id := range ids {
				cond += fmt.Sprintf(` AND %s NOT LIKE ?`, c.column)
				args = append(args, "enc1:"+id+":%")
			}
			stray, err := tx.sealedValues(ctx, c, cond, args, 1)
			if err != nil {
				return err
			}
			if len(stray) > 0 {
				return fmt.Errorf("la valeur %s.%s ligne %s est chiffrée avec la clé %q, absente du fichier de clés", c.table, c.column, stray[0], keyring.KeyOf(stray[0].v))
			}
			for _, id := range ids {
				one, err := tx.sealedValues(ctx, c, fmt.Sprintf(` AND %s LIKE ?`, c.column), []any{"enc1:" + id + ":%"}, 1)
				if err != nil {
					return err
				}
				if len(one) == 0 || keyring.KeyOf(one[0].v) != id {
					continue
				}
				if _, err := kr.Decrypt(one[0].v, one[0].aad); err != nil {
					return fmt.Errorf("la clé %q ne déchiffre pas la valeur %s.%s ligne %s : ce fichier de clés n'est pas celui de cette base", id, c.table, c.column, one[0])
				}
			}
		}
		return nil
	})
}
