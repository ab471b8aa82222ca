package sqldb_test

import (
	"sort"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestPurge: past-retention closed dossiers go, in batches, journaled, with their
// arrêt, avis and notes, and their assuré once it has no dossier left; open,
// contested, MSAP-like, AT/MP (excluded type) and recent dossiers stay; an initial
// arrêt goes with its prolongation; the dry run lists the same set and writes
// nothing.
func TestPurge(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ac := actors(t, db)
		p, pr := ac["prescripteur.demo"], ac["praticien.67"]
		mk := func(nir string) int64 {
			id, _, err := db.CreateArret(ctx, p, arret(t, nir, "2000-01-03", "2000-01-20", "M545", "lombalgie", "motif"), sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		old := "2001-01-01T00:00:00.000000000Z"
		set := func(id int64, typ, etat, majLe string) {
			execSQL(t, db, `UPDATE dossier SET type = ?, etat = ?, maj_le = ? WHERE id = ?`, typ, etat, majLe, id)
		}
		const other = "285056748212384"
		gone := mk(nir1) // closed long ago
		if err := db.AddNote(ctx, pr, gone, "note", sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, pr, gone, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.GiveAvis(ctx, pr, gone, d.Version, medconseil.Avis{Sens: medconseil.SensJustifie, Motif: "ok"}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		set(gone, "arret_travail", "classee", old)
		open := mk(other)
		set(open, "arret_travail", "a_instruire", old)
		contested := mk(other)
		set(contested, "arret_travail", "contestee", old)
		msap := mk(other)
		set(msap, "msap", "notifiee", old)
		atmp := mk(other)
		set(atmp, "atmp", "classee", old)
		recent := mk(other)
		set(recent, "arret_travail", "classee", time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z"))
		initial := mk(nir1)
		in := arret(t, nir1, "2000-01-21", "2000-02-10", "M545", "lombalgie", "")
		in.Arret.Nature, in.Arret.InitialID = medconseil.NatureProlongation, initial
		prolongation, _, err := db.CreateArret(ctx, p, in, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		set(initial, "arret_travail", "classee", old)
		set(prolongation, "arret_travail", "notifiee", old)
		// An initial whose prolongation stays open stays too.
		keptInitial := mk(other)
		in2 := arret(t, other, "2000-01-21", "2000-02-10", "M545", "lombalgie", "")
		in2.Arret.Nature, in2.Arret.InitialID = medconseil.NatureProlongation, keptInitial
		keptProl, _, err := db.CreateArret(ctx, p, in2, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		set(keptInitial, "arret_travail", "classee", old)
		set(keptProl, "arret_travail", "a_instruire", old)

		pol := sqldb.PurgePolicy{Avant: time.Now().AddDate(-20, 0, 0), TypesExclus: []medconseil.TypeDossier{medconseil.TypeATMP}, Batch: 2}
		want := []int64{gone, initial, prolongation}
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		headBefore, _, _ := db.JournalHead(ctx)
		var listed []int64
		res, err := db.Purge(ctx, pol, true, func(it sqldb.PurgeItem) { listed = append(listed, it.ID) })
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(listed, func(i, j int) bool { return listed[i] < listed[j] })
		if res.Dossiers != 3 || !equalIDs(listed, want) {
			t.Fatalf("dry run listed %v (%d), want %v", listed, res.Dossiers, want)
		}
		if h, _, _ := db.JournalHead(ctx); h != headBefore || countRows(t, db, "dossier") != 10 {
			t.Fatalf("the dry run wrote: journal %d → %d, %d dossiers", headBefore, h, countRows(t, db, "dossier"))
		}
		var purged []int64
		res, err = db.Purge(ctx, pol, false, func(it sqldb.PurgeItem) { purged = append(purged, it.ID) })
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(purged, func(i, j int) bool { return purged[i] < purged[j] })
		if !equalIDs(purged, want) || res.Assures != 1 {
			t.Fatalf("purged %v and %d assurés, want %v and 1 (%s)", purged, res.Assures, want, nir1)
		}
		if n := countRows(t, db, "dossier"); n != 7 {
			t.Errorf("%d dossiers left, want 7", n)
		}
		for _, tbl := range []string{"arret", "avis", "note_clinique"} {
			var n int
			if err := db.Read(ctx, func(tx *sqldb.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+tbl+` WHERE dossier_id IN (?, ?, ?)`, want[0], want[1], want[2]).Scan(&n)
			}); err != nil || n != 0 {
				t.Errorf("%s rows of purged dossiers: %d (%v)", tbl, n, err)
			}
		}
		var assures, journaled int
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM assure WHERE nir = ?`, nir1).Scan(&assures); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE action = 'conservation.purge' AND login = 'conservation'`).Scan(&journaled)
		}); err != nil {
			t.Fatal(err)
		}
		if assures != 0 || journaled != 4 {
			t.Errorf("assuré %s left %d times; %d purge entries journaled, want 4", nir1, assures, journaled)
		}
		if _, p, err := db.VerifyAudit(ctx); p != nil || err != nil {
			t.Fatalf("audit verify after purge: %v %v", p, err)
		}
		if res, err := db.Purge(ctx, pol, false, nil); err != nil || res.Dossiers != 0 {
			t.Errorf("second purge = %+v, %v; want nothing left to purge", res, err)
		}
	})
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func countRows(t *testing.T, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
