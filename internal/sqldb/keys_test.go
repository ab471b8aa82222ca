package sqldb_test

import (
	"slices"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/keyring"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// encColumns lists the schema's encrypted columns ("table.column", every
// column named *_enc), as the engine reports them.
func encColumns(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	q := `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name LIKE '%\_enc' ESCAPE '\'`
	if db.Dialect() == sqldb.Postgres {
		q = `SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name LIKE '%\_enc' ESCAPE '\'`
	}
	var out []string
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestSealedColumnsCoverSchema: every encrypted column of the schema is known
// to key rotation, the per-key count and the start-up key check; a new *_enc
// column not added to sealedColumns would keep its values under a key the
// operator believes retired.
func TestSealedColumnsCoverSchema(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		schema := encColumns(t, db)
		known := sqldb.SealedColumns()
		for _, c := range schema {
			if !slices.Contains(known, c) {
				t.Errorf("%s is encrypted but not in sealedColumns (internal/sqldb/keys.go): key rotation would skip it", c)
			}
		}
		for _, c := range known {
			if !slices.Contains(schema, c) {
				t.Errorf("sealedColumns lists %s, absent from the schema", c)
			}
		}
	})
}

// TestRotationLeavesNoValueUnderTheOldKey: after an arrêt with an alert, its
// pre-analysis, an avis, its correction, a draft and a clinical note, rotation
// re-encrypts every sealed value of every *_enc column; the store then reads
// with the new key alone.
func TestRotationLeavesNoValueUnderTheOldKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "F321", "épisode dépressif moyen", "harcèlement au travail"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		id2, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-10", "2026-11-30", "F321", "épisode dépressif moyen", "chevauchement"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.GiveAvis(ctx, as["praticien.67"], id, d.Version, medconseil.Avis{Sens: medconseil.SensJustifie, Motif: "arrêt justifié"}, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CorrectAvis(ctx, as["praticien.67"], id, v, medconseil.Avis{Sens: medconseil.SensJustifie, Motif: "arrêt justifié, pièces reçues"}, "pièce arrivée après l'avis", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveDraft(ctx, as["praticien.67"], id2, sqldb.AvisDraft{Sens: "justifie", Motif: "brouillon en cours"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddNote(ctx, as["praticien.67"], id2, "note clinique", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		next, err := keyring.Parse("test2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n" + db.Keys.Text())
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.RotateKeys(ctx, next)
		if err != nil {
			t.Fatal(err)
		}
		old := strings.TrimSuffix(strings.SplitN(db.Keys.Text(), ":", 2)[0], "\n")
		cols := encColumns(t, db)
		total, left := 0, map[string]int{}
		db.Read(ctx, func(tx *sqldb.Tx) error {
			for _, c := range cols {
				tc := strings.SplitN(c, ".", 2)
				var all, k int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN `+tc[1]+` LIKE ? THEN 1 END) FROM `+tc[0]+` WHERE `+tc[1]+` <> ''`, "enc1:"+old+":%").Scan(&all, &k); err != nil {
					t.Fatal(err)
				}
				total += all
				if k > 0 {
					left[c] = k
				}
			}
			return nil
		})
		if len(left) > 0 {
			t.Errorf("values still under the old key %q after rotation: %v", old, left)
		}
		for _, c := range []string{"avis_version.motif_correction_enc", "brouillon_avis.contenu_enc", "preanalyse.contenu_enc", "note_clinique.texte_enc"} {
			if !slices.Contains(cols, c) {
				t.Errorf("scenario column %s missing from the schema", c)
			}
		}
		if n != total || n < 10 {
			t.Errorf("rotation re-encrypted %d values, the schema holds %d sealed values", n, total)
		}
		only2, _ := keyring.Parse("test2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n")
		if err := db.CheckKeys(ctx, only2); err != nil {
			t.Fatalf("the new key alone does not open the store: %v", err)
		}
		db.Keys = only2
		if _, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AvisHistory(ctx, as["praticien.67"], id, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if dr, err := db.Draft(ctx, as["praticien.67"], id2, sqldb.Meta{}); err != nil || dr == nil || dr.Motif != "brouillon en cours" {
			t.Fatalf("draft after rotation: %+v %v", dr, err)
		}
	})
}
