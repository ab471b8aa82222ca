// Package preanalyse runs, at intake, the rule set of a dossier's type on the
// dossier's data and on the assuré's history held in the store, and finds the
// incoherences a praticien must look at (overlapping arrêts, backdating, a
// teleconsultation arrêt over its limit, a prolongation after a gap, a prescriber
// who is neither the initial one nor the médecin traitant, terminology drift). The
// rule sets are called through their public API (rules.Engine.Evaluate), with the
// same JSON the command line and the API take.
package preanalyse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"medconseil"
	"medconseil/internal/rules"
)

// Analyst runs the pre-analysis. It is safe for concurrent use.
type Analyst struct {
	Engine *rules.Engine
}

// New returns an analyst over the rule sets of e.
func New(e *rules.Engine) *Analyst { return &Analyst{Engine: e} }

// RuleSetOf names the rule set run for a type.
func RuleSetOf(t medconseil.TypeDossier) string {
	if t == medconseil.TypeArretTravail {
		return "ij"
	}
	if s, ok := medconseil.SchemaOf(t); ok {
		return s.Regles
	}
	return ""
}

// Analyse returns the pre-analysis of in and its alerts. A rule set that cannot
// decide (a fact missing, a date the parameters do not cover) gives a pre-analysis
// without outcome that says why; it never blocks the intake.
func (an *Analyst) Analyse(in *medconseil.Instruction) (medconseil.PreAnalyse, []medconseil.Alerte) {
	p := medconseil.PreAnalyse{Regles: RuleSetOf(in.Type)}
	p.Manquants = Manquants(in.Type, in.Faits)
	var alerts []medconseil.Alerte
	var input any
	var err error
	switch in.Type {
	case medconseil.TypeArretTravail:
		input, alerts = an.arret(in)
	case medconseil.TypeATMP:
		input, alerts = atmpInput(in)
	case medconseil.TypeALD:
		input, alerts = aldInput(in)
	case medconseil.TypeTransport:
		input = transportInput(in)
	case medconseil.TypeLPP:
		input = lppInput(in)
	case medconseil.TypeKine:
		input = kineInput(in)
	case medconseil.TypeInvalidite:
		input = invaliditeInput(in)
	case medconseil.TypeOrdonnance:
		input = ordonnanceInput(in)
	default:
		p.Erreur = "aucun jeu de règles pour ce type de dossier"
		return p, alerts
	}
	if len(p.Manquants) > 0 {
		names := make([]string, len(p.Manquants))
		for i, m := range p.Manquants {
			names[i] = strings.ToLower(m.Libelle[:1]) + m.Libelle[1:]
		}
		p.Erreur = "faits manquants pour décider : " + strings.Join(names, ", ")
		return p, alerts
	}
	raw, err := json.Marshal(input)
	if err != nil {
		p.Erreur = "entrée du jeu de règles illisible"
		return p, alerts
	}
	ex, err := an.Engine.Evaluate(p.Regles, bytes.NewReader(raw))
	if err != nil {
		var e *medconseil.Error
		if errors.As(err, &e) {
			p.Erreur = e.Message
			if e.Field != "" {
				p.Erreur = e.Field + " : " + e.Message
			}
		} else {
			p.Erreur = "le jeu de règles n'a pas pu décider"
		}
		return p, alerts
	}
	p.Version, p.Issue, p.IssueLibelle = ex.Version, ex.Outcome, ex.OutcomeLabel
	if p.Version == "" {
		p.Version = ex.RuleSet
	}
	for _, r := range ex.Reasons {
		m := medconseil.MotifRegle{Code: r.Code, Message: r.Message}
		for _, ref := range r.References {
			m.References = append(m.References, medconseil.Reference{Titre: ref.Title, Href: ref.Href})
		}
		p.Motifs = append(p.Motifs, m)
	}
	for _, r := range ex.Results {
		p.Resultats = append(p.Resultats, medconseil.ResultatRegle{Libelle: r.Label, Valeur: r.Display})
	}
	return p, alerts
}

