package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/courrier"
	"medconseil/internal/fhir/fhirtest"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// fhirJSON decodes a FHIR answer and checks it against the R4 schema.
func fhirJSON(t *testing.T, what, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%s: not JSON: %v: %.300s", what, err, body)
	}
	if err := fhirtest.Validate([]byte(body)); err != nil {
		t.Errorf("%s is not valid FHIR R4: %v\n%.2000s", what, err, body)
	}
	return m
}

// issues returns the expressions and texts of an OperationOutcome.
func issues(m map[string]any) (exprs []string, texts string) {
	is, _ := m["issue"].([]any)
	for _, i := range is {
		x := i.(map[string]any)
		if es, ok := x["expression"].([]any); ok {
			for _, e := range es {
				exprs = append(exprs, e.(string))
			}
		}
		texts += fmt.Sprint(x["diagnostics"]) + " | "
	}
	return exprs, texts
}

// The FHIR API end to end, on both engines: a prescriber files a transport
// request as a Claim (conditional create), follows it (Task, ClaimResponse with
// the date of tacit approval), the praticien-conseil's avis shows as the
// ClaimResponse's outcome; the caisse gets the conclusion and no clinical element,
// another prescriber nothing; searches page; every answer is valid FHIR R4.
func TestFHIRPriorAuthorization(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		presc, other, cpam, prat := e.token("prescripteur.demo"), e.token("autre.medecin"), e.token("cpam.67"), e.token("praticien.67")
		claim, err := os.ReadFile("../../docs/fhir/claim-transport.json")
		if err != nil {
			t.Fatal(err)
		}
		hdr := map[string]string{"Content-Type": "application/fhir+json", "If-None-Exist": "identifier=https://logiciel-prescripteur.example/demandes|DAP-2026-0001"}
		before := countRows(t, db, "dossier")
		res, body := e.do("POST", "/fhir/Claim", presc, string(claim), hdr)
		if res.StatusCode != 201 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/fhir+json") {
			t.Fatalf("create: %d %s %.500s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		c := fhirJSON(t, "created Claim", body)
		id := c["id"].(string)
		if res.Header.Get("Location") != "/fhir/Claim/"+id || c["use"] != "preauthorization" {
			t.Errorf("Location %q, Claim %.300s", res.Header.Get("Location"), body)
		}
		if !strings.Contains(body, "C50.9") || !strings.Contains(body, "Institut Curie") {
			t.Errorf("the filer does not see its request: %.1000s", body)
		}
		// Conditional create: the same request again is the same Claim, written once.
		res, body = e.do("POST", "/fhir/Claim", presc, string(claim), hdr)
		if again := fhirJSON(t, "replayed Claim", body); res.StatusCode != 200 || again["id"] != id {
			t.Errorf("replay: %d %.300s", res.StatusCode, body)
		}
		if n := countRows(t, db, "dossier"); n != before+1 {
			t.Errorf("%d dossiers written, want 1", n-before)
		}
		// The same identifier for another request is a conflict, nothing written.
		changed := strings.Replace(string(claim), `"value": 490`, `"value": 491`, 1)
		res, body = e.do("POST", "/fhir/Claim", presc, changed, hdr)
		if exprs, texts := issues(fhirJSON(t, "conflict", body)); res.StatusCode != 409 || !contains(exprs, "Claim.identifier") || !strings.Contains(texts, "If-None-Exist") {
			t.Errorf("same If-None-Exist, other body: %d %.300s", res.StatusCode, body)
		}

		// The submitter follows its request.
		for _, typ := range []string{"Claim", "ClaimResponse", "Task", "Patient"} {
			res, body := e.do("GET", "/fhir/"+typ+"/"+id, presc, nil, nil)
			if res.StatusCode != 200 {
				t.Errorf("prescriber GET %s: %d %.300s", typ, res.StatusCode, body)
				continue
			}
			r := fhirJSON(t, typ, body)
			switch typ {
			case "ClaimResponse":
				ext, _ := json.Marshal(r["extension"])
				if r["outcome"] != "queued" || !strings.Contains(string(ext), "date-accord-tacite") || r["preAuthRef"] != nil {
					t.Errorf("ClaimResponse before the avis: %.800s", body)
				}
			case "Task":
				if r["status"] != "in-progress" && r["status"] != "received" {
					t.Errorf("Task status %v", r["status"])
				}
			case "Patient":
				if !strings.Contains(body, "urn:oid:1.2.250.1.213.1.4.8") || !strings.Contains(body, "185056748212337") || !strings.Contains(body, "fr-core-patient") {
					t.Errorf("Patient: %.500s", body)
				}
			}
		}
		// Another prescriber: exactly as if the request did not exist.
		for _, typ := range []string{"Claim", "ClaimResponse", "Task", "Patient"} {
			r1, hidden := e.do("GET", "/fhir/"+typ+"/"+id, other, nil, nil)
			r2, missing := e.do("GET", "/fhir/"+typ+"/999999", other, nil, nil)
			if r1.StatusCode != 404 || hidden != missing || r2.StatusCode != 404 {
				t.Errorf("other prescriber GET %s: %d %s / missing %d %s", typ, r1.StatusCode, hidden, r2.StatusCode, missing)
			}
			fhirJSON(t, "404", hidden)
		}
		res, body = e.do("GET", "/fhir/Claim?_count=50", other, nil, nil)
		if b := fhirJSON(t, "other's search", body); res.StatusCode != 200 || b["total"] != 0.0 {
			t.Errorf("other prescriber's search: %.500s", body)
		}

		// The avis, then the conclusion as the caisse sees it.
		_, body = e.do("GET", "/api/v1/dossiers/"+id, prat, nil, nil)
		var dos struct{ Version int }
		json.Unmarshal([]byte(body), &dos)
		res, body = e.do("POST", "/api/v1/dossiers/"+id+"/avis", prat, map[string]any{"sens": "justifie", "motif": "éloignement justifié", "version": dos.Version}, nil)
		if res.StatusCode/100 != 2 {
			t.Fatalf("avis: %d %s", res.StatusCode, body)
		}
		for _, tok := range []string{cpam, presc} {
			res, body = e.do("GET", "/fhir/ClaimResponse/"+id, tok, nil, nil)
			r := fhirJSON(t, "ClaimResponse after the avis", body)
			if res.StatusCode != 200 || r["outcome"] != "complete" || r["preAuthRef"] != "MC-"+id || !strings.Contains(body, "Accord") || r["extension"] != nil {
				t.Errorf("ClaimResponse after the avis: %d %.800s", res.StatusCode, body)
			}
		}
		for _, typ := range []string{"Claim", "ClaimResponse", "Task", "Patient"} {
			res, body := e.do("GET", "/fhir/"+typ+"/"+id, cpam, nil, nil)
			fhirJSON(t, "caisse's "+typ, body)
			for _, clinical := range []string{"C50.9", "Curie", "éloignement", "diagnosis", "aide_au_deplacement"} {
				if strings.Contains(body, clinical) {
					t.Errorf("caisse's %s (%d) shows %q: %.800s", typ, res.StatusCode, clinical, body)
				}
			}
		}

		// Letters: the prescriber reads the one addressed to him, the caisse only the one without
		// clinical content; a letter the reader may not read is as absent.
		noClin := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Decision)
		// The avis above already wrote its letters (courrier_decision.go): count
		// what each reader lists before adding two.
		listed := func(tok string) int {
			res, body := e.do("GET", "/fhir/DocumentReference?related=Claim/"+id, tok, nil, nil)
			b := fhirJSON(t, "DocumentReference search", body)
			es, _ := b["entry"].([]any)
			if res.StatusCode != 200 {
				t.Errorf("letters listed: %d %.300s", res.StatusCode, body)
			}
			return len(es)
		}
		lettersBefore := map[string]int{presc: listed(presc), cpam: listed(cpam), other: listed(other)}
		var letters []int64
		nid, _ := strconv.ParseInt(id, 10, 64)
		if err := db.Write(context.Background(), func(tx *sqldb.Tx) error {
			for _, in := range []sqldb.CourrierInput{
				{DossierID: nid, Lettre: courrier.Lettre{Modele: "accord_transport", Destinataire: courrier.Caisse, Adresse: []string{"CPAM du Bas-Rhin"}, Date: medconseil.NewDate(2026, 11, 5), Objet: "Accord de transport", Paragraphes: []string{"Accord."}}, Contenu: noClin},
				{DossierID: nid, Lettre: courrier.Lettre{Modele: "avis_prescripteur", Destinataire: courrier.Prescripteur, Adresse: []string{"Dr Fischer"}, Date: medconseil.NewDate(2026, 11, 5), Objet: "Avis motivé", Paragraphes: []string{"Éloignement oncologique."}}, Contenu: noClin.With(medconseil.Clinique)},
			} {
				cid, _, err := tx.AddCourrier(context.Background(), in)
				if err != nil {
					return err
				}
				letters = append(letters, cid)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if lettersBefore[other] != 0 {
			t.Errorf("another prescriber lists %d letters of this request, want 0", lettersBefore[other])
		}
		for tok, want := range map[string]int{presc: 1, cpam: 1, other: 0} {
			if got := listed(tok); got != lettersBefore[tok]+want {
				t.Errorf("letters listed: %d entries, want %d more than the %d before", got, want, lettersBefore[tok])
			}
		}
		res, body = e.do("GET", fmt.Sprintf("/fhir/DocumentReference/%d", letters[1]), presc, nil, nil)
		if d := fhirJSON(t, "DocumentReference", body); res.StatusCode != 200 || !strings.Contains(body, `"data":"JVBERi`) || d["masterIdentifier"] == nil {
			t.Errorf("prescriber's letter: %d %.400s", res.StatusCode, body)
		}
		res, body = e.do("GET", fmt.Sprintf("/fhir/Binary/%d", letters[0]), cpam, nil, nil)
		if fhirJSON(t, "Binary", body); res.StatusCode != 200 {
			t.Errorf("caisse's letter: %d %.300s", res.StatusCode, body)
		}
		r1, hidden := e.do("GET", fmt.Sprintf("/fhir/DocumentReference/%d", letters[1]), cpam, nil, nil)
		_, missing := e.do("GET", "/fhir/DocumentReference/999999", cpam, nil, nil)
		if r1.StatusCode != 404 || hidden != missing {
			t.Errorf("caisse reads the clinical letter: %d %s / %s", r1.StatusCode, hidden, missing)
		}

		// Searches with paging.
		second := strings.Replace(strings.Replace(string(claim), "DAP-2026-0001", "DAP-2026-0002", 1), "2026-11-23", "2026-11-30", 1)
		res, body = e.do("POST", "/fhir/Claim", presc, second, nil)
		if res.StatusCode != 201 {
			t.Fatalf("second claim: %d %s", res.StatusCode, body)
		}
		res, body = e.do("GET", "/fhir/Claim?identifier=urn:oid:1.2.250.1.213.1.4.8|185056748212337&status=active&_lastUpdated=ge2020-01-01&_count=1", presc, nil, nil)
		b := fhirJSON(t, "Claim search", body)
		links, _ := json.Marshal(b["link"])
		if res.StatusCode != 200 || b["total"] != 2.0 || len(b["entry"].([]any)) != 1 || !strings.Contains(string(links), `"next"`) {
			t.Errorf("Claim search page 1: %d %.1500s", res.StatusCode, body)
		}
		res, body = e.do("GET", "/fhir/Claim?patient=Patient/"+id+"&_count=1&_page=2", presc, nil, nil)
		b = fhirJSON(t, "Claim search page 2", body)
		if res.StatusCode != 200 || len(b["entry"].([]any)) != 1 || !strings.Contains(body, `"previous"`) || strings.Contains(body, `"next"`) {
			t.Errorf("Claim search page 2: %d %.1500s", res.StatusCode, body)
		}
		res, body = e.do("GET", "/fhir/Claim?_lastUpdated=lt2020-01-01", presc, nil, nil)
		if b = fhirJSON(t, "empty search", body); res.StatusCode != 200 || b["total"] != 0.0 {
			t.Errorf("_lastUpdated=lt2020-01-01: %.500s", body)
		}
		res, body = e.do("GET", "/fhir/Task?status=completed", presc, nil, nil)
		if b = fhirJSON(t, "Task search", body); res.StatusCode != 200 || b["total"] != 1.0 {
			t.Errorf("Task?status=completed: %.1000s", body)
		}
		res, body = e.do("GET", "/fhir/Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|185056748212337", presc, nil, nil)
		if b = fhirJSON(t, "Patient search", body); res.StatusCode != 200 || len(b["entry"].([]any)) != 1 {
			t.Errorf("Patient search: one Patient per assuré: %.1000s", body)
		}
		for _, path := range []string{"/fhir/metadata", "/fhir/Practitioner/10001234567", "/fhir/Organization?type=echelon&_count=2", "/fhir/ClaimResponse?patient=Patient/" + id} {
			res, body := e.do("GET", path, presc, nil, nil)
			if res.StatusCode != 200 {
				t.Errorf("GET %s: %d %.300s", path, res.StatusCode, body)
			}
			fhirJSON(t, path, body)
		}
	})
}

// Bad input: an OperationOutcome in French naming the element, nothing written.
func TestFHIRBadInput(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		presc := e.token("prescripteur.demo")
		claim, err := os.ReadFile("../../docs/fhir/claim-kine.json")
		if err != nil {
			t.Fatal(err)
		}
		good := string(claim)
		tr, err := os.ReadFile("../../docs/fhir/claim-transport.json")
		if err != nil {
			t.Fatal(err)
		}
		before, beforeAssures := countRows(t, db, "dossier"), countRows(t, db, "assure")
		for _, tc := range []struct {
			name, method, path, body string
			hdr                      map[string]string
			status                   int
			expr, words              string
		}{
			{"unknown resource type", "POST", "/fhir/DemandeAccord", good, nil, 404, "", "non pris en charge"},
			{"not a Claim", "POST", "/fhir/Claim", `{"resourceType":"Patient"}`, nil, 422, "Claim.resourceType", "Claim est attendue"},
			{"wrong profile", "POST", "/fhir/Claim", strings.Replace(good, `"resourceType": "Claim",`, `"resourceType": "Claim", "meta": {"profile": ["http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claim"]},`, 1), nil, 422, "Claim.meta.profile[0]", "profil"},
			{"missing NIR", "POST", "/fhir/Claim", strings.Replace(string(tr), `"identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "185056748212337"}],`, "", 1), nil, 422, "Claim.contained[0].identifier", "NIR"},
			{"NIR with a wrong key", "POST", "/fhir/Claim", strings.Replace(good, "185056748212337", "185056748212338", 1), nil, 422, "Claim.contained[0].identifier[0].value", "clé"},
			{"wrong code system", "POST", "/fhir/Claim", strings.Replace(good, "http://hl7.org/fhir/sid/icd-10", "http://snomed.info/sct", 1), nil, 422, "Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].system", "système"},
			{"missing required field", "POST", "/fhir/Claim", strings.Replace(good, `"seances_prevues"`, `"seances_anterieures"`, 1), nil, 422, "Claim.supportingInfo", "seances_prevues"},
			{"unknown situation", "POST", "/fhir/Claim", strings.Replace(good, "prothese_genou", "genou", 1), nil, 422, "Claim.supportingInfo[1].valueString", ""},
			{"another prescriber's RPPS", "POST", "/fhir/Claim", strings.Replace(good, "810001234567", "810009999999", 1), nil, 403, "", "RPPS"},
			{"If-None-Exist not the identifier", "POST", "/fhir/Claim", good, map[string]string{"If-None-Exist": "identifier=x|y"}, 422, "Claim.identifier", "If-None-Exist"},
			{"JSON broken", "POST", "/fhir/Claim", `{"resourceType": "Cla`, nil, 422, "Claim", "JSON"},
			{"unknown search parameter", "GET", "/fhir/Claim?nir=185056748212337", "", nil, 400, "", "paramètre nir"},
			{"bad _count", "GET", "/fhir/Task?_count=5000", "", nil, 400, "", "_count"},
			{"bad identifier system", "GET", "/fhir/Patient?identifier=urn:oid:1.2.3|185056748212337", "", nil, 400, "", "identifier"},
			{"XML asked", "GET", "/fhir/metadata", "", map[string]string{"Accept": "application/fhir+xml"}, 406, "", "JSON"},
			{"no token", "GET", "/fhir/Task", "", map[string]string{"Authorization": ""}, 401, "", "authentification"},
		} {
			tok := presc
			if tc.hdr != nil && tc.hdr["Authorization"] == "" && tc.status == 401 {
				tok = ""
			}
			res, body := e.do(tc.method, tc.path, tok, nilIfEmpty(tc.body), tc.hdr)
			m := fhirJSON(t, tc.name, body)
			exprs, texts := issues(m)
			if res.StatusCode != tc.status || m["resourceType"] != "OperationOutcome" || !strings.Contains(texts, tc.words) ||
				(tc.expr != "" && !contains(exprs, tc.expr)) {
				t.Errorf("%s: %d expressions %v %q; want %d at %q with %q", tc.name, res.StatusCode, exprs, texts, tc.status, tc.expr, tc.words)
			}
		}
		if n := countRows(t, db, "dossier"); n != before {
			t.Errorf("%d dossiers written by rejected requests", n-before)
		}
		if n := countRows(t, db, "assure"); n != beforeAssures {
			t.Errorf("%d assurés written by rejected requests", n-beforeAssures)
		}
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// An arrêt de travail reads as a QuestionnaireResponse: the prescriber sees its
// answers, the caisse the administrative ones only.
func TestFHIRArretQuestionnaireResponse(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		presc, cpam := e.token("prescripteur.demo"), e.token("cpam.67")
		res, body := e.do("POST", "/api/v1/arrets", presc, map[string]any{"nir": "185056748212337", "residence": "67482", "prescripteur": prescripteur, "nature": "initial",
			"debut": "2026-11-02", "fin": "2026-11-20", "cim10": "M545", "libelle": "lombalgie aiguë", "motif": "port de charges", "teleconsultation": false}, nil)
		if res.StatusCode != 201 {
			t.Fatalf("arrêt: %d %s", res.StatusCode, body)
		}
		var out struct{ ID int64 }
		json.Unmarshal([]byte(body), &out)
		path := fmt.Sprintf("/fhir/QuestionnaireResponse/%d", out.ID)
		res, body = e.do("GET", path, presc, nil, nil)
		if fhirJSON(t, "prescriber's QuestionnaireResponse", body); res.StatusCode != 200 || !strings.Contains(body, "M54.5") || !strings.Contains(body, "arret-travail") {
			t.Errorf("prescriber: %d %.800s", res.StatusCode, body)
		}
		res, body = e.do("GET", path, cpam, nil, nil)
		fhirJSON(t, "caisse's QuestionnaireResponse", body)
		if strings.Contains(body, "M54.5") || strings.Contains(body, "lombalgie") || strings.Contains(body, "charges") {
			t.Errorf("caisse sees a clinical answer: %d %.800s", res.StatusCode, body)
		}
		res, body = e.do("GET", "/fhir/QuestionnaireResponse?identifier=urn:oid:1.2.250.1.213.1.4.8|185056748212337", presc, nil, nil)
		if b := fhirJSON(t, "QuestionnaireResponse search", body); res.StatusCode != 200 || b["total"] != 1.0 {
			t.Errorf("search: %d %.600s", res.StatusCode, body)
		}
	})
}
