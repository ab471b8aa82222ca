package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// The secret matrix as a specification (issue 8, harness). A distinct marker in
// every field that can carry one, of every class, of every dossier type; several
// dossiers per assuré across two départements of the region, a third one and
// another region; notes of both addressees; avis with motif. Every route read
// from the router (Server.Routes) is requested by every account — each role of
// internal/authz inside and outside its territory, the prescriber who filed and
// another — and every response is scanned for every marker: one the
// specification below denies to that account for the dossier it belongs to is a
// leak. The dossier pages must show the markers the specification allows (so the
// matrix cannot pass by showing nothing). matrix_leak_test.go (build tag
// leakcheck) proves the matrix fails under deliberate leaks.
//
// Fields that cannot carry a distinct marker (booleans, closed lists, numbers,
// référentiel codes other than CIM-10) are named in unmarkable; a new field kind
// makes the test fail until it is given a marker or a reason.

// The specification, written from PRODUCT.md §1 independently of internal/authz
// (whose answers are compared with it): what each account is.
type mAccount struct {
	login string
	kind  string   // medical, agent, cpam, prescriber, assure, employeur, none
	deps  []string // départements covered (medical, agent, cpam)
	code  string   // RPPS, NIR or SIRET
}

const (
	rppsAutre  = "10009999999"
	siretA     = "12345678900011" // the "employeur" account's SIRET
	siretB     = "98765432100017"
	regionDeps = "08 10 51 52 54 55 57 67 68 88" // Grand Est
)

var (
	nirA = nirWithKey("1710367482123")
	nirB = nirWithKey("2830757463045")
)

// nirWithKey appends the NIR key (97 − n mod 97) to 13 digits.
func nirWithKey(n13 string) string {
	var n int64
	fmt.Sscan(n13, &n)
	return fmt.Sprintf("%s%02d", n13, 97-n%97)
}

var matrixAccounts = map[string]mAccount{
	"praticien.67":      {kind: "medical", deps: []string{"67"}},
	"chef.67":           {kind: "medical", deps: []string{"67"}},
	"infirmier.67":      {kind: "medical", deps: []string{"67"}}, // site of Strasbourg: the Bas-Rhin worklist
	"regional":          {kind: "medical", deps: strings.Fields(regionDeps)},
	"praticien.57":      {kind: "medical", deps: []string{"57"}},
	"infirmier.57":      {kind: "medical", deps: []string{"57"}},
	"praticien.75":      {kind: "medical", deps: []string{"75"}}, // another region
	"agent.67":          {kind: "agent", deps: []string{"67"}},
	"agent.57":          {kind: "agent", deps: []string{"57"}},
	"cpam.67":           {kind: "cpam", deps: []string{"67"}},
	"cpam.57":           {kind: "cpam", deps: []string{"57"}},
	"prescripteur.demo": {kind: "prescriber", code: prescripteur},
	"autre.medecin":     {kind: "prescriber", code: rppsAutre},
	"assure.a":          {kind: "assure", code: nirA},
	"employeur":         {kind: "employeur", code: siretA},
	"pdp.67":            {kind: "pdp", deps: []string{"67"}}, // the caisse's PDP cell: arrêts, AT/MP, invalidité of its caisse
	"statisticien":      {kind: "none"},
	"dpo":               {kind: "none"},
	"admin":             {kind: "none"},
	"":                  {kind: "none"}, // no credentials
}

// Classes and pseudo-classes a marker may need.
const (
	needInterne    = "note interne"         // an internal note: the medical team only
	needRegistered = "identité enregistrée" // the assuré's registered identity
	needPDP        = "suivi PDP"            // the PDP section: medical team and the caisse's cell
)

type mDossier struct {
	idx             int
	id              int64
	typ             medconseil.TypeDossier
	dep, nir, rpps  string
	siret           string
	nom, prenom     string // declared on this filing
	declNaiss       string
	marks           []*mMark // the markers of this dossier's own fields, notes and avis
	effet, debutArr string
	shift           int
}

func (d *mDossier) covered(acc mAccount) bool {
	for _, x := range acc.deps {
		if x == d.dep {
			return true
		}
	}
	return false
}

// classes is the specification: the field classes acc sees of d.
func (d *mDossier) classes(acc mAccount) map[string]bool {
	all := map[string]bool{classIdentite: true, classAdmin: true, classClin: true, classDec: true}
	noClin := map[string]bool{classIdentite: true, classAdmin: true, classDec: true}
	switch acc.kind {
	case "medical":
		if d.covered(acc) {
			return all
		}
	case "agent", "cpam":
		if d.covered(acc) {
			return noClin
		}
	case "pdp":
		if d.covered(acc) && (d.typ == medconseil.TypeArretTravail || d.typ == medconseil.TypeATMP || d.typ == medconseil.TypeInvalidite) {
			return noClin
		}
	case "prescriber":
		if d.rpps == acc.code {
			return all
		}
	case "assure":
		if d.nir == acc.code {
			return noClin
		}
	case "employeur":
		if d.typ == medconseil.TypeATMP && d.siret == acc.code {
			return map[string]bool{classAdmin: true, classDec: true}
		}
	}
	return map[string]bool{}
}

