package rules

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"medconseil"
)

// A rule set's form is generated from its input description — the JSON structure
// its evaluation decodes — and a French dictionary of field labels and choices, so
// that the praticien fills a form instead of writing JSON. The form posts flat
// names (the JSON paths, "arret.debut", "historique.0.fin"); FormInput turns them
// back into the JSON the rule set reads, so that the form, the API and the command
// line decide identically.

// FieldKind is how a field is entered.
type FieldKind string

// Field kinds.
const (
	KindDate    FieldKind = "date"
	KindMontant FieldKind = "montant"
	KindEntier  FieldKind = "entier"
	KindBooleen FieldKind = "booleen"
	KindChoix   FieldKind = "choix"
	KindTexte   FieldKind = "texte"
)

// Option is one choice of a KindChoix field.
type Option struct {
	Value, Label string
}

// FormField is one input of a form.
type FormField struct {
	Path    string // JSON path, also the form name and the error field
	ID      string // HTML id
	Label   string // French
	Help    string
	Kind    FieldKind
	Options []Option
	Value   string // current value (from the example or the posted form)
}

// FormGroup is a fieldset: a JSON object, or one row of a list.
type FormGroup struct {
	Legend string
	Fields []FormField
}

// Form is the form of a rule set.
type Form struct {
	RuleSet, Title string
	Groups         []FormGroup
}

// fieldInfo is the French dictionary entry of a JSON field.
type fieldInfo struct {
	label, help string
	kind        FieldKind
	options     []Option
}

func opts(pairs ...string) []Option {
	out := make([]Option, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Option{pairs[i], pairs[i+1]})
	}
	return out
}

// listRows is how many rows a list of objects offers in the form.
const listRows = 4

