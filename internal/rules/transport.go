package rules

import "medconseil"

// Transport is the rule set of the transports sanitaires: the accord préalable of
// R322-10-4 CSS (more than 150 km, series, plane or boat, CAMSP/CMPP), its tacit
// approval, and the mode the référentiel of the arrêté du 23 décembre 2006 allows
// (R322-10-1).
type Transport struct{ distance, serieN, serieMois, serieKm, silence *Parameter }

func newTransport(r *resolver) *Transport {
	return &Transport{distance: r.get("transport/distance_accord_prealable_km"), serieN: r.get("transport/serie_nombre_min"),
		serieMois: r.get("transport/serie_periode_mois"), serieKm: r.get("transport/serie_distance_km"),
		silence: r.get("transport/silence_vaut_accord_jours")}
}

var (
	refR322104 = refs(ref("Article R322-10-4 du code de la sécurité sociale", cssHref), ref("ameli.fr — Accord préalable transport (21/04/2022)", "https://www.ameli.fr/medecin/exercice-liberal/accord-prealable/accord-prealable-transport"))
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
	SerieNombre int    `json:"serie_nombre_sur_2_mois"`
	CAMSPCMPP   bool   `json:"camsp_cmpp"`
	Urgence     bool   `json:"urgence"`
	ALDEnLien   bool   `json:"serie_en_lien_avec_ald"`
	Etat        struct {
		AllongeDemiAssis  bool `json:"allonge_ou_demi_assis"`
		Surveillance      bool `json:"surveillance_ou_oxygene"`
		Brancardage       bool `json:"brancardage_ou_portage"`
		Asepsie           bool `json:"asepsie"`
		AideDeplacement   bool `json:"aide_au_deplacement"`
		DeficienceTiers   bool `json:"deficience_intellectuelle_tiers"`
		HygieneRigoureuse bool `json:"hygiene_rigoureuse"`
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
			d.add("TR_DISTANCE", refR322104, "Transport de %d km (aller), plus de %d km : accord préalable.", iarg(int64(km)), iarg(dist))
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
			if j.ALDEnLien {
				d.add("TR_SERIE_ALD", refR322104, "Série de %d transports en %d mois en lien avec une ALD : pas d'accord préalable au titre de la série.", iarg(int64(j.SerieNombre)), iarg(mois))
			} else {
				need = true
				d.add("TR_SERIE", refR322104, "Série de %d transports (au moins %d) en %d mois, chacun de plus de %d km : accord préalable.", iarg(int64(j.SerieNombre)), iarg(n), iarg(mois), iarg(sk))
			}
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
		d.Outcome = "sans_accord_prealable"
	}
	// Mode allowed by the référentiel.
	e := &j.Etat
	allowed, why := 1, "patient pouvant se déplacer seul ou accompagné sans aide particulière"
	switch {
	case e.AllongeDemiAssis || e.Surveillance || e.Brancardage || e.Asepsie:
		allowed, why = 3, "position allongée ou demi-assise, surveillance ou oxygène, brancardage ou portage, ou asepsie"
	case e.AideDeplacement || e.DeficienceTiers || e.HygieneRigoureuse:
		allowed, why = 2, "aide technique ou humaine au déplacement, déficience nécessitant un tiers, ou hygiène rigoureuse"
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
	}
	return nil
}

func (t *Transport) ruleSet() *ruleSet {
	return &ruleSet{name: "transport", title: "Transports sanitaires", labels: transportLabels,
		eval: func(raw []byte, d *Decision) error {
			var j transportJSON
			if err := decodeStrict(raw, &j); err != nil {
				return err
			}
			var f fields
			date := f.date("date_demande", j.DateDemande, true)
			f.enum("mode", j.Mode, true, transportModes...)
			km := 0
			if j.DistanceKm == nil {
				f.fail("distance_km", "distance obligatoire (km, aller)")
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
