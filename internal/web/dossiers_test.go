package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

var update = flag.Bool("update", false, "rewrite docs/dossiers/<type>.md from the schemas")

var docsDir = filepath.Join("..", "..", "docs", "dossiers")

// kindDoc is how each field kind is documented.
var kindDoc = map[medconseil.Kind]string{
	medconseil.KindTexte: "texte", medconseil.KindLong: "texte libre", medconseil.KindDate: "date",
	medconseil.KindBool: "booléen", medconseil.KindEntier: "entier", medconseil.KindMontant: "montant (« 1234,56 »)",
	medconseil.KindChoix: "code", medconseil.KindCIM10: "CIM-10 (référentiel)", medconseil.KindLPP: "code LPP (référentiel)",
	medconseil.KindCommune: "commune INSEE (référentiel)", medconseil.KindFINESS: "FINESS (référentiel)", medconseil.KindRPPS: "RPPS",
	medconseil.KindSIRET: "SIRET", medconseil.KindDossier: "n° de dossier (lu à travers le contrôle d'accès)",
}

// schemaDoc writes the documentation of one type from its schema and field classes.
func schemaDoc(s *medconseil.Schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Dossier `%s` — %s\n\n", s.Type, s.Titre)
	fmt.Fprintf(&b, "Dépôt : `POST /api/v1/dossiers` avec `\"type\": \"%s\"`, ou le formulaire `/demandes/nouvelle/%s`.\n", s.Type, s.Type)
	fmt.Fprintf(&b, "Pré-analyse au dépôt : jeu de règles [`%s`](../rules/%s.md), sur la demande et l'historique de l'assuré.\n", s.Regles, s.Regles)
	b.WriteString("Champs communs : `nir` (clé comprise), `residence` (code commune INSEE — un code postal est refusé avec les codes INSEE qu'il dessert), `nom`, `prenom`, `naissance` (facultatifs ; identité), `prescripteur` (RPPS, 11 chiffres ; administratif).\n")
	b.WriteString("Tout champ inconnu est refusé ; chaque erreur nomme son champ. Les champs cliniques sont chiffrés au repos et ne sont montrés qu'aux rôles qui voient la classe clinique.\n\n")
	b.WriteString("| Champ | Type | Obligatoire | Classe | Sens |\n|---|---|---|---|---|\n")
	for _, c := range s.Champs {
		req := "non"
		if c.Requis {
			req = "oui"
		}
		if len(c.Si) > 0 {
			var conds []string
			for k, vs := range c.Si {
				conds = append(conds, k+" = "+strings.Join(vs, " ou "))
			}
			sort.Strings(conds)
			req += " — seulement si " + strings.Join(conds, " et ")
		}
		for k, vs := range c.RequisSi {
			req = "si " + k + " = " + strings.Join(vs, " ou ") + " ; " + req
		}
		class, _ := authz.ClassOf(s.Type, c.Nom)
		sens := c.Libelle
		if len(c.Options) > 0 {
			var codes []string
			for _, o := range c.Options {
				codes = append(codes, "`"+o.Code+"`")
			}
			sens += " : " + strings.Join(codes, ", ")
		}
		if c.Aide != "" {
			sens += " (" + c.Aide + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Nom, kindDoc[c.Kind], req, class.Label(), sens)
	}
	if fs := medconseil.FaitsOf(s.Type); len(fs) > 0 {
		b.WriteString("\nFaits (`\"faits\": {…}`, facultatifs au dépôt, ajoutés ensuite par `POST /api/v1/dossiers/{id}/faits`) :\n\n")
		for _, f := range fs {
			req := ""
			if f.Requis {
				req = " — nécessaire à la décision"
			}
			if f.Groupe != "" {
				req = " — l'un au moins des faits marqués ainsi (heures ou cotisations) est nécessaire à la décision"
			}
			fmt.Fprintf(&b, "- `%s` : %s (%s)%s\n", f.Nom, f.Libelle, kindDoc[f.Kind], req)
		}
	}
	fmt.Fprintf(&b, "\nExemple accepté tel quel (un test le dépose) : [`%s.example.json`](%s.example.json).\n", s.Type, s.Type)
	return b.String()
}

