package reference

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"medconseil"
)

// Names of the searchable référentiels, as used in the API.
const (
	RefCIM10       = "cim10"
	RefLPP         = "lpp"
	RefALD         = "ald"
	RefNatures     = "natures"
	RefSpecialites = "specialites"
	RefCommunes    = "communes"
	RefFINESS      = "finess"
	RefMP          = "mp"
)

// Names lists the searchable référentiels in display order.
var Names = []string{RefCIM10, RefLPP, RefALD, RefNatures, RefSpecialites, RefCommunes, RefFINESS, RefMP}

// Titles gives the French title of each searchable référentiel.
var Titles = map[string]string{
	RefCIM10:       "CIM-10",
	RefLPP:         "LPP",
	RefALD:         "ALD",
	RefNatures:     "Natures de prestation",
	RefSpecialites: "Spécialités et activités",
	RefCommunes:    "Communes",
	RefFINESS:      "Établissements (FINESS)",
	RefMP:          "Maladies professionnelles",
}

// needs says which source files each référentiel is built from (first one required).
var needs = map[string][]string{
	RefCIM10:       {"IR_CIM_V", "MS_CIM_V", "IR_CCI_V"},
	RefLPP:         {"NT_LPP", "IR_LPP_V"},
	RefALD:         {"IR_ALD_V"},
	RefNatures:     {"IR_NAT_V"},
	RefSpecialites: {"IR_SPE_V", "IR_ACT_V"},
	RefCommunes:    {"communes-centroides", "communes-population"},
	RefFINESS:      {"finess-grand-est", "finess-sanitaire"},
	RefMP:          {"AT_MLT_V", "AT_MLP_V"},
}

// CIM10 is a CIM-10 code with its labels and ALD mapping.
type CIM10 struct {
	Code         string
	Libelle      string
	LibelleCourt string // PMSI short label
	ALD          int    // ALD_030_COD: 1–30, 99 hors liste, 0 sans objet
	Categorie    string
	CategorieLib string
}

// LPPTarif is a tariff of an LPP code from a date.
type LPPTarif struct {
	Debut      string // YYYY-MM-DD
	Tarif      medconseil.Montant
	PrixLimite medconseil.Montant
}

// LPP is an LPP code.
type LPP struct {
	Code        string
	Libelle     string
	FinValidite string // YYYY-MM-DD or ""
	AgeMax      int
	Type        string
	Path        string // "2.1.8.1", "" when not classified
	Tarifs      []LPPTarif
}

// ALD is an entry of the ALD list, file row completed by the authored status.
type ALD struct {
	Numero  int
	Libelle string
	Decret  string
	Statut  *ALDStatut
}

// Commune is an INSEE commune with its centroid.
type Commune struct {
	Code         string
	Nom          string
	Departement  string
	Region       string
	CodesPostaux []string
	Lat, Lon     float64
	Population   int
}

// Etablissement is a FINESS establishment.
type Etablissement struct {
	Code         string // FINESS ET
	EJ           string
	Nom          string
	Categorie    string
	CategorieLib string
	Adresse      string
	CodePostal   string
	Ville        string
	Departement  string
	Commune      string // INSEE, derived
	Lat, Lon     float64
	Localise     bool
}

// Version identifies the imported file a référentiel row comes from.
type Version struct {
	ID         int64
	Source     string
	File       string
	SHA256     string
	Rows       int
	ImportedAt time.Time
}

// Set is the loaded référentiels: typed entries, geography and search indexes.
// It is immutable once built.
type Set struct {
	Versions     map[string]Version // by source name; ID 0 when not from a store
	Missing      []Source
	CIM10        map[string]*CIM10
	LPP          map[string]*LPP
	ALD          []*ALD
	Natures      map[string]string
	Communes     map[string]*Commune
	Finess       map[string]*Etablissement
	Departements map[string]string // "067" → "BAS-RHIN"
	indexes      map[string]*Index
	byCommune    map[string][]*Etablissement
}

func rowError(f *File, r Row, column, format string, args ...any) error {
	col := 0
	for i, h := range f.Source.Header {
		if h == column {
			col = i + 1
		}
	}
	return lineError(f.Source.Path, r.Line, col, format, args...)
}

