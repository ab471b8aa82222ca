package sqldb_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"medconseil"
	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// closedArret is one closed avis of an imported history, received the day after it
// starts and found justified two days later by praticien.67.
func closedArret(t *testing.T, ref, initial int64, nir, debut, fin, cim, libelle string) sqldb.ArretHistorique {
	t.Helper()
	d, _ := medconseil.ParseDate(debut)
	f, _ := medconseil.ParseDate(fin)
	recue := d.Time(time.UTC).Add(34 * time.Hour)
	return sqldb.ArretHistorique{Ref: ref, InitialRef: initial,
		Assure:       medconseil.Assure{NIR: mustNIR(t, nir), Residence: "67482", Nom: "MARTIN", Prenom: "Paul"},
		Prescripteur: "10001234567",
		Arret:        medconseil.ArretTravail{Debut: d, Fin: f, CIM10: medconseil.CIM10(cim), Libelle: libelle},
		RecueLe:      recue,
		Avis:         medconseil.Avis{Sens: medconseil.SensJustifie, Par: "praticien.67", Le: recue.Add(48 * time.Hour)},
	}
}

// countersMatch checks that the dashboard counters (tableau_compte, plus the
// PostgreSQL movements not folded) and each dossier's row (tableau_dossier) say
// what the raw tables say (tableau_cle).
func countersMatch(t *testing.T, db *sqldb.DB) {
	t.Helper()
	const key = `departement, mois, type, issue, echeance, a_avis, delai`
	counters := `SELECT ` + key + `, n FROM tableau_compte`
	if db.Dialect() == sqldb.Postgres {
		counters += ` UNION ALL SELECT ` + key + `, n FROM tableau_mouvement`
	}
	var bad, rows, dossiers, summed int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (
			SELECT `+key+`, SUM(n) AS n FROM (`+counters+`) c GROUP BY `+key+` HAVING SUM(n) <> 0) c
			FULL JOIN (SELECT departement, substr(jour, 1, 7) AS mois, type, issue, echeance, a_avis, delai, COUNT(*) AS n FROM tableau_cle
			           GROUP BY departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai) k
			USING (`+key+`) WHERE c.n IS NULL OR k.n IS NULL OR c.n <> k.n`).Scan(&bad); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tableau_cle k JOIN tableau_dossier d ON d.dossier_id = k.dossier_id AND d.jour = k.jour
			AND d.departement = k.departement AND d.type = k.type AND d.issue = k.issue AND d.echeance = k.echeance AND d.a_avis = k.a_avis AND d.delai = k.delai`).Scan(&rows); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM dossier`).Scan(&dossiers); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM (`+counters+`) c`).Scan(&summed)
	}); err != nil {
		t.Fatal(err)
	}
	if bad != 0 || rows != dossiers || summed != dossiers {
		t.Errorf("compteurs : %d clés en désaccord, %d lignes de tableau_dossier justes, %d dans les compteurs, pour %d dossiers", bad, rows, summed, dossiers)
	}
}