// allows reports whether acc may read something of d that needs need.
func (d *mDossier) allows(acc mAccount, need string) bool {
	switch need {
	case needInterne:
		return acc.kind == "medical" && d.covered(acc)
	case needRegistered:
		return (acc.kind == "medical" || acc.kind == "agent" || acc.kind == "cpam") && d.covered(acc) || acc.kind == "assure" && d.nir == acc.code ||
			acc.kind == "pdp" && len(d.classes(acc)) > 0
	case needPDP:
		// The PDP section (signals, actions, the cell's contacts): the medical team
		// of the territory and the caisse's cell, on the types PDP works on.
		pdpTyp := d.typ == medconseil.TypeArretTravail || d.typ == medconseil.TypeATMP || d.typ == medconseil.TypeInvalidite
		return pdpTyp && (acc.kind == "medical" && d.covered(acc) || acc.kind == "pdp" && len(d.classes(acc)) > 0)
	}
	return d.classes(acc)[need]
}

// mMark is one marker: the value found in responses, what it is, and who may
// read it — any of its grants suffices.
type mMark struct {
	value, label string
	grants       []mGrant
}

type mGrant struct {
	d      *mDossier
	need   string
	login  string   // or: this account, whatever the dossiers…
	routes []string // …on these routes only (all when empty)
}

func (m *mMark) allowed(acc mAccount, route string) bool {
	for _, g := range m.grants {
		if g.login != "" {
			if g.login == acc.login && (len(g.routes) == 0 || slices.Contains(g.routes, route)) {
				return true
			}
			continue
		}
		if g.d.allows(acc, g.need) {
			return true
		}
	}
	return false
}

// unmarkable names the field kinds that cannot carry a distinct marker, and why.
var unmarkable = map[medconseil.Kind]string{
	medconseil.KindBool:    "booléen : deux valeurs",
	medconseil.KindChoix:   "liste fermée de codes partagés par tous les dossiers",
	medconseil.KindEntier:  "nombre court, présent partout dans les pages",
	medconseil.KindMontant: "montant court",
	medconseil.KindLPP:     "code du référentiel LPP, le même dans tous les dossiers du type",
	medconseil.KindCommune: "code commune : aussi adresse des organismes montrée à tous",
	medconseil.KindFINESS:  "code FINESS du référentiel",
	medconseil.KindRPPS:    "RPPS : aussi l'identifiant du compte prescripteur",
	medconseil.KindSIRET:   "SIRET : aussi l'identifiant du compte employeur",
	medconseil.KindDossier: "numéro de dossier : présent dans les URL",
}

// arretSchema is the sick-leave notice's fields (filed by its own route and
// structure, not by a schema).
var arretSchema = &medconseil.Schema{Type: medconseil.TypeArretTravail, Champs: []medconseil.Champ{
	{Nom: "nature", Kind: medconseil.KindChoix}, {Nom: "initial_id", Kind: medconseil.KindDossier},
	{Nom: "debut", Kind: medconseil.KindDate}, {Nom: "fin", Kind: medconseil.KindDate},
	{Nom: "teleconsultation", Kind: medconseil.KindBool}, {Nom: "cim10", Kind: medconseil.KindCIM10},
	{Nom: "libelle", Kind: medconseil.KindTexte}, {Nom: "motif", Kind: medconseil.KindLong},
}}

// dateClinical: the clinical date fields (the specification's own list); every
// other date field is administrative.
var dateClinical = map[string]bool{"date_intervention": true}

// The routes the matrix does not request, and why. A route of the router neither
// requested nor listed here fails the test.
var matrixNotProbed = map[string]string{
	"POST /connexion":               "authentification : chaque compte s'y connecte pour la matrice ; un mauvais mot de passe déclencherait les délais de connexion (TestSessionsCSRFAndThrottling)",
	"POST /api/v1/tokens":           "authentification : chaque compte y obtient son jeton pour la matrice ; un échec déclencherait les délais (TestSessionsCSRFAndThrottling)",
	"POST /deconnexion":             "mettrait fin à la session dont la matrice se sert (TestSessionsCSRFAndThrottling)",
	"DELETE /api/v1/tokens/current": "révoquerait le jeton dont la matrice se sert (TestSessionsCSRFAndThrottling)",
}

// matrixFix is the fixture: one server per engine, its dossiers and markers, a
// token and a browser per account.
type matrixFix struct {
	e        *env
	dossiers []*mDossier
	marks    map[string]*mMark // normalized value → marker
	tokens   map[string]string
	browsers map[string]*browser
	logins   []string
	missing  int // 404 of a dossier that does not exist
	// courriers: the letters the avis wrote ("42.pdf"), with their dossier.
	courriers []mProbe
}

var (
	tokenRe   = regexp.MustCompile(`ZM[0-9A-Z_]+|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}|Q\d{2}\.?\d|\d{15}`)
	csrfValRe = regexp.MustCompile(`name="csrf" value="[^"]*"`)
	frDateRe  = regexp.MustCompile(`^(\d{2})/(\d{2})/(\d{4})$`)
)

