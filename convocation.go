package medconseil

import (
	"errors"
	"strings"
	"time"
)

// Convocations and examinations of the assuré by the service du contrôle médical
// (REGULATIONS.md §13): the agenda of the sites, the convocation on a slot, the
// examination in three phases, no-show and refusal.

// Salle is a consultation room of a site.
type Salle struct {
	ID      int64  `json:"id"`
	Site    string `json:"site"`
	Nom     string `json:"nom"`
	Adresse string `json:"adresse,omitempty"`
}

// Plage is a weekly recurring consultation period of a praticien in a room: every
// Jour (ISO weekday, 1 = lundi) from Debut to Fin (wall clock, Europe/Paris), one
// slot every Duree minutes, between the dates Du and Au.
type Plage struct {
	ID        int64  `json:"id"`
	Site      string `json:"site"`
	SalleID   int64  `json:"salle"`
	Praticien string `json:"praticien"`
	Jour      int    `json:"jour"`
	Debut     string `json:"debut"`
	Fin       string `json:"fin"`
	Duree     int    `json:"duree"`
	Du        Date   `json:"du"`
	Au        Date   `json:"au"`
}

// Jours are the French names of the ISO weekdays (index 1 = lundi).
var Jours = [8]string{"", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// ParseHeure parses a wall-clock hour "HH:MM" into minutes since midnight.
func ParseHeure(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks a plage: every error at once, each with its field.
func (p Plage) Validate(today Date) error {
	var errs []error
	if p.Jour < 1 || p.Jour > 7 {
		errs = append(errs, FieldErrorf("jour", "jour de la semaine attendu de 1 (lundi) à 7 (dimanche)"))
	}
	d, okD := ParseHeure(p.Debut)
	f, okF := ParseHeure(p.Fin)
	if !okD {
		errs = append(errs, FieldErrorf("debut", "heure de début attendue au format HH:MM (par exemple 09:00)"))
	}
	if !okF {
		errs = append(errs, FieldErrorf("fin", "heure de fin attendue au format HH:MM (par exemple 12:00)"))
	}
	if okD && okF && f <= d {
		errs = append(errs, FieldErrorf("fin", "l'heure de fin (%s) doit suivre l'heure de début (%s)", p.Fin, p.Debut))
	}
	if p.Duree < 10 || p.Duree > 120 {
		errs = append(errs, FieldErrorf("duree", "durée d'un créneau attendue entre 10 et 120 minutes"))
	} else if okD && okF && f-d < p.Duree {
		errs = append(errs, FieldErrorf("duree", "la plage de %s à %s ne contient aucun créneau de %d minutes", p.Debut, p.Fin, p.Duree))
	}
	switch {
	case p.Du.IsZero():
		errs = append(errs, FieldErrorf("du", "date de début de la récurrence manquante"))
	case p.Du.Before(today):
		errs = append(errs, FieldErrorf("du", "créneaux dans le passé refusés : la récurrence doit commencer au plus tôt aujourd'hui (%s)", today.Francais()))
	}
	switch {
	case p.Au.IsZero():
		errs = append(errs, FieldErrorf("au", "date de fin de la récurrence manquante"))
	case !p.Du.IsZero() && p.Au.Before(p.Du):
		errs = append(errs, FieldErrorf("au", "la fin de la récurrence (%s) précède son début (%s)", p.Au.Francais(), p.Du.Francais()))
	case !p.Du.IsZero() && p.Au.Sub(p.Du) > 366:
		errs = append(errs, FieldErrorf("au", "une récurrence couvre au plus un an : créez-en une autre pour la suite"))
	}
	if strings.TrimSpace(p.Praticien) == "" {
		errs = append(errs, FieldErrorf("praticien", "praticien manquant (identifiant de connexion)"))
	}
	if p.SalleID <= 0 {
		errs = append(errs, FieldErrorf("salle", "salle manquante"))
	}
	return errors.Join(errs...)
}

// Creneau is one bookable slot of the agenda. Debut and Fin are wall-clock times
// in Europe/Paris, "2006-01-02T15:04".
type Creneau struct {
	ID         int64   `json:"id"`
	Site       string  `json:"site"`
	SiteNom    string  `json:"site_nom,omitempty"`
	Adresse    string  `json:"adresse,omitempty"`
	SalleID    int64   `json:"salle"`
	Salle      string  `json:"salle_nom,omitempty"`
	Praticien  string  `json:"praticien"`
	Debut      string  `json:"debut"`
	Fin        string  `json:"fin"`
	DistanceKm float64 `json:"distance_km"`
	// HorsDepartement: the site is outside the assuré's département (booking it
	// needs a reason).
	HorsDepartement bool  `json:"hors_departement"`
	ConvocationID   int64 `json:"convocation,omitempty"` // booked: the convocation holding it
	DossierID       int64 `json:"dossier,omitempty"`
}

// CreneauLayout is the layout of Creneau.Debut and Fin.
const CreneauLayout = "2006-01-02T15:04"

// StatutConvocation is where a convocation stands.
type StatutConvocation string

// The statuses of a convocation.
const (
	ConvPrevue   StatutConvocation = "prevue"
	ConvPresente StatutConvocation = "presente"
	ConvAbsente  StatutConvocation = "absente"
	ConvRefus    StatutConvocation = "refus"
	ConvReportee StatutConvocation = "reportee"
	ConvAnnulee  StatutConvocation = "annulee"
)

// Label is the French label of a status.
func (s StatutConvocation) Label() string {
	switch s {
	case ConvPrevue:
		return "Prévue"
	case ConvPresente:
		return "Assuré présent"
	case ConvAbsente:
		return "Assuré absent"
	case ConvRefus:
		return "Examen refusé"
	case ConvReportee:
		return "Reportée"
	case ConvAnnulee:
		return "Annulée"
	}
	return string(s)
}

// Convocation summons an assuré on a slot for a dossier. Only dates, places and
// administrative statuses: nothing clinical.
type Convocation struct {
	ID        int64             `json:"id"`
	DossierID int64             `json:"dossier"`
	Creneau   Creneau           `json:"creneau"`
	Statut    StatutConvocation `json:"statut"`
	Rang      int               `json:"rang"`               // 1: first convocation, 2: second after a valid excuse…
	Remplace  int64             `json:"remplace,omitempty"` // the convocation this one reschedules or follows
	Motif     string            `json:"motif,omitempty"`    // reason of the rescheduling (administrative)
	HorsDep   string            `json:"hors_dep,omitempty"` // reason for a site outside the département
	Valable   *bool             `json:"motif_valable,omitempty"`
	CreePar   string            `json:"cree_par"`
	CreeLe    time.Time         `json:"cree_le"`
	SuitePar  string            `json:"suite_par,omitempty"`
	SuiteLe   time.Time         `json:"suite_le,omitzero"`
	Examen    *Examen           `json:"examen,omitempty"`
	Lettre    string            `json:"lettre,omitempty"`     // link to the letter (PDF)
	LettreRef string            `json:"lettre_ref,omitempty"` // the letter's reference number
	Suite     string            `json:"suite,omitempty"`      // what follows a no-show (French)
	// Suivante is the second convocation booked automatically after an absence or
	// refusal with a valid reason (REGULATIONS.md §13.3), when one was booked.
	Suivante *Convocation `json:"suivante,omitempty"`
}

// Examen is the examination of an assuré in three phases (REGULATIONS.md §13.5):
// accueil (identity check, L315-1 IV bis; transport, R322-10-2), interrogatoire,
// examen clinique, conclusions. The three texts are clinical and encrypted at rest.
type Examen struct {
	ConvocationID    int64     `json:"convocation"`
	IdentiteVerifiee bool      `json:"identite_verifiee"`
	Transport        string    `json:"transport,omitempty"`
	Interrogatoire   string    `json:"interrogatoire,omitempty"`
	Clinique         string    `json:"examen_clinique,omitempty"`
	Conclusions      string    `json:"conclusions,omitempty"`
	MajPar           string    `json:"maj_par,omitempty"`
	MajLe            time.Time `json:"maj_le,omitzero"`
}

// Transports are the modes of transport the convocation may prescribe (R322-10-2:
// the least expensive compatible with the assuré's state).
var Transports = []string{"personnel", "transport_commun", "vsl", "taxi", "ambulance"}

// TransportLabel is the French label of a mode of transport.
func TransportLabel(s string) string {
	switch s {
	case "personnel":
		return "Véhicule personnel"
	case "transport_commun":
		return "Transports en commun"
	case "vsl":
		return "Véhicule sanitaire léger"
	case "taxi":
		return "Taxi conventionné"
	case "ambulance":
		return "Ambulance"
	}
	return s
}
