package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"medconseil"
	"medconseil/internal/keyring"
)

// sealedColumns lists every column encrypted at rest, with its row key.
var sealedColumns = []struct{ table, key, column, aadColumn string }{
	{"arret", "dossier_id", "cim10_enc", "cim10"},
	{"arret", "dossier_id", "libelle_enc", "libelle"},
	{"arret", "dossier_id", "motif_enc", "motif"},
	{"avis", "dossier_id", "motif_enc", "motif"},
	{"note_clinique", "id", "texte_enc", "texte"},
	{"courrier", "id", "pdf_enc", "pdf"},
	{"controle_indu", "controle_id", "trace_enc", "trace"},
	{"msap_arret", "dossier_id", "motif_enc", "motif"},
	{"controle_courrier", "id", "pdf_enc", "pdf"},
	{"examen", "convocation_id", "interrogatoire_enc", "interrogatoire"},
	{"examen", "convocation_id", "clinique_enc", "clinique"},
	{"examen", "convocation_id", "conclusions_enc", "conclusions"},
	{"echange", "id", "resume_enc", "resume"},
}

// RotateKeys re-encrypts every clinical value with the active key of next, which
// must also hold the keys that sealed the current values. It runs in one
// transaction: either everything is under the new key or nothing changed. It
// returns the number of values re-encrypted.
func (db *DB) RotateKeys(ctx context.Context, next *keyring.Keyring) (int, error) {
	n := 0
	err := db.Write(ctx, func(tx *Tx) error {
		for _, c := range sealedColumns {
			rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s <> ''`, c.key, c.column, c.table, c.column))
			if err != nil {
				return medconseil.Internal(err)
			}
			type pair struct {
				id int64
				v  string
			}
			var ps []pair
			for rows.Next() {
				var p pair
				if err := rows.Scan(&p.id, &p.v); err != nil {
					rows.Close()
					return medconseil.Internal(err)
				}
				ps = append(ps, p)
			}
			rows.Close()
			for _, p := range ps {
				if keyring.KeyOf(p.v) == next.Active() {
					continue
				}
				a := aad(c.table, p.id, c.aadColumn)
				plain, err := next.Decrypt(p.v, a)
				if err != nil {
					return fmt.Errorf("%s.%s ligne %d : %w", c.table, c.column, p.id, err)
				}
				sealed, err := next.Encrypt(plain, a)
				if err != nil {
					return medconseil.Internal(err)
				}
				if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET %s = ? WHERE %s = ?`, c.table, c.column, c.key), sealed, p.id); err != nil {
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
			q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s <> ''`, c.key, c.column, c.table, c.column)
			args := []any{}
			for _, id := range ids {
				q += fmt.Sprintf(` AND %s NOT LIKE ?`, c.column)
				args = append(args, "enc1:"+id+":%")
			}
			var rid int64
			var v string
			err := tx.QueryRow(ctx, q+` LIMIT 1`, args...).Scan(&rid, &v)
			if err == nil {
				return fmt.Errorf("la valeur %s.%s ligne %d est chiffrée avec la clé %q, absente du fichier de clés", c.table, c.column, rid, keyring.KeyOf(v))
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return medconseil.Internal(err)
			}
			for _, id := range ids {
				err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s LIKE ? LIMIT 1`, c.key, c.column, c.table, c.column), "enc1:"+id+":%").Scan(&rid, &v)
				if errors.Is(err, sql.ErrNoRows) || keyring.KeyOf(v) != id {
					continue
				}
				if err != nil {
					return medconseil.Internal(err)
				}
				if _, err := kr.Decrypt(v, aad(c.table, rid, c.aadColumn)); err != nil {
					return fmt.Errorf("la clé %q ne déchiffre pas la valeur %s.%s ligne %d : ce fichier de clés n'est pas celui de cette base", id, c.table, c.column, rid)
				}
			}
		}
		return nil
	})
}