func triggers(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'`
	if db.Dialect() == sqldb.Postgres {
		// Only this test's schema: other tests create triggers in theirs meanwhile.
		q = `SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`
	}
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error { return tx.QueryRow(ctx, q).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// The bulk history path writes closed arrêts as the intake and the avis would have
// left them: counters in step, clinical fields sealed and disclosed per the
// matrix, one journal entry per dossier, nothing written twice, and the history
// read by a later filing's pre-analysis.
func TestHistoryImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		const nir2 = "284127511800113"
		xs := []sqldb.ArretHistorique{
			closedArret(t, 10, 0, nir1, "2026-03-02", "2026-03-13", "M545", "lombalgie"),
			closedArret(t, 11, 10, nir1, "2026-03-14", "2026-04-10", "M545", "lombalgie"),
			closedArret(t, 20, 0, nir2, "2026-06-01", "2026-06-05", "J111", "grippe"),
			closedArret(t, 30, 0, nir1, "2026-11-25", "2026-12-06", "M545", "lombalgie"),
		}
		xs[2].Avis = medconseil.Avis{Sens: medconseil.SensNonJustifie, EffetAu: xs[2].Arret.Debut.AddDays(2), Motif: "reprise possible constatée à l'examen",
			Par: "praticien.67", Le: xs[2].RecueLe.Add(72 * time.Hour)}
		trig := triggers(t, db)
		before := count(t, db, "audit")
		h := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
		// Two batches: the prolongation's initial avis in the first.
		if err := h.File(ctx, xs[:1]); err != nil {
			t.Fatal(err)
		}
		if err := h.File(ctx, xs[1:]); err != nil {
			t.Fatal(err)
		}
		if err := h.Finish(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if h.Filed != 4 || h.Replayed != 0 || h.Created != 2 {
			t.Fatalf("import : %d déposés, %d rejoués, %d assurés créés", h.Filed, h.Replayed, h.Created)
		}
		if got := count(t, db, "dossier"); got != 4 {
			t.Fatalf("%d dossiers, want 4", got)
		}
		if got := count(t, db, "audit") - before; got != 4 {
			t.Errorf("%d entrées de journal, want one per dossier", got)
		}
		if got := triggers(t, db); got != trig {
			t.Errorf("%d déclencheurs après l'import, %d avant", got, trig)
		}
		countersMatch(t, db)

		// Ids and contents, through the gate.
		var ids []int64
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id FROM dossier ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], ids[1], sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Etat != medconseil.EtatNotifiee || d.Arret == nil || d.Arret.CIM10 != "M545" || d.Arret.Libelle != "lombalgie" ||
			d.Arret.Nature != medconseil.NatureProlongation || d.Arret.InitialID != ids[0] || d.Avis == nil || d.Avis.Sens != medconseil.SensJustifie || d.Avis.Par != "praticien.67" {
			t.Errorf("prolongation importée lue par le praticien : état %s / arrêt %+v / avis %+v", d.Etat, d.Arret, d.Avis)
		}
		if d, err := db.Dossier(ctx, as["praticien.67"], ids[2], sqldb.Meta{}); err != nil || d.Avis == nil || d.Avis.Motif != "reprise possible constatée à l'examen" || d.Avis.EffetAu != xs[2].Arret.Debut.AddDays(2) {
			t.Errorf("avis défavorable importé : %v / %+v", err, d)
		}
		// The caisse's agent sees no clinical field; the sealed columns hold no clear text.
		if d, err := db.Dossier(ctx, as["cpam.67"], ids[1], sqldb.Meta{}); err == nil && d.Arret != nil && (d.Arret.CIM10 != "" || d.Arret.Libelle != "") {
			t.Errorf("l'agent de la caisse lit le diagnostic : %+v", d.Arret)
		}
		if d, err := db.Dossier(ctx, as["agent.67"], ids[1], sqldb.Meta{}); err != nil || d.Arret == nil || d.Arret.CIM10 != "" || d.Arret.Libelle != "" || d.Arret.Debut.IsZero() {
			t.Errorf("l'agent administratif : %v / %+v", err, d)
		}
		var enc, motif string
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT cim10_enc FROM arret WHERE dossier_id = ?`, ids[1]).Scan(&enc); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT motif_enc FROM avis WHERE dossier_id = ?`, ids[2]).Scan(&motif)
		}); err != nil {
			t.Fatal(err)
		}
		if enc == "" || strings.Contains(enc, "M545") || motif == "" || strings.Contains(motif, "reprise") {
			t.Errorf("colonnes chiffrées : %q, %q", enc, motif)
		}

		// Idempotent: the same rows again, in this import and in a new one (a new
		// process), write nothing; the prolongation finds its initial avis by its key.
		if err := h.File(ctx, xs); err != nil {
			t.Fatal(err)
		}
		h2 := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
		if err := h2.File(ctx, xs[1:2]); err == nil {
			// xs[1] is replayed by its key: its initial avis is not needed.
			if err := h2.File(ctx, xs); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Fatal(err)
		}
		if got := count(t, db, "dossier"); got != 4 || h.Replayed != 4 || h2.Filed != 0 {
			t.Errorf("réimport : %d dossiers, %d rejoués, %d déposés par le second import", got, h.Replayed, h2.Filed)
		}

		// A later filing's pre-analysis reads the imported history: an overlapping
		// arrêt by another doctor is flagged against the imported one.
		o := arret(t, nir1, "2026-12-01", "2026-12-04", "J111", "grippe", "")
		o.Prescripteur = "10009999999"
		id, _, err := in.FileArret(ctx, as["autre.medecin"], o, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		d, err = db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, al := range d.Alertes {
			found = found || (al.Code == "chevauchement" && al.RefID == ids[3])
		}
		if !found {
			t.Errorf("la pré-analyse ne voit pas l'arrêt importé %d : alertes %+v", ids[3], d.Alertes)
		}
		var hist int
		for _, ant := range d.Historique {
			if ant.Type == medconseil.TypeArretTravail {
				hist++
			}
		}
		if hist != 3 {
			t.Errorf("historique du nouveau dossier : %d arrêts, want the 3 imported for this assuré", hist)
		}
		// The triggers are back: the new filing moved the counters.
		countersMatch(t, db)
		// The dossier's events name the import.
		v, err := db.Cycle(ctx, as["praticien.67"], ids[0], medconseil.NewDate(2026, time.December, 2))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Historique) == 0 || !strings.Contains(v.Historique[0].Libelle, "historique") {
			t.Errorf("événements du dossier importé : %+v", v.Historique)
		}
	})
}

