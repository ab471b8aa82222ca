package rules

import "medconseil"

// Ordonnance is the rule set of the conformity of a prescription: stupéfiants
// (R5132-5, R5132-29, R5132-30, R5132-33 CSP), tramadol, codéine and dihydrocodéine
// (ANSM decisions of 26 September 2024), listes I and II (R5132-21, R5132-22), the
// "non remboursable" mention (L162-4 CSS), off-label wording (L5121-12-1-2 CSP) and
// the RTU replaced by the CPC from 1 July 2021 (L5121-12-1 CSP).
type Ordonnance struct {
	stupMax, listeMax, hypno, anxio, tramadol, codeine, securisee, tolerance, cpc *Parameter
	substances                                                                    map[string]*Parameter
}

var stupSubstances = []string{"morphine_orale_lp", "morphine_orale_non_lp", "hydromorphone", "fentanyl_transdermique", "methylphenidate",
	"methadone", "methadone_gelules", "fentanyl_transmuqueux", "fentanyl_injectable", "morphine_injectable", "pentazocine_injectable",
	"methylphenidate_injectable", "pethidine", "dextromoramide"}

func newOrdonnance(r *resolver) *Ordonnance {
	o := &Ordonnance{stupMax: r.get("ordonnance/stupefiants_duree_max_jours"), listeMax: r.get("ordonnance/liste_duree_max_mois"),
		hypno: r.get("ordonnance/hypnotiques_duree_max_semaines"), anxio: r.get("ordonnance/anxiolytiques_duree_max_semaines"),
		tramadol: r.get("ordonnance/tramadol_duree_max_mois"), codeine: r.get("ordonnance/codeine_duree_max_semaines"),
		securisee: r.get("ordonnance/opioides_faibles_ordonnance_securisee"), tolerance: r.get("ordonnance/tolerance_opioides_non_securisee"),
		cpc: r.get("ordonnance/cadre_prescription_compassionnelle"), substances: map[string]*Parameter{}}
	for _, s := range stupSubstances {
		o.substances[s] = r.get("ordonnance/stupefiants/" + s)
	}
	return o
}

func cspRef(a string) []Reference { return ref("Article "+a+" du code de la santé publique", cspHref) }

var (
	refStup     = refs(cspRef("R5132-5"), cspRef("R5132-29"), cspRef("R5132-30"))
	refChev     = cspRef("R5132-33")
	refListes   = refs(cspRef("R5132-21"), cspRef("R5132-22"))
	refNR       = ref("Article L162-4 du code de la sécurité sociale", cssHref)
	refHorsAMM  = cspRef("L5121-12-1-2")
	refRTU      = cspRef("L5121-12-1")
	refOpioides = ref("ANSM — décisions du 26 septembre 2024 : tramadol, codéine, dihydrocodéine", "https://ansm.sante.fr/actualites/antalgiques-opioides-tramadol-codeine-et-dihydrocodeine-prescription-sur-ordonnance-securisee")
)

var ordonnanceLabels = map[string]string{
	"conforme":               "Prescription conforme",
	"conforme_avec_reserves": "Prescription conforme, avec une réserve",
	"non_conforme":           "Prescription non conforme",
}

type ordonnanceJSON struct {
	DatePrescription      string `json:"date_prescription"`
	Regime                string `json:"regime"`
	Classe                string `json:"classe"`
	Substance             string `json:"substance"`
	DureeJours            *int   `json:"duree_jours"`
	OrdonnanceSecurisee   bool   `json:"ordonnance_securisee"`
	DosesToutesLettres    bool   `json:"doses_en_toutes_lettres"`
	Chevauchement         bool   `json:"chevauchement"`
	MentionChevauchement  bool   `json:"mention_chevauchement"`
	RenouvellementIndique bool   `json:"renouvellement_indique"`
	NonRemboursable       bool   `json:"hors_indication_remboursable"`
	MentionNR             bool   `json:"mention_nr"`
	HorsAMM               bool   `json:"hors_amm"`
	MentionHorsAMM        bool   `json:"mention_hors_amm"`
	CadreCompassionnel    bool   `json:"cadre_compassionnel"`
	MentionCadre          string `json:"mention_cadre"`
	Cadre                 *struct {
		Type  string `json:"type"`
		Debut string `json:"debut"`
		Fin   string `json:"fin"`
	} `json:"cadre"`
}

