package web_test

import (
	"fmt"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func arretBody(extra map[string]any) map[string]any {
	m := map[string]any{"nir": nirMatrix, "residence": "67482", "prescripteur": prescripteur, "nature": "initial",
		"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie", "teleconsultation": false}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// TestIdempotencyKeyWholeAndCanonical: keys differing only after 200 characters
// are two keys; the same JSON written with other whitespace and key order is a
// replay, not a conflict; another body under the same key is a conflict.
func TestIdempotencyKeyWholeAndCanonical(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		tok := e.token("prescripteur.demo")
		long := strings.Repeat("k", 250)
		r1, _ := e.do("POST", "/api/v1/arrets", tok, arretBody(nil), map[string]string{"Idempotency-Key": long + "A"})
		r2, _ := e.do("POST", "/api/v1/arrets", tok, arretBody(nil), map[string]string{"Idempotency-Key": long + "B"})
		if r1.StatusCode != 201 || r2.StatusCode != 201 || r2.Header.Get("Idempotent-Replayed") == "true" {
			t.Errorf("two keys sharing 250 characters: %d, %d (replayed %q)", r1.StatusCode, r2.StatusCode, r2.Header.Get("Idempotent-Replayed"))
		}
		if n := countRows(t, db, "dossier"); n != 2 {
			t.Errorf("%d dossiers, want 2", n)
		}
		compact := `{"nir":"185056748212337","residence":"67482","prescripteur":"10001234567","nature":"initial","debut":"2026-11-03","fin":"2026-11-20","cim10":"M545","libelle":"lombalgie"}`
		spaced := "{\n  \"libelle\" : \"lombalgie\",\t\"cim10\": \"M545\", \"fin\":\"2026-11-20\", \"debut\" : \"2026-11-03\",\n \"nature\":\"initial\", \"prescripteur\":\"10001234567\", \"residence\":\"67482\", \"nir\":\"185056748212337\"\n}\n"
		h := map[string]string{"Idempotency-Key": "canon-1"}
		a, b1 := e.do("POST", "/api/v1/arrets", tok, compact, h)
		b, b2 := e.do("POST", "/api/v1/arrets", tok, spaced, h)
		if a.StatusCode != 201 || b.StatusCode != 201 || b1 != b2 || b.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("same JSON, other whitespace and order: %d %s / %d %s", a.StatusCode, b1, b.StatusCode, b2)
		}
		c, _ := e.do("POST", "/api/v1/arrets", tok, strings.Replace(compact, "2026-11-20", "2026-11-21", 1), h)
		if c.StatusCode != 409 {
			t.Errorf("other body under the same key: %d, want 409", c.StatusCode)
		}
		if n := countRows(t, db, "dossier"); n != 3 {
			t.Errorf("%d dossiers, want 3", n)
		}
	})
}

// TestAbsurdInputRefused: each is refused in French, naming the field, and writes
// nothing.
func TestAbsurdInputRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		tok := e.token("prescripteur.demo")
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"year 0001", arretBody(map[string]any{"debut": "0001-01-01", "fin": "0001-01-10"}), "debut"},
			{"birth in 2030", arretBody(map[string]any{"naissance": "2030-05-01"}), "naissance"},
			{"birth in 1850", arretBody(map[string]any{"naissance": "1850-05-01"}), "naissance"},
			{"20,000-character name", arretBody(map[string]any{"nom": strings.Repeat("N", 20000)}), "nom"},
			{"zero-width label", arretBody(map[string]any{"libelle": "\u200b\u200c\u200d\ufeff"}), "libelle"},
			{"NUL in the label", `{"libelle":"a\u0000b"}`, ""},
			{"wrong types", arretBody(map[string]any{"debut": 20261102}), "debut"},
		} {
			res, body := e.do("POST", "/api/v1/arrets", tok, c.body, nil)
			if res.StatusCode != 422 || !strings.Contains(body, `"code":"invalid"`) || (c.field != "" && !strings.Contains(body, `"field":"`+c.field+`"`)) {
				t.Errorf("%s: %d %.300s, want 422 on %s", c.name, res.StatusCode, body, c.field)
			}
			for _, english := range []string{"number", "string", "json:", "cannot unmarshal", "Go "} {
				if strings.Contains(body, english) {
					t.Errorf("%s: English %q in %s", c.name, english, body)
				}
			}
		}
		if n := countRows(t, db, "dossier") + countRows(t, db, "assure"); n != 0 {
			t.Errorf("%d rows written by refused requests", n)
		}
		if res, body := e.do("POST", "/api/v1/arrets", tok, arretBody(map[string]any{"debut": 20261102}), nil); !strings.Contains(body, "une chaîne attendu, un nombre reçu") {
			t.Errorf("type error message: %d %s", res.StatusCode, body)
		}
	})
}

// TestCSVFormulaNeutralised: a name that a spreadsheet would run is exported as text.
func TestCSVFormulaNeutralised(t *testing.T) {
	e := start(t, sqldbtest.SQLite(t))
	tok := e.token("prescripteur.demo")
	if res, body := e.do("POST", "/api/v1/arrets", tok, arretBody(map[string]any{"nom": `=HYPERLINK("http://evil.example","x")`, "prenom": "+33 1", "libelle": "@SUM(A1)"}), nil); res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	csv := e.browser("praticien.67").get("/dossiers.csv")
	for _, want := range []string{`'=HYPERLINK`, `'+33 1`, `'@SUM(A1)`} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
	for _, line := range strings.Split(csv, "\n") {
		for _, cell := range strings.Split(line, ";") {
			cell = strings.Trim(cell, `"`)
			if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
				t.Errorf("formula cell %q", cell)
			}
		}
	}
}

// TestInternalNotes: an internal note stays in the medical team; a note to the
// prescriber reaches it; the prescriber never reads the internal one.
func TestInternalNotes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := seedMatrixDossier(t, e)
		path := fmt.Sprintf("/api/v1/dossiers/%d/notes", id)
		pc := e.token("praticien.67")
		if res, body := e.do("POST", path, pc, map[string]string{"texte": "ZINTERNE avis du sapiteur"}, nil); res.StatusCode != 204 {
			t.Fatalf("internal note: %d %s", res.StatusCode, body)
		}
		b := e.browser("praticien.67")
		b.get(fmt.Sprintf("/dossiers/%d", id))
		if res, _ := b.post(fmt.Sprintf("/dossiers/%d/notes", id), map[string][]string{"csrf": {b.csrf}, "texte": {"ZCONFRATERNEL merci de préciser"}, "destinataire": {"prescripteur"}}); res.StatusCode != 200 {
			t.Fatalf("note to the prescriber: %d", res.StatusCode)
		}
		if res, _ := e.do("POST", path, pc, map[string]string{"texte": "x", "destinataire": "employeur"}, nil); res.StatusCode != 422 {
			t.Errorf("unknown addressee: %d, want 422", res.StatusCode)
		}
		for login, internal := range map[string]bool{"praticien.67": true, "infirmier.67": true, "chef.67": true, "prescripteur.demo": false} {
			_, api := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", id), e.token(login), nil, nil)
			html := e.browser(login).get(fmt.Sprintf("/dossiers/%d", id))
			for route, body := range map[string]string{"api": api, "html": html} {
				if strings.Contains(body, "ZINTERNE") != internal {
					t.Errorf("%s %s: internal note shown = %v, want %v", login, route, !internal, internal)
				}
				if !strings.Contains(body, "ZCONFRATERNEL") {
					t.Errorf("%s %s: the note to the prescriber is not shown", login, route)
				}
			}
		}
	})
}