// normalize turns a token found in a response into a marker key.
func normalize(tok string) string {
	if m := frDateRe.FindStringSubmatch(tok); m != nil {
		return m[3] + "-" + m[2] + "-" + m[1]
	}
	if strings.HasPrefix(tok, "Q") {
		return strings.ReplaceAll(tok, ".", "")
	}
	return tok
}

// found returns the markers in a body (CSRF tokens, random, removed first).
func (fx *matrixFix) found(body string) map[*mMark]bool {
	body = csrfValRe.ReplaceAllString(body, "")
	out := map[*mMark]bool{}
	for _, tok := range tokenRe.FindAllString(body, -1) {
		if m := fx.marks[normalize(tok)]; m != nil {
			out[m] = true
		}
	}
	return out
}

var communeOf = map[string]string{"67": "67482", "57": "57463", "54": "54395", "75": "75056"}

// matrixPlan is the dossiers of the fixture: type, département, assuré, filer.
var matrixPlan = []struct {
	typ      medconseil.TypeDossier
	dep, nir string
	filer    string
	siret    string
	avisBy   string
	avisSens string
	notesBy  string
}{
	{medconseil.TypeArretTravail, "67", nirA, "prescripteur.demo", "", "praticien.67", "non_justifie", "infirmier.67"},
	{medconseil.TypeATMP, "67", nirA, "prescripteur.demo", siretA, "praticien.67", "justifie", "praticien.67"},
	{medconseil.TypeALD, "67", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeTransport, "67", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeLPP, "67", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeKine, "67", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeInvalidite, "67", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeOrdonnance, "67", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeArretTravail, "57", nirA, "prescripteur.demo", "", "praticien.57", "non_justifie", "infirmier.57"},
	{medconseil.TypeTransport, "54", nirA, "autre.medecin", "", "", "", "regional"},
	{medconseil.TypeKine, "75", nirA, "prescripteur.demo", "", "", "", ""},
	{medconseil.TypeArretTravail, "57", nirB, "autre.medecin", "", "", "", "infirmier.57"},
	{medconseil.TypeATMP, "57", nirB, "autre.medecin", siretB, "praticien.57", "non_justifie", ""},
	{medconseil.TypeALD, "67", nirB, "autre.medecin", "", "", "", ""},
	{medconseil.TypeLPP, "75", nirB, "autre.medecin", "", "praticien.75", "non_justifie", "praticien.75"},
}

