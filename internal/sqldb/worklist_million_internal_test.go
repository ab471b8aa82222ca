package sqldb

import (
	"os"
	"strings"
	"testing"
)

// TestOpenEtatsMatchPartialIndex: the partial index dossier_ouvert serves the
// worklist only if its condition is the worklist's, word for word (SQLite proves a
// partial index usable by matching the terms): a new open state must go in both.
func TestOpenEtatsMatchPartialIndex(t *testing.T) {
	want := "WHERE etat IN " + strings.ReplaceAll(openEtats(), " ", "")
	for _, engine := range []string{"sqlite", "postgres"} {
		b, err := os.ReadFile("migrations/" + engine + "/0930_liste_million.sql")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s 0930: the condition of dossier_ouvert is not %q", engine, want)
		}
	}
}