// Manquants lists the facts the rule set of t needs and faits lacks: each required
// fact, and one of each group of which none is known (hours worked or
// contributions: unknown is not zero, and the rule set would read zero).
func Manquants(t medconseil.TypeDossier, faits map[string]string) []medconseil.FaitManquant {
	var out []medconseil.FaitManquant
	groups := map[string][]medconseil.Fait{}
	var order []string
	for _, f := range medconseil.FaitsOf(t) {
		if f.Groupe != "" {
			if _, ok := groups[f.Groupe]; !ok {
				order = append(order, f.Groupe)
			}
			groups[f.Groupe] = append(groups[f.Groupe], f)
			continue
		}
		if _, ok := faits[f.Nom]; !ok && f.Requis {
			out = append(out, medconseil.FaitManquant{Nom: f.Nom, Libelle: f.Libelle})
		}
	}
	for _, g := range order {
		known := false
		var labels []string
		for _, f := range groups[g] {
			if _, ok := faits[f.Nom]; ok {
				known = true
			}
			labels = append(labels, strings.ToLower(f.Libelle[:1])+f.Libelle[1:])
		}
		if !known {
			l := strings.Join(labels, ", ou ")
			out = append(out, medconseil.FaitManquant{Nom: groups[g][0].Nom, Libelle: strings.ToUpper(l[:1]) + l[1:]})
		}
	}
	return out
}

// ijHist is one entry of the ij rule set's history.
type ijHist struct {
	Debut     string `json:"debut"`
	Fin       string `json:"fin"`
	ALD       bool   `json:"ald"`
	Affection string `json:"affection,omitempty"`
}

type ijArret struct {
	Debut            string `json:"debut"`
	Fin              string `json:"fin"`
	Prolongation     bool   `json:"prolongation"`
	DatePrescription string `json:"date_prescription,omitempty"`
	DateEnvoi        string `json:"date_envoi,omitempty"`
	Teleconsultation bool   `json:"teleconsultation"`
	Prescripteur     string `json:"prescripteur,omitempty"`
	ALD              bool   `json:"ald"`
	Affection        string `json:"affection,omitempty"`
}

type ijAssure struct {
	DateImmatriculation   string `json:"date_immatriculation,omitempty"`
	Heures3Mois           int    `json:"heures_3_mois"`
	Heures12Mois          int    `json:"heures_12_mois"`
	Cotisations6Mois      string `json:"cotisations_6_mois,omitempty"`
	Cotisations12Mois     string `json:"cotisations_12_mois,omitempty"`
	Salaires3DerniersMois string `json:"salaires_3_derniers_mois"`
}

type ijInput struct {
	Arret      ijArret  `json:"arret"`
	Historique []ijHist `json:"historique"`
	Assure     ijAssure `json:"assure"`
}

// aldOf returns whether the assuré has an ALD protocol (not refused) on the same
// CIM-10 category as code, before day.
func aldOf(in *medconseil.Instruction, code medconseil.CIM10) bool {
	if code == "" {
		return false
	}
	for _, h := range in.Historique {
		if h.Type == medconseil.TypeALD && h.Demande != nil && h.Sens != medconseil.SensNonJustifie &&
			medconseil.CIM10(h.Demande.Str("cim10")).Category() == code.Category() {
			return true
		}
	}
	return false
}