// newMatrix builds the fixture on db.
func newMatrix(t *testing.T, db *sqldb.DB) *matrixFix {
	t.Helper()
	ctx := t.Context()
	// Another region: an échelon of Paris (Île-de-France, 11), in the organisation
	// and in the policy the store applies.
	orgs := append(medconseil.GrandEst(),
		medconseil.Organisme{Code: "DRSM-11", Type: medconseil.TypeDRSM, Nom: "DRSM Île-de-France", Parent: "CNAM", Region: "11", Commune: "75056"},
		medconseil.Organisme{Code: "ELSM-75", Type: medconseil.TypeEchelon, Nom: "Échelon local de Paris", Parent: "DRSM-11", Region: "11", Departement: "75", Commune: "75056"},
		medconseil.Organisme{Code: "CPAM-75", Type: medconseil.TypeCPAM, Nom: "CPAM de Paris", Region: "11", Departement: "75", Commune: "75056"})
	if err := db.SeedOrganisation(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	db.Policy = authz.Over(orgs)
	e := start(t, db)
	hash, _ := auth.HashPassword(password, cheap)
	for login, h := range map[string]medconseil.Habilitation{
		"praticien.75": {Role: medconseil.RolePraticienConseil, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauEchelon, Code: "75"}},
		"assure.a":     {Role: medconseil.RoleAssure, Territoire: medconseil.Territoire{Niveau: medconseil.NiveauNIR, Code: nirA}},
	} {
		if _, err := db.CreateUser(ctx, nil, login, login, hash, []medconseil.Habilitation{h}, sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	fx := &matrixFix{e: e, marks: map[string]*mMark{}, tokens: map[string]string{}, browsers: map[string]*browser{}}
	for l := range matrixAccounts {
		fx.logins = append(fx.logins, l)
	}
	sort.Strings(fx.logins)
	for _, l := range fx.logins {
		if l == "" {
			jar := &browser{e: e, c: &http.Client{}}
			fx.browsers[l] = jar
			continue
		}
		fx.tokens[l] = e.token(l)
		fx.browsers[l] = e.browser(l)
	}

	// Dates already shown before any dossier exists (legislation, référentiels…)
	// cannot be markers.
	background := map[string]bool{}
	for _, pat := range e.app.Routes() {
		method, path, _ := strings.Cut(pat, " ")
		if method != "GET" || strings.Contains(path, "{") && !strings.HasSuffix(path, "{$}") {
			continue
		}
		path = strings.TrimSuffix(path, "{$}")
		var body string
		if strings.HasPrefix(path, "/api/") {
			_, body = e.do("GET", path, fx.tokens["regional"], nil, nil)
		} else {
			_, body = fx.browsers["regional"].getStatus(path)
		}
		for _, tok := range tokenRe.FindAllString(body, -1) {
			background[normalize(tok)] = true
		}
	}
	today := medconseil.DateOf(time.Now())
	for i := -5; i < 800; i++ {
		background[today.AddDays(i).String()] = true
	}

	ex := examples(t)
	add := func(value, label string, grants ...mGrant) *mMark {
		if m, ok := fx.marks[value]; ok {
			m.grants = append(m.grants, grants...)
			return m
		}
		m := &mMark{value: value, label: label, grants: grants}
		fx.marks[value] = m
		return m
	}
	identity := map[string][3]string{ // declared by prescripteur.demo (registered) / by autre.medecin
		nirA + "prescripteur.demo": {"ZMNOMA", "ZMPRENOMA", "1971-03-09"},
		nirA + "autre.medecin":     {"ZMAUTRENOMA", "ZMAUTREPRENOMA", "1971-03-09"},
		nirB + "autre.medecin":     {"ZMNOMB", "ZMPRENOMB", "1983-07-21"},
	}
	used := map[string]bool{}
	shift := 0
	for i, p := range matrixPlan {
		s, ok := medconseil.SchemaOf(p.typ)
		if !ok || s == nil {
			s = arretSchema
		}
		body := map[string]any{}
		for k, v := range ex[string(p.typ)] {
			body[k] = v
		}
		d := &mDossier{idx: i, typ: p.typ, dep: p.dep, nir: p.nir, rpps: matrixAccounts[p.filer].code, siret: p.siret}
		id := identity[p.nir+p.filer]
		d.nom, d.prenom, d.declNaiss = id[0], id[1], id[2]
		body["nir"], body["residence"], body["prescripteur"] = p.nir, communeOf[p.dep], d.rpps
		body["nom"], body["prenom"], body["naissance"] = d.nom, d.prenom, d.declNaiss
		if p.siret != "" {
			body["employeur_siret"] = p.siret
		}
		if _, ok := body["medecin_traitant"]; ok {
			body["medecin_traitant"] = d.rpps
		}
		// One date shift per dossier, clear of the background and of other dossiers.
		var dates []string
		for _, c := range s.Champs {
			if v, ok := body[c.Nom].(string); ok && c.Kind == medconseil.KindDate {
				dates = append(dates, v)
			}
		}
		if p.avisSens == "non_justifie" {
			dates = append(dates, "avis")
		}
		for shift += 45; ; shift++ {
			clear := true
			for _, v := range dates {
				if v == "avis" {
					v = "2026-11-02"
					if p.typ == medconseil.TypeArretTravail {
						v = body["debut"].(string)
					}
					v = mustDate(t, v).AddDays(5 - shift).String()
				} else {
					v = mustDate(t, v).AddDays(-shift).String()
				}
				if background[v] || used[v] {
					clear = false
				}
			}
			if clear {
				break
			}
		}
		if p.avisSens == "non_justifie" {
			avisBase := "2026-11-02"
			if p.typ == medconseil.TypeArretTravail {
				avisBase = body["debut"].(string)
			}
			used[mustDate(t, avisBase).AddDays(5-shift).String()] = true
		}
		for _, c := range s.Champs {
			v, present := body[c.Nom]
			if !present && len(c.Si) > 0 {
				continue // not applicable to the example's piece
			}
			switch c.Kind {
			case medconseil.KindTexte, medconseil.KindLong:
				class, ok := textClasses[c.Nom]
				if c.Nom == "libelle" {
					class, ok = classClin, true // the arrêt's diagnosis in words
				}
				if !ok {
					t.Fatalf("%s.%s: text field missing from the specification", p.typ, c.Nom)
				}
				m := fmt.Sprintf("ZM%02d%s", i, strings.ToUpper(c.Nom))
				body[c.Nom] = m
				d.marks = append(d.marks, add(m, fmt.Sprintf("%s.%s (%s)", p.typ, c.Nom, class), mGrant{d: d, need: class}))
			case medconseil.KindCIM10:
				m := fmt.Sprintf("Q%02d.%d", 50+i, i%10)
				body[c.Nom] = m
				d.marks = append(d.marks, add(normalize(m), fmt.Sprintf("%s.%s (clinique)", p.typ, c.Nom), mGrant{d: d, need: classClin}))
			case medconseil.KindDate:
				if !present {
					continue
				}
				m := mustDate(t, v.(string)).AddDays(-shift).String()
				body[c.Nom] = m
				used[m] = true
				class := classAdmin
				if dateClinical[c.Nom] {
					class = classClin
				}
				d.marks = append(d.marks, add(m, fmt.Sprintf("%s.%s (%s)", p.typ, c.Nom, class), mGrant{d: d, need: class}))
			default:
				if _, ok := unmarkable[c.Kind]; !ok {
					t.Fatalf("%s.%s: field kind %d has neither a marker nor a reason in unmarkable", p.typ, c.Nom, c.Kind)
				}
			}
			// The specification agrees with internal/authz on every marked field.
			if got, ok := authz.ClassOf(p.typ, c.Nom); ok {
				want := map[string]medconseil.FieldClass{classAdmin: medconseil.Administratif, classClin: medconseil.Clinique}
				for _, m := range d.marks {
					if strings.HasPrefix(m.label, string(p.typ)+"."+c.Nom+" ") && want[m.grants[len(m.grants)-1].need] != got {
						t.Errorf("%s.%s: the specification says %s, internal/authz %s", p.typ, c.Nom, m.grants[len(m.grants)-1].need, got.Label())
					}
				}
			}
		}
		d.shift = shift
		if p.typ == medconseil.TypeArretTravail {
			d.debutArr = body["debut"].(string)
		}
		res, out := e.do("POST", "/api/v1/dossiers", fx.tokens[p.filer], body, nil)
		if res.StatusCode != 201 {
			t.Fatalf("dossier %d (%s %s): %d %s", i, p.typ, p.dep, res.StatusCode, out)
		}
		var x struct{ ID int64 }
		json.Unmarshal([]byte(out), &x)
		d.id = x.ID
		// Identity: what this filing declared, and the assuré's NIR.
		add(d.nom, "identité déclarée (nom)", mGrant{d: d, need: classIdentite})
		add(d.prenom, "identité déclarée (prénom)", mGrant{d: d, need: classIdentite})
		add(d.declNaiss, "identité déclarée (naissance)", mGrant{d: d, need: classIdentite})
		// The auditeur reads the journal (PRODUCT.md §1), whose entries name the
		// assuré of a filing or an identity change (objet assure:NIR); the account
		// admin sees the NIR an assuré's account is bound to (account data).
		nirGrants := []mGrant{{d: d, need: classIdentite}, {login: "dpo", routes: []string{"GET /{$}", "GET /audit", "GET /audit.csv", "GET /api/v1/audit"}}}
		if d.nir == nirA {
			nirGrants = append(nirGrants, mGrant{login: "admin"})
		}
		add(d.nir, "NIR", nirGrants...)
		// The registered identity is the first filing's (prescripteur.demo for A,
		// autre.medecin for B): readable by the roles that read registered identity.
		reg := identity[p.nir+"prescripteur.demo"]
		if p.nir == nirB {
			reg = identity[nirB+"autre.medecin"]
		}
		for _, v := range reg {
			add(v, "identité enregistrée", mGrant{d: d, need: needRegistered})
		}
		fx.dossiers = append(fx.dossiers, d)
	}
	// Notes of both addressees, avis with motif.
	for i, p := range matrixPlan {
		d := fx.dossiers[i]
		if p.notesBy != "" {
			for _, n := range []struct{ dest, need string }{{"interne", needInterne}, {"prescripteur", classClin}} {
				m := fmt.Sprintf("ZM%02dNOTE_%s", i, strings.ToUpper(n.dest))
				res, out := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/notes", d.id), fx.tokens[p.notesBy], map[string]string{"texte": m, "destinataire": n.dest}, nil)
				if res.StatusCode != 204 {
					t.Fatalf("note on %d: %d %s", i, res.StatusCode, out)
				}
				d.marks = append(d.marks, add(m, "note "+n.dest, mGrant{d: d, need: n.need}))
			}
		}
		if p.avisBy != "" {
			_, out := e.do("GET", fmt.Sprintf("/api/v1/dossiers/%d", d.id), fx.tokens[p.avisBy], nil, nil)
			var cur struct{ Version int }
			json.Unmarshal([]byte(out), &cur)
			motif := fmt.Sprintf("ZM%02dAVIS_MOTIF", i)
			avis := map[string]any{"sens": p.avisSens, "motif": motif, "version": cur.Version}
			if p.avisSens == "non_justifie" {
				// five days after the start, with the dossier's own date shift
				d.effet = mustDate(t, "2026-11-02").AddDays(5 - d.shift).String()
				if d.debutArr != "" { // already shifted
					d.effet = mustDate(t, d.debutArr).AddDays(5).String()
				}
				avis["effet_au"] = d.effet
			}
			res, out := e.do("POST", fmt.Sprintf("/api/v1/dossiers/%d/avis", d.id), fx.tokens[p.avisBy], avis, nil)
			if res.StatusCode != 200 {
				t.Fatalf("avis on %d: %d %s", i, res.StatusCode, out)
			}
			d.marks = append(d.marks, add(motif, "avis.motif (clinique)", mGrant{d: d, need: classClin}))
			if d.effet != "" {
				d.marks = append(d.marks, add(d.effet, "avis.effet_au (décision)", mGrant{d: d, need: classDec}))
			}
		}
	}
	// The letters the avis wrote (courriers), each probed by its download routes.
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, dossier_id FROM courrier ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, dossier int64
			if err := rows.Scan(&id, &dossier); err != nil {
				return err
			}
			for _, d := range fx.dossiers {
				if d.id == dossier {
					fx.courriers = append(fx.courriers, mProbe{path: fmt.Sprintf("%d.pdf", id), dossier: d})
				}
			}
		}
		return rows.Err()
	}); err != nil || len(fx.courriers) == 0 {
		t.Fatalf("letters of the fixture: %d, %v", len(fx.courriers), err)
	}
	// Convocation and examination (convocation_test.go).
	matrixConvocations(t, fx)
	// Échange confraternel and contre-visite patronale (echange_test.go).
	matrixEchanges(t, fx)
	// PDP actions and contacts with the médecin du travail (pdp_test.go).
	matrixPDP(t, fx)
	// A dossier id that does not exist.
	fx.missing = int(fx.dossiers[len(fx.dossiers)-1].id) + 1000
	// The specification agrees with the policy the store applies.
	for _, l := range fx.logins {
		a := matrixActeur(t, db, l)
		for _, d := range fx.dossiers {
			got := db.Policy.Classes(a, authz.Scope{Type: d.typ, Departement: d.dep, Prescripteur: medconseil.RPPS(d.rpps), NIR: medconseil.NIR(d.nir), Employeur: d.siret})
			want := d.classes(matrixAccounts[l])
			for c, fc := range map[string]medconseil.FieldClass{classIdentite: medconseil.Identite, classAdmin: medconseil.Administratif, classClin: medconseil.Clinique, classDec: medconseil.Decision} {
				if got.Has(fc) != want[c] {
					t.Errorf("%s on dossier %d (%s %s): the specification says %s %v, internal/authz %v", l, d.idx, d.typ, d.dep, c, want[c], got.Has(fc))
				}
			}
		}
	}
	return fx
}

