package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// The malformed-input corpus: every route the router holds (read from it, so a
// new route is covered without editing this file) receives malformed path
// values, query strings, JSON and form bodies, headers and credentials. On both
// engines: no answer is a 5xx, and a refused request (4xx) writes nothing — every
// table keeps its row count, and the audit journal only gains refusals.

// Path values for {param} segments.
var corpusPathValues = []string{"0", "-1", "abc", "99999999999999999999", "%00", "%FF", "1%00", "%E2%80%8B", "%C3%28", strings.Repeat("9", 300), "..%2F..%2Fetc"}

// Query strings for GET routes.
var corpusQueries = []string{
	"page=99999999999999999999", "page=9223372036854775807", "page=-1", "par_page=0&page=2147483647",
	"etat=%00", "tri=%FF", "nir=123", "q=%00", "q=" + strings.Repeat("%E2%80%8B", 50), "depuis=0001-01-01", "avant=9999-12-31",
	"finalite=" + strings.Repeat("x", 300), "departement=%C3%28", "x=%zz", "date=0001-01-01", "ok=%3Cscript%3E", "retour=%2F%2Fevil.example", "finalite=%00", "finalite=%FF%FE",
	"login=%00&objet=%FF&action=" + strings.Repeat("a", 5000), "verifier=%00", "ouverts=%FF",
}

// JSON bodies for POST API routes.
var corpusJSON = []string{
	"", "{", "[]", "null", `"texte"`, `{"inconnu":1}`, `{} {}`,
	`{"texte":"a\u0000b"}`, `{"login":"a\u0000","password":"x"}`, "{\"texte\":\"\xff\xfe\"}", "{\"nom\":\"\xc3\x28\"}",
	`{"nir":5,"debut":true,"fin":[],"libelle":{},"version":"v"}`,
	`{"nir":"185056748212337","residence":"67482","prescripteur":"10001234567","nature":"initial","debut":"0001-01-01","fin":"0001-01-02","cim10":"M545","libelle":"x"}`,
	`{"nir":"185056748212337","residence":"67482","prescripteur":"10001234567","nature":"initial","debut":"2026-11-02","fin":"2026-11-20","cim10":"M545","libelle":"\u200b\u200b\u2060"}`,
	`{"nir":"185056748212337","residence":"67482","nom":"` + strings.Repeat("N", 20000) + `","prescripteur":"10001234567","nature":"initial","debut":"2026-11-02","fin":"2026-11-20","cim10":"M545","libelle":"x"}`,
	`{"nir":"185056748212337","residence":"67482","naissance":"2030-01-01","prescripteur":"10001234567","nature":"initial","debut":"2026-11-02","fin":"2026-11-20","cim10":"M545","libelle":"x"}`,
	`{"sens":"justifie","version":99999999999999999999}`, `{"sens":"%00","effet_au":"0001-01-01","version":-1}`,
	`{"texte":"","destinataire":"tout le monde"}`, `{"arret":{"debut":"0001-01-01"}}`,
	`{"x":"` + strings.Repeat("A", 70<<10) + `"}`,
}

// Form field values; each is put in every field a form of medconseil reads.
var corpusFormValues = []string{"%00", "%FF", strings.Repeat("A", 20000), "0001-01-01", "=HYPERLINK(%22http://x%22)", "%E2%80%8B", "-1", "99999999999999999999"}

var corpusFormFields = []string{"nom", "prenom", "login", "password", "role", "territoire", "texte", "destinataire", "sens", "effet_au", "motif",
	"version", "nir", "residence", "naissance", "prescripteur", "nature", "initial_id", "debut", "fin", "cim10", "libelle", "decision", "actif", "retour", "date", "jeu"}

// client is a logged-in browser that does not follow redirects.
type client struct {
	c    *http.Client
	csrf string
}

func (e *env) client(login string) *client {
	e.t.Helper()
	b := e.browser(login)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	b.get("/dossiers")
	return &client{c: b.c, csrf: b.csrf}
}

// snapshot is the count of rows of every table but the journal's own, and the
// journal's last sequence number.
type snapshot struct {
	counts map[string]int
	seq    int64
}

