package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"medconseil/internal/courrier"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

type courriersList struct {
	DossierID int64 `json:"dossier_id"`
	Courriers []struct {
		ID           int64  `json:"id"`
		Reference    string `json:"reference"`
		Modele       string `json:"modele"`
		Destinataire string `json:"destinataire"`
		SHA256       string `json:"sha256"`
		PDF          string `json:"pdf"`
	} `json:"courriers"`
}

// TestCourriersAPIAndPage: an avis given through the API writes its letters; each
// role lists and downloads what it may read, the dossier page links them, every
// download is journaled, and a hidden letter answers like a missing one.
func TestCourriersAPIAndPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		presc := e.token("prescripteur.demo")
		res, body := e.do("POST", "/api/v1/arrets", presc, arretBody(map[string]any{"nom": "ZMNOMLETTRE", "prenom": "Zoé", "motif": "ZMMOTIFARRET"}), nil)
		if res.StatusCode != 201 {
			t.Fatalf("arrêt: %d %s", res.StatusCode, body)
		}
		var created struct{ ID int64 }
		json.Unmarshal([]byte(body), &created)
		prat := e.token("praticien.67")
		res, body = e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/avis", created.ID), prat,
			map[string]any{"sens": "non_justifie", "effet_au": "2026-11-10", "motif": "ZMMOTIFAVIS reprise possible", "version": 1}, nil)
		if res.StatusCode != 200 {
			t.Fatalf("avis: %d %s", res.StatusCode, body)
		}

		list := func(login string) (int, courriersList) {
			res, body := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d/courriers", created.ID), e.token(login), nil, nil)
			var l courriersList
			json.Unmarshal([]byte(body), &l)
			return res.StatusCode, l
		}
		st, all := list("praticien.67")
		if st != 200 || len(all.Courriers) != 3 {
			t.Fatalf("praticien: %d, %+v", st, all)
		}
		for _, tc := range []struct {
			login  string
			status int
			models string
		}{
			{"praticien.67", 200, "notification_assure,information_prescripteur,copie_caisse"},
			{"agent.67", 200, "notification_assure,copie_caisse"},
			{"cpam.67", 200, "notification_assure,copie_caisse"},
			{"prescripteur.demo", 200, "information_prescripteur"},
			{"cpam.57", 404, ""},
			{"autre.medecin", 404, ""},
			{"statisticien", 404, ""},
		} {
			st, l := list(tc.login)
			var models []string
			for _, c := range l.Courriers {
				models = append(models, c.Modele)
			}
			if st != tc.status || strings.Join(models, ",") != tc.models {
				t.Errorf("%s lists %d %v, want %d %s", tc.login, st, models, tc.status, tc.models)
			}
		}

		// Downloads: the PDF as stored, its text as its addressee may read it.
		tokens := map[string]string{}
		for _, l := range []string{"praticien.67", "cpam.67", "prescripteur.demo", "cpam.57"} {
			tokens[l] = e.token(l)
		}
		for _, c := range all.Courriers {
			if c.PDF != fmt.Sprintf("/api/v1/courriers/%d.pdf", c.ID) {
				t.Errorf("link %q", c.PDF)
			}
			res, pdf := e.do("GET", c.PDF, tokens["praticien.67"], nil, nil)
			sum := sha256.Sum256([]byte(pdf))
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || hex.EncodeToString(sum[:]) != c.SHA256 {
				t.Fatalf("%s: %d %s, sha %x want %s", c.PDF, res.StatusCode, res.Header.Get("Content-Type"), sum, c.SHA256)
			}
			text, err := courrier.Text([]byte(pdf))
			if err != nil {
				t.Fatal(err)
			}
			clinical := strings.Contains(text, "ZMMOTIFAVIS")
			if clinical != (c.Modele == courrier.ModeleInformationPrescripteur) {
				t.Errorf("%s (%s): clinical motif present = %v", c.Reference, c.Modele, clinical)
			}
			if strings.Contains(text, "ZMMOTIFARRET") || strings.Contains(text, "M54") || strings.Contains(text, "lombalgie") {
				t.Errorf("%s (%s) carries the arrêt's clinical content:\n%s", c.Reference, c.Modele, text)
			}
			if !strings.Contains(text, c.Reference) {
				t.Errorf("%s: reference missing from its PDF", c.Reference)
			}
			cpamStatus, _ := e.do("GET", c.PDF, tokens["cpam.67"], nil, nil)
			if want := map[bool]int{true: 404, false: 200}[clinical]; cpamStatus.StatusCode != want {
				t.Errorf("cpam.67 downloads %s (%s): %d, want %d", c.Reference, c.Modele, cpamStatus.StatusCode, want)
			}
			// Hidden (another caisse) and missing answer alike.
			rh, hidden := e.do("GET", c.PDF, tokens["cpam.57"], nil, nil)
			rm, missing := e.do("GET", "/api/v1/courriers/99999.pdf", tokens["cpam.57"], nil, nil)
			if rh.StatusCode != 404 || rh.StatusCode != rm.StatusCode || hidden != missing {
				t.Errorf("hidden letter %d %q, missing %d %q", rh.StatusCode, hidden, rm.StatusCode, missing)
			}
		}
		if res, _ := e.do("GET", "/api/v1/courriers/abc.pdf", tokens["praticien.67"], nil, nil); res.StatusCode != 404 {
			t.Errorf("malformed name: %d", res.StatusCode)
		}
		if res, body := e.do("GET", all.Courriers[0].PDF+"?finalite=curiosite", tokens["praticien.67"], nil, nil); res.StatusCode != 422 || !strings.Contains(body, "finalité") {
			t.Errorf("unknown finalité: %d %s", res.StatusCode, body)
		}

		// The dossier page lists the letters with their links; the browser downloads.
		b := e.browser("cpam.67")
		page := b.get(fmt.Sprintf("/dossiers/%d", created.ID))
		if !strings.Contains(page, `<h2 id="titre-courriers">Courriers</h2>`) || !strings.Contains(page, fmt.Sprintf(`href="/courriers/%d.pdf"`, all.Courriers[0].ID)) || strings.Contains(page, fmt.Sprintf(`href="/courriers/%d.pdf"`, all.Courriers[1].ID)) {
			t.Errorf("dossier page of cpam.67 does not list exactly its letters:\n%s", page)
		}
		st, pdf := b.getStatus(fmt.Sprintf("/courriers/%d.pdf", all.Courriers[2].ID))
		if st != 200 || !strings.HasPrefix(pdf, "%PDF-") {
			t.Errorf("browser download: %d %.20q", st, pdf)
		}

		// Every download is journaled with the finalité courrier.
		res, body = e.do("GET", "/api/v1/audit?action=courrier.telechargement", e.token("dpo"), nil, nil)
		var journal struct {
			Entrees []sqldb.AuditEntry `json:"entrees"`
		}
		if err := json.Unmarshal([]byte(body), &journal); err != nil || res.StatusCode != 200 {
			t.Fatalf("audit: %d %v %.200s", res.StatusCode, err, body)
		}
		ok := 0
		for _, en := range journal.Entrees {
			if en.Finalite != "courrier" && en.Resultat == sqldb.ResultOK {
				t.Errorf("download journaled with finalité %q", en.Finalite)
			}
			if en.Resultat == sqldb.ResultOK {
				ok++
			}
		}
		if ok != 3+2+1 { // praticien ×3, cpam.67 ×2, browser ×1
			t.Errorf("%d downloads journaled, want 6", ok)
		}
	})
}
