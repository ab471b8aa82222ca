package reference

// The référentiels below are authored by the project, not imported: each entry
// carries the source it was taken from (see docs/REGULATIONS.md of the shared
// documentation). Sources were read as they stood when consulted; entries marked
// "à vérifier" must be checked on Légifrance or ameli before a decision relies on them.

// Ref cites the text an authored entry comes from.
type Ref struct {
	Title string // e.g. "Arrêté du 24 juillet 2018 (JO 1/8/2018)"
	Href  string // optional
}

const regLPP = "REGULATIONS.md §9 (LPP, L165-1 CSS)"

// LPPNode names a titre, chapitre, section or sous-section of the LPP tree,
// identified by its path in NT_LPP (LPP_ARB_CHA, LPP_ARB_SC1 …): "2.1.8".
type LPPNode struct {
	Path  string
	Label string
	Ref   Ref
}

// LPPTree holds the names of the LPP arborescence that the NT_LPP file gives only
// as numbers. Chapter labels of titres I/II are partly unverified (REGULATIONS §9).
var LPPTree = []LPPNode{
	{"1", "Titre I — Dispositifs médicaux pour traitements et matériels d'aide à la vie, aliments diététiques et articles pour pansements", Ref{Title: regLPP + " ; openhealth.fr, vidal.fr, arrêté de 2000"}},
	{"1.1", "Dispositifs médicaux, matériels et produits pour le traitement de pathologies spécifiques", Ref{Title: regLPP}},
	{"1.2", "Dispositifs médicaux de maintien à domicile et d'aide à la vie pour malades et handicapés", Ref{Title: regLPP}},
	{"1.2.1.2", "Dispositifs médicaux d'aide à la prévention des escarres", Ref{Title: regLPP}},
	{"1.2.2.3", "Coussins de série de positionnement des hanches et des genoux pour patients polyhandicapés, en position allongée", Ref{Title: regLPP + " ; avis CNEDiMTS du 8 mars 2011"}},
	{"1.3", "Articles pour pansements, matériels de contention", Ref{Title: regLPP}},
	{"1.4", "Accessoires de produits inscrits au titre III", Ref{Title: regLPP}},
	{"2", "Titre II — Orthèses et prothèses externes", Ref{Title: regLPP}},
	{"2.1", "Orthèses (ex-petit appareillage)", Ref{Title: regLPP}},
	{"2.1.8", "Section H — Chaussures thérapeutiques de série", Ref{Title: "Arrêté du 24 juillet 2018 (JO 1/8/2018, NOR SSAS1820903A)", Href: "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000037270144"}},
	{"2.1.8.1", "Chaussures thérapeutiques de série à usage temporaire (CHUT)", Ref{Title: "Arrêté du 24 juillet 2018 (JO 1/8/2018, NOR SSAS1820903A)", Href: "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000037270144"}},
	{"2.1.8.2", "Chaussures thérapeutiques de série à usage prolongé (CHUP)", Ref{Title: "Arrêté du 24 juillet 2018 (JO 1/8/2018, NOR SSAS1820903A)", Href: "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000037270144"}},
	{"2.2", "Optique médicale", Ref{Title: regLPP}},
	{"2.3", "Appareils électroniques correcteurs de surdité", Ref{Title: regLPP}},
	{"2.4", "Prothèses externes non orthopédiques", Ref{Title: regLPP}},
	{"2.5", "Prothèses oculaires et faciales", Ref{Title: regLPP}},
	{"2.6", "Podo-orthèses", Ref{Title: regLPP}},
	{"2.7", "Orthoprothèses (grand appareillage)", Ref{Title: regLPP + " ; 123dok LPPR membre supérieur"}},
	{"3", "Titre III — Dispositifs médicaux implantables, implants issus de dérivés d'origine humaine, greffons tissulaires", Ref{Title: regLPP}},
	{"4", "Titre IV — Véhicules pour personnes en situation de handicap physique (VPH)", Ref{Title: regLPP}},
	{"5", "Titre V — Dispositifs médicaux invasifs non éligibles au titre III", Ref{Title: regLPP}},
}

// AccordPrealableLPP says which parts of the LPP need the accord préalable of the
// service du contrôle médical, by path prefix and period. Until is exclusive; ""
// means still in force.
type AccordPrealableLPP struct {
	Path   string
	From   string // YYYY-MM-DD, "" for "historic, date unknown"
	Until  string
	Accord bool
	Note   string
	Ref    Ref
}