// TestDossierDocs keeps docs/dossiers/<type>.md in step with the schemas
// (go test ./internal/web -run TestDossierDocs -update rewrites them).
func TestDossierDocs(t *testing.T) {
	for _, s := range medconseil.Schemas() {
		path := filepath.Join(docsDir, string(s.Type)+".md")
		want := schemaDoc(s)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s is out of step with the schema of %s: run go test ./internal/web -run TestDossierDocs -update", path, s.Type)
		}
	}
}

// TestEveryFieldHasAClass checks the schemas against the field classes of
// internal/authz, both ways.
func TestEveryFieldHasAClass(t *testing.T) {
	for _, s := range medconseil.Schemas() {
		names := map[string]bool{}
		for _, c := range s.Champs {
			names[c.Nom] = true
			if _, ok := authz.ClassOf(s.Type, c.Nom); !ok {
				t.Errorf("%s.%s has no field class", s.Type, c.Nom)
			}
		}
		for _, n := range authz.ClassifiedFields(s.Type) {
			if !names[n] {
				t.Errorf("authz classifies %s.%s, which the schema does not have", s.Type, n)
			}
		}
	}
	for _, f := range []string{"nature", "initial_id", "debut", "fin", "teleconsultation", "cim10", "libelle", "motif"} {
		if _, ok := authz.ClassOf(medconseil.TypeArretTravail, f); !ok {
			t.Errorf("arret_travail.%s has no field class", f)
		}
	}
}

func examples(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	files, _ := filepath.Glob(filepath.Join(docsDir, "*.example.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".example.json")] = m
	}
	if len(out) != 1+len(medconseil.Schemas()) {
		t.Fatalf("%d examples in %s, want one per type", len(out), docsDir)
	}
	return out
}

// TestEveryExampleIsFiledAndPreAnalysed posts every docs/dossiers example as is,
// with the référentiels imported, and checks that the type's rule set decided and
// that its proposition reaches the medical roles only.
func TestEveryExampleIsFiledAndPreAnalysed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importAll(t, db)
		e := start(t, db)
		pt, pc, ag := e.token("prescripteur.demo"), e.token("praticien.67"), e.token("agent.67")
		for typ, ex := range examples(t) {
			res, body := e.do("POST", "/api/v1/dossiers", pt, ex, map[string]string{"Idempotency-Key": "ex-" + typ})
			if res.StatusCode != 201 {
				t.Fatalf("%s: %d %s", typ, res.StatusCode, body)
			}
			var out struct{ ID int64 }
			json.Unmarshal([]byte(body), &out)
			_, body = e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", out.ID), pc, nil, nil)
			var d struct {
				Type       medconseil.TypeDossier
				Etat       medconseil.Etat
				Demande    map[string]any
				PreAnalyse *medconseil.PreAnalyse
			}
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			if d.Type != medconseil.TypeDossier(typ) || d.Etat != medconseil.EtatAInstruire {
				t.Errorf("%s: type %s état %s, want %s a_instruire (pre-analysed, then oriented: lifecycle apres_depot)", typ, d.Type, d.Etat, typ)
			}
			if d.PreAnalyse == nil || d.PreAnalyse.Issue == "" || len(d.PreAnalyse.Motifs) == 0 {
				t.Fatalf("%s: no decision in the pre-analysis: %s", typ, body)
			}
			if typ == "transport" && d.PreAnalyse.Issue != "accord_prealable_requis" {
				t.Errorf("transport example: outcome %s, want accord_prealable_requis", d.PreAnalyse.Issue)
			}
			if typ != "arret_travail" && len(d.Demande) == 0 {
				t.Errorf("%s: request not shown to the praticien: %s", typ, body)
			}
			for who, tok := range map[string]string{"prescripteur": pt, "agent": ag} {
				_, body := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", out.ID), tok, nil, nil)
				if strings.Contains(body, `"issue"`) || strings.Contains(body, `"motifs"`) {
					t.Errorf("%s sees the pre-analysis of %s: %s", who, typ, body)
				}
			}
		}
	})
}

