package sqldb

import (
	"context"
	"fmt"
	"strings"

	"medconseil"
)

// SeedBulk adds n synthetic arrêts for the backup and restore benchmarks, much
// faster than intake: multi-row inserts in transactions of 5,000 dossiers. Each
// dossier has its assuré (one per two dossiers), its arrêt with the three clinical
// values sealed by the keyring as intake seals them, and its journal entry, chained
// as intake chains it, so that the benchmark's database has the shape and the sizes
// of a real one. It needs Keys.
func (db *DB) SeedBulk(ctx context.Context, n int, progress func(done int)) error {
	const batch = 5000
	const rowsPerInsert = 250
	for done := 0; done < n; {
		size := min(batch, n-done)
		err := db.Write(ctx, func(tx *Tx) error {
			var base int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM dossier`).Scan(&base); err != nil {
				return err
			}
			now := db.Now()
			for off := 0; off < size; off += rowsPerInsert {
				m := min(rowsPerInsert, size-off)
				var as, ds, ar []string
				var aa, da, ra []any
				for i := 0; i < m; i++ {
					id := base + int64(off+i) + 1
					a := (id + 1) / 2
					nir, err := medconseil.NIRWithKey(fmt.Sprintf("1%02d%02d67%03d%03d", 50+a%50, 1+a%12, a%1000, 1+(a/1000)%999))
					if err != nil {
						return err
					}
					as = append(as, "(?, ?, ?, ?, ?)")
					aa = append(aa, string(nir), "NOM", "Prénom", "67482", ts(now))
					echeance := medconseil.DateOf(now).AddDays(int(id % 30))
					ds = append(ds, "(?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 'NOM')")
					da = append(da, id, string(medconseil.TypeArretTravail), string(medconseil.Etats[id%int64(len(medconseil.Etats))]), "67", string(nir), "10001234567", ts(now), echeance, ts(now))
					var enc [3]string
					for j, c := range [3]struct{ col, v string }{{"cim10", "M545"}, {"libelle", "lombalgie commune"}, {"motif", fmt.Sprintf("douleur lombaire aiguë après port de charge, dossier %d", id)}} {
						v, err := db.seal("arret", id, c.col, c.v)
						if err != nil {
							return err
						}
						enc[j] = v
					}
					ar = append(ar, "(?, 'initial', ?, ?, 0, ?, ?, ?)")
					ra = append(ra, id, "2026-11-02", "2026-11-20", enc[0], enc[1], enc[2])
				}
				if _, err := tx.Exec(ctx, `INSERT INTO assure (nir, nom, prenom, residence, cree_le) VALUES `+strings.Join(as, ", ")+` ON CONFLICT (nir) DO NOTHING`, aa...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO dossier (id, type, etat, version, departement, nir, prescripteur, recue_le, echeance, maj_le, nom_assure) VALUES `+strings.Join(ds, ", "), da...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO arret (dossier_id, nature, debut, fin, teleconsultation, cim10_enc, libelle_enc, motif_enc) VALUES `+strings.Join(ar, ", "), ra...); err != nil {
					return err
				}
			}
			// The journal entries, sealed and chained by the store's own journal
			// (multi-row inserts).
			all := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique).String()
			entries := make([]AuditEntry, size)
			for i := range entries {
				entries[i] = AuditEntry{Le: now, Login: "banc", Action: "arret.depot", Objet: fmt.Sprintf("dossier:%d", base+int64(i)+1),
					Classes: all, Finalite: "exploitation", Adresse: "127.0.0.1", Resultat: ResultOK}
			}
			var head AuditEntry
			if err := tx.flushAudit(ctx, entries, &head); err != nil {
				return err
			}
			if db.dialect == Postgres {
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('dossier', 'id'), (SELECT MAX(id) FROM dossier))`); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("remplissage du banc d'essai : %w", err)
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return nil
}