// formLabels: the French label of each input field, by JSON path without list
// indexes ("historique.debut"). A field missing here is a test failure.
var formLabels = map[string]map[string]fieldInfo{
	"ij": {
		"arret":                            {label: "Arrêt examiné"},
		"arret.debut":                      {label: "Premier jour d'arrêt", kind: KindDate},
		"arret.fin":                        {label: "Dernier jour d'arrêt", kind: KindDate},
		"arret.prolongation":               {label: "Prolongation de l'arrêt précédent"},
		"arret.date_prescription":          {label: "Date de prescription", help: "par défaut, le premier jour", kind: KindDate},
		"arret.date_envoi":                 {label: "Date de réception de l'avis par la caisse", help: "vide : reçu à temps", kind: KindDate},
		"arret.teleconsultation":           {label: "Prescrit en téléconsultation"},
		"arret.impossibilite_consultation": {label: "Impossibilité justifiée de consulter en présentiel"},
		"arret.prescripteur": {label: "Prescripteur", kind: KindChoix, options: opts("prescripteur_initial", "Auteur de l'arrêt initial",
			"medecin_traitant", "Médecin traitant", "sage_femme", "Sage-femme", "sage_femme_referente", "Sage-femme référente",
			"chirurgien_dentiste", "Chirurgien-dentiste", "specialiste_sur_demande_mt", "Spécialiste à la demande du médecin traitant",
			"remplacant", "Remplaçant", "hospitalisation", "Pendant ou après une hospitalisation", "autre", "Autre prescripteur")},
		"arret.ald":       {label: "Affection de longue durée (ou L324-1)"},
		"arret.affection": {label: "Affection (code CIM-10)", help: "ex. E11.9 ; obligatoire pour une ALD"},
		"arret.motif": {label: "Motif", kind: KindChoix, options: opts("maladie", "Maladie", "fausse_couche", "Interruption spontanée de grossesse (< 22 SA)",
			"interruption_medicale_grossesse", "Interruption de grossesse pour motif médical", "grossesse_pathologique", "Grossesse pathologique")},
		"historique":                      {label: "Arrêt antérieur"},
		"historique.debut":                {label: "Début", kind: KindDate},
		"historique.fin":                  {label: "Fin", kind: KindDate},
		"historique.ald":                  {label: "ALD"},
		"historique.affection":            {label: "Affection (CIM-10)"},
		"historique.jours_indemnises":     {label: "IJ versées", help: "vide : tous les jours sauf la carence"},
		"assure":                          {label: "Assuré"},
		"assure.date_immatriculation":     {label: "Date d'immatriculation", kind: KindDate},
		"assure.heures_3_mois":            {label: "Heures travaillées sur 3 mois"},
		"assure.heures_12_mois":           {label: "Heures travaillées sur 12 mois"},
		"assure.cotisations_6_mois":       {label: "Salaires soumis à cotisation sur 6 mois (€)", kind: KindMontant},
		"assure.cotisations_12_mois":      {label: "Salaires soumis à cotisation sur 12 mois (€)", kind: KindMontant},
		"assure.salaires_3_derniers_mois": {label: "Total des 3 dernières paies (€)", help: "à défaut des paies mois par mois", kind: KindMontant},
		"assure.paies":                    {label: "Paie mensuelle (€)", help: "les 3 mois civils avant l'arrêt", kind: KindMontant},
		"assure.enfants_a_charge":         {label: "Enfants à charge"},
		"assure.envoi_tardif_precedent":   {label: "Premier envoi tardif signalé le", kind: KindDate},
		"assure.envoi_tardif_excuse":      {label: "Hospitalisation ou impossibilité d'envoyer l'avis à temps"},
		"avis_medecin_conseil":            {label: "Avis du médecin-conseil au-delà de 6 mois", kind: KindChoix, options: opts("favorable", "Favorable", "defavorable", "Défavorable")},
	},
	"atmp": {
		"type":               {label: "Nature", kind: KindChoix, options: opts("at", "Accident du travail", "mp", "Maladie professionnelle", "rechute", "Rechute ou nouvelle lésion")},
		"date_reception":     {label: "Réception de la déclaration (ou du certificat de rechute)", kind: KindDate},
		"investigations":     {label: "Investigations engagées"},
		"date_saisine_crrmp": {label: "Saisine du CRRMP", kind: KindDate},
		"date_decision":      {label: "Date de la décision de la caisse", kind: KindDate},
		"sens_decision":      {label: "Sens de la décision", kind: KindChoix, options: opts("reconnaissance", "Reconnaissance", "refus", "Refus")},
		"date_situation":     {label: "Situation du dossier au", help: "pour juger du silence de la caisse", kind: KindDate},
		"alsace_moselle":     {label: "Alsace-Moselle (jours fériés locaux)"},
		"certificat_final": {label: "Certificat médical final", kind: KindChoix, options: opts("guerison", "Guérison",
			"guerison_apparente", "Guérison apparente avec possibilité de rechute", "consolidation_avec_sequelles", "Consolidation avec séquelles")},
		"date_consolidation":          {label: "Date de guérison ou de consolidation", kind: KindDate},
		"taux_ip":                     {label: "Taux d'incapacité permanente (%)"},
		"arret":                       {label: "Arrêt indemnisé (IJ AT/MP)"},
		"arret.debut":                 {label: "Premier jour d'IJ", kind: KindDate},
		"arret.fin":                   {label: "Dernier jour d'IJ", kind: KindDate},
		"arret.salaire_journalier":    {label: "Salaire journalier de référence (€)", kind: KindMontant},
		"maladie":                     {label: "Maladie professionnelle"},
		"maladie.tableau":             {label: "Inscrite à un tableau"},
		"maladie.conditions_remplies": {label: "Conditions du tableau remplies"},
		"maladie.condition_manquante": {label: "Condition manquante", kind: KindChoix, options: opts("delai_prise_en_charge", "Délai de prise en charge",
			"duree_exposition", "Durée d'exposition", "liste_travaux", "Liste limitative des travaux")},
		"maladie.deces":              {label: "Décès"},
		"maladie.taux_ip_previsible": {label: "Taux d'IP prévisible (%)"},
	},
	"invalidite": {
		"date":                   {label: "Date du constat", kind: KindDate},
		"date_interruption":      {label: "Interruption de travail suivie d'invalidité", help: "vide : usure prématurée, conditions appréciées au constat", kind: KindDate},
		"date_naissance":         {label: "Date de naissance", kind: KindDate},
		"reduction_capacite_pct": {label: "Réduction de la capacité de travail ou de gain (%)"},
		"capable_activite": {label: "Capable d'exercer une activité rémunérée", kind: KindChoix,
			options: opts("true", "Oui (1re catégorie)", "false", "Non (2e ou 3e catégorie)")},
		"tierce_personne":      {label: "Recours à une tierce personne pour les actes ordinaires de la vie"},
		"date_immatriculation": {label: "Date d'immatriculation", kind: KindDate},
		"heures_12_mois":       {label: "Heures travaillées sur les 12 mois de référence"},
		"cotisations_12_mois":  {label: "Salaires soumis à cotisation sur 12 mois (€)", kind: KindMontant},
		"exerce_activite":      {label: "Exerce une activité"},
	},
	"ald": {
		"date":                     {label: "Date de la demande", kind: KindDate},
		"cim10":                    {label: "Affection (code CIM-10)", help: "ex. E11.9"},
		"renouvellement":           {label: "Renouvellement"},
		"admis_avant_27_juin_2011": {label: "Admis en ALD 12 avant le 27 juin 2011"},
		"criteres_hors_liste":      {label: "Critères de l'ALD 31 réunis (forme grave, traitement > 6 mois, coûteux)"},
		"polypathologie":           {label: "Polypathologie invalidante (ALD 32)"},
		"bpco":                     {label: "Mesures BPCO (annexe § 14.1)"},
		"bpco.pao2_mmhg":           {label: "PaO2 (mmHg)"},
		"bpco.paco2_mmhg":          {label: "PaCO2 (mmHg)"},
		"bpco.vems_pct":            {label: "VEMS (% de la théorique)"},
	},
	"transport": {
		"date_demande": {label: "Date de la demande", kind: KindDate},
		"mode": {label: "Mode de transport", kind: KindChoix, options: opts("ambulance", "Ambulance", "vsl", "VSL", "taxi", "Taxi conventionné",
			"vehicule_personnel", "Véhicule personnel", "transports_en_commun", "Transports en commun", "avion", "Avion", "bateau", "Bateau")},
		"distance_km":                          {label: "Distance aller (km)", help: "vide si la commune et le FINESS sont donnés"},
		"depart_commune":                       {label: "Commune de départ (code INSEE)", help: "ex. 67482"},
		"etablissement_finess":                 {label: "Établissement de soins (n° FINESS)", help: "ex. 670000025"},
		"distance_plus_proche_km":              {label: "Distance à la structure appropriée la plus proche (km)"},
		"hospitalisation":                      {label: "Hospitalisation (entrée ou sortie)"},
		"serie_nombre_sur_2_mois":              {label: "Nombre de transports sur 2 mois (série)"},
		"camsp_cmpp":                           {label: "Vers un CAMSP ou un CMPP"},
		"urgence":                              {label: "Urgence attestée par le prescripteur"},
		"serie_en_lien_avec_ald":               {label: "Série en lien avec une ALD"},
		"etat":                                 {label: "État du patient (référentiel de 2006)"},
		"etat.allonge_ou_demi_assis":           {label: "Position allongée ou demi-assise"},
		"etat.surveillance_ou_oxygene":         {label: "Surveillance ou oxygène"},
		"etat.brancardage_ou_portage":          {label: "Brancardage ou portage"},
		"etat.asepsie":                         {label: "Asepsie"},
		"etat.aide_au_deplacement":             {label: "Aide technique ou humaine au déplacement"},
		"etat.deficience_intellectuelle_tiers": {label: "Déficience nécessitant un tiers"},
		"etat.hygiene_rigoureuse":              {label: "Respect rigoureux de l'hygiène"},
		"etat.desinfection_rigoureuse":         {label: "Désinfection rigoureuse du véhicule (risque infectieux)"},
		"etat.effets_secondaires_traitement":   {label: "Effets secondaires du traitement"},
	},
	"kine": {
		"date": {label: "Date de la prescription", kind: KindDate},
		"situation": {label: "Situation", kind: KindChoix, options: opts("entorse_cheville", "Entorse externe récente de la cheville",
			"prothese_hanche", "Prothèse totale de hanche", "prothese_genou", "Prothèse de genou", "ligament_croise", "Ligament croisé antérieur",
			"meniscectomie", "Méniscectomie", "coiffe_rotateurs_operee", "Coiffe des rotateurs opérée", "lombalgie", "Lombalgie commune",
			"cervicalgie", "Cervicalgie non spécifique", "fracture_avant_bras", "Fracture de l'extrémité distale de l'avant-bras",
			"fracture_coude", "Fracture du coude", "fracture_humerus", "Fracture non opérée de l'extrémité proximale de l'humérus",
			"rachis_cervical", "Traumatisme récent du rachis cervical", "tendinopathie_coiffe", "Tendinopathie de la coiffe non opérée",
			"autre", "Autre situation")},
		"seances_prevues": {label: "Séances prévues"},
		"seances_12_mois": {label: "Séances prises en charge dans les 12 mois précédents"},
	},
	"ordonnance": {
		"date_prescription": {label: "Date de prescription", kind: KindDate},
		"regime":            {label: "Régime", kind: KindChoix, options: opts("stupefiant", "Stupéfiant", "liste_I", "Liste I", "liste_II", "Liste II", "non_liste", "Non listé")},
		"classe": {label: "Classe", kind: KindChoix, options: opts("hypnotique", "Hypnotique", "anxiolytique", "Anxiolytique", "tramadol", "Tramadol",
			"codeine", "Codéine", "dihydrocodeine", "Dihydrocodéine", "autre", "Autre")},
		"substance": {label: "Substance (stupéfiant)", kind: KindChoix, options: opts("morphine_orale_lp", "Morphine orale LP",
			"morphine_orale_non_lp", "Morphine orale à libération immédiate", "hydromorphone", "Hydromorphone", "fentanyl_transdermique", "Fentanyl transdermique",
			"fentanyl_transmuqueux", "Fentanyl transmuqueux", "fentanyl_injectable", "Fentanyl injectable", "methadone", "Méthadone (sirop)",
			"methadone_gelules", "Méthadone (gélules)", "methylphenidate", "Méthylphénidate oral", "methylphenidate_injectable", "Méthylphénidate injectable",
			"morphine_injectable", "Morphine injectable", "pentazocine_injectable", "Pentazocine injectable", "pethidine", "Péthidine", "dextromoramide", "Dextromoramide")},
		"duree_jours":                  {label: "Durée (jours, renouvellements compris)"},
		"ordonnance_securisee":         {label: "Ordonnance sécurisée"},
		"doses_en_toutes_lettres":      {label: "Doses en toutes lettres"},
		"chevauchement":                {label: "Chevauchement avec une ordonnance en cours"},
		"mention_chevauchement":        {label: "Mention expresse du chevauchement"},
		"renouvellement_indique":       {label: "Renouvellement indiqué (liste I)"},
		"hors_indication_remboursable": {label: "Hors indication remboursable"},
		"mention_nr":                   {label: "Mention « NR »"},
		"hors_amm":                     {label: "Hors AMM"},
		"mention_hors_amm":             {label: "Mention hors AMM"},
		"cadre_compassionnel":          {label: "Cadre compassionnel (RTU, CPC, AAC)"},
		"mention_cadre":                {label: "Mention du cadre portée", kind: KindChoix, options: opts("RTU", "RTU", "CPC", "CPC", "AAC", "AAC")},
		"cadre":                        {label: "Cadre du médicament dans cette indication (décision ANSM)"},
		"cadre.type":                   {label: "Type de cadre", kind: KindChoix, options: opts("RTU", "RTU", "CPC", "CPC", "AAC", "AAC")},
		"cadre.debut":                  {label: "Début du cadre", kind: KindDate},
		"cadre.fin":                    {label: "Fin du cadre", kind: KindDate},
	},
	"mtdents": {
		"date":              {label: "Date de l'examen", kind: KindDate},
		"date_naissance":    {label: "Date de naissance", kind: KindDate},
		"mois_grossesse":    {label: "Mois de grossesse (0 : pas de grossesse)"},
		"date_accouchement": {label: "Date d'accouchement", kind: KindDate},
	},
	"lpp": {
		"date": {label: "Date de la prescription", kind: KindDate},
		"categorie": {label: "Catégorie de produit", kind: KindChoix, options: opts("grand_appareillage", "Grand appareillage (titre II, chapitres 5 à 7)",
			"vph", "Véhicule pour personne en situation de handicap", "chut_decharge_avant_pied", "Chaussure à usage temporaire : décharge de l'avant-pied",
			"chut_decharge_talon", "Chaussure à usage temporaire : décharge du talon", "chut_volume_avant_pied", "Chaussure à usage temporaire : augmentation de volume de l'avant-pied",
			"chup", "Chaussure thérapeutique à usage prolongé", "coussin_positionnement", "Coussin de positionnement", "autre", "Autre produit")},
		"indication":          {label: "Indication", kind: KindChoix, options: opts("post_chirurgicale", "Post-chirurgicale", "traumatique", "Traumatique", "medicale", "Médicale", "inflammation_oedeme_trouble_trophique", "Inflammation ou œdème avec trouble trophique", "autre", "Autre")},
		"derniere_delivrance": {label: "Dernière délivrance", kind: KindDate},
		"mineur":              {label: "Mineur"},
	},
}