// AccordsPrealablesLPP lists the LPP lines subject to accord préalable.
var AccordsPrealablesLPP = []AccordPrealableLPP{
	{Path: "2.5", Accord: true, Note: "Grand appareillage : prothèses oculaires et faciales.", Ref: Ref{Title: regLPP + " (accord préalable, historique)"}},
	{Path: "2.6", Accord: true, Note: "Grand appareillage : podo-orthèses.", Ref: Ref{Title: regLPP + " (accord préalable, historique)"}},
	{Path: "2.7", Accord: true, Note: "Grand appareillage : orthoprothèses.", Ref: Ref{Title: regLPP + " (accord préalable, historique)"}},
	{Path: "4", Until: "2025-12-01", Accord: true, Note: "De nombreux VPH (fauteuil roulant électrique, modulaire, verticalisateur…) étaient soumis à accord préalable.", Ref: Ref{Title: regLPP + " (accord préalable, historique)"}},
	{Path: "4", From: "2025-12-01", Accord: false, Note: "Réforme des VPH : prise en charge à 100 % par l'Assurance maladie, parcours évaluation → préconisation → essai → prescription ; adaptations non inscrites sur devis, réponse sous 2 mois, silence vaut accord.", Ref: Ref{Title: "Arrêté du 6 février 2025 (mod. 31 mars 2025 ; avis JO 20 juillet 2025), en vigueur le 1er décembre 2025 — handicap.gouv.fr, juriblio"}},
}

// Indication is the authored indication of an LPP group, for the seed's examples.
type Indication struct {
	Path        string // LPP path it applies to
	Type        string
	Indications string
	Ref         Ref
}

var refCHUT = Ref{Title: "Arrêté du 24 juillet 2018 (JO 1/8/2018, NOR SSAS1820903A), section H du titre II chapitre 1 — remplace l'arrêté du 21 septembre 2006", Href: "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000037270144"}

// Indications lists the indications of the CHUT types and of the positioning cushions.
var Indications = []Indication{
	{Path: "2.1.8.1", Type: "CHUT à décharge de l'avant-pied", Indications: "Pathologies ou lésions d'origine post-chirurgicale, traumatique ou médicale nécessitant une décharge de l'avant-pied. Délivrance à l'unité. Toute autre situation n'est pas remboursable.", Ref: refCHUT},
	{Path: "2.1.8.1", Type: "CHUT à décharge du talon", Indications: "Pathologies ou lésions d'origine post-chirurgicale, traumatique ou médicale nécessitant une décharge du talon. Délivrance à l'unité. Toute autre situation n'est pas remboursable.", Ref: refCHUT},
	{Path: "2.1.8.1", Type: "CHUT pour augmentation du volume de l'avant-pied", Indications: "Inflammation ou œdème de l'avant-pied avec trouble trophique ou risque de trouble trophique. Délivrance à l'unité. Toute autre situation n'est pas remboursable.", Ref: refCHUT},
	{Path: "2.1.8.2", Type: "CHUP (usage prolongé)", Indications: "Adulte, par paire : pathologies neuromusculaires évoluées, prévention de lésions, lésions du pied d'origine neurologique, vasculaire, métabolique ou orthopédique à risque évolutif (exclusion : déformations de l'avant-pied en conflit avec une orthèse plantaire) ; renouvellement au plus tôt après 1 an. Moins de 18 ans : déficits neurologiques (myopathies, IMC), séquelles de pied bot ou de pied convexe, renouvellement selon la croissance.", Ref: refCHUT},
	{Path: "1.2.2.3", Type: "Coussins de série de positionnement des hanches et des genoux", Indications: "Patients polyhandicapés, en position allongée. L'avis CNEDiMTS du 8 mars 2011 recommande une description générique « coussins d'aide au positionnement » (un plot ne peut être prescrit avec un coussin pour le même site). Indications actuelles exactes à lire dans la LPP (à vérifier).", Ref: Ref{Title: regLPP + " ; avis CNEDiMTS du 8 mars 2011 (avis 2713, 4026)"}},
}

