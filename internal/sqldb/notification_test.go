package sqldb_test

import (
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestNotificationsOutbox: an avis and a tacit approval each write one notification
// for the caisse of the dossier, in the decision's transaction, without clinical
// content; the caisse reads them by cursor, the same cursor giving the same answer;
// another caisse and the medical roles read none.
func TestNotificationsOutbox(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", "douleur"), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		// A refused avis (stale version) writes nothing.
		if _, err := db.GiveAvis(ctx, as["praticien.67"], id, 9, medconseil.Avis{Sens: medconseil.SensJustifie}, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.ECONFLICT {
			t.Fatalf("stale avis: %v", err)
		}
		if n := count(t, db, "notification"); n != 0 {
			t.Fatalf("%d notifications after a refused avis, want 0", n)
		}
		const motif = "SECRET-MOTIF reprise possible au poste aménagé"
		if _, err := db.GiveAvis(ctx, as["praticien.67"], id, 1, medconseil.Avis{Sens: medconseil.SensNonJustifie, EffetAu: day(t, "2026-11-10"), Motif: motif}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		tacit := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
		if res := sweep(t, db, "2026-11-18"); res.Fired < 1 {
			t.Fatalf("sweep fired %+v", res)
		}
		sweep(t, db, "2026-11-30") // fired deadlines never notify twice

		got, err := db.Notifications(ctx, as["cpam.67"], 0, 100, sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("cpam.67 reads %d notifications, want 2: %+v", len(got), got)
		}
		if got[0].DossierID != id || got[0].Nature != "avis" || got[0].Caisse != "67" || !strings.Contains(got[0].Conclusion, "non justifié à compter du 10/11/2026") {
			t.Errorf("avis notification = %+v", got[0])
		}
		if got[1].DossierID != tacit || got[1].Nature != "accord_tacite" || got[1].Date != day(t, "2026-11-18") || !strings.Contains(got[1].Conclusion, "17/11/2026") {
			t.Errorf("accord tacite notification = %+v", got[1])
		}
		for _, n := range got {
			if strings.Contains(n.Conclusion, "SECRET") || strings.Contains(n.Conclusion, "lombalgie") || strings.Contains(n.Conclusion, "M545") {
				t.Errorf("clinical content in %q", n.Conclusion)
			}
		}
		again, err := db.Notifications(ctx, as["cpam.67"], got[0].Seq, 100, sqldb.Meta{})
		if err != nil || len(again) != 1 || again[0].Seq != got[1].Seq {
			t.Errorf("after cursor %d: %+v %v, want the second only", got[0].Seq, again, err)
		}
		again, _ = db.Notifications(ctx, as["cpam.67"], got[0].Seq, 100, sqldb.Meta{})
		if len(again) != 1 {
			t.Errorf("the same cursor read twice gives %d, want 1", len(again))
		}
		if other, err := db.Notifications(ctx, as["cpam.57"], 0, 100, sqldb.Meta{}); err != nil || len(other) != 0 {
			t.Errorf("cpam.57 reads %+v %v, want none", other, err)
		}
		if _, err := db.Notifications(ctx, as["praticien.67"], 0, 100, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.EFORBIDDEN {
			t.Errorf("praticien reads notifications: %v, want EFORBIDDEN", err)
		}
		if _, err := db.Notifications(ctx, as["cpam.67"], -1, 100, sqldb.Meta{}); medconseil.ErrorCode(err) != medconseil.EINVALID {
			t.Errorf("negative cursor: %v, want EINVALID", err)
		}
		var journaled int
		if err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE action = 'notifications.lecture' AND finalite = 'notification'`).Scan(&journaled)
		}); err != nil {
			t.Fatal(err)
		}
		if journaled < 5 {
			t.Errorf("%d reads journaled, want at least 5", journaled)
		}
	})
}

// TestNotifyRefusesOutsideTheClosedList: a nature outside the list, an empty
// conclusion or a missing date is refused and rolls the caller's transaction back.
func TestNotifyRefusesOutsideTheClosedList(t *testing.T) {
	db := sqldbtest.SQLite(t)
	actors(t, db)
	id := fileDossier(t, db, medconseil.TypeTransport, "", "2026-11-02")
	for _, n := range []sqldb.Notification{
		{DossierID: id, Nature: "autre", Conclusion: "x", Date: day(t, "2026-11-03")},
		{DossierID: id, Nature: "avis", Conclusion: "  ", Date: day(t, "2026-11-03")},
		{DossierID: id, Nature: "avis", Conclusion: "x"},
		{DossierID: id + 100, Nature: "avis", Conclusion: "x", Date: day(t, "2026-11-03")},
	} {
		err := db.Write(ctx, func(tx *sqldb.Tx) error { _, err := tx.Notify(ctx, n); return err })
		if err == nil {
			t.Errorf("Notify(%+v) accepted", n)
		}
	}
	var seq int64
	if err := db.Write(ctx, func(tx *sqldb.Tx) (err error) {
		seq, err = tx.Notify(ctx, sqldb.Notification{DossierID: id, Nature: "convocation", Conclusion: "Convocation de l'assuré le 20/11/2026", Date: day(t, "2026-11-03")})
		return err
	}); err != nil || seq != 1 {
		t.Errorf("Notify = %d, %v; want 1", seq, err)
	}
}
