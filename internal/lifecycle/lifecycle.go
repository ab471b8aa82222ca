// Package lifecycle holds the lifecycle of every dossier type as data: one YAML file
// per type (cycles/<type>.yaml, embedded) listing its states, the transitions
// between them with who may trigger each, and its legal deadlines (échéances), each
// with its start event, its duration (jours francs, calendar days or months), what
// happens when it runs out (accord tacite, reconnaissance implicite, reminder,
// expiry of a request for documents…) and the legal source it comes from.
//
// The files are loaded and checked strictly at startup (Load): an unknown key or
// state, a deadline without a source, a state no transition reaches is an error
// naming the file and the line. The store (internal/sqldb, echeance.go) writes the
// planned deadlines as rows in the intake transaction and fires them.
package lifecycle

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"medconseil"
)

//go:embed cycles
var embedded embed.FS

// Embedded returns the lifecycle files shipped with the binary, rooted at "cycles".
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "cycles")
	if err != nil {
		panic(err) // the directory is part of the build
	}
	return sub
}

// Reception is the event of a dossier's intake: the day the request (or the
// complete request) reached the Service médical. Every other event is the name of
// a transition.
const Reception = "reception"

// Systeme is the trigger of a transition made by medconseil itself (intake,
// pre-analysis); deadlines are fired by the scheduler, recorded as Systeme too.
const Systeme = "systeme"

// Unite is the unit a deadline's duration is counted in.
type Unite string

// Units of a deadline.
const (
	// JourFranc: the day of the event is not counted and the délai ends at the end
	// of the day following the last counted day (N jours francs from D → end of
	// D+N+1), art. 641-642 du code de procédure civile (REGULATIONS.md §0).
	JourFranc Unite = "jour_franc"
	// Jour: calendar days from the day after the event (D+N).
	Jour Unite = "jour"
	// Mois: a délai in months expires on the same day of the month (art. 641 CPC),
	// the last day of a shorter month otherwise.
	Mois Unite = "mois"
)

// Label returns the unit as read in a sentence.
func (u Unite) Label() string {
	switch u {
	case JourFranc:
		return "jours francs"
	case Jour:
		return "jours"
	case Mois:
		return "mois"
	}
	return string(u)
}

// Effet is what happens when a deadline runs out.
type Effet string

// Effects of a deadline.
const (
	AccordTacite            Effet = "accord_tacite"            // silence of the caisse is an approval (R322-10-4, D315-5)
	ReconnaissanceImplicite Effet = "reconnaissance_implicite" // silence is a recognition of the AT/MP (R441-18)
	Rappel                  Effet = "rappel"                   // a reminder: no change of state
	ExpirationPieces        Effet = "expiration_pieces"        // a request for documents (questionnaire) ran out
	DecisionDefinitive      Effet = "decision_definitive"      // the délai de recours ran out: the decision is final
	RejetImplicite          Effet = "rejet_implicite"          // silence on a recourse is a rejection (R142-8-5)
	FinReflexion            Effet = "fin_reflexion"            // the 48 h before a communication are over (L1111-7 CSP)
)

var effets = []Effet{AccordTacite, ReconnaissanceImplicite, Rappel, ExpirationPieces, DecisionDefinitive, RejetImplicite, FinReflexion}

// Label returns the French name of the effect.
func (e Effet) Label() string {
	switch e {
	case AccordTacite:
		return "Accord tacite"
	case ReconnaissanceImplicite:
		return "Reconnaissance implicite"
	case Rappel:
		return "Rappel"
	case ExpirationPieces:
		return "Expiration de la demande de pièces"
	case DecisionDefinitive:
		return "Décision définitive"
	case RejetImplicite:
		return "Rejet implicite du recours"
	case FinReflexion:
		return "Fin du délai de réflexion — communication possible"
	}
	return string(e)
}

// Source is a legal source of a deadline: the title of the text (article, version,
// décret) and a link to it.
type Source struct {
	Title string `yaml:"title" json:"title"`
	Href  string `yaml:"href" json:"href"`
}