// TestCodesCheckedAgainstReferentiels refuses codes the imported référentiels do
// not know, naming the field, and a postal code given as a commune with a hint.
func TestCodesCheckedAgainstReferentiels(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importAll(t, db)
		e := start(t, db)
		pt := e.token("prescripteur.demo")
		ex := examples(t)
		cases := []struct {
			name, typ, field, value, want string
		}{
			{"cim10 inconnu (arrêt)", "arret_travail", "cim10", "X99.99", "inconnu"},
			{"code postal pour commune", "arret_travail", "residence", "67000", "code postal"},
			{"code postal pour commune (ALD)", "ald", "residence", "67000", "67482"},
			{"LPP inconnu", "lpp", "code_lpp", "9999999", "LPP"},
			{"FINESS inconnu", "transport", "destination_finess", "679999999", "FINESS"},
			{"commune inconnue", "transport", "depart", "67999", "inconnu"},
			{"RPPS mal formé", "kine", "prescripteur", "1234", "11 chiffres"},
			{"champ inconnu", "invalidite", "couleur", "bleu", "inconnu"},
			{"choix inconnu", "atmp", "lateralite", "haut", "valeurs permises"},
		}
		before := countRows(t, db, "dossier")
		for _, c := range cases {
			body := map[string]any{}
			for k, v := range ex[c.typ] {
				body[k] = v
			}
			body[c.field] = c.value
			res, out := e.do("POST", "/api/v1/dossiers", pt, body, nil)
			var er struct{ Code, Message, Field string }
			json.Unmarshal([]byte(out), &er)
			if res.StatusCode != 422 || !strings.Contains(out, c.field) || !strings.Contains(er.Message+out, c.want) {
				t.Errorf("%s: %d %s, want 422 naming %s with %q", c.name, res.StatusCode, out, c.field, c.want)
			}
		}
		if n := countRows(t, db, "dossier"); n != before {
			t.Errorf("%d dossiers written by refused requests", n-before)
		}
	})
}

// TestEveryFormIsUsable opens each type's French form, submits it empty (every
// required field named beside its input, nothing written), then filled.
func TestEveryFormIsUsable(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		b := e.browser("prescripteur.demo")
		ex := examples(t)
		for _, s := range medconseil.Schemas() {
			page := b.get("/demandes/nouvelle/" + string(s.Type))
			for _, c := range s.Champs {
				if !strings.Contains(page, `for="`+c.Nom+`"`) || !strings.Contains(page, `id="`+c.Nom+`"`) {
					t.Errorf("%s form: no labelled input for %s", s.Type, c.Nom)
				}
			}
			before := countRows(t, db, "dossier")
			res, page := b.post("/demandes/nouvelle/"+string(s.Type), url.Values{"csrf": {b.csrf}})
			if res.StatusCode != 422 || !strings.Contains(page, `aria-invalid="true"`) || !strings.Contains(page, "Rien n'a été enregistré") {
				t.Errorf("%s form empty: %d, want 422 with field errors", s.Type, res.StatusCode)
			}
			if n := countRows(t, db, "dossier"); n != before {
				t.Errorf("%s form empty wrote %d dossiers", s.Type, n-before)
			}
			v := url.Values{"csrf": {b.csrf}}
			for k, x := range ex[string(s.Type)] {
				switch x := x.(type) {
				case bool:
					if x {
						v.Set(k, "1")
					}
				case float64:
					v.Set(k, fmt.Sprint(int64(x)))
				case string:
					v.Set(k, x)
				}
			}
			res, page = b.post("/demandes/nouvelle/"+string(s.Type), v)
			if res.StatusCode != 200 || !strings.Contains(page, "Dossier enregistré") {
				t.Errorf("%s form filled: %d %s", s.Type, res.StatusCode, page[:min(len(page), 400)])
			}
		}
	})
}