// cadre is the compassionate framework of the drug for this indication, with its own
// dates (ANSM decision): an RTU, a CPC or an AAC.
type cadre struct {
	Type       string
	Debut, Fin medconseil.Date
}

type ordState struct {
	d        *Decision
	blocking bool
	reserve  bool
	checked  []string // what was checked, stated on a conform prescription
}

func (s *ordState) fail(code string, r []Reference, format string, args ...arg) {
	s.d.add(code, r, format, args...)
	s.blocking = true
}

func (o *Ordonnance) evaluate(j *ordonnanceJSON, c *cadre, date medconseil.Date, days int, d *Decision) error {
	d.reset("ordonnance", date)
	d.Version = "ordonnance : CSP R5132-x, opioïdes faibles 2025, CPC depuis 2021"
	s := &ordState{d: d}
	weak := j.Classe == "tramadol" || j.Classe == "codeine" || j.Classe == "dihydrocodeine"
	if j.Regime == "stupefiant" {
		if !j.OrdonnanceSecurisee {
			s.fail("ORD_STUP_NON_SECURISEE", refStup, "Stupéfiant prescrit sans ordonnance sécurisée.")
		}
		if !j.DosesToutesLettres {
			s.fail("ORD_STUP_DOSES_LETTRES", refStup, "Stupéfiant : nombre d'unités, doses et posologie doivent être écrits en toutes lettres.")
		}
		p := o.stupMax
		if sp, ok := o.substances[j.Substance]; ok {
			p = sp
		}
		max, err := d.integer(p, date)
		if err != nil {
			return err
		}
		what := "stupéfiant sans substance précisée"
		if j.Substance != "" {
			what = p.Description
		}
		if int64(days) > max {
			s.fail("ORD_STUP_DUREE", refStup, "Stupéfiant prescrit pour %d jours, au-delà de %d jours (%s).", iarg(int64(days)), iarg(max), sarg(what))
		} else {
			d.add("ORD_STUP_DUREE_OK", refStup, "Durée de %d jours dans la limite de %d jours (%s).", iarg(int64(days)), iarg(max), sarg(what))
		}
		s.checked = append(s.checked, "ordonnance sécurisée", "doses en toutes lettres", "durée maximale de la substance", "chevauchement")
		if j.Chevauchement && !j.MentionChevauchement {
			s.fail("ORD_CHEVAUCHEMENT", refChev, "Nouvelle ordonnance couvrant une période déjà couverte, sans mention expresse du prescripteur.")
		}
	}
	if weak {
		s.checked = append(s.checked, "règles du tramadol, de la codéine et de la dihydrocodéine")
		if d.flag(o.securisee, date) && j.Regime != "stupefiant" {
			if !j.OrdonnanceSecurisee || !j.DosesToutesLettres {
				if d.flag(o.tolerance, date) {
					d.add("ORD_OPIOIDE_TOLERANCE", refs(refOpioides), "Tramadol, codéine ou dihydrocodéine sans ordonnance sécurisée en toutes lettres : toléré pour les ordonnances rédigées en mars 2025.")
					s.reserve = true
				} else {
					s.fail("ORD_OPIOIDE_NON_SECURISEE", refs(refOpioides), "Tramadol, codéine ou dihydrocodéine : ordonnance sécurisée, dose, posologie et durée en toutes lettres obligatoires.")
				}
			}
		}
		if j.Classe == "tramadol" {
			// "3 mois": calendar months from the prescription date, not 12 weeks.
			if per, ok := o.tramadol.At(date); ok {
				d.used(o.tramadol, per)
				m := int(per.Value.Num.Int())
				if date.AddDays(days).After(date.AddMonths(m)) {
					s.fail("ORD_OPIOIDE_DUREE", per.References, "Tramadol prescrit pour %d jours, au-delà de %d mois (jusqu'au %s).", iarg(int64(days)), iarg(int64(m)), darg(date.AddMonths(m)))
				}
			}
		} else if per, ok := o.codeine.At(date); ok {
			d.used(o.codeine, per)
			max := per.Value.Num.Int() * 7
			if int64(days) > max {
				s.fail("ORD_OPIOIDE_DUREE", per.References, "%s prescrit pour %d jours, au-delà de %d semaines.", sarg(j.Classe), iarg(int64(days)), iarg(max/7))
			}
		}
	}
	if j.Regime == "liste_I" || j.Regime == "liste_II" {
		m, err := d.integer(o.listeMax, date)
		if err != nil {
			return err
		}
		if date.AddDays(days).After(date.AddMonths(int(m))) {
			s.fail("ORD_LISTE_DUREE", refListes, "Prescription de %d jours, renouvellements compris, au-delà de %d mois.", iarg(int64(days)), iarg(m))
		}
		s.checked = append(s.checked, "durée maximale des listes I et II")
		if j.Regime == "liste_I" && !j.RenouvellementIndique {
			d.add("ORD_LISTE_I_NON_RENOUVELABLE", refListes, "Liste I : sans indication du nombre de renouvellements ou de la durée, la délivrance ne peut être renouvelée.")
		}
	}
	for _, c := range []struct {
		classe string
		p      *Parameter
		label  string
	}{{"hypnotique", o.hypno, "Hypnotique"}, {"anxiolytique", o.anxio, "Anxiolytique"}} {
		if j.Classe != c.classe {
			continue
		}
		w, err := d.integer(c.p, date)
		if err != nil {
			return err
		}
		s.checked = append(s.checked, "durée maximale des "+c.classe+"s")
		if int64(days) > w*7 {
			s.fail("ORD_"+upper(c.classe)+"_DUREE", refListes, "%s prescrit pour %d jours, au-delà de %d semaines.", sarg(c.label), iarg(int64(days)), iarg(w))
		}
	}
	if j.NonRemboursable && !j.MentionNR {
		s.fail("ORD_MENTION_NR", ref("Article L162-4 du code de la sécurité sociale", cssHref), "Prescription hors des indications remboursables sans la mention « NR » (non remboursable).")
	}
	_ = refNR
	if j.HorsAMM && !j.MentionHorsAMM && !j.CadreCompassionnel {
		s.fail("ORD_MENTION_HORS_AMM", refHorsAMM, "Prescription hors AMM sans la mention « Prescription hors autorisation de mise sur le marché ».")
	}
	if j.NonRemboursable {
		s.checked = append(s.checked, "mention « NR »")
	}
	if j.HorsAMM {
		s.checked = append(s.checked, "mention hors AMM")
	}
	if j.CadreCompassionnel {
		s.checked = append(s.checked, "cadre compassionnel et ses dates")
		if c == nil {
			d.add("ORD_CADRE_DATES_INCONNUES", refRTU, "Cadre compassionnel sans ses dates pour ce médicament et cette indication : vérifier sur le site de l'ANSM qu'il existe et n'a pas expiré à la date de prescription.")
			s.reserve = true
		} else {
			switch {
			case c.Type == "RTU" && d.flag(o.cpc, c.Debut):
				s.fail("ORD_CADRE_INEXISTANT", refRTU, "Une RTU ne peut pas avoir été établie le %s : les RTU ont été remplacées par les CPC le 1er juillet 2021.", darg(c.Debut))
			case c.Type != "RTU" && !d.flag(o.cpc, c.Debut):
				s.fail("ORD_CADRE_INEXISTANT", refRTU, "Un cadre %s ne peut pas avoir été établi le %s : l'accès compassionnel (CPC, AAC) existe à partir du 1er juillet 2021.", sarg(c.Type), darg(c.Debut))
			case date.Before(c.Debut):
				s.fail("ORD_CADRE_PAS_ENCORE", refRTU, "Prescription du %s, avant le début du cadre %s de ce médicament dans cette indication (%s) : pas de cadre compassionnel à cette date.", darg(date), sarg(c.Type), darg(c.Debut))
			case !c.Fin.IsZero() && date.After(c.Fin):
				s.fail("ORD_CADRE_EXPIRE", refRTU, "Prescription du %s, après la fin du cadre %s de ce médicament dans cette indication (%s) : cadre expiré.", darg(date), sarg(c.Type), darg(c.Fin))
			default:
				fin := "sans date de fin"
				if !c.Fin.IsZero() {
					fin = "jusqu'au " + c.Fin.Francais()
				}
				d.add("ORD_CADRE_EN_VIGUEUR", refRTU, "Cadre %s de ce médicament dans cette indication en vigueur le %s (du %s, %s).", sarg(c.Type), darg(date), darg(c.Debut), sarg(fin))
			}
		}
		if d.flag(o.cpc, date) {
			switch j.MentionCadre {
			case "CPC":
				d.add("ORD_CPC", refRTU, "Prescription dans un cadre de prescription compassionnelle (CPC), qui a remplacé les RTU le 1er juillet 2021.")
			case "AAC":
				d.add("ORD_AAC", refRTU, "Prescription sous autorisation d'accès compassionnel (AAC, nominative, ANSM), depuis le 1er juillet 2021.")
			case "RTU":
				d.add("ORD_MENTION_RTU_PERIMEE", refRTU, "Mention « RTU » après le 1er juillet 2021 : les RTU sont devenues des cadres de prescription compassionnelle (CPC).")
				s.reserve = true
			default:
				s.fail("ORD_MENTION_CADRE", refRTU, "Prescription dans un cadre de prescription compassionnelle sans mention du cadre.")
			}
		} else {
			switch j.MentionCadre {
			case "RTU":
				d.add("ORD_RTU", refRTU, "Prescription sous recommandation temporaire d'utilisation (RTU), cadre en vigueur avant le 1er juillet 2021.")
			case "CPC", "AAC":
				s.fail("ORD_CPC_AVANT_2021", refRTU, "L'accès compassionnel (CPC, AAC) n'existe qu'à partir du 1er juillet 2021.")
			default:
				s.fail("ORD_MENTION_CADRE", refRTU, "Prescription sous RTU sans la mention « Prescription sous recommandation temporaire d'utilisation ».")
			}
		}
	}
	switch {
	case s.blocking:
		d.Outcome = "non_conforme"
	case len(s.checked) == 0:
		d.add("ORD_VERIFICATIONS", nil, "Aucune règle particulière pour ce régime et cette classe : seules la date et la durée ont été lues.")
		d.Outcome = "conforme"
	case s.reserve:
		d.Outcome = "conforme_avec_reserves"
	default:
		d.Outcome = "conforme"
	}
	if d.Outcome != "non_conforme" && len(s.checked) > 0 {
		d.add("ORD_VERIFICATIONS", nil, "Points vérifiés : %s.", sarg(joinFr(s.checked)))
	}
	return nil
}

