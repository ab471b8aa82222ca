package sqldb_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestTokenActeur: a token gives its account with its habilitations; it is refused
// once expired, once revoked, and once its account is deactivated, each with its French message.
func TestTokenActeur(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		chef := chef67(t, db)
		if _, err := db.CreateToken(ctx, chef.ID, "digest-1", "banc", time.Hour, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, chef.ID, "digest-court", "banc", time.Nanosecond, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		a, err := db.TokenActeur(ctx, "digest-1")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != chef.ID || a.Login != "chef.67" || a.Nom != "chef.67" || !reflect.DeepEqual(a.Habilitations, chef.Habilitations) || len(a.Habilitations) != 1 {
			t.Fatalf("token acteur %+v, want %+v", a, chef)
		}
		refused := func(digest, want string) {
			t.Helper()
			_, err := db.TokenActeur(ctx, digest)
			var e *medconseil.Error
			if !errors.As(err, &e) || e.Code != medconseil.EUNAUTHENTICATED || e.Message != want {
				t.Fatalf("%s: %v, want %q", digest, err, want)
			}
		}
		refused("inconnu", "jeton d'API inconnu ou révoqué")
		time.Sleep(time.Millisecond)
		refused("digest-court", "jeton d'API expiré : demandez-en un nouveau (POST /api/v1/tokens)")
		if _, err := db.CreateToken(ctx, chef.ID, "digest-2", "banc", time.Hour, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, chef, "digest-1", 0, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		refused("digest-1", "jeton d'API inconnu ou révoqué")
		if _, err := db.TokenActeur(ctx, "digest-2"); err != nil {
			t.Fatalf("other token after a revocation: %v", err)
		}
		// Deactivating the account revokes its tokens.
		if err := db.SetActive(ctx, nil, "chef.67", false, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
		refused("digest-2", "jeton d'API inconnu ou révoqué")
	})
}
