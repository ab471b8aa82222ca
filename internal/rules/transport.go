package rules

import (
	"math"

	"medconseil"
	"medconseil/internal/reference"
)

// Transport is the rule set of the transports sanitaires: the accord préalable of
// R322-10-4 CSS (more than 150 km, series, plane or boat, CAMSP/CMPP), its tacit
// approval, and the mode the référentiel of the arrêté du 23 décembre 2006 allows
// (R322-10-1).
type Transport struct {
	distance, serieN, serieMois, serieKm, silence *Parameter
	lieux                                         Lieux
}

// Lieux gives the distances of the transport rules from the FINESS and communes
// référentiels (great-circle distance between centroids and establishments).
type Lieux interface {
	// Etablissement returns the name and FINESS category of an establishment and its
	// distance in km from a commune (INSEE code).
	Etablissement(commune, finess string) (nom, categorie string, km float64, err error)
	// PlusProche returns the located establishment of a FINESS category nearest to a
	// commune.
	PlusProche(commune, categorie string) (finess, nom string, km float64, err error)
}

// ReferenceLieux answers Lieux from loaded référentiels.
func ReferenceLieux(s *reference.Set) Lieux { return refLieux{s} }

type refLieux struct{ s *reference.Set }

func (r refLieux) Etablissement(commune, finess string) (string, string, float64, error) {
	e := r.s.Finess[finess]
	if e == nil {
		return "", "", 0, medconseil.FieldErrorf("etablissement_finess", "établissement FINESS %s inconnu du référentiel", finess)
	}
	if !e.Localise {
		return "", "", 0, medconseil.FieldErrorf("etablissement_finess", "établissement FINESS %s sans coordonnées dans le référentiel", finess)
	}
	all, err := r.s.Nearest(commune, e.Categorie, 0)
	if err != nil {
		return "", "", 0, medconseil.FieldErrorf("depart_commune", "%v", err)
	}
	for _, p := range all {
		if p.Code == finess {
			return e.Nom, e.Categorie, p.DistanceKm, nil
		}
	}
	return "", "", 0, medconseil.FieldErrorf("etablissement_finess", "établissement FINESS %s introuvable", finess)
}

func (r refLieux) PlusProche(commune, categorie string) (string, string, float64, error) {
	n, err := r.s.Nearest(commune, categorie, 1)
	if err != nil {
		return "", "", 0, medconseil.FieldErrorf("depart_commune", "%v", err)
	}
	if len(n) == 0 {
		return "", "", 0, medconseil.Errorf(medconseil.ENOTFOUND, "aucun établissement de catégorie FINESS %s localisé", categorie)
	}
	return n[0].Code, n[0].Nom, n[0].DistanceKm, nil
}

// SetLieux gives the transport rule set the référentiels to compute distances from
// the commune of departure and the FINESS number of the facility. Call it once,
// before the engine is shared.
func (e *Engine) SetLieux(l Lieux) { e.transport.lieux = l }

func newTransport(r *resolver) *Transport {
	return &Transport{distance: r.get("transport/distance_accord_prealable_km"), serieN: r.get("transport/serie_nombre_min"),
		serieMois: r.get("transport/serie_periode_mois"), serieKm: r.get("transport/serie_distance_km"),
		silence: r.get("transport/silence_vaut_accord_jours")}
}

var (
	refR322104 = refs(ref("Article R322-10-4 du code de la sécurité sociale", cssHref), ref("ameli.fr — Accord préalable transport (21/04/2022)", "https://www.ameli.fr/medecin/exercice-liberal/accord-prealable/accord-prealable-transport"))
	refR322105 = refs(ref("Article R322-10-5 du code de la sécurité sociale", cssHref), ref("Décret n° 2015-207 du 24 février 2015", "https://www.legifrance.gouv.fr/eli/decret/2015/2/24/2015-207/jo/texte"))
	refR322103 = ref("Article R322-10-3 du code de la sécurité sociale", cssHref)
	refRef2006 = refs(ref("Article R322-10-1 du code de la sécurité sociale", cssHref), ref("Arrêté du 23 décembre 2006 (JO 30/12/2006) — référentiel de prescription des transports", "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000645199"))
)

