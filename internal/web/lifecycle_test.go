package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestEvenementRoute: the agent of the territory asks for documents on an arrêt,
// a CPAM agent may not, an agent of another département does not see it, a stale
// version is a conflict, an unknown event is refused in French.
func TestEvenementRoute(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		tok := e.token("prescripteur.demo")
		res, b := e.do("POST", "/api/v1/arrets", tok, map[string]any{"nir": nirMatrix, "residence": "67482", "prescripteur": prescripteur, "nature": "initial",
			"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "teleconsultation": false}, nil)
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, b)
		}
		var created struct{ ID int64 }
		json.Unmarshal([]byte(b), &created)
		path := fmt.Sprintf("/api/v1/dossiers/%d/evenements", created.ID)
		if res, b := e.do("POST", path, e.token("cpam.67"), map[string]any{"evenement": "demander_pieces", "version": 1}, nil); res.StatusCode != 403 {
			t.Errorf("cpam: %d %s, want 403", res.StatusCode, b)
		}
		if res, b := e.do("POST", path, e.token("agent.57"), map[string]any{"evenement": "demander_pieces", "version": 1}, nil); res.StatusCode != 404 {
			t.Errorf("agent of another département: %d %s, want 404", res.StatusCode, b)
		}
		agent := e.token("agent.67")
		if res, b := e.do("POST", path, agent, map[string]any{"evenement": "demander_pieces", "version": 1}, nil); res.StatusCode != 200 || !strings.Contains(b, `"version":2`) {
			t.Fatalf("demander_pieces: %d %s", res.StatusCode, b)
		}
		if res, b := e.do("POST", path, agent, map[string]any{"evenement": "pieces_recues", "version": 1}, nil); res.StatusCode != 409 {
			t.Errorf("stale version: %d %s, want 409", res.StatusCode, b)
		}
		if res, b := e.do("POST", path, agent, map[string]any{"evenement": "envoler", "version": 2}, nil); res.StatusCode != 422 || !strings.Contains(b, "inconnu") || !strings.Contains(b, "pieces_recues") {
			t.Errorf("unknown event: %d %s", res.StatusCode, b)
		}
		res, b = e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", created.ID), agent, nil, nil)
		if res.StatusCode != 200 || !strings.Contains(b, `"etat":"attente_pieces"`) {
			t.Errorf("after the request for documents: %d %s", res.StatusCode, b)
		}
		// The arrêt's service reminder keeps running while documents are awaited.
		es, err := db.Echeances(t.Context(), created.ID)
		if err != nil || len(es) != 1 || es[0].Statut != "attente" {
			t.Errorf("reminder after the request for documents: %+v %v", es, err)
		}
	})
}