// labelPath drops list indexes: "historique.2.debut" → "historique.debut".
func labelPath(p string) string {
	parts := strings.Split(p, ".")
	out := parts[:0]
	for _, s := range parts {
		if _, err := strconv.Atoi(s); err == nil {
			continue
		}
		out = append(out, s)
	}
	return strings.Join(out, ".")
}

func htmlID(p string) string { return "f-" + strings.ReplaceAll(p, ".", "-") }

// Form returns the form of rule set name, prefilled from the JSON input raw (an
// example, or what the praticien posted).
func (e *Engine) Form(name string, raw []byte) (*Form, error) {
	s, ok := e.sets[name]
	if !ok || s.input == nil {
		return nil, medconseil.NotFound("Jeu de règles " + name)
	}
	var values map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &values)
	}
	f := &Form{RuleSet: name, Title: s.title}
	labels := formLabels[name]
	root := FormGroup{Legend: "Situation"}
	var walk func(t reflect.Type, prefix string, vals map[string]any, g *FormGroup) error
	walk = func(t reflect.Type, prefix string, vals map[string]any, g *FormGroup) error {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			path := prefix + tag
			info, ok := labels[labelPath(path)]
			if !ok {
				return fmt.Errorf("formulaire %s : champ %s sans libellé français", name, labelPath(path))
			}
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			v := vals[tag]
			switch {
			case ft.Kind() == reflect.Struct:
				sub, _ := v.(map[string]any)
				grp := FormGroup{Legend: info.label}
				if err := walk(ft, path+".", sub, &grp); err != nil {
					return err
				}
				f.Groups = append(f.Groups, grp)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				rows, _ := v.([]any)
				n := max(listRows, len(rows)+1)
				for r := 0; r < n; r++ {
					var sub map[string]any
					if r < len(rows) {
						sub, _ = rows[r].(map[string]any)
					}
					grp := FormGroup{Legend: fmt.Sprintf("%s n° %d", info.label, r+1)}
					if err := walk(ft.Elem(), path+"."+strconv.Itoa(r)+".", sub, &grp); err != nil {
						return err
					}
					f.Groups = append(f.Groups, grp)
				}
			case ft.Kind() == reflect.Slice:
				items, _ := v.([]any)
				for r := 0; r < 3; r++ {
					p := path + "." + strconv.Itoa(r)
					val := ""
					if r < len(items) {
						val = fmt.Sprint(items[r])
					}
					g.Fields = append(g.Fields, FormField{Path: p, ID: htmlID(p), Label: fmt.Sprintf("%s n° %d", info.label, r+1),
						Help: info.help, Kind: info.kind, Value: val})
				}
			default:
				kind := info.kind
				switch {
				case kind != "":
				case ft.Kind() == reflect.Bool:
					kind = KindBooleen
				case ft.Kind() == reflect.Int:
					kind = KindEntier
				default:
					kind = KindTexte
				}
				val := ""
				switch x := v.(type) {
				case nil:
				case bool:
					val = strconv.FormatBool(x)
				case float64:
					val = strconv.FormatFloat(x, 'f', -1, 64)
				default:
					val = fmt.Sprint(x)
				}
				ff := FormField{Path: path, ID: htmlID(path), Label: info.label, Help: info.help, Kind: kind, Options: info.options, Value: val}
				g.Fields = append(g.Fields, ff)
			}
		}
		return nil
	}
	if err := walk(reflect.TypeOf(s.input), "", values, &root); err != nil {
		return nil, medconseil.Internal(err)
	}
	if len(root.Fields) > 0 {
		f.Groups = append([]FormGroup{root}, f.Groups...)
	}
	return f, nil
}