func mustDate(t *testing.T, s string) medconseil.Date {
	d, err := medconseil.ParseDate(s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

// matrixActeur is the store's acteur for a login (none for "").
func matrixActeur(t *testing.T, db *sqldb.DB, login string) *medconseil.Acteur {
	if login == "" {
		return &medconseil.Acteur{}
	}
	us, err := db.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Login == login {
			a, err := db.ActeurByID(t.Context(), u.ID)
			if err != nil {
				t.Fatalf("%s: %v", login, err)
			}
			return a
		}
	}
	t.Fatalf("no account %s", login)
	return nil
}

// mProbe is one request of the matrix.
type mProbe struct {
	route, method, path, body string
	api                       bool
	echo                      string // a marker the request itself carries (a NIR in the path)
	dossier                   *mDossier
}

// probes expands every route of the router into requests; it reports the routes
// it can neither expand nor find in matrixNotProbed.
func (fx *matrixFix) probes(r reporter) []mProbe {
	var out []mProbe
	for _, pat := range fx.e.app.Routes() {
		if _, ok := matrixNotProbed[pat]; ok {
			continue
		}
		method, path, ok := strings.Cut(pat, " ")
		if !ok {
			method, path = "", pat
		}
		api := strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/fhir/")
		switch path {
		case "/static/":
			path = "/static/style.css"
		case "/api/":
			path = "/api/v1/inconnu/{id}"
		case "/":
			path = "/inconnu/{id}"
		}
		path = strings.TrimSuffix(path, "{$}")
		// Path parameters.
		paths := []mProbe{{path: path}}
		for _, seg := range regexp.MustCompile(`\{[a-z.]+\}`).FindAllString(path, -1) {
			var next []mProbe
			for _, p := range paths {
				var vals []mProbe
				switch seg {
				case "{id}":
					if strings.HasPrefix(path, "/habilitations/") {
						vals = []mProbe{{path: "999999"}}
						break
					}
					if strings.HasPrefix(path, "/fhir/DocumentReference/") || strings.HasPrefix(path, "/fhir/Binary/") {
						// A letter's id, not a dossier's: every letter with its dossier, and a missing one.
						for _, c := range fx.courriers {
							vals = append(vals, mProbe{path: strings.TrimSuffix(c.path, ".pdf"), dossier: c.dossier})
						}
						vals = append(vals, mProbe{path: "999999"})
						break
					}
					for _, d := range fx.dossiers {
						vals = append(vals, mProbe{path: fmt.Sprint(d.id), dossier: d})
					}
					vals = append(vals, mProbe{path: fmt.Sprint(fx.missing)})
				case "{nir}":
					for _, n := range []string{nirA, nirB} {
						vals = append(vals, mProbe{path: n, echo: n})
					}
				case "{type}":
					for _, s := range medconseil.Schemas() {
						vals = append(vals, mProbe{path: string(s.Type)})
					}
				case "{login}":
					vals = []mProbe{{path: "inconnu.matrice"}}
				case "{name}":
					vals = []mProbe{{path: "cim10"}}
				case "{code}":
					vals = []mProbe{{path: "A00"}}
				case "{name...}":
					vals = []mProbe{{path: "ij"}}
				case "{ruleset}":
					vals = []mProbe{{path: "ij"}}
				case "{fichier}": // a letter's PDF: every letter, a missing one, a malformed name
					vals = append(append([]mProbe{}, fx.courriers...), mProbe{path: "999999.pdf"}, mProbe{path: "abc.pdf"})
				case "{rpps}":
					for _, n := range []string{prescripteur, rppsAutre} {
						vals = append(vals, mProbe{path: n, echo: n})
					}
				case "{site}":
					vals = []mProbe{{path: "S67-STRASBOURG"}, {path: "S67-STRASBOURG.ics"}, {path: "S57-METZ.ics"}, {path: "S99-INCONNU"}}
				case "{pro}":
					vals = []mProbe{{path: "57110001"}}
				default:
					r.Errorf("route %s: parameter %s unknown to the matrix: give it values in probes or list the route in matrixNotProbed with the reason", pat, seg)
					continue
				}
				for _, v := range vals {
					q := p
					q.path = strings.Replace(p.path, seg, v.path, 1)
					if v.dossier != nil {
						q.dossier = v.dossier
					}
					if v.echo != "" {
						q.echo = v.echo
					}
					next = append(next, q)
				}
			}
			paths = next
		}
		methods := []string{method}
		if method == "" {
			methods = []string{"GET", "POST"}
		}
		for _, m := range methods {
			for _, p := range paths {
				p.route, p.method, p.api = pat, m, api
				if m != "GET" {
					if api {
						p.body = "{}"
					}
				}
				out = append(out, p)
				// A POST on a dossier also with a body the store refuses after its gate
				// (stale version, empty note): 403, 404, 409 and 422 bodies.
				if refused, ok := refusedBodies[path[strings.LastIndex(path, "/")+1:]]; ok && m == "POST" && strings.Contains(path, "{id}") {
					v := p
					v.body = refused[0]
					if !api {
						v.body = refused[1]
					}
					out = append(out, v)
				}
				if m == "GET" && (path == "/dossiers" || path == "/dossiers.csv" || path == "/api/v1/dossiers") {
					for _, q := range []string{"par_page=200", "tri=-recue&par_page=200", "nir=" + nirA, "nir=" + nirB, "etat=inconnu"} {
						v := p
						v.path += "?" + q
						if strings.HasPrefix(q, "nir=") {
							v.echo = strings.TrimPrefix(q, "nir=")
						}
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// refusedBodies are, per action on a dossier, an API body and a form the store
// refuses after its gate (version 999999 is always stale).
var refusedBodies = map[string][2]string{
	"avis":       {`{"sens":"non_justifie","effet_au":"2026-11-05","motif":"x","version":999999}`, "sens=non_justifie&effet_au=05/11/2026&motif=x&version=999999"},
	"notes":      {`{"texte":"","destinataire":"prescripteur"}`, "texte=&destinataire=prescripteur"},
	"preanalyse": {`{"sens":"ecartee","motif":"x","version":999999}`, "sens=ecartee&motif=x&version=999999"},
	"faits":      {`{"faits":{"heures_3_mois":"455"},"version":999999}`, "heures_3_mois=455&version=999999"},
	"evenements": {`{"evenement":"demander_pieces","version":999999}`, "evenement=demander_pieces&version=999999"},
}

// reporter is what the matrix reports leaks to: a *testing.T, or a recorder in
// the mutation check.
type reporter interface {
	Errorf(format string, args ...any)
}

// matrixStats are the figures of one run.
type matrixStats struct {
	accounts, routes, requests, checks, markers, positives int
	statuses                                               map[int]int
}

// do sends one probe as login.
func (fx *matrixFix) do(login string, p mProbe) (int, string) {
	req, _ := http.NewRequest(p.method, fx.e.srv.URL+p.path, strings.NewReader(p.body))
	c := fx.browsers[login].c
	if p.api {
		c = http.DefaultClient
		if tok := fx.tokens[login]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		req.Header.Set("Content-Type", "application/json")
	} else if p.method == "POST" {
		form := "csrf=" + url.QueryEscape(fx.browsers[login].csrf)
		if p.body != "" {
			form += "&" + p.body
		}
		req.Body = io.NopCloser(strings.NewReader(form))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// runMatrix requests every probe as every account and reports to r each marker
// shown to an account the specification denies it, each marker the dossier pages
// fail to show to an account it allows, any 5xx, and any difference between the
// answer to a hidden dossier and to a missing one.
func (fx *matrixFix) runMatrix(r reporter) matrixStats {
	probes := fx.probes(r)
	st := matrixStats{accounts: len(fx.logins), markers: len(fx.marks), statuses: map[int]int{}}
	routes := map[string]bool{}
	reported := map[string]bool{}
	report := func(key, format string, args ...any) {
		if !reported[key] {
			reported[key] = true
			r.Errorf(format, args...)
		}
	}
	for _, login := range fx.logins {
		acc := matrixAccounts[login]
		acc.login = login
		missing := map[string]string{} // route → body of the missing dossier
		hidden := map[string][]string{}
		for _, p := range probes {
			status, body := fx.do(login, p)
			st.requests++
			st.statuses[status]++
			routes[p.route] = true
			if status >= 500 || status == 0 {
				report(login+p.route+"5xx", "%s: %s %s answered %d: %.200s", login, p.method, p.path, status, body)
			}
			found := fx.found(body)
			st.checks += len(fx.dossiers)
			for m := range found {
				if m.value == p.echo || m.allowed(acc, p.route) {
					continue
				}
				report(login+p.route+m.value, "LEAK %q: %s %s (route %s, status %d) shows %s %q", login, p.method, p.path, p.route, status, m.label, m.value)
			}
			// The worklist holds exactly the dossiers the specification lets the
			// account see: none wider, none missing.
			if p.route == "GET /api/v1/dossiers" && strings.HasSuffix(p.path, "?par_page=200") && login != "" {
				var list struct{ Dossiers []struct{ ID int64 } }
				json.Unmarshal([]byte(body), &list)
				got := map[int64]bool{}
				for _, x := range list.Dossiers {
					got[x.ID] = true
				}
				for _, d := range fx.dossiers {
					if want := len(d.classes(acc)) > 0; got[d.id] != want {
						report(login+"list"+fmt.Sprint(d.id), "LEAK-LIST %q: GET /api/v1/dossiers lists dossier %d (%s %s): %v, the specification says %v", login, d.idx, d.typ, d.dep, got[d.id], want)
					}
				}
			}
			// A hidden dossier answers exactly like a missing one.
			if p.method == "GET" && strings.Contains(p.route, "{id}") && !strings.HasPrefix(p.route, "GET /habilitations") {
				norm := csrfValRe.ReplaceAllString(body, "")
				switch {
				case login == "":
				case p.dossier == nil:
					missing[p.route] = fmt.Sprint(status) + " " + norm
				case len(p.dossier.classes(acc)) == 0:
					hidden[p.route] = append(hidden[p.route], fmt.Sprintf("%d %d %s", p.dossier.id, status, norm))
				}
			}
			// The dossier pages show what the specification allows.
			if d := p.dossier; d != nil && p.method == "GET" && (p.route == "GET /dossiers/{id}" || p.route == "GET /api/v1/dossiers/{id}") {
				cls := d.classes(acc)
				if login == "" {
					continue // no credentials: the login page or 401, checked for leaks above
				}
				if len(cls) == 0 {
					if status != 404 {
						report(login+p.route+p.path+"404", "%s: %s of hidden dossier %d (%s %s) answered %d, want 404", login, p.path, d.idx, d.typ, d.dep, status)
					}
					continue
				}
				if status != 200 {
					report(login+p.path+"200", "%s: %s (dossier %d, %s %s) answered %d, want 200", login, p.path, d.idx, d.typ, d.dep, status)
					continue
				}
				for _, m := range d.marks {
					if !m.allowed(acc, p.route) {
						continue
					}
					st.positives++
					if !found[m] {
						report(login+p.path+m.value+"absent", "%s: %s (dossier %d, %s %s) does not show %s %q, which the specification allows", login, p.path, d.idx, d.typ, d.dep, m.label, m.value)
					}
				}
				if cls[classIdentite] {
					shown := false
					for _, v := range []string{d.nom, d.nir} {
						shown = shown || found[fx.marks[v]]
					}
					for m := range found {
						shown = shown || strings.HasPrefix(m.label, "identité")
					}
					if !shown {
						report(login+p.path+"identite", "%s: %s (dossier %d) shows no identity", login, p.path, d.idx)
					}
				}
			}
		}
		for route, bodies := range hidden {
			for _, b := range bodies {
				id, rest, _ := strings.Cut(b, " ")
				want := strings.ReplaceAll(missing[route], fmt.Sprint(fx.missing), id)
				if rest != want {
					report(login+route+"hidden", "%s: %s answers hidden dossier n° %s otherwise than a missing one:\n hidden:  %.300s\n missing: %.300s", login, route, id, rest, want)
					break
				}
			}
		}
	}
	for _, pat := range fx.e.app.Routes() {
		if _, listed := matrixNotProbed[pat]; !listed && !routes[pat] {
			r.Errorf("route %s is neither requested by the matrix nor listed in matrixNotProbed", pat)
		}
	}
	st.routes = len(routes)
	return st
}

// TestSecretMatrixAllRoutes runs the matrix on each engine.
func TestSecretMatrixAllRoutes(t *testing.T) {
	if raceEnabled {
		// Sequential requests, no concurrency claim: 8 000 requests per engine cost
		// minutes under the race detector; the go test ./... step of .ci/run runs it.
		t.Skip("secret matrix skipped under -race (run by the plain go test step)")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		fx := newMatrix(t, db)
		start := time.Now()
		st := fx.runMatrix(t)
		byClass := map[string]int{}
		for _, m := range fx.marks {
			byClass[m.grants[0].need]++
		}
		t.Logf("markers by class: %v; statuses %v", byClass, st.statuses)
		t.Logf("%s: %d accounts × %d routes (%d requests, %d listed as not requested) × %d dossiers = %d response×dossier checks; %d markers; %d allowed markers required on the dossier pages; %v",
			db.Dialect(), st.accounts, st.routes, st.requests, len(matrixNotProbed), len(fx.dossiers), st.checks, st.markers, st.positives, time.Since(start).Round(time.Millisecond))
	})
}