// Transition is a move from one of the states De to the state Vers (Vers empty:
// the state does not change, the event only starts or cancels deadlines), made on
// the event Evenement by one of the roles Par (or Systeme).
type Transition struct {
	Evenement string
	Libelle   string
	De        []medconseil.Etat
	Vers      medconseil.Etat
	Par       []string
	Line      int
}

// Allows reports whether an acteur holding one of roles may trigger t.
func (t *Transition) Allows(roles []medconseil.Role) bool {
	for _, r := range roles {
		if slices.Contains(t.Par, string(r)) {
			return true
		}
	}
	return false
}

// Echeance is a legal deadline of a dossier type.
type Echeance struct {
	Nom     string // unique in the file; with the dossier id, the key of its row
	Libelle string
	// Apres is the event that schedules the deadline: Reception or a transition.
	Apres string
	// Depuis is the date the délai counts from: the date of Reception, or of the
	// event Apres itself ("evenement").
	Depuis string
	Duree  int
	Unite  Unite
	// Report: a délai ending on a Saturday, Sunday or public holiday runs to the
	// next working day (art. 642 CPC).
	Report bool
	// TantQue lists the states in which the deadline runs; leaving them cancels it.
	TantQue []medconseil.Etat
	// AnnuleePar lists events that cancel it even when the state does not change.
	AnnuleePar []string
	Effet      Effet
	Vers       medconseil.Etat // state after firing; empty for a reminder
	// Natures restricts the deadline to some natures of the type (AT/MP: accident,
	// maladie, rechute); empty means every nature.
	Natures []string
	// Du and Au bound the dates of the facts (the start date) it applies to, from
	// the text's application criterion ("AT/MP déclarés à compter du 1/12/2019").
	Du, Au  medconseil.Date
	Sources []Source
	// Interne marks an operational target of the service, not a legal délai: its
	// source says so and may have no link.
	Interne bool
	// Verify: REGULATIONS.md marks the value or its computation as to be checked.
	Verify bool
	Note   string
	Line   int
}

// Limite returns the last day of the délai started on start for a dossier of the
// département dep (Alsace-Moselle has two more public holidays).
func (e *Echeance) Limite(start medconseil.Date, dep string) medconseil.Date {
	am := dep == "57" || dep == "67" || dep == "68"
	var last medconseil.Date
	switch e.Unite {
	case JourFranc:
		if e.Report {
			return start.JoursFrancs(e.Duree, am)
		}
		return start.AddDays(e.Duree + 1)
	case Mois:
		last = start.AddMonths(e.Duree)
	default:
		last = start.AddDays(e.Duree)
	}
	if e.Report {
		for last.Weekday() == 6 || last.Weekday() == 0 || last.Holiday(am) {
			last = last.AddDays(1)
		}
	}
	return last
}

// AppliesTo reports whether the deadline applies to a dossier of nature nature
// whose délai starts on start.
func (e *Echeance) AppliesTo(nature string, start medconseil.Date) bool {
	if len(e.Natures) > 0 && !slices.Contains(e.Natures, nature) {
		return false
	}
	if !e.Du.IsZero() && start.Before(e.Du) {
		return false
	}
	if !e.Au.IsZero() && start.After(e.Au) {
		return false
	}
	return true
}

// RunsIn reports whether the deadline keeps running in state s.
func (e *Echeance) RunsIn(s medconseil.Etat) bool { return slices.Contains(e.TantQue, s) }

// Duration writes the duration as the law does: "15 jours", "30 jours francs".
func (e *Echeance) Duration() string { return fmt.Sprintf("%d %s", e.Duree, e.Unite.Label()) }

// Lifecycle is the lifecycle of one dossier type.
type Lifecycle struct {
	Type    medconseil.TypeDossier
	Fichier string
	Libelle string
	// Initial is the first state; ApresDepot the state a dossier is in when its
	// intake transaction commits (reception and pre-analysis done).
	Initial     medconseil.Etat
	ApresDepot  medconseil.Etat
	Natures     []string
	Etats       []medconseil.Etat
	Transitions []*Transition
	Echeances   []*Echeance
}