// ALDStatut completes IR_ALD_V with what the list does not say: suppressions,
// ALD 31 and 32, and exoneration durations.
type ALDStatut struct {
	Numero   int
	Libelle  string // used when the file has no row (31, 32)
	Ouverte  bool   // open to new admissions
	FermeeLe string // YYYY-MM-DD: no new admission from this date
	Duree    string // exoneration duration, French
	Note     string
	Ref      Ref
}

var (
	refALDList = Ref{Title: "Art. L160-14 3° et 4° et D160-4 CSS ; décret n° 2011-77 du 19 janvier 2011 — REGULATIONS.md §4.1"}
	refDuree17 = Ref{Title: "Décret n° 2017-472 du 3 avril 2017 (annexe D160-4), en vigueur le 6 avril 2017 — REGULATIONS.md §4.2"}
	refDuree24 = Ref{Title: "Décret n° 2024-768 du 8 juillet 2024 (JO 9/7/2024) — REGULATIONS.md §4.2"}
)

// ALDStatuts is the authored status of the ALD list. Durations not listed here
// follow the annex of D160-4 (to be read there).
var ALDStatuts = []ALDStatut{
	{Numero: 1, Ouverte: true, Duree: "3 ans, renouvelable par périodes de 10 ans en cas de déficit neurologique avec incapacité nécessitant une rééducation prolongée", Ref: refDuree17},
	{Numero: 2, Ouverte: true, Duree: "10 ans", Ref: refDuree17},
	{Numero: 3, Ouverte: true, Duree: "10 ans (5 ans avant le décret de 2024)", Ref: refDuree24},
	{Numero: 7, Ouverte: true, Duree: "10 ans (VIH)", Ref: refDuree17},
	{Numero: 8, Ouverte: true, Duree: "10 ans", Ref: refDuree17},
	{Numero: 12, Ouverte: false, FermeeLe: "2011-06-27", Note: "Hypertension artérielle sévère : supprimée de la liste, plus d'admission nouvelle depuis le 27 juin 2011 ; les bénéficiaires antérieurs la conservent (renouvellement 10 ans après 5 ans initiaux, décret 2017-472 art. 3). Le numéro 12 reste vide.", Ref: Ref{Title: "Décret n° 2011-726 du 24 juin 2011 (JO 26/06/2011) ; décret n° 2011-727 ; CE 26 oct. 2012 — REGULATIONS.md §4.1"}},
	{Numero: 15, Ouverte: true, Duree: "10 ans", Ref: refDuree17},
	{Numero: 19, Ouverte: true, Duree: "Syndrome néphrotique primitif (19.2) : 5 ans (3 ans avant 2024)", Ref: refDuree24},
	{Numero: 23, Ouverte: true, Duree: "23.a psychoses : 10 ans ; 23.b troubles de l'humeur : 5 ans ; 23.c déficiences intellectuelles et troubles graves du développement : 10 ans ; 23.d troubles névrotiques sévères et de la personnalité : 5 ans", Ref: refDuree24},
	{Numero: 24, Ouverte: true, Duree: "5 ans (3 ans avant 2024)", Ref: refDuree24},
	{Numero: 31, Libelle: "ALD hors liste : forme grave d'une maladie ou forme évolutive ou invalidante d'une maladie grave non inscrite sur la liste, traitement prolongé de plus de 6 mois et particulièrement coûteux", Ouverte: true, Ref: refALDList},
	{Numero: 32, Libelle: "Polypathologie : plusieurs affections caractérisées entraînant un état pathologique invalidant, soins continus de plus de 6 mois", Ouverte: true, Ref: refALDList},
}

// SeuilKine is a situation of the kinésithérapie référentiel: beyond Seances
// séances, continuing needs the accord préalable of the service médical.
type SeuilKine struct {
	Situation string
	Seances   int // séances without accord préalable
	Note      string
	Ref       Ref
}

var (
	refKine1 = Ref{Title: "Art. L162-1-7 CSS (LFSS 2009 art. 42), NGAP titre XIV chapitre V b) ; ffmkr75.org 2012 — REGULATIONS.md §7"}
	refKine2 = Ref{Title: "Décision UNCAM du 2 novembre 2011 (JO 20/01/2012) ; HAS mars 2011 — REGULATIONS.md §7"}
	refKine3 = Ref{Title: "Source secondaire (urgentdepannage.be) — à vérifier sur le chapitre V de la NGAP — REGULATIONS.md §7"}
)