// A bad row aborts its batch before anything is written, with a French message
// naming the arrêt and the field.
func TestHistoryImportRefusesBadRow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		if _, err := db.ImportReferentiels(ctx, []*reference.File{refFile(t, "IR_CIM_V", cimV1)}); err != nil {
			t.Fatal(err)
		}
		set, err := db.LoadReferentiels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		audit := count(t, db, "audit")
		for _, tc := range []struct {
			name string
			edit func(x *sqldb.ArretHistorique)
			want string
		}{
			{"CIM-10 inconnue", func(x *sqldb.ArretHistorique) { x.Arret.CIM10 = "X9999" }, "arret n° 2.cim10: code CIM-10 X99.99 inconnu"},
			{"CIM-10 mal formée", func(x *sqldb.ArretHistorique) { x.Arret.CIM10 = "9ZZ" }, "arret n° 2.cim10"},
			{"fin avant le début", func(x *sqldb.ArretHistorique) { x.Arret.Fin = x.Arret.Debut.AddDays(-1) }, "arret n° 2.fin"},
			{"avis défavorable sans motif", func(x *sqldb.ArretHistorique) {
				x.Avis.Sens, x.Avis.EffetAu = medconseil.SensNonJustifie, x.Arret.Debut
			}, "arret n° 2.avis.motif"},
			{"hors de la région", func(x *sqldb.ArretHistorique) { x.Assure.Residence = "75056" }, "arret n° 2.residence"},
			{"prolongation sans son initial", func(x *sqldb.ArretHistorique) { x.InitialRef = 99 }, "arret n° 2.initial_id"},
		} {
			xs := []sqldb.ArretHistorique{
				closedArret(t, 1, 0, nir1, "2026-03-02", "2026-03-13", "M545", "lombalgie"),
				closedArret(t, 2, 0, nir1, "2026-05-02", "2026-05-13", "M545", "lombalgie"),
			}
			tc.edit(&xs[1])
			h := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "refus-", Nomenclatures: reference.NewNomenclatures(set)}
			err := h.File(ctx, xs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s : %v, want %q", tc.name, err, tc.want)
			}
			if medconseil.ErrorCode(err) != medconseil.EINVALID {
				t.Errorf("%s : code %s", tc.name, medconseil.ErrorCode(err))
			}
			for _, table := range []string{"dossier", "arret", "avis", "assure", "idempotence", "tableau_dossier"} {
				if got := count(t, db, table); got != 0 {
					t.Errorf("%s : %d lignes dans %s", tc.name, got, table)
				}
			}
			if got := count(t, db, "audit"); got != audit {
				t.Errorf("%s : journal %d → %d", tc.name, audit, got)
			}
		}
	})
}

