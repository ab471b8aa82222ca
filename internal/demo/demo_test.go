package demo_test

import (
	"context"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestSeedDossiersAtNight: seeded in the small hours, a notice "received" today
// is dated a minute ago, and its avis must come after it — the seed failed with
// « Dossier introuvable » when run before the office hours of the day.
func TestSeedDossiersAtNight(t *testing.T) {
	for _, hour := range []int{0, 12} {
		now := time.Date(2026, time.December, 3, hour, 30, 0, 0, time.UTC)
		db := sqldbtest.SQLite(t)
		if err := db.SeedOrganisation(context.Background(), medconseil.GrandEst()); err != nil {
			t.Fatal(err)
		}
		n, err := demo.SeedDossiers(context.Background(), db, 40, now, 11)
		if err != nil {
			t.Fatalf("%02d:30: %v", hour, err)
		}
		if n < 40 {
			t.Errorf("%02d:30: %d dossiers filed, want at least 40", hour, n)
		}
	}
}