// SeuilsKine is the kinésithérapie référentiel.
var SeuilsKine = []SeuilKine{
	{Situation: "Entorse externe récente de la cheville-pied", Seances: 10, Ref: refKine1},
	{Situation: "Arthroplastie de hanche par prothèse totale", Seances: 15, Ref: refKine1},
	{Situation: "Arthroplastie du genou par prothèse totale ou uni-compartimentaire", Seances: 25, Ref: refKine2},
	{Situation: "Reconstruction du ligament croisé antérieur du genou", Seances: 40, Ref: refKine1},
	{Situation: "Méniscectomie isolée, totale ou subtotale, par arthroscopie", Seances: 15, Ref: refKine2},
	{Situation: "Réinsertion et/ou suture de tendons de la coiffe des rotateurs", Seances: 50, Ref: refKine2},
	{Situation: "Lombalgie commune", Seances: 15, Note: "Par série ; accord préalable aussi à partir de la 31e séance si 30 séances dans les 12 mois précédents (texte tronqué, à vérifier).", Ref: refKine2},
	{Situation: "Fracture de l'extrémité distale des deux os de l'avant-bras", Seances: 25, Ref: refKine3},
	{Situation: "Fracture du coude (± luxation)", Seances: 30, Ref: refKine3},
	{Situation: "Traumatisme récent du rachis cervical sans lésion neurologique", Seances: 10, Ref: refKine3},
	{Situation: "Tendinopathie de la coiffe des rotateurs non opérée", Seances: 25, Ref: refKine3},
}

// ModeTransport is a mode of the transport référentiel with its conditions.
type ModeTransport struct {
	Mode       string
	Conditions []string
	Ref        Ref
}

var refTransport = Ref{Title: "Arrêté du 23 décembre 2006 (NOR SANS0624760A, JO 30/12/2006) pris pour l'art. R322-10-1 CSS — REGULATIONS.md §5", Href: "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000645199"}

// ModesTransport is the référentiel de prescription des transports.
var ModesTransport = []ModeTransport{
	{Mode: "Ambulance", Conditions: []string{"position obligatoirement allongée ou demi-assise", "surveillance par une personne qualifiée ou administration d'oxygène", "brancardage ou portage", "asepsie rigoureuse"}, Ref: refTransport},
	{Mode: "Transport assis professionnalisé (VSL ou taxi conventionné)", Conditions: []string{"déficience ou incapacité physique invalidante nécessitant une aide technique ou humaine pour se déplacer, sans brancardage ni portage", "déficience intellectuelle ou psychique nécessitant un tiers pour transmettre les informations à l'équipe soignante, en l'absence d'accompagnant", "hygiène rigoureuse", "prévention du risque infectieux par la désinfection du véhicule", "traitement aux effets secondaires incompatibles avec un transport personnel"}, Ref: refTransport},
	{Mode: "Véhicule personnel ou transports en commun", Conditions: []string{"patient capable de se déplacer seul ou accompagné sans assistance particulière"}, Ref: refTransport},
}

// ConditionTransport is a rule of prise en charge or accord préalable of transport.
type ConditionTransport struct {
	Regle string
	Ref   Ref
}

// ConditionsTransport lists the situations of R322-10 and the accord préalable of R322-10-4.
var ConditionsTransport = []ConditionTransport{
	{"Prise en charge : hospitalisation (entrée ou sortie) ; ALD avec déficience ou incapacité du référentiel ; ambulance justifiée ; distance supérieure à 150 km ; transports en série (au moins 4 transports pour un même traitement sur 2 mois, chacun vers un lieu à plus de 50 km) ; convocation du contrôle médical, CRI, expert ou appareilleur (LPP titre II chapitres 5 à 7) ; AT/MP ; CAMSP/CMPP.", Ref{Title: "Art. R322-10 CSS — REGULATIONS.md §5"}},
	{"Accord préalable (sauf urgence attestée) : plus de 150 km aller ; transports en série (sauf en lien avec une ALD selon ameli) ; avion ou bateau de ligne régulière ; CAMSP/CMPP. Silence de 15 jours après l'envoi = accord (10 jours dans le texte antérieur). Formulaire S3139 (Cerfa 11575).", Ref{Title: "Art. R322-10-4 CSS ; ameli.fr accord préalable transport (21/04/2022) — REGULATIONS.md §5"}},
	{"Règle des 150 km : la prise en charge au-delà suppose l'absence de soins équivalents à moins de 150 km (distance orthodromique entre communes, établissements FINESS de la catégorie).", Ref{Title: "Art. R322-10 et R322-10-4 CSS — REGULATIONS.md §5 et §12"}},
	{"Transport partagé : proposé pour TAP vers traitement du cancer, radiothérapie, dialyse, SMR, hôpital de jour ; détour ≤ 10 km par patient supplémentaire (30 km au plus), attente ≤ 45 min ; refus ⇒ pas de tiers payant depuis le 1er mars 2025.", Ref{Title: "LFSS 2024 art. 69 ; décret n° 2025-202 du 28 février 2025 — REGULATIONS.md §5"}},
}