// textClasses is the specification of the text fields' classes, written
// independently of internal/authz (PRODUCT.md §1: anything describing the illness,
// the lesions, the care or the drug is clinical).
var textClasses = map[string]string{
	"lieu": classAdmin, "lesions": classClin, "sequelles": classClin, "tableau_mp": classClin, "observations": classClin,
	"soins": classClin, "elements_medicaux": classClin, "motif": classClin, "bilan": classClin,
	"medicament": classClin, "signalement": classClin,
}

// TestSecretMatrixEveryType extends the secret matrix to every type filed through
// POST /api/v1/dossiers: a distinct marker in every text field, by its class, and
// every account reads the dossier by the API, the HTML page, the lists and the CSV.
func TestSecretMatrixEveryType(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		pt := e.token("prescripteur.demo")
		ex := examples(t)
		type filed struct {
			id      int64
			typ     medconseil.TypeDossier
			markers map[string][]string // class → markers
		}
		var all []filed
		for _, s := range medconseil.Schemas() {
			body := map[string]any{}
			for k, v := range ex[string(s.Type)] {
				body[k] = v
			}
			f := filed{typ: s.Type, markers: map[string][]string{}}
			nom := "ZIDENTITE" + strings.ToUpper(string(s.Type))
			body["nom"] = nom
			f.markers[classIdentite] = []string{nom}
			for _, c := range s.Champs {
				if c.Kind != medconseil.KindTexte && c.Kind != medconseil.KindLong {
					continue
				}
				if _, ok := body[c.Nom]; !ok && len(c.Si) > 0 {
					continue // not applicable to the example's piece
				}
				class, ok := textClasses[c.Nom]
				if !ok {
					t.Fatalf("%s.%s: text field missing from this test's specification", s.Type, c.Nom)
				}
				m := "ZMARK" + strings.ToUpper(string(s.Type)+c.Nom)
				body[c.Nom] = m
				f.markers[class] = append(f.markers[class], m)
			}
			res, out := e.do("POST", "/api/v1/dossiers", pt, body, nil)
			if res.StatusCode != 201 {
				t.Fatalf("%s: %d %s", s.Type, res.StatusCode, out)
			}
			var x struct{ ID int64 }
			json.Unmarshal([]byte(out), &x)
			f.id = x.ID
			all = append(all, f)
		}
		for login, classes := range expected {
			t.Run(login, func(t *testing.T) {
				tok, b := e.token(login), e.browser(login)
				_, list := e.do("GET", "/api/v1/dossiers?par_page=200", tok, nil, nil)
				listHTML, csv := b.get("/dossiers?par_page=200"), b.get("/dossiers.csv")
				for _, f := range all {
					allowed := map[string]bool{}
					for _, c := range classes {
						allowed[c] = true
					}
					if login == "employeur" && f.typ == medconseil.TypeATMP {
						// The employer of an AT/MP: its existence, dates, outcome; never clinical.
						allowed = map[string]bool{classAdmin: true, classDec: true}
					}
					res, api := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", f.id), tok, nil, nil)
					status, page := b.getStatus(fmt.Sprintf("/dossiers/%d", f.id))
					if len(allowed) == 0 && (res.StatusCode != 404 || status != 404) {
						t.Errorf("%s n° %d: API %d, HTML %d; want 404 both", f.typ, f.id, res.StatusCode, status)
					}
					routes := map[string]string{"api": api, "html": page, "liste-api": list, "liste-html": listHTML, "csv": csv}
					for class, ms := range f.markers {
						for _, m := range ms {
							for route, body := range routes {
								if strings.Contains(body, m) && !allowed[class] {
									t.Errorf("%s: route %s discloses %s value %q", f.typ, route, class, m)
								}
							}
							if allowed[class] && class != classIdentite && (!strings.Contains(api, m) || !strings.Contains(page, m)) {
								t.Errorf("%s: %s value %q not shown (api %v, html %v)", f.typ, class, m, strings.Contains(api, m), strings.Contains(page, m))
							}
						}
					}
				}
			})
		}
		// At rest: no clinical marker in clear anywhere in the database.
		var plain int
		if err := db.Read(t.Context(), func(tx *sqldb.Tx) error {
			for _, f := range all {
				for _, m := range f.markers[classClin] {
					var n int
					if err := tx.QueryRow(t.Context(), `SELECT COUNT(*) FROM demande WHERE admin LIKE ? OR clinique_enc LIKE ?`, "%"+m+"%", "%"+m+"%").Scan(&n); err != nil {
						return err
					}
					plain += n
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if plain != 0 {
			t.Errorf("%d clinical markers stored in clear", plain)
		}
	})
}

// TestIntakeStartsTheDeadlinesOfItsNature files AT/MP pieces and checks the
// lifecycle the intake started: an accident counts its 30 jours francs from the
// caisse's date of reception, a rechute its own 60, and a prolongation certificate
// attached to its sinistre starts no recognition délai.
func TestIntakeStartsTheDeadlinesOfItsNature(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importAll(t, db)
		e := start(t, db)
		pt := e.token("prescripteur.demo")
		file := func(key string, ex map[string]any) int64 {
			t.Helper()
			res, body := e.do("POST", "/api/v1/dossiers", pt, ex, map[string]string{"Idempotency-Key": key})
			if res.StatusCode != 201 {
				t.Fatalf("%s: %d %s", key, res.StatusCode, body)
			}
			var out struct{ ID int64 }
			json.Unmarshal([]byte(body), &out)
			return out.ID
		}
		deadlines := func(id int64) (names []string, nature, recue string) {
			t.Helper()
			err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
				rows, err := tx.Query(context.Background(), `SELECT nom FROM echeance WHERE dossier_id = ? AND statut = 'attente' ORDER BY nom`, id)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var n string
					if err := rows.Scan(&n); err != nil {
						return err
					}
					names = append(names, n)
				}
				if err := rows.Err(); err != nil {
					return err
				}
				err = tx.QueryRow(context.Background(), `SELECT nature, recue FROM cycle WHERE dossier_id = ?`, id).Scan(&nature, &recue)
				if errors.Is(err, sql.ErrNoRows) {
					return nil
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return names, nature, recue
		}
		ex := examples(t)["atmp"]
		initial := file("atmp-initial", ex)
		if names, nature, recue := deadlines(initial); nature != "accident" || recue[:10] != "2026-11-04" || !slices.Contains(names, "decision_at") {
			t.Errorf("accident: deadlines %v, nature %q, received %q; want decision_at, accident, 2026-11-04", names, nature, recue)
		}
		rechute := maps.Clone(ex)
		rechute["piece"], rechute["sinistre_id"] = "rechute", initial
		if names, nature, _ := deadlines(file("atmp-rechute", rechute)); nature != "rechute" || !slices.Contains(names, "decision_rechute") {
			t.Errorf("rechute: deadlines %v, nature %q; want decision_rechute, rechute", names, nature)
		}
		prolongation := maps.Clone(ex)
		prolongation["piece"], prolongation["sinistre_id"] = "certificat_prolongation", initial
		delete(prolongation, "lateralite")
		if names, nature, _ := deadlines(file("atmp-prolongation", prolongation)); nature != "" || len(names) != 0 {
			t.Errorf("prolongation: deadlines %v, nature %q; want none", names, nature)
		}
	})
}