// snDate reads an SNDS date "20MAY2013:00:00:00" as "2013-05-20".
func snDate(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	d, _, _ := strings.Cut(s, ":")
	t, err := time.Parse("02Jan2006", strings.ToUpper(d[:min(len(d), 2)])+titleMonth(d))
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func titleMonth(d string) string {
	if len(d) != 9 {
		return "?"
	}
	return d[2:3] + strings.ToLower(d[3:5]) + d[5:]
}

// Build checks the values of the files and builds the référentiels and their
// indexes. Its errors name the file, the line and the column.
func Build(files []*File) (*Set, error) {
	s := &Set{
		Versions: map[string]Version{}, CIM10: map[string]*CIM10{}, LPP: map[string]*LPP{},
		Natures: map[string]string{}, Communes: map[string]*Commune{}, Finess: map[string]*Etablissement{},
		Departements: map[string]string{}, indexes: map[string]*Index{}, byCommune: map[string][]*Etablissement{},
	}
	by := map[string]*File{}
	for _, f := range files {
		by[f.Source.Name] = f
		if _, ok := s.Versions[f.Source.Name]; !ok {
			s.Versions[f.Source.Name] = Version{Source: f.Source.Name, File: f.Source.Path, SHA256: f.SHA256, Rows: len(f.Rows)}
		}
	}
	for _, src := range Sources() {
		if by[src.Name] == nil {
			s.Missing = append(s.Missing, src)
		}
	}
	steps := []func(map[string]*File) error{s.buildCIM10, s.buildLPP, s.buildALD, s.buildNatures, s.buildSpecialites, s.buildGeo, s.buildMP}
	for _, step := range steps {
		if err := step(by); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Index returns the search index of a référentiel, nil when it is unknown or its
// files are missing.
func (s *Set) Index(name string) *Index { return s.indexes[name] }

// MissingRef lists the searchable référentiels that cannot be served, with the
// files they lack, in French.
func (s *Set) MissingRef() []string {
	var out []string
	for _, n := range Names {
		if s.indexes[n] == nil {
			out = append(out, fmt.Sprintf("%s (fichier %s absent)", Titles[n], sourcePath(needs[n][0])))
		}
	}
	return out
}

func sourcePath(name string) string {
	src, _ := SourceByName(name)
	return src.Path
}

func (s *Set) buildCIM10(by map[string]*File) error {
	f := by["IR_CIM_V"]
	if f == nil {
		return nil
	}
	cats := map[string]string{}
	if c := by["IR_CCI_V"]; c != nil {
		for _, r := range c.Rows {
			cats[r.Fields[0]] = r.Fields[1]
		}
	}
	short := map[string][2]string{}
	if m := by["MS_CIM_V"]; m != nil {
		for _, r := range m.Rows {
			short[r.Fields[0]] = [2]string{r.Fields[1], r.Fields[2]}
		}
	}
	b := NewBuilder(RefCIM10)
	codes := make([]string, 0, len(f.Rows))
	for _, r := range f.Rows {
		if r.Fields[7] != "0" { // TEC_COL: unknown / not applicable
			continue
		}
		ald, err := strconv.Atoi(r.Fields[2])
		if err != nil && r.Fields[2] != "" {
			return rowError(f, r, "ALD_030_COD", "numéro d'ALD « %s » illisible", r.Fields[2])
		}
		c := &CIM10{Code: r.Fields[0], Libelle: r.Fields[1], ALD: ald, Categorie: r.Fields[3], CategorieLib: cats[r.Fields[3]]}
		c.LibelleCourt = short[c.Code][0]
		s.CIM10[c.Code] = c
		codes = append(codes, c.Code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		c := s.CIM10[code]
		detail := ""
		if c.ALD >= 1 && c.ALD <= 32 {
			detail = fmt.Sprintf("ALD n° %d", c.ALD)
		}
		sec := c.LibelleCourt
		if l := short[code][1]; l != "" && Normalize(l) != Normalize(c.Libelle) {
			sec += " " + l
		}
		b.Add(Doc{Code: cimDotted(code), Label: c.Libelle, Detail: detail}, 0, sec, code)
	}
	s.indexes[RefCIM10] = b.Build()
	return nil
}

func cimDotted(c string) string {
	if len(c) > 3 && c[0] >= 'A' && c[0] <= 'Z' {
		return c[:3] + "." + c[3:]
	}
	return c
}

func (s *Set) buildLPP(by map[string]*File) error {
	f := by["NT_LPP"]
	if f == nil {
		return nil
	}
	for _, r := range f.Rows {
		l := &LPP{Code: r.Fields[0], Libelle: r.Fields[1], Type: r.Fields[4]}
		var ok bool
		if l.FinValidite, ok = snDate(r.Fields[2]); !ok {
			return rowError(f, r, "LPP_VAL_DTF", "date « %s » illisible", r.Fields[2])
		}
		if r.Fields[3] != "" {
			n, err := strconv.Atoi(r.Fields[3])
			if err != nil {
				return rowError(f, r, "LPP_MAX_AGE", "âge « %s » illisible", r.Fields[3])
			}
			l.AgeMax = n
		}
		var path []string
		for i := 6; i <= 15; i++ {
			v := r.Fields[i]
			if v == "" || (v == "0" && i > 6) {
				break
			}
			if _, err := strconv.Atoi(v); err != nil {
				return rowError(f, r, f.Source.Header[i], "niveau d'arborescence « %s » illisible", v)
			}
			path = append(path, v)
		}
		l.Path = strings.Join(path, ".")
		s.LPP[l.Code] = l
	}
	if t := by["IR_LPP_V"]; t != nil {
		for _, r := range t.Rows {
			d, ok := snDate(r.Fields[1])
			if !ok || d == "" {
				return rowError(t, r, "VAL_DTD", "date « %s » illisible", r.Fields[1])
			}
			tar, err := medconseil.ParseMontant(r.Fields[2])
			if err != nil {
				return rowError(t, r, "LPP_TAR", "tarif « %s » illisible", r.Fields[2])
			}
			pru, err := medconseil.ParseMontant(r.Fields[3])
			if err != nil && r.Fields[3] != "" {
				return rowError(t, r, "LPP_PRU", "prix limite « %s » illisible", r.Fields[3])
			}
			if l := s.LPP[r.Fields[0]]; l != nil {
				l.Tarifs = append(l.Tarifs, LPPTarif{Debut: d, Tarif: tar, PrixLimite: pru})
			}
		}
	}
	codes := make([]string, 0, len(s.LPP))
	for c, l := range s.LPP {
		sort.Slice(l.Tarifs, func(i, j int) bool { return l.Tarifs[i].Debut < l.Tarifs[j].Debut })
		codes = append(codes, c)
	}
	sort.Strings(codes)
	b := NewBuilder(RefLPP)
	for _, c := range codes {
		l := s.LPP[c]
		var sec []string
		for _, n := range LPPPath(l.Path) {
			if !strings.HasPrefix(n.Label, "Titre") {
				sec = append(sec, n.Label)
			}
		}
		detail := LPPPathLabel(l.Path)
		b.Add(Doc{Code: c, Label: l.Libelle, Detail: detail}, 0, strings.Join(sec, " "))
	}
	s.indexes[RefLPP] = b.Build()
	return nil
}

// LPPPath returns the named nodes of the LPP tree above path, titre first.
func LPPPath(path string) []LPPNode {
	if path == "" {
		return nil
	}
	var out []LPPNode
	for _, n := range LPPTree {
		if n.Path == path || strings.HasPrefix(path, n.Path+".") {
			out = append(out, n)
		}
	}
	return out
}

var roman = []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"}

// LPPPathLabel renders a path as "Titre II, chapitre 1, section 8, sous-section 1".
func LPPPathLabel(path string) string {
	if path == "" {
		return ""
	}
	parts := strings.Split(path, ".")
	names := []string{"chapitre", "section", "sous-section", "paragraphe", "sous-paragraphe", "niveau 7", "niveau 8", "niveau 9", "niveau 10"}
	var out []string
	for i, p := range parts {
		if i == 0 {
			n, _ := strconv.Atoi(p)
			if n > 0 && n < len(roman) {
				out = append(out, "Titre "+roman[n])
			} else {
				out = append(out, "Titre "+p)
			}
			continue
		}
		out = append(out, names[i-1]+" "+p)
	}
	return strings.Join(out, ", ")
}

// AccordPrealable returns the accord préalable rules applying to an LPP path on date.
func AccordPrealable(path, date string) []AccordPrealableLPP {
	var out []AccordPrealableLPP
	for _, a := range AccordsPrealablesLPP {
		if path != a.Path && !strings.HasPrefix(path, a.Path+".") {
			continue
		}
		if a.From != "" && date < a.From || a.Until != "" && date >= a.Until {
			continue
		}
		out = append(out, a)
	}
	return out
}

// IndicationsOf returns the authored indications for an LPP path.
func IndicationsOf(path string) []Indication {
	var out []Indication
	for _, in := range Indications {
		if path == in.Path || strings.HasPrefix(path, in.Path+".") {
			out = append(out, in)
		}
	}
	return out
}

func (s *Set) buildALD(by map[string]*File) error {
	f := by["IR_ALD_V"]
	if f == nil {
		return nil
	}
	statut := map[int]*ALDStatut{}
	for i := range ALDStatuts {
		statut[ALDStatuts[i].Numero] = &ALDStatuts[i]
	}
	seen := map[int]bool{}
	for _, r := range f.Rows {
		n, _ := strconv.Atoi(r.Fields[0]) // the code column is checked numeric
		if r.Fields[3] != "0" || n < 1 || n > 32 {
			continue
		}
		s.ALD = append(s.ALD, &ALD{Numero: n, Libelle: r.Fields[1], Decret: r.Fields[2], Statut: statut[n]})
		seen[n] = true
	}
	for _, st := range ALDStatuts {
		if !seen[st.Numero] && st.Libelle != "" {
			s.ALD = append(s.ALD, &ALD{Numero: st.Numero, Libelle: st.Libelle, Statut: statut[st.Numero]})
		}
	}
	sort.Slice(s.ALD, func(i, j int) bool { return s.ALD[i].Numero < s.ALD[j].Numero })
	b := NewBuilder(RefALD)
	for _, a := range s.ALD {
		detail := "ouverte"
		if a.Statut != nil && !a.Statut.Ouverte {
			detail = "fermée aux nouvelles admissions depuis le " + frDate(a.Statut.FermeeLe)
		}
		b.Add(Doc{Code: strconv.Itoa(a.Numero), Label: a.Libelle, Detail: detail}, 0, "")
	}
	s.indexes[RefALD] = b.Build()
	return nil
}

// ALDByNumero returns the ALD numbered n.
func (s *Set) ALDByNumero(n int) *ALD {
	for _, a := range s.ALD {
		if a.Numero == n {
			return a
		}
	}
	return nil
}

func frDate(iso string) string {
	d, err := medconseil.ParseDate(iso)
	if err != nil {
		return iso
	}
	return d.Francais()
}

func (s *Set) buildNatures(by map[string]*File) error {
	f := by["IR_NAT_V"]
	if f == nil {
		return nil
	}
	b := NewBuilder(RefNatures)
	for _, r := range f.Rows {
		if r.Fields[18] != "0" {
			continue
		}
		s.Natures[r.Fields[0]] = r.Fields[3]
		b.Add(Doc{Code: r.Fields[0], Label: r.Fields[3], Detail: r.Fields[2]}, 0, r.Fields[2])
	}
	s.indexes[RefNatures] = b.Build()
	return nil
}

func (s *Set) buildSpecialites(by map[string]*File) error {
	f := by["IR_SPE_V"]
	if f == nil {
		return nil
	}
	b := NewBuilder(RefSpecialites)
	for _, r := range f.Rows {
		if r.Fields[8] == "0" {
			b.Add(Doc{Code: r.Fields[0], Label: r.Fields[2], Detail: r.Fields[5], Kind: "spécialité médicale"}, 1, r.Fields[3])
		}
	}
	if a := by["IR_ACT_V"]; a != nil {
		for _, r := range a.Rows {
			if r.Fields[5] == "0" {
				b.Add(Doc{Code: r.Fields[0], Label: r.Fields[3], Kind: "activité non médecin"}, 0, r.Fields[4])
			}
		}
	}
	s.indexes[RefSpecialites] = b.Build()
	return nil
}

func parseCoord(f *File, r Row, col string, v string, lo, hi float64) (float64, error) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < lo || x > hi || math.IsNaN(x) {
		return 0, rowError(f, r, col, "coordonnée « %s » illisible", v)
	}
	return x, nil
}

func (s *Set) buildGeo(by map[string]*File) error {
	if f := by["IR_DPT_V"]; f != nil {
		for _, r := range f.Rows {
			s.Departements[r.Fields[0]] = r.Fields[2]
		}
	}
	if f := by["communes-centroides"]; f != nil {
		for _, r := range f.Rows {
			c := &Commune{Code: r.Fields[0], Nom: r.Fields[1], Departement: r.Fields[3], Region: r.Fields[4]}
			if r.Fields[2] != "" {
				c.CodesPostaux = strings.Split(r.Fields[2], "|")
			}
			var err error
			if c.Lat, err = parseCoord(f, r, "latitude", r.Fields[5], -90, 90); err != nil {
				return err
			}
			if c.Lon, err = parseCoord(f, r, "longitude", r.Fields[6], -180, 180); err != nil {
				return err
			}
			s.Communes[c.Code] = c
		}
		if p := by["communes-population"]; p != nil {
			for _, r := range p.Rows {
				c := s.Communes[r.Fields[0]]
				if c == nil {
					continue
				}
				c.Nom = r.Fields[1]
				if r.Fields[4] != "" {
					n, err := strconv.Atoi(r.Fields[4])
					if err != nil || n < 0 {
						return rowError(p, r, "population", "population « %s » illisible", r.Fields[4])
					}
					c.Population = n
				}
			}
		}
		codes := make([]string, 0, len(s.Communes))
		for c := range s.Communes {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		b := NewBuilder(RefCommunes)
		for _, code := range codes {
			c := s.Communes[code]
			detail := c.Departement
			if n := medconseil.DepartementNom(c.Departement); n != "" {
				detail = n + " (" + c.Departement + ")"
			}
			if len(c.CodesPostaux) > 0 {
				detail = strings.Join(c.CodesPostaux, ", ") + " — " + detail
			}
			b.Add(Doc{Code: code, Label: c.Nom, Detail: detail}, float32(c.Population), "", c.CodesPostaux...)
		}
		s.indexes[RefCommunes] = b.Build()
	}
	for _, name := range []string{"finess-grand-est", "finess-sanitaire"} {
		f := by[name]
		if f == nil {
			continue
		}
		for _, r := range f.Rows {
			if s.Finess[r.Fields[0]] != nil {
				continue
			}
			e := &Etablissement{Code: r.Fields[0], EJ: r.Fields[1], Nom: r.Fields[2], Categorie: r.Fields[3], CategorieLib: r.Fields[4],
				Adresse: r.Fields[10], CodePostal: r.Fields[11], Ville: r.Fields[12], Departement: r.Fields[13], Commune: r.Fields[15]}
			if r.Fields[18] != "" || r.Fields[19] != "" {
				var err error
				if e.Lat, err = parseCoord(f, r, "latitude", r.Fields[18], -90, 90); err != nil {
					return err
				}
				if e.Lon, err = parseCoord(f, r, "longitude", r.Fields[19], -180, 180); err != nil {
					return err
				}
				e.Localise = true
			}
			s.Finess[e.Code] = e
			s.byCommune[e.Commune] = append(s.byCommune[e.Commune], e)
		}
	}
	if len(s.Finess) > 0 {
		codes := make([]string, 0, len(s.Finess))
		for c := range s.Finess {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		b := NewBuilder(RefFINESS)
		for _, code := range codes {
			e := s.Finess[code]
			commune := ""
			if c := s.Communes[e.Commune]; c != nil {
				commune = c.Nom
			}
			b.Add(Doc{Code: code, Label: e.Nom, Detail: e.CategorieLib + " — " + e.CodePostal + " " + e.Ville, Kind: e.Categorie}, finessBoost[e.Categorie],
				e.CategorieLib+" "+e.Ville+" "+commune)
		}
		s.indexes[RefFINESS] = b.Build()
	}
	return nil
}

// finessBoost ranks hospitals before other establishments of equal match: the
// médecin-conseil looks for care, and CHR/CHU first.
var finessBoost = map[string]float32{"101": 3, "106": 2, "355": 2, "131": 2}

// EtablissementsOf returns the establishments located in commune (INSEE code).
func (s *Set) EtablissementsOf(commune string) []*Etablissement { return s.byCommune[commune] }

func (s *Set) buildMP(by map[string]*File) error {
	f := by["AT_MLT_V"]
	if f == nil {
		return nil
	}
	b := NewBuilder(RefMP)
	for _, r := range f.Rows {
		if r.Fields[4] != "0" {
			continue
		}
		code := strings.TrimLeft(r.Fields[0], "0")
		if r.Fields[1] != "" && r.Fields[1] != "A" {
			code += " " + strings.ToLower(r.Fields[1])
		}
		b.Add(Doc{Code: code, Label: r.Fields[2], Detail: "Tableau n° " + code, Kind: "tableau"}, 1, r.Fields[3], r.Fields[0]+r.Fields[1])
	}
	if p := by["AT_MLP_V"]; p != nil {
		for _, r := range p.Rows {
			if r.Fields[5] != "0" {
				continue
			}
			tab := strings.TrimLeft(r.Fields[0], "0")
			b.Add(Doc{Code: r.Fields[3], Label: r.Fields[4], Detail: "Tableau n° " + tab + " — syndrome " + r.Fields[2] + " " + r.Fields[3], Kind: "syndrome"}, 0, "")
		}
	}
	s.indexes[RefMP] = b.Build()
	return nil
}