// DureePrescription is a maximum prescription duration.
type DureePrescription struct {
	Classe string
	Duree  string
	Depuis string // YYYY-MM-DD or "" when long standing
	Note   string
	Ref    Ref
}

// DureesPrescription is the prescription durations table.
var DureesPrescription = []DureePrescription{
	{Classe: "Stupéfiants", Duree: "28 jours au plus (réductible par arrêté : 7 ou 14 jours selon la substance), ordonnance sécurisée, fractionnement possible", Note: "Présentation dans les 3 jours ; pas de chevauchement sauf mention expresse.", Ref: Ref{Title: "Art. R5132-5, R5132-29, R5132-30, R5132-33 CSP — REGULATIONS.md §6.1"}},
	{Classe: "Listes I et II", Duree: "12 mois au plus", Note: "Première délivrance sur ordonnance de moins de 3 mois ; liste I renouvelable seulement si le prescripteur l'indique ; liste II renouvelable sauf interdiction.", Ref: Ref{Title: "Art. R5132-21 et R5132-22 CSP — REGULATIONS.md §6.2"}},
	{Classe: "Hypnotiques", Duree: "4 semaines (triazolam : 2 semaines)", Ref: Ref{Title: "Arrêté du 7 octobre 1991 mod. 1er février 2001 — REGULATIONS.md §6.2"}},
	{Classe: "Anxiolytiques", Duree: "12 semaines", Ref: Ref{Title: "Arrêté du 7 octobre 1991 mod. 1er février 2001 — REGULATIONS.md §6.2"}},
	{Classe: "Tramadol", Duree: "12 semaines", Depuis: "2020-04-15", Note: "Ordonnance sécurisée obligatoire depuis le 1er mars 2025 (date d'avril 2020 : mois connu, jour à vérifier).", Ref: Ref{Title: "Décisions ANSM (2020 ; 26 septembre 2024) — REGULATIONS.md §6.1"}},
	{Classe: "Codéine, dihydrocodéine", Duree: "12 semaines", Depuis: "2025-03-01", Note: "Ordonnance sécurisée obligatoire (tolérance du 1er au 31 mars 2025) ; sirops de codéine passés de la liste II à la liste I.", Ref: Ref{Title: "Décisions ANSM du 26 septembre 2024 (report du 26 novembre 2024) — REGULATIONS.md §6.1"}},
}

// CadreCompassionnel is an entry of the RTU/CPC history.
type CadreCompassionnel struct {
	Date      string // YYYY-MM-DD (day 01 when only the month is known)
	Evenement string
	Ref       Ref
}

// HistoriqueRTUCPC is the RTU → CPC history, with the baclofène example.
var HistoriqueRTUCPC = []CadreCompassionnel{
	{"2011-12-29", "Création des recommandations temporaires d'utilisation (RTU), 3 ans renouvelables ; mention « Prescription sous recommandation temporaire d'utilisation ».", Ref{Title: "Loi n° 2011-2012 du 29 décembre 2011, art. L5121-12-1 CSP — REGULATIONS.md §6.3"}},
	{"2014-03-14", "Baclofène dans l'alcoolodépendance : RTU de l'ANSM (doses jusqu'à 300 mg/j).", Ref{Title: "ANSM, annonce du 14 mars 2014 — REGULATIONS.md §6.3"}},
	{"2017-03-01", "Baclofène : RTU renouvelée.", Ref{Title: "ANSM 2017 — REGULATIONS.md §6.3 (mois à vérifier)"}},
	{"2017-07-01", "Baclofène : dose maximale de la RTU ramenée à 80 mg/j.", Ref{Title: "ANSM juillet 2017 — REGULATIONS.md §6.3"}},
	{"2018-10-23", "Baclocur : AMM (80 mg/j au plus, après échec des autres traitements).", Ref{Title: "AMM du 22-23 octobre 2018 — REGULATIONS.md §6.3"}},
	{"2020-06-15", "Commercialisation de Baclocur : fin de la RTU du Lioresal et du Baclofène Zentiva dans cette indication.", Ref{Title: "CE 25 nov. 2020 n° 441409 ; baclofene.org — REGULATIONS.md §6.3"}},
	{"2021-07-01", "Les RTU sont remplacées par l'accès compassionnel : AAC (nominative, 1 an renouvelable) ou CPC — cadre de prescription compassionnelle (3 ans renouvelables).", Ref{Title: "LFSS 2021 art. 78 ; décret n° 2021-869 du 30 juin 2021 ; CE 7 juillet 2022 n° 445932 — REGULATIONS.md §6.3"}},
}

