package rules

import "medconseil"

// LPP is the rule set of the liste des produits et prestations (L165-1 CSS): does a
// line need an accord préalable (grand appareillage, véhicules pour personnes en
// situation de handicap), and does the stated indication match the one the LPP
// allows (CHUT: arrêté du 24 juillet 2018; CHUP renewal).
type LPP struct{ grand, vph, vphTaux, vphSilence, chut, chupRenouv *Parameter }

func newLPP(r *resolver) *LPP {
	return &LPP{grand: r.get("lpp/accord_prealable_grand_appareillage"), vph: r.get("lpp/accord_prealable_vph"),
		vphTaux: r.get("lpp/vph_taux_prise_en_charge"), vphSilence: r.get("lpp/vph_silence_devis_mois"),
		chut: r.get("lpp/chut"), chupRenouv: r.get("lpp/chup_renouvellement_min_mois")}
}

var (
	refLPP   = refs(ref("Article L165-1 du code de la sécurité sociale", cssHref), ref("Article R165-23 du code de la sécurité sociale", cssHref))
	refCHUT  = ref("Arrêté du 24 juillet 2018 (JO 01/08/2018) — chaussures thérapeutiques", "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000037270144")
	refCNEDi = ref("CNEDiMTS, avis du 8 mars 2011 (coussins d'aide au positionnement)", "https://www.has-sante.fr/")
)

var lppCategories = []string{"grand_appareillage", "vph", "chut_decharge_avant_pied", "chut_decharge_talon", "chut_volume_avant_pied",
	"chup", "coussin_positionnement", "autre"}

var lppLabels = map[string]string{
	"accord_prealable_requis": "Accord préalable requis",
	"pris_en_charge":          "Pris en charge sans accord préalable, indication conforme",
	"indication_non_conforme": "Indication non conforme à la LPP : pas de prise en charge",
	"a_verifier":              "Indication à vérifier sur la LPP",
}

type lppJSON struct {
	Date               string `json:"date"`
	Categorie          string `json:"categorie"`
	Indication         string `json:"indication"`
	DerniereDelivrance string `json:"derniere_delivrance"`
	Mineur             bool   `json:"mineur"`
}

func (l *LPP) evaluate(j *lppJSON, date, derniere medconseil.Date, d *Decision) error {
	d.reset("lpp", date)
	d.Version = "lpp : LPP en vigueur, CHUT depuis l'arrêté du 24 juillet 2018"
	switch j.Categorie {
	case "grand_appareillage":
		if d.flag(l.grand, date) {
			d.add("LPP_ACCORD_GRAND_APPAREILLAGE", refLPP, "Grand appareillage (titre II, chapitres 5 à 7) : accord préalable du service du contrôle médical.")
			d.Outcome = "accord_prealable_requis"
			return nil
		}
	case "vph":
		if t, err := d.num(l.vphTaux, date); err == nil {
			m, _ := d.integer(l.vphSilence, date)
			d.add("LPP_VPH_REFORME", refLPP, "Fauteuils roulants depuis le 1er décembre 2025 : prise en charge à %s %%, parcours évaluation, préconisation et essai ; devis d'adaptation réputé accepté après %d mois de silence.", sarg(percent(t)), iarg(m))
		}
		if d.flag(l.vph, date) {
			d.add("LPP_ACCORD_VPH", refLPP, "Véhicule pour personne en situation de handicap (titre IV) : accord préalable.")
			d.Outcome = "accord_prealable_requis"
			return nil
		}
	case "chut_decharge_avant_pied", "chut_decharge_talon", "chut_volume_avant_pied":
		if !d.flag(l.chut, date) {
			d.add("LPP_CHUT_ANCIEN_REGIME", refLPP, "Avant l'arrêté du 24 juillet 2018, les chaussures thérapeutiques relevaient de l'ancienne section H : indication à vérifier.")
			d.Outcome = "a_verifier"
			return nil
		}
		ok := false
		if j.Categorie == "chut_volume_avant_pied" {
			ok = j.Indication == "inflammation_oedeme_trouble_trophique"
		} else {
			ok = j.Indication == "post_chirurgicale" || j.Indication == "traumatique" || j.Indication == "medicale"
		}
		if !ok {
			d.add("LPP_CHUT_INDICATION", refs(refLPP, refCHUT[0:1]), "CHUT « %s » : l'indication « %s » n'est pas prise en charge (décharge : origine post-chirurgicale, traumatique ou médicale ; augmentation de volume : inflammation ou œdème avec trouble trophique ou son risque).", sarg(j.Categorie), sarg(j.Indication))
			d.Outcome = "indication_non_conforme"
			return nil
		}
		d.add("LPP_CHUT_CONFORME", refs(refLPP, refCHUT), "CHUT « %s » pour une indication « %s » : prise en charge, délivrance à l'unité.", sarg(j.Categorie), sarg(j.Indication))
		d.Outcome = "pris_en_charge"
		return nil
	case "chup":
		if !derniere.IsZero() && !j.Mineur {
			m, err := d.integer(l.chupRenouv, date)
			if err != nil {
				return err
			}
			if date.Before(derniere.AddMonths(int(m))) {
				d.add("LPP_CHUP_RENOUVELLEMENT", refCHUT, "CHUP : renouvellement avant %d mois (dernière délivrance le %s) chez l'adulte.", iarg(m), darg(derniere))
				d.Outcome = "indication_non_conforme"
				return nil
			}
		}
		d.add("LPP_CHUP", refCHUT, "CHUP : indication à confirmer (pathologie neuromusculaire évoluée, lésions du pied d'origine neurologique, vasculaire, métabolique ou orthopédique ; chez le mineur, déficits neurologiques ou séquelles de pied bot).")
		d.Outcome = "a_verifier"
		return nil
	case "coussin_positionnement":
		d.add("LPP_COUSSIN_A_VERIFIER", refs(refLPP, refCNEDi), "Coussin de positionnement : indications exactes à lire sur la LPP en vigueur (titre I, chapitre 2).")
		d.Outcome = "a_verifier"
		return nil
	}
	d.add("LPP_SANS_ACCORD", refLPP, "Pas d'accord préalable pour cette catégorie à cette date.")
	d.Outcome = "pris_en_charge"
	return nil
}

func (l *LPP) ruleSet() *ruleSet {
	return &ruleSet{name: "lpp", input: lppJSON{}, title: "Liste des produits et prestations", labels: lppLabels,
		eval: func(raw []byte, d *Decision) error {
			var j lppJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			date := f.date("date", j.Date, true)
			f.enum("categorie", j.Categorie, true, lppCategories...)
			f.enum("indication", j.Indication, false, "post_chirurgicale", "traumatique", "medicale", "inflammation_oedeme_trouble_trophique", "autre")
			derniere := f.date("derniere_delivrance", j.DerniereDelivrance, false)
			if err := f.err(); err != nil {
				return err
			}
			return l.evaluate(&j, date, derniere, d)
		}}
}