func atoiFact(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// arret builds the ij input and the arrêt's alerts.
func (an *Analyst) arret(in *medconseil.Instruction) (any, []medconseil.Alerte) {
	a := in.Arret
	recue := medconseil.DateOf(in.RecueLe)
	var alerts []medconseil.Alerte
	var initial *medconseil.Antecedent
	var chainEnd medconseil.Date
	hist := []ijHist{}
	arrets := []*medconseil.Antecedent{}
	for i := range in.Historique {
		h := &in.Historique[i]
		if h.Type != medconseil.TypeArretTravail || h.Arret == nil {
			continue
		}
		arrets = append(arrets, h)
		if a.InitialID != 0 && (h.ID == a.InitialID || h.Arret.InitialID == a.InitialID) {
			if h.ID == a.InitialID {
				initial = h
			}
			if h.Arret.Fin.After(chainEnd) && h.Arret.Debut.Before(a.Debut) {
				chainEnd = h.Arret.Fin
			}
		}
	}
	sort.Slice(arrets, func(i, j int) bool { return arrets[i].Arret.Debut.Before(arrets[j].Arret.Debut) })
	overlaps := 0
	for _, h := range arrets {
		x := h.Arret
		// Overlap: two notices covering the same day (two doctors, or a duplicate).
		if !x.Fin.Before(a.Debut) && !a.Fin.Before(x.Debut) && h.Sens != medconseil.SensNonJustifie {
			if overlaps++; overlaps > maxOverlapAlerts {
				continue
			}
			alerts = append(alerts, medconseil.Alerte{Code: "chevauchement", RefID: h.ID, Message: fmt.Sprintf(
				"Cet arrêt (du %s au %s) chevauche l'arrêt n° %d (du %s au %s).", a.Debut.Francais(), a.Fin.Francais(), h.ID, x.Debut.Francais(), x.Fin.Francais())})
			continue
		}
		if x.Debut.Before(a.Debut) && a.Debut.Sub(x.Debut) <= 3*366 {
			hist = append(hist, ijHist{Debut: x.Debut.String(), Fin: x.Fin.String(), ALD: aldOf(in, x.CIM10), Affection: string(x.CIM10)})
		}
	}
	if overlaps > maxOverlapAlerts {
		alerts = append(alerts, medconseil.Alerte{Code: "chevauchement", Message: fmt.Sprintf(
			"Cet arrêt chevauche en tout %d autres arrêts de l'assuré (les %d premiers sont nommés ci-dessus).", overlaps, maxOverlapAlerts)})
	}
	// Backdating: the notice is sent within 2 days of the prescription (R321-2); a
	// start well before its receipt was written after the fact.
	if !recue.IsZero() && recue.Sub(a.Debut) > backdatingDays {
		alerts = append(alerts, medconseil.Alerte{Code: "antidate", Message: fmt.Sprintf(
			"Arrêt antidaté : il commence le %s et n'a été reçu que le %s (%d jours plus tard ; envoi dans les 2 jours, article R321-2 du code de la sécurité sociale).",
			a.Debut.Francais(), recue.Francais(), recue.Sub(a.Debut))})
	}
	prescripteur := "prescripteur_initial"
	if a.Nature == medconseil.NatureProlongation && initial != nil {
		switch {
		case in.Prescripteur == initial.Prescripteur:
		case in.MedecinTraitant != "" && in.Prescripteur == in.MedecinTraitant:
			prescripteur = "medecin_traitant"
		default:
			prescripteur = "autre"
			alerts = append(alerts, medconseil.Alerte{Code: "prescripteur_prolongation", RefID: initial.ID, Message: fmt.Sprintf(
				"La prolongation est prescrite par le RPPS %s, qui n'est ni le prescripteur de l'arrêt initial n° %d ni le médecin traitant déclaré (article L162-4-4 du code de la sécurité sociale).",
				in.Prescripteur, initial.ID)})
		}
		if !chainEnd.IsZero() && a.Debut.Sub(chainEnd) > 1 {
			alerts = append(alerts, medconseil.Alerte{Code: "prolongation_interrompue", RefID: initial.ID, Message: fmt.Sprintf(
				"Prolongation après une interruption : l'arrêt précédent finissait le %s, celui-ci commence le %s (%d jours sans arrêt) ; une prolongation fait suite sans interruption.",
				chainEnd.Francais(), a.Debut.Francais(), a.Debut.Sub(chainEnd)-1)})
		}
		// Terminology drift against the initial is computed when the dossier is read,
		// through the gate (sqldb terminologyAlerts): the reader must see the initial.
	} else if in.MedecinTraitant != "" && in.Prescripteur == in.MedecinTraitant {
		prescripteur = "medecin_traitant"
	}
	// Teleconsultation: from 1 January 2024 at most N days unless the médecin
	// traitant prescribes (LFSS 2024 art. 65, L162-4-4).
	if a.Teleconsultation && prescripteur != "medecin_traitant" {
		if p, ok := an.Engine.Params.Get("ij/teleconsultation_max_jours"); ok {
			if per, ok := p.At(a.Debut); ok && per.Value.Kind == rules.Number {
				if max := per.Value.Num.Int(); int64(a.Jours()) > max {
					ref := ""
					if len(per.References) > 0 {
						ref = " (" + per.References[0].Title + ")"
					}
					alerts = append(alerts, medconseil.Alerte{Code: "teleconsultation_limite", Message: fmt.Sprintf(
						"Arrêt prescrit en téléconsultation pour %d jours : au-delà de %d jours, les indemnités ne sont pas dues sauf prescription du médecin traitant%s.", a.Jours(), max, ref)})
				}
			}
		}
	}
	j := ijInput{Historique: hist}
	j.Arret = ijArret{Debut: a.Debut.String(), Fin: a.Fin.String(), Prolongation: a.Nature == medconseil.NatureProlongation && len(hist) > 0,
		Teleconsultation: a.Teleconsultation, Prescripteur: prescripteur, ALD: aldOf(in, a.CIM10)}
	if !recue.IsZero() && !recue.Before(a.Debut) {
		j.Arret.DatePrescription, j.Arret.DateEnvoi = a.Debut.String(), recue.String()
	}
	if j.Arret.ALD {
		j.Arret.Affection = string(a.CIM10)
	}
	f := in.Faits
	j.Assure = ijAssure{DateImmatriculation: f["date_immatriculation"], Heures3Mois: atoiFact(f["heures_3_mois"]), Heures12Mois: atoiFact(f["heures_12_mois"]),
		Cotisations6Mois: f["cotisations_6_mois"], Cotisations12Mois: f["cotisations_12_mois"], Salaires3DerniersMois: f["salaires_3_derniers_mois"]}
	return j, alerts
}

// maxOverlapAlerts bounds the overlap alerts named one by one.
const maxOverlapAlerts = 5

// backdatingDays is the tolerance between an arrêt's start and its receipt before
// it is flagged: the 2 days of R321-2 CSS plus a weekend.
const backdatingDays = 4

// sinistre returns the first piece of the AT/MP sinistre in's demande belongs to.
func sinistre(in *medconseil.Instruction) *medconseil.Antecedent {
	id := in.Demande.Int(medconseil.ChampSinistreID)
	if id == 0 {
		return nil
	}
	for i := range in.Historique {
		if in.Historique[i].ID == id {
			return &in.Historique[i]
		}
	}
	return nil
}

func atmpInput(in *medconseil.Instruction) (any, []medconseil.Alerte) {
	d := in.Demande
	typ := d.Str("risque")
	if d.Str("piece") == medconseil.PieceRechute {
		typ = "rechute"
	}
	j := map[string]any{
		"type": typ, "date_reception": d.Date("date_reception").String(),
		"alsace_moselle": medconseil.AlsaceMoselle(in.Departement),
	}
	if c := d.Str("conclusion"); c != "" {
		j["certificat_final"] = c
	}
	var alerts []medconseil.Alerte
	if d.Str("risque") == "mp" {
		m := map[string]any{"tableau": d.Str("tableau_mp") != "", "conditions_remplies": d.Bool("conditions_tableau_remplies"),
			"condition_manquante": d.Str("condition_manquante"), "deces": d.Bool("deces")}
		if d.Has("taux_ip_previsible") {
			m["taux_ip_previsible"] = d.Int("taux_ip_previsible")
		}
		j["maladie"] = m
	}
	// The certificat médical initial is kept for life: every later certificate of the
	// same sinistre keeps its terminology.
	if first := sinistre(in); first != nil && first.Demande != nil && d.Str("cim10") != "" {
		if c := first.Demande.Str("cim10"); c != "" && c != d.Str("cim10") {
			alerts = append(alerts, medconseil.Alerte{Code: "cim10_modifie", RefID: first.ID, Message: fmt.Sprintf(
				"Le code CIM-10 des lésions diffère du certificat initial n° %d : %s ≠ %s.", first.ID, medconseil.CIM10(c).Dotted(), medconseil.CIM10(d.Str("cim10")).Dotted())})
		}
	}
	return j, alerts
}

func aldInput(in *medconseil.Instruction) (any, []medconseil.Alerte) {
	d := in.Demande
	var alerts []medconseil.Alerte
	code := medconseil.CIM10(d.Str("cim10"))
	for _, h := range in.Historique {
		if h.Type == medconseil.TypeALD && h.Demande != nil && medconseil.CIM10(h.Demande.Str("cim10")).Category() == code.Category() && !d.Bool("renouvellement") {
			alerts = append(alerts, medconseil.Alerte{Code: "ald_deja_demandee", RefID: h.ID, Message: fmt.Sprintf(
				"Un protocole de soins pour la même affection existe déjà (dossier n° %d) : s'agit-il d'un renouvellement ?", h.ID)})
			break
		}
	}
	return map[string]any{"date": d.Date("date_protocole").String(), "cim10": d.Str("cim10"), "renouvellement": d.Bool("renouvellement"),
		"admis_avant_27_juin_2011": d.Bool("admis_avant_27_juin_2011"), "criteres_hors_liste": d.Bool("criteres_hors_liste")}, alerts
}

func transportInput(in *medconseil.Instruction) any {
	d := in.Demande
	etat := map[string]bool{}
	for _, e := range medconseil.TransportEtats {
		etat[e] = d.Bool("etat_" + e)
	}
	return map[string]any{"date_demande": d.Date("date_demande").String(), "mode": d.Str("mode"), "distance_km": d.Int("distance_km"),
		"serie_nombre_sur_2_mois": d.Int("serie_nombre_sur_2_mois"), "camsp_cmpp": d.Bool("camsp_cmpp"), "urgence": d.Bool("urgence"),
		"serie_en_lien_avec_ald": d.Bool("serie_en_lien_avec_ald"), "etat": etat}
}

func lppInput(in *medconseil.Instruction) any {
	d := in.Demande
	date := d.Date("date_prescription")
	mineur := false
	if !in.Assure.Naissance.IsZero() {
		mineur = in.Assure.Naissance.AgeAt(date) < 18
	}
	j := map[string]any{"date": date.String(), "categorie": d.Str("categorie"), "mineur": mineur}
	if v := d.Str("indication"); v != "" {
		j["indication"] = v
	}
	if d.Has("derniere_delivrance") {
		j["derniere_delivrance"] = d.Date("derniere_delivrance").String()
	}
	return j
}

// kineInput counts the sessions of the 12 months before from the assuré's earlier
// kinésithérapie requests in the store, plus those the prescriber declares.
func kineInput(in *medconseil.Instruction) any {
	d := in.Demande
	date := d.Date("date_prescription")
	n := d.Int("seances_anterieures")
	for _, h := range in.Historique {
		if h.Type == medconseil.TypeKine && h.Demande != nil && h.Sens != medconseil.SensNonJustifie {
			if p := h.Demande.Date("date_prescription"); !p.After(date) && date.Sub(p) <= 365 {
				n += h.Demande.Int("seances_prevues")
			}
		}
	}
	return map[string]any{"date": date.String(), "situation": d.Str("situation"), "seances_prevues": d.Int("seances_prevues"), "seances_12_mois": n}
}

func invaliditeInput(in *medconseil.Instruction) any {
	d := in.Demande
	f := in.Faits
	j := map[string]any{"date": d.Date("date_constat").String(), "reduction_capacite_pct": d.Int("reduction_capacite_pct"),
		"capable_activite": d.Bool("capable_activite"), "tierce_personne": d.Bool("tierce_personne"), "exerce_activite": d.Bool("exerce_activite"),
		"heures_12_mois": atoiFact(f["heures_12_mois"])}
	if !in.Assure.Naissance.IsZero() {
		j["date_naissance"] = in.Assure.Naissance.String()
	}
	if v := f["date_immatriculation"]; v != "" {
		j["date_immatriculation"] = v
	}
	if v := f["cotisations_12_mois"]; v != "" {
		j["cotisations_12_mois"] = v
	}
	return j
}

func ordonnanceInput(in *medconseil.Instruction) any {
	d := in.Demande
	j := map[string]any{"date_prescription": d.Date("date_prescription").String(), "regime": d.Str("regime"), "duree_jours": d.Int("duree_jours")}
	for _, k := range []string{"classe", "substance", "mention_cadre"} {
		if v := d.Str(k); v != "" {
			j[k] = v
		}
	}
	for _, k := range []string{"ordonnance_securisee", "doses_en_toutes_lettres", "chevauchement", "mention_chevauchement", "renouvellement_indique",
		"hors_indication_remboursable", "mention_nr", "hors_amm", "mention_hors_amm", "cadre_compassionnel"} {
		j[k] = d.Bool(k)
	}
	return j
}