// BenchmarkHistoryImport files b.N closed arrêts (5,000 a batch) of distinct
// assurés across the region's départements.
func BenchmarkHistoryImport(b *testing.B) {
	db := sqldbtest.SQLite(b)
	if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
		b.Fatal(err)
	}
	op := &medconseil.Acteur{Login: "synth"}
	communes := []string{"67482", "68224", "57463", "54395", "51454", "10387", "08105", "52121", "55502", "88160"}
	xs := make([]sqldb.ArretHistorique, b.N)
	start := medconseil.NewDate(2025, time.January, 1)
	for i := range xs {
		nir, err := medconseil.NIRWithKey(fmt.Sprintf("1%02d%02d67%03d%03d", 50+i%50, 1+i%12, (i/12)%1000, 1+(i/12000)%999))
		if err != nil {
			b.Fatal(err)
		}
		d := start.AddDays(i * 360 / len(xs))
		recue := d.Time(time.UTC).Add(34 * time.Hour)
		xs[i] = sqldb.ArretHistorique{Ref: int64(i + 1), Assure: medconseil.Assure{NIR: nir, Residence: communes[i%len(communes)]}, Prescripteur: "10001234567",
			Arret:   medconseil.ArretTravail{Debut: d, Fin: d.AddDays(6), CIM10: "M545", Libelle: "lombalgie"},
			RecueLe: recue, Avis: medconseil.Avis{Sens: medconseil.SensJustifie, Par: "synth", Le: recue.Add(50 * time.Hour)}}
	}
	h := &sqldb.HistoryImport{DB: db, Acteur: op, KeyPrefix: "bench-"}
	b.ResetTimer()
	const size = 5000
	for lo := 0; lo < len(xs); lo += size {
		if err := h.File(ctx, xs[lo:min(lo+size, len(xs))]); err != nil {
			b.Fatal(err)
		}
	}
}

