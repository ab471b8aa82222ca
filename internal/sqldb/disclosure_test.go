package sqldb_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// lastEntry returns the newest journal entry of action.
func lastEntry(t *testing.T, db *sqldb.DB, action string) sqldb.AuditEntry {
	t.Helper()
	es := allEntries(t, db)
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Action == action {
			_, es[i].Objet, _ = strings.Cut(es[i].Objet, "\x00")
			return es[i]
		}
	}
	t.Fatalf("no %s entry", action)
	return sqldb.AuditEntry{}
}

// Every dossier shown is journaled: the ids of a worklist page, of an export, and
// of the history shown with a dossier — one entry per read, not one per dossier.
func TestDisclosuresJournaled(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		var ids []int64
		for _, d := range [][2]string{{"2026-10-01", "2026-10-10"}, {"2026-11-02", "2026-11-20"}} {
			id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, d[0], d[1], "M545", "lombalgie", ""), sqldb.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		want := fmt.Sprintf("%d,%d", ids[0], ids[1])

		rows, _, err := db.Worklist(ctx, as["praticien.67"], sqldb.WorklistQuery{Meta: sqldb.Meta{Adresse: "10.0.0.1", Finalite: "consultation"}})
		if err != nil || len(rows) != 2 {
			t.Fatalf("worklist: %d rows, %v", len(rows), err)
		}
		e := lastEntry(t, db, "dossiers.liste")
		if e.Divulgues != want || e.Login != "praticien.67" || e.Adresse != "10.0.0.1" || e.Finalite != "consultation" {
			t.Errorf("worklist entry: %+v, want divulgues %s", e, want)
		}

		if _, err := db.Export(ctx, as["cpam.67"], sqldb.WorklistQuery{}, sqldb.Meta{Finalite: "export"}); err != nil {
			t.Fatal(err)
		}
		if e := lastEntry(t, db, "dossiers.export"); e.Divulgues != want {
			t.Errorf("export entry divulgues %q, want %q", e.Divulgues, want)
		}
		if n := len(allEntries(t, db)); n == 0 {
			t.Fatal("no entries")
		}

		if _, err := db.Dossier(ctx, as["praticien.67"], ids[1], sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		e = lastEntry(t, db, "dossier.lecture")
		if e.Objet != fmt.Sprintf("dossier:%d", ids[1]) || e.Divulgues != fmt.Sprint(ids[0]) {
			t.Errorf("dossier read entry: objet %q divulgues %q, want the history's %d", e.Objet, e.Divulgues, ids[0])
		}

		// The auditor asking who saw dossier ids[0] finds the list, the export and the history.
		got, _, err := db.AuditEntries(ctx, as["dpo"], sqldb.AuditQuery{Objet: fmt.Sprintf("dossier:%d", ids[0])}, sqldb.Meta{Finalite: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, e := range got {
			actions[e.Action] = true
		}
		for _, a := range []string{"arret.depot", "dossiers.liste", "dossiers.export", "dossier.lecture"} {
			if !actions[a] {
				t.Errorf("search for dossier:%d misses %s (found %v)", ids[0], a, actions)
			}
		}
		if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
			t.Fatalf("verify: %v %v", problem, err)
		}
	})
}

// A purpose outside the closed list is refused, naming the field, and nothing is read.
func TestFinaliteClosedList(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		as := actors(t, db)
		id, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		before := len(allEntries(t, db))
		d, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{Finalite: "curiosité"})
		var me *medconseil.Error
		if d != nil || err == nil || !errorsAs(err, &me) || me.Code != medconseil.EINVALID || me.Field != "finalite" || !strings.Contains(me.Message, "consultation") {
			t.Fatalf("unknown finalité: dossier %v, err %v", d != nil, err)
		}
		if after := len(allEntries(t, db)); after != before {
			t.Errorf("refused read wrote %d entries", after-before)
		}
		if _, err := db.Dossier(ctx, as["praticien.67"], id, sqldb.Meta{Finalite: "instruction"}); err != nil {
			t.Fatal(err)
		}
	})
}

func errorsAs(err error, target **medconseil.Error) bool { return errors.As(err, target) }
