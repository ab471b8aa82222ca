package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"medconseil"
	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
)

// referentielRoutes registers the référentiels search API and the "Base
// documentaire" pages. The search index is built from the rows imported in the
// store and rebuilt when an import changes the versions in force.
func (s *Server) referentielRoutes() {
	c := &refCache{db: s.DB}
	s.mux.Handle("GET /referentiels", s.page(func(w http.ResponseWriter, r *http.Request) error { return s.referentielsPage(w, r, c) }))
	s.mux.Handle("GET /referentiels/{name}/{code}", s.page(func(w http.ResponseWriter, r *http.Request) error { return s.referentielFiche(w, r, c) }))
	s.mux.Handle("GET /api/v1/referentiels/{name}", s.api(func(w http.ResponseWriter, r *http.Request) error { return s.apiReferentiel(w, r, c) }))
	s.addNav("/referentiels", "Base documentaire", nil)
}

// refCache holds the Set built from the current versions.
type refCache struct {
	db    *sqldb.DB
	mu    sync.Mutex
	stamp string
	set   *reference.Set
}

func (c *refCache) get(ctx context.Context) (*reference.Set, error) {
	stamp, err := c.db.ReferentielsStamp(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && c.stamp == stamp {
		return c.set, nil
	}
	set, err := c.db.LoadReferentiels(ctx)
	if err != nil {
		return nil, err
	}
	c.set, c.stamp = set, stamp
	return set, nil
}

func searchParams(r *http.Request) (string, int, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return "", 0, medconseil.FieldErrorf("limit", "nombre entre 1 et 200 attendu")
		}
		limit = n
	}
	if len([]rune(q)) > 200 {
		return "", 0, medconseil.FieldErrorf("q", "recherche trop longue (200 caractères au plus)")
	}
	return q, limit, nil
}

func unknownRef(name string) error {
	return &medconseil.Error{Code: medconseil.ENOTFOUND, Message: "référentiel « " + name + " » inconnu : " + strings.Join(reference.Names, ", ")}
}

type apiRefResult struct {
	Referentiel string          `json:"referentiel"`
	Q           string          `json:"q"`
	Version     *refVersionJSON `json:"version,omitempty"`
	Resultats   []apiRefHit     `json:"resultats"`
}

type refVersionJSON struct {
	ID      int64  `json:"id"`
	Fichier string `json:"fichier"`
	SHA256  string `json:"sha256"`
	Importe string `json:"importe_le"`
}

type apiRefHit struct {
	reference.Doc
	Correspondance string  `json:"correspondance"`
	Score          float32 `json:"score"`
}