var transportLabels = map[string]string{
	"accord_prealable_requis": "Accord préalable du service du contrôle médical requis",
	"sans_accord_prealable":   "Pas d'accord préalable",
	"mode_non_justifie":       "Le mode demandé dépasse ce que l'état du patient justifie",
}

// Modes from the heaviest to the lightest.
var transportModes = []string{"ambulance", "vsl", "taxi", "vehicule_personnel", "transports_en_commun", "avion", "bateau"}

func modeRank(m string) int {
	switch m {
	case "ambulance":
		return 3
	case "vsl", "taxi":
		return 2
	case "vehicule_personnel", "transports_en_commun":
		return 1
	}
	return 0 // avion, bateau: not ranked by the référentiel
}

type transportJSON struct {
	DateDemande string `json:"date_demande"`
	Mode        string `json:"mode"`
	DistanceKm  *int   `json:"distance_km"`
	// Nearest appropriate facility (R322-10-5): the commune of departure and the FINESS
	// number of the facility, the distances computed from the référentiels; or the
	// distance to the nearest appropriate facility given directly.
	DepartCommune        string `json:"depart_commune"`
	EtablissementFiness  string `json:"etablissement_finess"`
	DistancePlusProcheKm *int   `json:"distance_plus_proche_km"`
	Hospitalisation      bool   `json:"hospitalisation"`
	SerieNombre          int    `json:"serie_nombre_sur_2_mois"`
	CAMSPCMPP            bool   `json:"camsp_cmpp"`
	Urgence              bool   `json:"urgence"`
	ALDEnLien            bool   `json:"serie_en_lien_avec_ald"`
	Etat                 struct {
		AllongeDemiAssis  bool `json:"allonge_ou_demi_assis"`
		Surveillance      bool `json:"surveillance_ou_oxygene"`
		Brancardage       bool `json:"brancardage_ou_portage"`
		Asepsie           bool `json:"asepsie"`
		AideDeplacement   bool `json:"aide_au_deplacement"`
		DeficienceTiers   bool `json:"deficience_intellectuelle_tiers"`
		HygieneRigoureuse bool `json:"hygiene_rigoureuse"`
		RisqueInfectieux  bool `json:"desinfection_rigoureuse"`
		EffetsTraitement  bool `json:"effets_secondaires_traitement"`
	} `json:"etat"`
}