// PeriodeMTDents gives the ages of the M'T dents examination from a date.
type PeriodeMTDents struct {
	Depuis string // YYYY-MM-DD
	Ages   []int
	Public string
	Ref    Ref
}

// MTDents is the M'T dents age table; the period in force at D is the last one
// starting on or before D.
var MTDents = []PeriodeMTDents{
	{Depuis: "2007-01-01", Ages: []int{6, 9, 12, 15, 18}, Public: "Enfants et jeunes", Ref: Ref{Title: "Lancement M'T dents ; ameli 16/05/2018 — REGULATIONS.md §10"}},
	{Depuis: "2018-01-01", Ages: []int{6, 9, 12, 15, 18, 21, 24}, Public: "Enfants et jeunes adultes", Ref: Ref{Title: "Arrêté du 19 avril 2017 (JO 25/04/2017), LFSS 2017 art. 75, L2134-1 CSP — REGULATIONS.md §10"}},
	{Depuis: "2019-04-01", Ages: []int{3, 6, 9, 12, 15, 18, 21, 24}, Public: "Enfants et jeunes adultes (date à vérifier)", Ref: Ref{Title: "Convention dentaire 2018 ; service-public F243 — REGULATIONS.md §10"}},
	{Depuis: "2025-04-01", Ages: []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, Public: "« M'T dents tous les ans » : chaque année de 3 à 24 ans ; femmes enceintes du 4e mois à 6 mois après l'accouchement", Ref: Ref{Title: "Convention dentaire 2023-2028 ; service-public 26/03/2025 — REGULATIONS.md §10"}},
}

// MTDentsAt returns the period in force on date (YYYY-MM-DD), false before 2007.
func MTDentsAt(date string) (PeriodeMTDents, bool) {
	var out PeriodeMTDents
	ok := false
	for _, p := range MTDents {
		if p.Depuis <= date {
			out, ok = p, true
		}
	}
	return out, ok
}

// Synonyms maps a search term to alternative term sequences: a document matches
// the term if it holds every term of one alternative. They bridge the words
// médecins-conseils type and the words of the nomenclatures (CIM-10 says
// "lumbago avec sciatique", they say "lombosciatique").
var Synonyms = map[string][]string{
	"lombosciatique":   {"lumbago sciatique"},
	"lombosciatalgie":  {"lumbago sciatique"},
	"lombalgie":        {"lumbago"},
	"lombaire":         {"lumbago", "lombo"},
	"lumbago":          {"lombalgie"},
	"chaussure":        {"chut", "chup"},
	"chu":              {"chr", "centre hospitalier universitaire", "centre hospitalier regional"},
	"hopital":          {"ch", "chu", "chru", "centre hospitalier"},
	"ch":               {"centre hospitalier"},
	"avc":              {"accident vasculaire cerebral"},
	"sep":              {"sclerose plaque"},
	"vph":              {"fauteuil roulant"},
	"fauteuil":         {"vph"},
	"hta":              {"hypertension arterielle"},
	"bpco":             {"bronchopneumopathie chronique obstructive"},
	"ehpad":            {"hebergement personne agee dependante"},
	"kine":             {"kinesitherapie", "masseur kinesitherapeute"},
	"kinesitherapeute": {"masseur kinesitherapeute"},
}

// Equivalents are spellings folded into one term on both sides of a search:
// a CHRU is the CHU of its region, whichever acronym the file uses.
var Equivalents = map[string]string{
	"chru": "chu",
}