// Transition returns the transition of event ev that leaves state from, if any.
func (l *Lifecycle) Transition(ev string, from medconseil.Etat) (*Transition, bool) {
	for _, t := range l.Transitions {
		if t.Evenement == ev && slices.Contains(t.De, from) {
			return t, true
		}
	}
	return nil, false
}

// Echeance returns the deadline named nom.
func (l *Lifecycle) Echeance(nom string) (*Echeance, bool) {
	for _, e := range l.Echeances {
		if e.Nom == nom {
			return e, true
		}
	}
	return nil, false
}

// Planned is one deadline to write for a dossier.
type Planned struct {
	Echeance *Echeance
	Depuis   medconseil.Date // start of the délai
	Limite   medconseil.Date // last day of the délai
	Due      medconseil.Date // the day the effect is acquired: the day after Limite
}

// Plan returns the deadlines that event ev (Reception or a transition) starts for a
// dossier of nature nature, received on recue, the event happening on on, in
// département dep, when the dossier is in state etat after the event. Deadlines
// that would not run in etat are left out.
func (l *Lifecycle) Plan(ev, nature string, etat medconseil.Etat, recue, on medconseil.Date, dep string) []Planned {
	var out []Planned
	for _, e := range l.Echeances {
		if e.Apres != ev || !e.RunsIn(etat) {
			continue
		}
		start := on
		if e.Depuis == Reception {
			start = recue
		}
		if !e.AppliesTo(nature, start) {
			continue
		}
		lim := e.Limite(start, dep)
		out = append(out, Planned{Echeance: e, Depuis: start, Limite: lim, Due: lim.AddDays(1)})
	}
	return out
}

// Set is the lifecycles of every dossier type.
type Set struct {
	byType map[medconseil.TypeDossier]*Lifecycle
}

// Get returns the lifecycle of type t.
func (s *Set) Get(t medconseil.TypeDossier) (*Lifecycle, bool) {
	l, ok := s.byType[t]
	return l, ok
}

// All returns the lifecycles in the order of the types' declaration.
func (s *Set) All() []*Lifecycle {
	out := make([]*Lifecycle, 0, len(s.byType))
	for _, l := range s.byType {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return typeOrder(out[i].Type) < typeOrder(out[j].Type) })
	return out
}

// Types lists the dossier types a lifecycle file must exist for.
var Types = []medconseil.TypeDossier{
	medconseil.TypeArretTravail, medconseil.TypeATMP, medconseil.TypeALD, medconseil.TypeTransport,
	medconseil.TypeLPP, medconseil.TypeKine, medconseil.TypeInvalidite, medconseil.TypeOrdonnance,
	medconseil.TypeMTDents, medconseil.TypeAccesDossier,
}

func typeOrder(t medconseil.TypeDossier) int {
	if i := slices.Index(Types, t); i >= 0 {
		return i
	}
	return len(Types)
}

// Default loads the embedded files.
func Default() (*Set, error) { return Load(Embedded()) }

// Load reads and checks every *.yaml file of fsys, one per dossier type; all the
// problems are returned at once, each naming its file and line.
func Load(fsys fs.FS) (*Set, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("cycles de vie : %w", err)
	}
	s := &Set{byType: map[medconseil.TypeDossier]*Lifecycle{}}
	var errs []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			errs = append(errs, fmt.Sprintf("%s : seuls des fichiers <type>.yaml sont permis", e.Name()))
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		l, perrs := Parse(e.Name(), b)
		if len(perrs) > 0 {
			for _, pe := range perrs {
				errs = append(errs, pe.Error())
			}
			continue
		}
		if prev, dup := s.byType[l.Type]; dup {
			errs = append(errs, fmt.Sprintf("%s : le type %s a déjà son cycle dans %s", e.Name(), l.Type, prev.Fichier))
			continue
		}
		s.byType[l.Type] = l
	}
	for _, t := range Types {
		if _, ok := s.byType[t]; !ok && len(errs) == 0 {
			errs = append(errs, fmt.Sprintf("%s.yaml : fichier manquant — chaque type de dossier a son cycle de vie", t))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("cycles de vie invalides :\n%s", strings.Join(errs, "\n"))
	}
	return s, nil
}