// joinFr joins items as a French enumeration: "a, b et c".
func joinFr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, it := range items[1 : len(items)-1] {
		out += ", " + it
	}
	return out + " et " + items[len(items)-1]
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func (o *Ordonnance) ruleSet() *ruleSet {
	return &ruleSet{name: "ordonnance", input: ordonnanceJSON{}, title: "Conformité d'une prescription de médicaments", labels: ordonnanceLabels,
		eval: func(raw []byte, d *Decision) error {
			var j ordonnanceJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			date := f.date("date_prescription", j.DatePrescription, true)
			f.enum("regime", j.Regime, true, "stupefiant", "liste_I", "liste_II", "non_liste")
			f.enum("classe", j.Classe, false, "hypnotique", "anxiolytique", "tramadol", "codeine", "dihydrocodeine", "autre")
			if j.Substance != "" {
				f.enum("substance", j.Substance, false, stupSubstances...)
			}
			f.enum("mention_cadre", j.MentionCadre, false, "RTU", "CPC", "AAC")
			var c *cadre
			if j.Cadre != nil {
				c = &cadre{Type: f.enum("cadre.type", j.Cadre.Type, true, "RTU", "CPC", "AAC"),
					Debut: f.date("cadre.debut", j.Cadre.Debut, true), Fin: f.date("cadre.fin", j.Cadre.Fin, false)}
				if !c.Debut.IsZero() && !c.Fin.IsZero() && c.Fin.Before(c.Debut) {
					f.fail("cadre.fin", "la fin du cadre précède son début")
				}
				if !j.CadreCompassionnel {
					f.fail("cadre", "les dates d'un cadre supposent cadre_compassionnel : true")
				}
			}
			days := 0
			if j.DureeJours == nil {
				f.fail("duree_jours", "durée de prescription obligatoire (jours, renouvellements compris)")
			} else {
				days = *j.DureeJours
				f.nonNegative("duree_jours", days)
			}
			if err := f.err(); err != nil {
				return err
			}
			return o.evaluate(&j, c, date, days, d)
		}}
}