// FormInput turns the posted form of rule set name into its JSON input: empty fields
// are left out, check boxes are true when present, whole numbers are numbers, a row
// of a list with no value is dropped. A number that does not read is named.
func (e *Engine) FormInput(name string, form url.Values) ([]byte, error) {
	f, err := e.Form(name, nil)
	if err != nil {
		return nil, err
	}
	var fe fields
	root := map[string]any{}
	for _, g := range f.Groups {
		for _, field := range g.Fields {
			v := strings.TrimSpace(form.Get(field.Path))
			var val any
			switch field.Kind {
			case KindBooleen:
				if v == "" {
					continue
				}
				val = v == "on" || v == "true" || v == "oui"
			case KindEntier:
				if v == "" {
					continue
				}
				n, err := strconv.Atoi(v)
				if err != nil {
					fe.fail(field.Path, "nombre entier attendu, « %s » reçu", v)
					continue
				}
				val = n
			case KindChoix:
				if v == "" {
					continue
				}
				if v == "true" || v == "false" {
					val = v == "true"
				} else {
					val = v
				}
			default:
				if v == "" {
					continue
				}
				val = v
			}
			setPath(root, strings.Split(field.Path, "."), val)
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return json.Marshal(compactLists(root))
}

// setPath sets v at path in m, numbered segments being list indexes (kept as map
// keys until compactLists).
func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		sub, ok := m[k].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[k] = sub
		}
		m = sub
	}
	m[path[len(path)-1]] = v
}

// compactLists turns maps keyed "0", "1"… into lists, in order, skipping gaps.
func compactLists(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	numeric := len(m) > 0
	for k := range m {
		if _, err := strconv.Atoi(k); err != nil {
			numeric = false
		}
		m[k] = compactLists(m[k])
	}
	if !numeric {
		return m
	}
	out := []any{}
	for i := 0; i < 64; i++ {
		if x, ok := m[strconv.Itoa(i)]; ok {
			out = append(out, x)
		}
	}
	return out
}