func (t *Transport) evaluate(j *transportJSON, date medconseil.Date, km int, d *Decision) error {
	d.reset("transport", date)
	d.Version = "transport : R322-10-4, référentiel de 2006"
	need := false
	if j.Urgence {
		d.add("TR_URGENCE", refR322104, "Urgence attestée par le prescripteur : pas d'accord préalable.")
	} else {
		dist, err := d.integer(t.distance, date)
		if err != nil {
			return err
		}
		if int64(km) > dist {
			need = true
			d.add("TR_DISTANCE", refR322104, "Transport de %d km (aller), plus de %d km : accord préalable ; le contrôle médical vérifie que les soins ne peuvent être donnés à moins de %d km.", iarg(int64(km)), iarg(dist), iarg(dist))
		} else {
			d.add("TR_DISTANCE_SOUS_SEUIL", refR322104, "Transport de %d km (aller), pas plus de %d km : pas d'accord préalable au titre de la distance.", iarg(int64(km)), iarg(dist))
		}
		n, err := d.integer(t.serieN, date)
		if err != nil {
			return err
		}
		mois, err := d.integer(t.serieMois, date)
		if err != nil {
			return err
		}
		sk, err := d.integer(t.serieKm, date)
		if err != nil {
			return err
		}
		if int64(j.SerieNombre) >= n && int64(km) > sk {
			need = true
			d.add("TR_SERIE", refR322104, "Série de %d transports (au moins %d) en %d mois, chacun de plus de %d km : accord préalable.", iarg(int64(j.SerieNombre)), iarg(n), iarg(mois), iarg(sk))
			if j.ALDEnLien {
				d.add("TR_SERIE_ALD_SANS_EXEMPTION", refR322104, "Série en lien avec une ALD : aucune exemption d'accord préalable n'existe pour les séries (R322-10-4 b), l'accord reste requis.")
			}
		} else {
			d.add("TR_PAS_DE_SERIE", refR322104, "Pas de série au sens de R322-10 1° e (%d transports en %d mois, au moins %d de plus de %d km chacun requis).", iarg(int64(j.SerieNombre)), iarg(mois), iarg(n), iarg(sk))
		}
		if j.Mode == "avion" || j.Mode == "bateau" {
			need = true
			d.add("TR_AVION_BATEAU", refR322104, "Transport en avion ou bateau de ligne régulière : accord préalable.")
		}
		if j.CAMSPCMPP {
			need = true
			d.add("TR_CAMSP_CMPP", refR322104, "Transport vers un CAMSP ou un CMPP : accord préalable.")
		}
	}
	if need {
		s, err := d.integer(t.silence, date)
		if err != nil {
			return err
		}
		tacit := date.AddDays(int(s))
		d.add("TR_ACCORD_TACITE", refR322104, "Sans réponse dans les %d jours suivant l'envoi, l'accord est réputé acquis : le %s.", iarg(s), darg(tacit))
		d.result("accord_tacite", "Accord tacite à partir du", darg(tacit))
		d.Outcome = "accord_prealable_requis"
	} else {
		if !j.Urgence {
			d.add("TR_SANS_ACCORD", refR322104, "Ni distance de plus de %s km, ni série, ni avion ou bateau, ni CAMSP/CMPP : le transport ne relève pas de l'accord préalable.", sarg(t.distance.Periods[len(t.distance.Periods)-1].Value.Num.String()))
		}
		d.Outcome = "sans_accord_prealable"
	}
	// Mode allowed by the référentiel.
	e := &j.Etat
	allowed, why := 1, "patient pouvant se déplacer seul ou accompagné sans aide particulière"
	switch {
	case e.AllongeDemiAssis || e.Surveillance || e.Brancardage || e.Asepsie:
		allowed, why = 3, "position allongée ou demi-assise, surveillance ou oxygène, brancardage ou portage, ou asepsie"
	case e.AideDeplacement || e.DeficienceTiers || e.HygieneRigoureuse || e.RisqueInfectieux || e.EffetsTraitement:
		allowed, why = 2, "aide technique ou humaine au déplacement, déficience nécessitant un tiers, hygiène rigoureuse, désinfection rigoureuse du véhicule ou effets secondaires du traitement"
		if e.EffetsTraitement {
			d.add("TR_EFFETS_TRAITEMENT", refRef2006, "Effets secondaires du traitement incompatibles avec un transport personnel : critère du transport assis professionnalisé cité par ameli.fr (texte complet de l'arrêté à vérifier).")
		}
	}
	label := map[int]string{3: "ambulance", 2: "transport assis professionnalisé (VSL ou taxi conventionné)", 1: "véhicule personnel ou transports en commun"}[allowed]
	d.result("mode_justifie", "Mode justifié par l'état du patient", sarg(label))
	if r := modeRank(j.Mode); r > allowed {
		d.add("TR_MODE_NON_JUSTIFIE", refRef2006, "Mode « %s » demandé ; l'état décrit (%s) justifie : %s.", sarg(j.Mode), sarg(why), sarg(label))
		if d.Outcome == "sans_accord_prealable" {
			d.Outcome = "mode_non_justifie"
		}
	} else if r > 0 {
		d.add("TR_MODE_JUSTIFIE", refRef2006, "Mode « %s » conforme au référentiel (%s).", sarg(j.Mode), sarg(why))
	} else {
		d.add("TR_MODE_HORS_REFERENTIEL", refR322104, "Mode « %s » : hors de la gradation du référentiel de 2006, soumis à l'accord préalable.", sarg(j.Mode))
	}
	return t.nearest(j, km, d)
}

