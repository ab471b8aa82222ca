package sqldb_test

import (
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestOrganisationDated: the dates of the organisation (décret 2025-599) survive the
// store, and a new seed refreshes them.
func TestOrganisationDated(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
			t.Fatal(err)
		}
		orgs, err := db.Organisation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]medconseil.Organisme{}
		for _, o := range orgs {
			byCode[o.Code] = o
		}
		if e := byCode["ELSM-67"]; e.Fin != medconseil.NewDate(2025, 9, 30) || !e.Debut.IsZero() {
			t.Errorf("ELSM-67 = %+v, want open start and end on 2025-09-30", e)
		}
		sm := byCode["SM-67"]
		if sm.Type != medconseil.TypeServiceMedical || sm.Debut != medconseil.NewDate(2025, 10, 1) || sm.Parent != "CPAM-67" || !sm.Fin.IsZero() {
			t.Errorf("SM-67 = %+v", sm)
		}
		if s := byCode["S67-STRASBOURG"]; s.Parent != "SM-67" {
			t.Errorf("site parent = %q, want SM-67", s.Parent)
		}
		// Seeding twice keeps one row per body.
		if err := db.SeedOrganisation(ctx, medconseil.GrandEst()); err != nil {
			t.Fatal(err)
		}
		again, err := db.Organisation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(orgs) || len(orgs) != len(medconseil.GrandEst()) {
			t.Errorf("%d then %d bodies, want %d", len(orgs), len(again), len(medconseil.GrandEst()))
		}
	})
}
