package lifecycle

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"medconseil"
)

// ParseError is a problem in a lifecycle file, naming the file and the line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d : %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s : %s", e.File, e.Msg)
}

// mapping is a YAML mapping read key by key, so that every unknown key, missing key
// and bad value is reported with its line.
type mapping struct {
	node *yaml.Node
	keys map[string]*yaml.Node // value nodes
	kl   map[string]int        // key lines
}

type parser struct {
	file string
	errs []*ParseError
}

func (p *parser) errf(line int, format string, args ...any) {
	p.errs = append(p.errs, &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// mapOf checks n is a mapping holding only keys among allowed.
func (p *parser) mapOf(n *yaml.Node, what string, allowed ...string) *mapping {
	m := &mapping{node: n, keys: map[string]*yaml.Node{}, kl: map[string]int{}}
	if n == nil || n.Kind != yaml.MappingNode {
		line := 0
		if n != nil {
			line = n.Line
		}
		p.errf(line, "%s : une table « clé: valeur » est attendue", what)
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(allowed, k.Value) {
			p.errf(k.Line, "%s : clé « %s » inconnue (permises : %s)", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := m.keys[k.Value]; dup {
			p.errf(k.Line, "%s : clé « %s » en double", what, k.Value)
			continue
		}
		m.keys[k.Value], m.kl[k.Value] = v, k.Line
	}
	return m
}

func (m *mapping) line(key string) int {
	if l, ok := m.kl[key]; ok {
		return l
	}
	return m.node.Line
}

func (p *parser) str(m *mapping, key string, required bool, what string) string {
	v, ok := m.keys[key]
	if !ok {
		if required {
			p.errf(m.node.Line, "%s : « %s » manquant", what, key)
		}
		return ""
	}
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errf(v.Line, "%s : « %s » doit être un texte", what, key)
		return ""
	}
	s := strings.TrimSpace(v.Value)
	if s == "" && required {
		p.errf(v.Line, "%s : « %s » est vide", what, key)
	}
	return s
}

func (p *parser) list(m *mapping, key string, what string) ([]string, []int) {
	v, ok := m.keys[key]
	if !ok {
		return nil, nil
	}
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		return []string{v.Value}, []int{v.Line}
	}
	if v.Kind != yaml.SequenceNode {
		p.errf(v.Line, "%s : « %s » doit être une liste", what, key)
		return nil, nil
	}
	var out []string
	var lines []int
	for _, c := range v.Content {
		if c.Kind != yaml.ScalarNode {
			p.errf(c.Line, "%s : « %s » ne contient que des noms", what, key)
			continue
		}
		out, lines = append(out, c.Value), append(lines, c.Line)
	}
	return out, lines
}

func (p *parser) boolean(m *mapping, key, what string) bool {
	v, ok := m.keys[key]
	if !ok {
		return false
	}
	switch v.Value {
	case "true":
		return true
	case "false":
		return false
	}
	p.errf(v.Line, "%s : « %s » vaut true ou false", what, key)
	return false
}

// Parse reads one lifecycle file strictly. name is the file name ("transport.yaml"),
// which must be the type's name.
func Parse(name string, b []byte) (*Lifecycle, []*ParseError) {
	p := &parser{file: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		p.errf(0, "YAML illisible : %v", err)
		return nil, p.errs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errf(extra.Line, "un seul document YAML par fichier")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		p.errf(0, "fichier vide")
		return nil, p.errs
	}
	top := p.mapOf(doc.Content[0], "fichier", "type", "libelle", "initial", "apres_depot", "natures", "etats", "transitions", "echeances")
	l := &Lifecycle{Fichier: name}
	l.Type = medconseil.TypeDossier(p.str(top, "type", true, "fichier"))
	if l.Type != "" {
		if !slices.Contains(Types, l.Type) {
			p.errf(top.line("type"), "type « %s » inconnu (types : %s)", l.Type, typeList())
		} else if name != string(l.Type)+".yaml" {
			p.errf(top.line("type"), "le fichier du type « %s » doit s'appeler %s.yaml", l.Type, l.Type)
		}
	}
	l.Libelle = p.str(top, "libelle", true, "fichier")
	l.Natures, _ = p.list(top, "natures", "fichier")

	// States: each a known medconseil.Etat, once.
	etats, lines := p.list(top, "etats", "fichier")
	if len(etats) == 0 {
		p.errf(top.line("etats"), "« etats » : liste des états manquante")
	}
	known := map[medconseil.Etat]int{}
	for i, s := range etats {
		e := medconseil.Etat(s)
		if !slices.Contains(medconseil.Etats, e) {
			p.errf(lines[i], "état « %s » inconnu (états : %s)", s, etatList())
			continue
		}
		if _, dup := known[e]; dup {
			p.errf(lines[i], "état « %s » en double", s)
			continue
		}
		known[e] = lines[i]
		l.Etats = append(l.Etats, e)
	}
	state := func(s string, line int, what string) medconseil.Etat {
		e := medconseil.Etat(s)
		if _, ok := known[e]; !ok && s != "" {
			p.errf(line, "%s : état « %s » non déclaré dans « etats »", what, s)
		}
		return e
	}
	l.Initial = state(p.str(top, "initial", true, "fichier"), top.line("initial"), "initial")
	l.ApresDepot = state(p.str(top, "apres_depot", true, "fichier"), top.line("apres_depot"), "apres_depot")

	// Transitions.
	events := map[string]bool{Reception: true}
	if n, ok := top.keys["transitions"]; !ok || n.Kind != yaml.SequenceNode {
		p.errf(top.line("transitions"), "« transitions » : une liste est attendue")
	} else {
		for _, c := range n.Content {
			what := "transition"
			m := p.mapOf(c, what, "evenement", "libelle", "de", "vers", "par")
			t := &Transition{Line: c.Line}
			t.Evenement = p.str(m, "evenement", true, what)
			what = "transition « " + t.Evenement + " »"
			if t.Evenement == Reception {
				p.errf(m.line("evenement"), "%s : « reception » est l'événement du dépôt, pas une transition", what)
			}
			t.Libelle = p.str(m, "libelle", true, what)
			de, dl := p.list(m, "de", what)
			if len(de) == 0 {
				p.errf(m.line("de"), "%s : « de » (états de départ) manquant", what)
			}
			for i, s := range de {
				t.De = append(t.De, state(s, dl[i], what))
			}
			t.Vers = state(p.str(m, "vers", false, what), m.line("vers"), what)
			par, pl := p.list(m, "par", what)
			if len(par) == 0 {
				p.errf(m.line("par"), "%s : « par » (qui peut la déclencher) manquant", what)
			}
			for i, r := range par {
				if r != Systeme && !slices.Contains(medconseil.Roles, medconseil.Role(r)) {
					p.errf(pl[i], "%s : « %s » n'est ni un rôle ni « systeme »", what, r)
				}
			}
			t.Par = par
			for _, prev := range l.Transitions {
				if prev.Evenement == t.Evenement {
					for _, s := range t.De {
						if slices.Contains(prev.De, s) {
							p.errf(c.Line, "%s : déjà définie depuis l'état « %s » (ligne %d)", what, s, prev.Line)
						}
					}
				}
			}
			events[t.Evenement] = true
			l.Transitions = append(l.Transitions, t)
		}
	}

	// Deadlines.
	if n, ok := top.keys["echeances"]; ok {
		if n.Kind != yaml.SequenceNode {
			p.errf(n.Line, "« echeances » : une liste est attendue")
		} else {
			for _, c := range n.Content {
				if e := p.echeance(c, l, events, state); e != nil {
					l.Echeances = append(l.Echeances, e)
				}
			}
		}
	}
	p.reachability(l, known)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return l, nil
}

func (p *parser) echeance(c *yaml.Node, l *Lifecycle, events map[string]bool, state func(string, int, string) medconseil.Etat) *Echeance {
	what := "échéance"
	m := p.mapOf(c, what, "nom", "libelle", "apres", "depuis", "duree", "unite", "report", "tant_que", "annulee_par",
		"effet", "vers", "natures", "du", "au", "sources", "interne", "verify", "note")
	e := &Echeance{Line: c.Line}
	e.Nom = p.str(m, "nom", true, what)
	what = "échéance « " + e.Nom + " »"
	for _, prev := range l.Echeances {
		if prev.Nom == e.Nom {
			p.errf(c.Line, "%s : nom déjà pris (ligne %d)", what, prev.Line)
		}
	}
	e.Libelle = p.str(m, "libelle", true, what)
	e.Apres = p.str(m, "apres", true, what)
	if e.Apres != "" && !events[e.Apres] {
		p.errf(m.line("apres"), "%s : événement « %s » inconnu (reception ou une transition du fichier)", what, e.Apres)
	}
	e.Depuis = p.str(m, "depuis", true, what)
	if e.Depuis != "" && e.Depuis != Reception && e.Depuis != "evenement" {
		p.errf(m.line("depuis"), "%s : « depuis » vaut reception ou evenement", what)
	}
	if v, ok := m.keys["duree"]; !ok {
		p.errf(c.Line, "%s : « duree » manquante", what)
	} else if err := v.Decode(&e.Duree); err != nil || e.Duree <= 0 || e.Duree > 1000 {
		p.errf(v.Line, "%s : « duree » est un nombre entier de 1 à 1000", what)
	}
	e.Unite = Unite(p.str(m, "unite", true, what))
	if e.Unite != "" && e.Unite != JourFranc && e.Unite != Jour && e.Unite != Mois {
		p.errf(m.line("unite"), "%s : unité « %s » inconnue (jour_franc, jour, mois)", what, e.Unite)
	}
	e.Report = p.boolean(m, "report", what)
	tq, tl := p.list(m, "tant_que", what)
	if len(tq) == 0 {
		p.errf(m.line("tant_que"), "%s : « tant_que » (états où le délai court) manquant", what)
	}
	for i, s := range tq {
		e.TantQue = append(e.TantQue, state(s, tl[i], what))
	}
	ap, al := p.list(m, "annulee_par", what)
	for i, ev := range ap {
		if !events[ev] {
			p.errf(al[i], "%s : « annulee_par » : événement « %s » inconnu", what, ev)
		}
	}
	e.AnnuleePar = ap
	e.Effet = Effet(p.str(m, "effet", true, what))
	if e.Effet != "" && !slices.Contains(effets, e.Effet) {
		p.errf(m.line("effet"), "%s : effet « %s » inconnu (%s)", what, e.Effet, effetList())
	}
	e.Vers = state(p.str(m, "vers", false, what), m.line("vers"), what)
	switch {
	case e.Effet == Rappel && e.Vers != "":
		p.errf(m.line("vers"), "%s : un rappel ne change pas l'état du dossier (retirer « vers »)", what)
	case e.Effet != Rappel && e.Effet != "" && e.Vers == "":
		p.errf(c.Line, "%s : « vers » (état après l'échéance) manquant", what)
	case e.Vers != "" && e.RunsIn(e.Vers):
		p.errf(m.line("vers"), "%s : l'état « %s » d'arrivée figure dans « tant_que » : l'échéance se redéclencherait", what, e.Vers)
	}
	nat, nl := p.list(m, "natures", what)
	for i, n := range nat {
		if !slices.Contains(l.Natures, n) {
			p.errf(nl[i], "%s : nature « %s » non déclarée dans « natures » du fichier", what, n)
		}
	}
	e.Natures = nat
	for _, k := range []struct {
		key string
		d   *medconseil.Date
	}{{"du", &e.Du}, {"au", &e.Au}} {
		if s := p.str(m, k.key, false, what); s != "" {
			d, err := medconseil.ParseDate(s)
			if err != nil {
				p.errf(m.line(k.key), "%s : « %s » : %v", what, k.key, err)
			}
			*k.d = d
		}
	}
	if !e.Du.IsZero() && !e.Au.IsZero() && e.Au.Before(e.Du) {
		p.errf(m.line("au"), "%s : « au » précède « du »", what)
	}
	e.Interne = p.boolean(m, "interne", what)
	e.Verify = p.boolean(m, "verify", what)
	e.Note = p.str(m, "note", false, what)
	if v, ok := m.keys["sources"]; !ok || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.errf(m.line("sources"), "%s : aucune source : citer l'article (title, href) qui fixe ce délai", what)
	} else {
		for _, sn := range v.Content {
			sm := p.mapOf(sn, what+" : source", "title", "href")
			s := Source{Title: p.str(sm, "title", true, what+" : source"), Href: p.str(sm, "href", !e.Interne, what+" : source")}
			if s.Href != "" && !strings.HasPrefix(s.Href, "https://") {
				p.errf(sm.line("href"), "%s : le lien (href) doit commencer par https://", what)
			}
			e.Sources = append(e.Sources, s)
		}
	}
	return e
}

// reachability reports every declared state that no path of transitions and
// deadlines reaches from the initial state, and every deadline that can never run
// (none of its tant_que states reachable).
func (p *parser) reachability(l *Lifecycle, known map[medconseil.Etat]int) {
	if l.Initial == "" || len(p.errs) > 0 {
		return
	}
	seen := map[medconseil.Etat]bool{l.Initial: true}
	for changed := true; changed; {
		changed = false
		add := func(s medconseil.Etat) {
			if s != "" && !seen[s] {
				seen[s], changed = true, true
			}
		}
		for _, t := range l.Transitions {
			for _, s := range t.De {
				if seen[s] {
					add(t.Vers)
				}
			}
		}
		for _, e := range l.Echeances {
			for _, s := range e.TantQue {
				if seen[s] {
					add(e.Vers)
				}
			}
		}
	}
	for _, s := range l.Etats {
		if !seen[s] {
			p.errf(known[s], "état « %s » inatteignable depuis l'état initial « %s » : aucune transition n'y mène", s, l.Initial)
		}
	}
	if !seen[l.ApresDepot] {
		return
	}
	// apres_depot must be reached from the initial state by system transitions only.
	sys := map[medconseil.Etat]bool{l.Initial: true}
	for changed := true; changed; {
		changed = false
		for _, t := range l.Transitions {
			if !slices.Contains(t.Par, Systeme) || t.Vers == "" || sys[t.Vers] {
				continue
			}
			for _, s := range t.De {
				if sys[s] {
					sys[t.Vers], changed = true, true
					break
				}
			}
		}
	}
	if !sys[l.ApresDepot] {
		p.errf(known[l.ApresDepot], "apres_depot « %s » : le dépôt n'y mène pas par des transitions « systeme » depuis « %s »", l.ApresDepot, l.Initial)
	}
}

func typeList() string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func etatList() string {
	s := make([]string, len(medconseil.Etats))
	for i, e := range medconseil.Etats {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}

func effetList() string {
	s := make([]string, len(effets))
	for i, e := range effets {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}