func tables(t *testing.T, db *sqldb.DB) []string {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect() == sqldb.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var out []string
	err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		rows, err := tx.Query(context.Background(), q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			switch n {
			case "audit", "audit_head", "login_delai", "schema_migration":
				// the journal is checked apart; login delays count refused logins by design
			default:
				out = append(out, n)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func snap(t *testing.T, db *sqldb.DB, tabs []string) snapshot {
	t.Helper()
	parts := make([]string, len(tabs))
	for i, n := range tabs {
		parts[i] = "(SELECT COUNT(*) FROM " + n + ")"
	}
	vals := make([]any, len(tabs)+1)
	ns := make([]int64, len(tabs)+1)
	for i := range vals {
		vals[i] = &ns[i]
	}
	err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT "+strings.Join(parts, ", ")+", (SELECT COALESCE(MAX(seq), 0) FROM audit)").Scan(vals...)
	})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{counts: map[string]int{}, seq: ns[len(tabs)]}
	for i, n := range tabs {
		s.counts[n] = int(ns[i])
	}
	return s
}

type corpusReq struct {
	route, method, path, body, ctype string
	hdr                              map[string]string
	as                               *client
}

func TestMalformedInputCorpus(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		id := seedMatrixDossier(t, e)
		tokens := map[string]string{}
		for _, l := range []string{"praticien.67", "prescripteur.demo", "cpam.67", "dpo", "admin"} {
			tokens[l] = e.token(l)
		}
		clients := map[string]*client{}
		for _, l := range []string{"praticien.67", "admin", "cpam.67", "chef.67", "dpo"} {
			clients[l] = e.client(l)
		}
		var reqs []corpusReq
		routes := e.app.Routes()
		for _, pat := range routes {
			method, path, ok := strings.Cut(pat, " ")
			if !ok {
				method, path = "", pat
			}
			methods := []string{method}
			if method == "" {
				methods = []string{"GET", "POST", "PUT"}
			}
			path = strings.TrimSuffix(path, "{$}")
			var paths []string
			if strings.Contains(path, "{") {
				for _, v := range corpusPathValues {
					p := path
					for strings.Contains(p, "{") {
						i, j := strings.Index(p, "{"), strings.Index(p, "}")
						p = p[:i] + v + p[j+1:]
					}
					paths = append(paths, p)
				}
				// And the real dossier, for the routes that act on one.
				paths = append(paths, strings.Replace(strings.Replace(path, "{id}", fmt.Sprint(id), 1), "{login}", "praticien.67", 1))
			} else {
				paths = []string{path, path + "%00", path + "/%FF"}
			}
			api := strings.HasPrefix(path, "/api/")
			for _, m := range methods {
				for _, p := range paths {
					for _, who := range []string{"praticien.67", "admin", "cpam.67"} {
						r := corpusReq{route: pat, method: m, path: p}
						if api {
							r.hdr = map[string]string{"Authorization": "Bearer " + tokens[who]}
						} else {
							r.as = clients[who]
						}
						reqs = append(reqs, r)
					}
				}
				switch {
				case m == "GET":
					for _, q := range corpusQueries {
						r := corpusReq{route: pat, method: m, path: paths[len(paths)-1] + "?" + q}
						if api {
							r.hdr = map[string]string{"Authorization": "Bearer " + tokens["dpo"]}
						} else {
							r.as = clients["dpo"]
							if !strings.HasPrefix(path, "/audit") {
								r.as = clients["praticien.67"]
							}
						}
						reqs = append(reqs, r)
					}
				case api && m != "":
					for _, b := range corpusJSON {
						for _, who := range []string{"praticien.67", "prescripteur.demo"} {
							reqs = append(reqs, corpusReq{route: pat, method: m, path: paths[len(paths)-1], body: b, ctype: "application/json",
								hdr: map[string]string{"Authorization": "Bearer " + tokens[who], "Idempotency-Key": strings.Repeat("k", 300) + "\xff"}})
						}
					}
					// Credentials: none, garbage, NUL.
					for _, a := range []string{"", "Bearer ", "Bearer xyz", "Bearer \x7f", "Basic YWRtaW46YWRtaW4=", "Bearer " + strings.Repeat("t", 5000)} {
						reqs = append(reqs, corpusReq{route: pat, method: m, path: paths[len(paths)-1], body: "{}", hdr: map[string]string{"Authorization": a}})
					}
				case m == "POST" || m == "":
					if strings.HasSuffix(path, "/deconnexion") {
						continue // would end the sessions the corpus uses; covered by TestSessionsCSRFAndThrottling
					}
					for _, v := range corpusFormValues {
						for _, who := range []string{"praticien.67", "admin"} {
							c := clients[who]
							f := "csrf=" + url.QueryEscape(c.csrf)
							for _, k := range corpusFormFields {
								f += "&" + k + "=" + v
							}
							reqs = append(reqs, corpusReq{route: pat, method: "POST", path: paths[len(paths)-1], body: f, ctype: "application/x-www-form-urlencoded", as: c})
						}
					}
					// No CSRF token, a wrong one, a malformed form.
					for _, f := range []string{"texte=x", "csrf=faux&texte=x", "csrf=%zz&%%%", "csrf=" + url.QueryEscape(clients["praticien.67"].csrf) + "&texte=" + strings.Repeat("A", 2<<20)} {
						reqs = append(reqs, corpusReq{route: pat, method: "POST", path: paths[len(paths)-1], body: f, ctype: "application/x-www-form-urlencoded", as: clients["praticien.67"]})
					}
				}
			}
		}

		tabs := tables(t, db)
		plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		covered := map[string]int{}
		statuses := map[int]int{}
		refused := 0
		before := snap(t, db, tabs)
		for _, r := range reqs {
			req, err := http.NewRequest(r.method, e.srv.URL+r.path, strings.NewReader(r.body))
			if err != nil {
				// A URL Go itself refuses to send (e.g. a bad escape in the path) is not a request.
				continue
			}
			if r.ctype != "" {
				req.Header.Set("Content-Type", r.ctype)
			}
			for k, v := range r.hdr {
				req.Header[k] = []string{v}
			}
			c := plain
			if r.as != nil {
				c = r.as.c
			}
			res, err := c.Do(req)
			if err != nil {
				continue // the client refused to send it (invalid header byte)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			covered[r.route]++
			statuses[res.StatusCode]++
			if res.StatusCode >= 500 {
				t.Errorf("%s %s (%s, %.80q): %d %.300s", r.method, r.path, r.route, r.body, res.StatusCode, body)
			}
			after := snap(t, db, tabs)
			if res.StatusCode >= 400 {
				refused++
				for _, n := range tabs {
					if after.counts[n] != before.counts[n] {
						t.Errorf("%s %s refused with %d but table %s went from %d to %d rows", r.method, r.path, res.StatusCode, n, before.counts[n], after.counts[n])
					}
				}
				var ok int
				if err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
					// A refused form re-shows its page: its reads (the dossier and its
					// sections: échanges, contre-visites, PDP…, every read action named
					// *.lecture) are real disclosures, journaled as such. Anything else
					// marked ok would be a write.
					return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit WHERE seq > ? AND resultat = 'ok' AND action NOT LIKE '%.lecture' AND action NOT IN ('audit.consultation', 'dossiers.liste', 'courriers.liste')`, before.seq).Scan(&ok)
				}); err != nil {
					t.Fatal(err)
				}
				if ok > 0 {
					t.Errorf("%s %s refused with %d but the journal gained %d write entries marked ok", r.method, r.path, res.StatusCode, ok)
				}
			}
			before = after
		}
		for _, pat := range routes {
			if covered[pat] == 0 {
				t.Errorf("route %s received no request", pat)
			}
		}
		total, fivexx := 0, 0
		for st, n := range statuses {
			total += n
			if st >= 500 {
				fivexx += n
			}
		}
		if total < 300 {
			t.Errorf("corpus of %d requests, want ≥ 300", total)
		}
		t.Logf("%s: %d requests over %d routes, %d refused (4xx) with nothing written, %d × 5xx; statuses %v", db.Dialect(), total, len(routes), refused, fivexx, statuses)
	})
}