// sqliteIndexes lists the indexes of an SQLite base with their text.
func sqliteIndexes(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n, s string
			if err := rows.Scan(&n, &s); err != nil {
				return err
			}
			out[n] = s
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// On an SQLite base with no dossier, the import drops the secondary indexes of the
// big tables and builds them again at its end; an import that dies in between
// leaves them recorded, and the next Migrate builds them.
func TestHistoryImportDefersIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	open := func() *sqldb.DB {
		db, err := sqldb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Keys, db.AuditKey = sqldbtest.Keys(t), sqldbtest.AuditKey(t)
		return db
	}
	db := open()
	as := actors(t, db)
	want := sqliteIndexes(t, db)
	xs := []sqldb.ArretHistorique{
		closedArret(t, 10, 0, nir1, "2026-03-02", "2026-03-13", "M545", "lombalgie"),
		closedArret(t, 11, 10, nir1, "2026-03-14", "2026-04-10", "M545", "lombalgie"),
	}
	h := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
	if err := h.File(ctx, xs[:1]); err != nil {
		t.Fatal(err)
	}
	got := sqliteIndexes(t, db)
	if _, ok := got["dossier_dep_id"]; ok || len(got) >= len(want) {
		t.Fatalf("index pendant l'import : %d, %d avant ; dossier_dep_id toujours là", len(got), len(want))
	}
	for n, s := range want {
		if strings.HasPrefix(s, "CREATE UNIQUE") && got[n] != s {
			t.Errorf("index unique %s supprimé", n)
		}
	}
	if err := h.File(ctx, xs[1:]); err != nil {
		t.Fatal(err)
	}
	// Before a bulk load through the intake, the indexes it reads only.
	if err := h.Finish(ctx, sqldb.IntakeIndex); err != nil {
		t.Fatal(err)
	}
	got = sqliteIndexes(t, db)
	for n, s := range want {
		if _, ok := got[n]; ok != sqldb.IntakeIndex(n) && !strings.HasPrefix(s, "CREATE UNIQUE") {
			t.Errorf("index %s présent : %v, want %v", n, ok, sqldb.IntakeIndex(n))
		}
	}
	if _, ok := got["dossier_nir_type"]; !ok {
		t.Error("dossier_nir_type, lu par la pré-analyse, non reconstruit")
	}
	if err := db.RebuildDeferredIndexes(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sqliteIndexes(t, db)); diff != "" {
		t.Errorf("index après l'import (-avant +après) :\n%s", diff)
	}
	// The rebuild sorted on every core (temporary files, sorter threads), and
	// gave the writer back Open's settings.
	var store, threads int
	if err := db.Write(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `PRAGMA temp_store -- after the rebuild`).Scan(&store); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `PRAGMA threads -- after the rebuild`).Scan(&threads)
	}); err != nil {
		t.Fatal(err)
	}
	if store != 2 || threads != 0 {
		t.Errorf("writer after the rebuild: temp_store %d, threads %d; want 2 (memory) and 0, as Open leaves them", store, threads)
	}
	if n := countEch(t, db, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'index_differe'`); n != 0 {
		t.Errorf("index_differe reste après la reconstruction")
	}
	if n := count(t, db, "dossier"); n != 2 {
		t.Fatalf("%d dossiers, want 2", n)
	}
	countersMatch(t, db)
	// A second import on a base that has dossiers keeps its indexes.
	h2 := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "autre-"}
	if err := h2.File(ctx, []sqldb.ArretHistorique{closedArret(t, 20, 0, nir1, "2026-06-01", "2026-06-05", "J111", "grippe")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sqliteIndexes(t, db)); diff != "" {
		t.Errorf("index d'une base non vide pendant l'import (-avant +après) :\n%s", diff)
	}
	db.Close()

	// An import that dies before Finish: the next Migrate builds the indexes.
	path = filepath.Join(t.TempDir(), "crash.db")
	db = open()
	as = actors(t, db)
	h = &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
	if err := h.File(ctx, xs[:1]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open()
	defer db.Close()
	if diff := cmp.Diff(want, sqliteIndexes(t, db)); diff != "" {
		t.Errorf("index après une reprise (-attendu +obtenu) :\n%s", diff)
	}
	// The import resumes on the base that now has a dossier, with its indexes.
	h = &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
	if err := h.File(ctx, xs); err != nil || h.Replayed != 1 || h.Filed != 1 {
		t.Fatalf("reprise de l'import : %v, %d rejoués, %d déposés", err, h.Replayed, h.Filed)
	}
	if err := h.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	countersMatch(t, db)
}

// The imported dossiers carry the registered name of their assuré (nom_assure, on
// which the worklist searches and sorts), whether the import created the assuré or
// found him registered under another name than the row declares.
func TestHistoryImportNomAssure(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		const nir2 = "284127511800113"
		// nir1 registered first as DURAND by a filing.
		o := arret(t, nir1, "2026-01-05", "2026-01-09", "J111", "grippe", "")
		o.Assure.Nom = "DURAND"
		if _, _, err := in.FileArret(ctx, as["prescripteur.demo"], o, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		xs := []sqldb.ArretHistorique{
			closedArret(t, 10, 0, nir1, "2026-03-02", "2026-03-13", "M545", "lombalgie"),
			closedArret(t, 20, 0, nir2, "2026-06-01", "2026-06-05", "J111", "grippe"),
			closedArret(t, 21, 0, nir2, "2026-07-01", "2026-07-05", "J111", "grippe"),
		}
		xs[1].Assure.Nom, xs[2].Assure.Nom = "BERNARD", "AUTRE"
		h := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
		if err := h.File(ctx, xs); err != nil {
			t.Fatal(err)
		}
		if err := h.Finish(ctx, nil); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			rows, err := tx.Query(ctx, `SELECT d.decl_nom, d.nom_assure FROM dossier d ORDER BY d.id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var decl, nom string
				if err := rows.Scan(&decl, &nom); err != nil {
					return err
				}
				got[decl] = nom
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		// MARTIN (declared on the import's row of nir1) is registered as DURAND;
		// nir2 is created by the import from its first row, BERNARD.
		want := map[string]string{"DURAND": "DURAND", "MARTIN": "DURAND", "BERNARD": "BERNARD", "AUTRE": "BERNARD"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("nom_assure des dossiers (déclaré → enregistré) (-want +got):\n%s", diff)
		}
	})
}