func (s *Server) apiReferentiel(w http.ResponseWriter, r *http.Request, c *refCache) error {
	name := r.PathValue("name")
	if _, ok := reference.Titles[name]; !ok {
		return unknownRef(name)
	}
	q, limit, err := searchParams(r)
	if err != nil {
		return err
	}
	set, err := c.get(r.Context())
	if err != nil {
		return err
	}
	ix := set.Index(name)
	if ix == nil {
		return &medconseil.Error{Code: medconseil.ENOTFOUND, Message: "référentiel " + reference.Titles[name] + " non importé : " + strings.Join(set.MissingRef(), " ; ")}
	}
	out := apiRefResult{Referentiel: name, Q: q, Resultats: []apiRefHit{}}
	if v, ok := set.Versions[refSource(name)]; ok && v.ID != 0 {
		out.Version = &refVersionJSON{ID: v.ID, Fichier: v.File, SHA256: v.SHA256, Importe: v.ImportedAt.UTC().Format("2006-01-02T15:04:05Z")}
	}
	for _, h := range ix.Search(q, limit) {
		out.Resultats = append(out.Resultats, apiRefHit{Doc: h.Doc, Correspondance: h.Match.String(), Score: h.Score})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// refSource is the main source file of a référentiel (its version is shown).
func refSource(name string) string {
	return map[string]string{
		reference.RefCIM10: "IR_CIM_V", reference.RefLPP: "NT_LPP", reference.RefALD: "IR_ALD_V", reference.RefNatures: "IR_NAT_V",
		reference.RefSpecialites: "IR_SPE_V", reference.RefCommunes: "communes-centroides", reference.RefFINESS: "finess-grand-est", reference.RefMP: "AT_MLT_V",
	}[name]
}

type refGroup struct {
	Name, Title string
	Hits        []refHitView
}

type refHitView struct {
	reference.Hit
	Href string
}

type refOption struct {
	Name, Title string
	Selected    bool
}

type referentielsData struct {
	Q        string
	Filtre   string
	Options  []refOption
	Groups   []refGroup
	Missing  []string
	Searched bool
}

func (s *Server) referentielsPage(w http.ResponseWriter, r *http.Request, c *refCache) error {
	q, _, err := searchParams(r)
	if err != nil {
		return err
	}
	filtre := r.URL.Query().Get("ref")
	if _, ok := reference.Titles[filtre]; !ok {
		filtre = ""
	}
	set, err := c.get(r.Context())
	if err != nil {
		return err
	}
	d := referentielsData{Q: q, Filtre: filtre, Missing: set.MissingRef(), Searched: q != ""}
	for _, n := range reference.Names {
		d.Options = append(d.Options, refOption{Name: n, Title: reference.Titles[n], Selected: n == filtre})
	}
	if q != "" {
		limit := 5
		if filtre != "" {
			limit = 50
		}
		for _, n := range reference.Names {
			ix := set.Index(n)
			if ix == nil || filtre != "" && n != filtre {
				continue
			}
			g := refGroup{Name: n, Title: reference.Titles[n]}
			for _, h := range ix.Search(q, limit) {
				g.Hits = append(g.Hits, refHitView{Hit: h, Href: "/referentiels/" + n + "/" + url.PathEscape(h.Code)})
			}
			if len(g.Hits) > 0 {
				d.Groups = append(d.Groups, g)
			}
		}
	}
	return s.render(w, r, http.StatusOK, "referentiel", view{Title: "Base documentaire", Data: d})
}

type ficheLine struct{ Label, Value, Source string }

type ficheData struct {
	Ref, RefTitle string
	Code, Label   string
	Lines         []ficheLine
	Tarifs        []reference.LPPTarif
	Liste         []refHitView // related entries (establishments of a commune…)
	ListeTitre    string
	Version       string
}

func (s *Server) referentielFiche(w http.ResponseWriter, r *http.Request, c *refCache) error {
	name, code := r.PathValue("name"), r.PathValue("code")
	if _, ok := reference.Titles[name]; !ok {
		return unknownRef(name)
	}
	set, err := c.get(r.Context())
	if err != nil {
		return err
	}
	ix := set.Index(name)
	if ix == nil {
		return medconseil.NotFound("Référentiel " + reference.Titles[name])
	}
	docs := ix.ByCode(code)
	if len(docs) == 0 {
		return medconseil.NotFound("Code " + code)
	}
	d := ficheData{Ref: name, RefTitle: reference.Titles[name], Code: docs[0].Code, Label: docs[0].Label}
	if v, ok := set.Versions[refSource(name)]; ok {
		d.Version = v.File + " — SHA-256 " + v.SHA256[:12] + "…"
		if v.ID != 0 {
			d.Version += " — version " + strconv.FormatInt(v.ID, 10) + " importée le " + medconseil.DateOf(v.ImportedAt.In(paris)).Francais()
		}
	}
	today := medconseil.DateOf(s.DB.Now().In(paris)).String()
	switch name {
	case reference.RefLPP:
		l := set.LPP[docs[0].Code]
		if l == nil {
			break
		}
		path := reference.LPPPathLabel(l.Path)
		if path == "" {
			path = "non classé dans l'arborescence"
		}
		d.Lines = append(d.Lines, ficheLine{Label: "Position", Value: path})
		for _, n := range reference.LPPPath(l.Path) {
			d.Lines = append(d.Lines, ficheLine{Label: "Niveau " + n.Path, Value: n.Label, Source: n.Ref.Title})
		}
		ap := reference.AccordPrealable(l.Path, today)
		if len(ap) == 0 {
			d.Lines = append(d.Lines, ficheLine{Label: "Accord préalable", Value: "Non (aucune règle d'accord préalable connue pour cette partie de la LPP)"})
		}
		for _, a := range ap {
			v := "Non"
			if a.Accord {
				v = "Oui"
			}
			d.Lines = append(d.Lines, ficheLine{Label: "Accord préalable", Value: v + " — " + a.Note, Source: a.Ref.Title})
		}
		for _, in := range reference.IndicationsOf(l.Path) {
			d.Lines = append(d.Lines, ficheLine{Label: "Indications : " + in.Type, Value: in.Indications, Source: in.Ref.Title})
		}
		if l.FinValidite != "" {
			d.Lines = append(d.Lines, ficheLine{Label: "Fin de validité", Value: l.FinValidite})
		}
		d.Tarifs = l.Tarifs
	case reference.RefCIM10:
		cim := set.CIM10[reference.CompactCode(docs[0].Code)]
		if cim == nil {
			break
		}
		if cim.CategorieLib != "" {
			d.Lines = append(d.Lines, ficheLine{Label: "Catégorie", Value: cim.Categorie + " — " + cim.CategorieLib})
		}
		d.Lines = append(d.Lines, aldLines(set, cim.ALD)...)
	case reference.RefALD:
		n, _ := strconv.Atoi(docs[0].Code)
		d.Lines = append(d.Lines, aldLines(set, n)...)
	case reference.RefCommunes:
		cm := set.Communes[docs[0].Code]
		if cm == nil {
			break
		}
		d.Lines = append(d.Lines,
			ficheLine{Label: "Département", Value: cm.Departement + " " + medconseil.DepartementNom(cm.Departement)},
			ficheLine{Label: "Codes postaux", Value: strings.Join(cm.CodesPostaux, ", ")},
			ficheLine{Label: "Population légale", Value: strconv.Itoa(cm.Population)},
			ficheLine{Label: "Centroïde (WGS84)", Value: strconv.FormatFloat(cm.Lat, 'f', 5, 64) + ", " + strconv.FormatFloat(cm.Lon, 'f', 5, 64), Source: "La Poste – Base officielle des codes postaux (ODbL)"})
		d.ListeTitre = "Établissements FINESS de la commune"
		for _, e := range set.EtablissementsOf(cm.Code) {
			d.Liste = append(d.Liste, refHitView{Hit: reference.Hit{Doc: reference.Doc{Code: e.Code, Label: e.Nom, Detail: e.CategorieLib}}, Href: "/referentiels/finess/" + e.Code})
		}
	case reference.RefFINESS:
		e := set.Finess[docs[0].Code]
		if e == nil {
			break
		}
		d.Lines = append(d.Lines,
			ficheLine{Label: "Catégorie", Value: e.Categorie + " — " + e.CategorieLib},
			ficheLine{Label: "Adresse", Value: e.Adresse + ", " + e.CodePostal + " " + e.Ville},
			ficheLine{Label: "Entité juridique", Value: e.EJ, Source: "FINESS, extraction du 8 janvier 2021 (Licence Ouverte)"})
		if e.Localise {
			d.ListeTitre = "Établissements de la même catégorie les plus proches"
			if near, err := set.Nearest(e.Commune, e.Categorie, 6); err == nil {
				for _, p := range near {
					if p.Code == e.Code {
						continue
					}
					d.Liste = append(d.Liste, refHitView{Hit: reference.Hit{Doc: reference.Doc{Code: p.Code, Label: p.Nom, Detail: strconv.FormatFloat(p.DistanceKm, 'f', 1, 64) + " km — " + p.Ville}}, Href: "/referentiels/finess/" + p.Code})
				}
			}
		}
	default:
		if docs[0].Detail != "" {
			d.Lines = append(d.Lines, ficheLine{Label: "Détail", Value: docs[0].Detail})
		}
	}
	return s.render(w, r, http.StatusOK, "referentiel_fiche", view{Title: d.RefTitle + " " + d.Code, Data: d})
}

func aldLines(set *reference.Set, n int) []ficheLine {
	switch {
	case n == 0:
		return []ficheLine{{Label: "ALD", Value: "Sans objet"}}
	case n == 99:
		return []ficheLine{{Label: "ALD", Value: "Hors liste (ALD 31 ou 32 possibles selon les critères de l'art. L160-14 4° CSS)"}}
	}
	a := set.ALDByNumero(n)
	if a == nil {
		return []ficheLine{{Label: "ALD", Value: "n° " + strconv.Itoa(n)}}
	}
	out := []ficheLine{{Label: "ALD", Value: "n° " + strconv.Itoa(n) + " — " + a.Libelle, Source: a.Decret}}
	if st := a.Statut; st != nil {
		status := "ouverte aux nouvelles admissions"
		if !st.Ouverte {
			status = "fermée aux nouvelles admissions depuis le " + frenchDate(st.FermeeLe)
		}
		out = append(out, ficheLine{Label: "Statut", Value: status, Source: st.Ref.Title})
		if st.Duree != "" {
			out = append(out, ficheLine{Label: "Durée d'exonération", Value: st.Duree, Source: st.Ref.Title})
		}
		if st.Note != "" {
			out = append(out, ficheLine{Label: "Note", Value: st.Note, Source: st.Ref.Title})
		}
	}
	return out
}

// frenchDate writes an ISO date as JJ/MM/AAAA, and anything else as it is.
func frenchDate(iso string) string {
	if d, err := medconseil.ParseDate(iso); err == nil {
		return d.Francais()
	}
	return iso
}
