package sqldb_test

import (
	"strings"
	"sync"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// Tests of the dossier ids the intake reserves ahead of their write
// (dossier_ids.go), on both engines.

// second opens another handle on db's store, as another process would.
func second(t *testing.T, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	o, err := sqldb.Open(ctx, sqldb.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	o.Keys, o.AuditKey, o.Now = db.Keys, db.AuditKey, db.Now
	return o
}

// Ids reserved at once by many callers are all distinct and above every written
// dossier; a filing takes the next one.
func TestReservedDossierIDsAreDistinct(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		first, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-30", "2026-12-05", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[int64]bool{first: true}
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 60; i++ {
					id, err := sqldb.ReserveDossierID(ctx, db)
					mu.Lock()
					switch {
					case err != nil:
						t.Error(err)
					case id <= first:
						t.Errorf("reserved id %d is not above the written dossier %d", id, first)
					case seen[id]:
						t.Errorf("id %d reserved twice", id)
					}
					seen[id] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if n := sqldb.DossierIDBlocks(db); n < 480/128 {
			t.Errorf("%d blocks reserved for 481 ids", n)
		}
		next, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, "284127511800113", "2026-11-30", "2026-12-05", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if seen[next] {
			t.Errorf("filing took id %d, already handed out", next)
		}
	})
}

// An id reserved by one handle and taken by another writer meanwhile (on SQLite,
// another process reserves from the same MAX(id)): the write finds it taken, the
// dossier gets another id and what it seals opens with that id.
func TestReservedIDTakenByAnotherWriter(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		other := second(t, db)
		defer other.Close()
		otherIn := &sqldb.Intake{DB: other, Analyst: in.Analyst}
		// Backdated by 22 days: the pre-analysis raises an alert, sealed too.
		x := arret(t, nir1, "2026-11-10", "2026-11-20", "F321", "épisode dépressif", "harcèlement")
		p, err := sqldb.PrepareArret(ctx, in, as["prescripteur.demo"], x)
		if err != nil {
			t.Fatal(err)
		}
		reserved := p.ReservedID()
		if reserved == 0 {
			t.Fatal("no id reserved")
		}
		taken, _, err := otherIn.FileArret(ctx, as["prescripteur.demo"], arret(t, "284127511800113", "2026-11-30", "2026-12-05", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		id, err := p.Write(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == sqldb.SQLite {
			if taken != reserved || id == reserved {
				t.Fatalf("other writer took %d, reserved %d, written as %d: the test does not collide", taken, reserved, id)
			}
		} else if id != reserved {
			// One sequence for both handles: no collision.
			t.Errorf("written as %d, reserved %d", id, reserved)
		}
		if id == taken {
			t.Fatalf("two dossiers with id %d", id)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Arret == nil || d.Arret.CIM10 != "F321" || d.Arret.Motif != "harcèlement" || d.PreAnalyse == nil || !strings.Contains(codes(d.Alertes), "antidate") {
			t.Errorf("dossier %d read back: arrêt %+v, pre-analysis %+v, alerts %+v", id, d.Arret, d.PreAnalyse, d.Alertes)
		}
		// The next filing of this handle gets a free id again.
		next, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, "195037511800159", "2026-11-30", "2026-12-05", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if next == id || next == taken {
			t.Errorf("next filing took id %d again", next)
		}
	})
}

// A process that reserved ids and stopped (crash) before writing them: nothing
// refers to them, the store goes on without a duplicate — on PostgreSQL they are
// gaps of the sequence, on SQLite they may be handed out again.
func TestReservationLostInACrash(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		gone := second(t, db)
		p, err := sqldb.PrepareArret(ctx, &sqldb.Intake{DB: gone, Analyst: in.Analyst}, as["prescripteur.demo"], arret(t, nir1, "2026-11-30", "2026-12-05", "M545", "lombalgie", ""))
		if err != nil {
			t.Fatal(err)
		}
		lost := p.ReservedID()
		gone.Close()
		if _, err := p.Write(ctx); err == nil {
			t.Fatal("a filing prepared by a closed store was written")
		}
		ids := map[int64]bool{}
		for _, n := range []string{nir1, "284127511800113", "195037511800159"} {
			id, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, n, "2026-11-30", "2026-12-05", "M545", "lombalgie", ""), sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if ids[id] {
				t.Fatalf("id %d given twice", id)
			}
			ids[id] = true
			if db.Dialect() == sqldb.Postgres && id <= lost {
				t.Errorf("PostgreSQL handed out %d again after %d was reserved", id, lost)
			}
			if _, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{}); err != nil {
				t.Errorf("dossier %d: %v", id, err)
			}
		}
		var n, distinct int
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT id) FROM dossier`).Scan(&n, &distinct)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 3 || distinct != 3 {
			t.Errorf("%d dossiers, %d distinct ids; want 3", n, distinct)
		}
	})
}

// A filing prepared first but written after a later one keeps its lower id: the
// pre-analysis of a filing prepared in between must still see it. The watermark
// counts the assuré's dossiers (the highest id alone would not change).
func TestPreAnalysisSeesALowerIDWrittenLater(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		in := intake(t, db)
		q, err := sqldb.PrepareArret(ctx, in, as["prescripteur.demo"], arret(t, nir1, "2026-11-30", "2026-12-10", "M545", "lombalgie", ""))
		if err != nil {
			t.Fatal(err)
		}
		// A later, unrelated arrêt of the same assuré, written at once: higher id.
		s, _, err := in.FileArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-06-01", "2026-06-05", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if s <= q.ReservedID() {
			t.Fatalf("ids %d then %d: the test needs the later filing above", q.ReservedID(), s)
		}
		// Prepared now, its history holds s but not q, which is not written yet.
		o := arret(t, nir1, "2026-12-01", "2026-12-04", "J111", "grippe", "")
		o.Prescripteur = "10009999999"
		r, err := sqldb.PrepareArret(ctx, in, as["autre.medecin"], o)
		if err != nil {
			t.Fatal(err)
		}
		qid, err := q.Write(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rid, err := r.Write(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Dossier(ctx, as["praticien.67"], rid, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, al := range d.Alertes {
			found = found || (al.Code == "chevauchement" && al.RefID == qid)
		}
		if !found {
			t.Errorf("overlap with %d (written after the pre-analysis was prepared) missed: alerts %+v", qid, d.Alertes)
		}
	})
}

// The history import takes its ids from the same source as the intake's blocks:
// it never writes a dossier under an id the intake reserved and has not written
// yet (which would send that filing down the fallback path).
func TestHistoryImportSkipsReservedIDs(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		r, err := sqldb.ReserveDossierID(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		h := &sqldb.HistoryImport{DB: db, Acteur: as["admin"], KeyPrefix: "histoire-"}
		if err := h.File(ctx, []sqldb.ArretHistorique{closedArret(t, 10, 0, nir1, "2026-03-02", "2026-03-13", "M545", "lombalgie")}); err != nil {
			t.Fatal(err)
		}
		if err := h.Finish(ctx, nil); err != nil {
			t.Fatal(err)
		}
		id, ok := h.InitialID(10)
		if !ok {
			t.Fatal("the imported arrêt has no id")
		}
		r2, err := sqldb.ReserveDossierID(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if id == r || id == r2 {
			t.Errorf("history dossier written as %d, an id the intake reserved (%d, %d)", id, r, r2)
		}
	})
}