// nearest applies R322-10-5 I: the transports of R322-10 1° b to f are reimbursed on
// the distance to the nearest appropriate facility; a hospitalisation within 150 km
// is reimbursed on the distance travelled (R322-10-3).
func (t *Transport) nearest(j *transportJSON, km int, d *Decision) error {
	plusProche := -1
	var nom string
	if j.DistancePlusProcheKm != nil {
		plusProche = *j.DistancePlusProcheKm
	} else if j.DepartCommune != "" && j.EtablissementFiness != "" && t.lieux != nil {
		_, cat, _, err := t.lieux.Etablissement(j.DepartCommune, j.EtablissementFiness)
		if err != nil {
			return err
		}
		code, n, k, err := t.lieux.PlusProche(j.DepartCommune, cat)
		if err != nil {
			return err
		}
		plusProche = int(math.Round(k))
		if code != j.EtablissementFiness {
			nom = n + " (FINESS " + code + ", même catégorie FINESS " + cat + ")"
		}
	}
	if plusProche < 0 {
		d.add("TR_STRUCTURE_PLUS_PROCHE_NON_VERIFIEE", refR322105, "Distance à la structure appropriée la plus proche non vérifiée (commune de départ et FINESS de l'établissement non fournis) : le remboursement se fonde sur la structure de soins appropriée la plus proche.")
		return nil
	}
	d.result("distance_plus_proche_km", "Distance à la structure appropriée la plus proche (km)", iarg(int64(plusProche)))
	dist, _ := t.distance.At(d.Date)
	limit := int64(150)
	if dist != nil {
		limit = dist.Value.Num.Int()
	}
	if j.Hospitalisation && int64(km) <= limit {
		d.add("TR_HOSPITALISATION_DISTANCE_REELLE", refR322103, "Hospitalisation à %d km, pas plus de %d km : remboursement sur la distance réellement parcourue.", iarg(int64(km)), iarg(limit))
		d.result("distance_remboursable_km", "Distance remboursable (km)", iarg(int64(km)))
		return nil
	}
	if plusProche < km {
		if nom == "" {
			nom = "une structure appropriée"
		}
		d.add("TR_STRUCTURE_PLUS_PROCHE", refR322105, "Attention : %s se trouve à %d km, plus près que l'établissement choisi (%d km) ; le remboursement est limité à %d km, sauf si elle ne peut pas dispenser les soins prescrits (appréciation du médecin-conseil).", sarg(nom), iarg(int64(plusProche)), iarg(int64(km)), iarg(int64(plusProche)))
		d.result("distance_remboursable_km", "Distance remboursable (km)", iarg(int64(plusProche)))
		return nil
	}
	d.add("TR_STRUCTURE_LA_PLUS_PROCHE", refR322105, "L'établissement choisi est la structure appropriée la plus proche (%d km) : remboursement sur cette distance.", iarg(int64(km)))
	d.result("distance_remboursable_km", "Distance remboursable (km)", iarg(int64(km)))
	return nil
}

func (t *Transport) ruleSet() *ruleSet {
	return &ruleSet{name: "transport", input: transportJSON{}, title: "Transports sanitaires", labels: transportLabels,
		eval: func(raw []byte, d *Decision) error {
			var j transportJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			date := f.date("date_demande", j.DateDemande, true)
			f.enum("mode", j.Mode, true, transportModes...)
			km := 0
			if j.DistancePlusProcheKm != nil {
				f.nonNegative("distance_plus_proche_km", *j.DistancePlusProcheKm)
			}
			if (j.DepartCommune == "") != (j.EtablissementFiness == "") {
				f.fail("etablissement_finess", "la commune de départ et le numéro FINESS de l'établissement vont ensemble")
			}
			if j.DistanceKm == nil && j.DepartCommune != "" && j.EtablissementFiness != "" && t.lieux != nil && f.err() == nil {
				_, _, k, err := t.lieux.Etablissement(j.DepartCommune, j.EtablissementFiness)
				if err != nil {
					return err
				}
				km = int(math.Round(k))
			} else if j.DistanceKm == nil {
				f.fail("distance_km", "distance obligatoire (km, aller), ou la commune de départ et le FINESS de l'établissement")
			} else {
				km = *j.DistanceKm
				f.nonNegative("distance_km", km)
			}
			f.nonNegative("serie_nombre_sur_2_mois", j.SerieNombre)
			if err := f.err(); err != nil {
				return err
			}
			return t.evaluate(&j, date, km, d)
		}}
}
