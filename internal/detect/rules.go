package detect

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Alert is one finding of a fraud rule (issue 14 §3), as printed by
// « medconseil detect regles --json ». It names the professional concerned and,
// when the rule is about one patient, the beneficiary; the figures that fired the
// rule are in Explication (French) and Valeur.
type Alert struct {
	Regle         string  `json:"regle"`                  // Rule.Code
	Professionnel string  `json:"professionnel"`          // PFS_EXE_NUM (or PFS_PRE_NUM for a prescriber rule)
	Beneficiaire  string  `json:"beneficiaire,omitempty"` // BEN_NIR_PSA when the alert is about one patient
	Partenaire    string  `json:"partenaire,omitempty"`   // the other professional of a pair (collusion)
	Valeur        float64 `json:"valeur"`                 // the measured figure compared to the threshold
	Seuil         float64 `json:"seuil"`                  // the threshold of the rule
	Lignes        int64   `json:"lignes"`                 // ER_PRS_F lines (or trips, days) concerned
	Explication   string  `json:"explication"`
}

// Rule is one entry of the fraud-rule catalogue. Rationale and threshold are
// documented in docs/detection.md (« Catalogue des règles »).
type Rule struct {
	Code      string  // the anomaly type it looks for (ground_truth.json types)
	Label     string  // French
	Threshold float64 // the threshold applied (see Unit)
	Unit      string  // French
	// sql returns (professionnel, beneficiaire, partenaire, valeur, lignes, detail)
	// rows, one per alert; %[1]d is the year, %[2]g the threshold.
	sql string
}

// Rules is the catalogue, in the order of issue 14 §3. IJ over-prescription is
// the profile-based targeting (Target), turned into alerts by RunRules.
var Rules = []Rule{
	{Code: "acte_apres_deces", Label: "actes après le décès", Threshold: 2, Unit: "jours après le décès (facturation tardive tolérée jusque-là)", sql: ruleAfterDeath},
	{Code: "journee_impossible", Label: "journée impossible en minutes de soins", Threshold: 480, Unit: "minutes de soins facturées en un jour au-delà du 9e décile de ses propres journées (au moins 2 jours)", sql: ruleImpossibleDay},
	{Code: "patient_fantome", Label: "patients fantômes", Threshold: 3, Unit: "patients sans autre consommation que ce professionnel", sql: rulePhantom},
	{Code: "km_gonfles", Label: "kilomètres facturés contre un modèle de distance routière", Threshold: 1.25, Unit: "km facturés / km du modèle, rapporté à la médiane des transporteurs", sql: ruleKm},
	{Code: "trajet_sans_soin", Label: "trajets sans soin", Threshold: 0.08, Unit: "part des trajets sans soin le jour même, au-delà de la médiane des transporteurs", sql: ruleTripNoCare},
	{Code: "collusion_prescripteur_transporteur", Label: "collusion prescripteur–transporteur", Threshold: 0.95, Unit: "part des trajets prescrits (au moins 100) confiés à un même transporteur, qui tient de ce prescripteur au moins 20 % de ses trajets", sql: ruleCollusion},
	{Code: "fractionnement_series", Label: "séries de kinésithérapie scindées sous les seuils", Threshold: 0.6, Unit: "part des reprises à 14 ou 24 séances dont la seconde prescription s'arrête de nouveau juste sous le seuil (au moins 4)", sql: ruleSplit},
	{Code: "surprescription_ij", Label: "surprescription d'arrêts de travail (IJ)", Threshold: 2, Unit: "ratio standardisé rétréci, avec z > 3,09 (ciblage)"},
}

const ruleAfterDeath = `
SELECT p.PFS_EXE_NUM, p.BEN_NIR_PSA, '', CAST(MAX(p.EXE_SOI_DTD - b.BEN_DCD_DTE) AS DOUBLE), COUNT(*),
  'décès le ' || CAST(MIN(b.BEN_DCD_DTE) AS VARCHAR) || ', ' || CAST(COUNT(*) AS VARCHAR) || ' acte(s) du ' || CAST(MIN(p.EXE_SOI_DTD) AS VARCHAR) || ' au ' || CAST(MAX(p.EXE_SOI_DTD) AS VARCHAR)
FROM ER_PRS_F p JOIN IR_BEN_R b ON b.BEN_NIR_PSA = p.BEN_NIR_PSA AND b.BEN_RNG_GEM = p.BEN_RNG_GEM
WHERE b.BEN_DCD_DTE IS NOT NULL AND p.EXE_SOI_DTD > b.BEN_DCD_DTE AND p.PFS_EXE_NUM IS NOT NULL
GROUP BY 1, 2
HAVING MAX(p.EXE_SOI_DTD - b.BEN_DCD_DTE) > %[2]g OR COUNT(*) > 1`

// Minutes of care per act: a kinésithérapie session 30 min; nursing by
// coefficient (AMI 1 ≈ 10 min, AMI 2 ≈ 15, AMI 4 ≈ 25, AIS 3 ≈ 30). A day is
// measured against the professional's own usual days, not a fixed capacity:
// an identifier can be a group practice, and in the synthetic region the
// median legitimate nurse bills about 1,000 such minutes a day (a fixed 12 h
// threshold flagged 950 legitimate days). Alerted: at least 2 days exceeding
// his own 90th percentile of billed minutes by more than the threshold — a
// second full working day's worth of care added to a busy day, twice.
const ruleImpossibleDay = `
WITH m AS (
  SELECT p.PFS_EXE_NUM AS pro, p.EXE_SOI_DTD AS d,
    SUM(CASE WHEN x.PFS_PRA_SPE = '26' THEN 30
             WHEN p.PRS_NAT_REF = 3112 THEN 10 * CAST(p.PRS_ACT_CFT AS DOUBLE)
             WHEN CAST(p.PRS_ACT_CFT AS DOUBLE) >= 4 THEN 25
             WHEN CAST(p.PRS_ACT_CFT AS DOUBLE) >= 2 THEN 15 ELSE 10 END) AS minutes,
    COUNT(*) AS actes
  FROM ER_PRS_F p JOIN DA_PRA_R x ON x.PFS_PFS_NUM = p.PFS_EXE_NUM
  WHERE x.PFS_PRA_SPE IN ('24', '26')
  GROUP BY 1, 2),
q AS (SELECT pro, quantile_cont(minutes, 0.9) AS p90 FROM m GROUP BY 1),
e AS (SELECT m.*, m.minutes - q.p90 AS exces, q.p90 FROM m JOIN q ON q.pro = m.pro WHERE m.minutes - q.p90 > %[2]g)
SELECT pro, '', '', MAX(exces), COUNT(*),
  CAST(COUNT(*) AS VARCHAR) || ' jours dépassant de plus de ' || CAST(CAST(%[2]g AS INTEGER) AS VARCHAR) || ' minutes sa journée habituelle chargée (9e décile : ' ||
  CAST(CAST(MAX(p90) AS INTEGER) AS VARCHAR) || ' minutes de soins), jusqu''à ' || CAST(CAST(MAX(minutes) AS INTEGER) AS VARCHAR) || ' minutes (' ||
  CAST(MAX(actes) AS VARCHAR) || ' actes) le ' || CAST(arg_max(d, minutes) AS VARCHAR)
FROM e
GROUP BY 1
HAVING COUNT(*) >= 2`

// A phantom patient: every line of the year comes from one nurse or kiné (no
// GP, no pharmacy, no other provider) and no prescriber is his médecin traitant.
const rulePhantom = `
WITH only1 AS (
  SELECT BEN_NIR_PSA AS ben, MIN(PFS_EXE_NUM) AS pro, COUNT(*) AS n
  FROM ER_PRS_F
  GROUP BY 1
  HAVING COUNT(DISTINCT COALESCE(PFS_EXE_NUM, '')) = 1 AND COUNT(DISTINCT COALESCE(PFS_PRE_NUM, '')) <= 2),
k AS (
  SELECT o.pro, COUNT(*) AS pats, SUM(o.n) AS lignes
  FROM only1 o JOIN DA_PRA_R x ON x.PFS_PFS_NUM = o.pro
  WHERE x.PFS_PRA_SPE IN ('24', '26')
  GROUP BY 1)
SELECT pro, '', '', CAST(pats AS DOUBLE), lignes,
  CAST(pats AS VARCHAR) || ' patients dont toutes les prestations de l''année viennent de ce seul professionnel (' || CAST(lignes AS VARCHAR) || ' lignes)'
FROM k WHERE pats >= %[2]g`

// Road distance model: crow-fly distance between the centroids of the departure
// and arrival postal codes (La Poste's hexasmal, table cp) × 1.3 (French
// road/crow-fly detour) + 2 km. A transporter's ratio of km billed to modelled
// km is compared with the median ratio of all transporters.
const ruleKm = `
WITH t AS (
  SELECT p.PFS_EXE_NUM AS pro, CAST(d.TRS_ACT_QSN AS DOUBLE) AS km,
    1.3 * 2 * 6371 * ASIN(SQRT(POWER(SIN(RADIANS(b.lat - a.lat) / 2), 2) +
      COS(RADIANS(a.lat)) * COS(RADIANS(b.lat)) * POWER(SIN(RADIANS(b.lon - a.lon) / 2), 2))) + 2 AS modele
  FROM ER_PRS_F p
  JOIN ER_DTR_F d ON p.FLX_DIS_DTD = d.FLX_DIS_DTD AND p.FLX_TRT_DTD = d.FLX_TRT_DTD
    AND p.FLX_EMT_TYP = d.FLX_EMT_TYP AND p.FLX_EMT_NUM = d.FLX_EMT_NUM AND p.FLX_EMT_ORD = d.FLX_EMT_ORD
    AND p.ORG_CLE_NUM = d.ORG_CLE_NUM AND p.DCT_ORD_NUM = d.DCT_ORD_NUM AND p.PRS_ORD_NUM = d.PRS_ORD_NUM
    AND p.REM_TYP_AFF = d.REM_TYP_AFF
  JOIN ER_TRS_F r ON p.FLX_DIS_DTD = r.FLX_DIS_DTD AND p.FLX_TRT_DTD = r.FLX_TRT_DTD
    AND p.FLX_EMT_TYP = r.FLX_EMT_TYP AND p.FLX_EMT_NUM = r.FLX_EMT_NUM AND p.FLX_EMT_ORD = r.FLX_EMT_ORD
    AND p.ORG_CLE_NUM = r.ORG_CLE_NUM AND p.DCT_ORD_NUM = r.DCT_ORD_NUM AND p.PRS_ORD_NUM = r.PRS_ORD_NUM
    AND p.REM_TYP_AFF = r.REM_TYP_AFF
  JOIN cp a ON a.cp = r.TRS_DEP_CDP
  JOIN cp b ON b.cp = r.TRS_ARR_CDP
  WHERE d.TRS_PRS_IDE = 21),
s AS (SELECT pro, SUM(km) AS km, SUM(modele) AS modele, COUNT(*) AS trajets, SUM(km) / SUM(modele) AS ratio FROM t GROUP BY 1 HAVING COUNT(*) >= 20),
m AS (SELECT MEDIAN(ratio) AS med FROM s)
SELECT pro, '', '', ratio / med, trajets,
  CAST(trajets AS VARCHAR) || ' trajets, ' || CAST(CAST(km AS BIGINT) AS VARCHAR) || ' km facturés pour ' || CAST(CAST(modele AS BIGINT) AS VARCHAR) ||
  ' km selon le modèle routier (rapport ' || CAST(ROUND(ratio, 2) AS VARCHAR) || ', médiane des transporteurs ' || CAST(ROUND(med, 2) AS VARCHAR) || ')'
FROM s, m WHERE ratio / med >= %[2]g`

// A trip "without care": no other ER_PRS_F line of the patient (other than
// transport) from the day before to the day after, and no hospital stay
// covering the day.
const ruleTripNoCare = `
WITH tr AS (
  SELECT p.PFS_EXE_NUM AS pro, p.BEN_NIR_PSA AS ben, p.EXE_SOI_DTD AS d
  FROM ER_PRS_F p JOIN DA_PRA_R x ON x.PFS_PFS_NUM = p.PFS_EXE_NUM
  WHERE x.PFS_PRA_SPE IN ('55', '56')),
care AS (
  SELECT DISTINCT p.BEN_NIR_PSA AS ben, p.EXE_SOI_DTD AS d1, p.EXE_SOI_DTF AS d2
  FROM ER_PRS_F p LEFT JOIN DA_PRA_R x ON x.PFS_PFS_NUM = p.PFS_EXE_NUM
  WHERE COALESCE(x.PFS_PRA_SPE, '') NOT IN ('55', '56') AND p.PRS_NAT_REF NOT IN (6110, 6111, 6112)),
f AS (
  SELECT tr.pro, tr.ben, tr.d, EXISTS (SELECT 1 FROM care c WHERE c.ben = tr.ben AND c.d1 <= tr.d + 1 AND c.d2 >= tr.d - 1) AS soin
  FROM tr),
s AS (SELECT pro, COUNT(*) AS trajets, SUM(CASE WHEN soin THEN 0 ELSE 1 END) AS sans FROM f GROUP BY 1 HAVING COUNT(*) >= 20),
m AS (SELECT MEDIAN(CAST(sans AS DOUBLE) / trajets) AS med FROM s)
SELECT pro, '', '', CAST(sans AS DOUBLE) / trajets - med, sans,
  CAST(sans AS VARCHAR) || ' trajets sur ' || CAST(trajets AS VARCHAR) || ' sans soin du patient la veille, le jour ou le lendemain (' ||
  CAST(ROUND(100.0 * sans / trajets, 1) AS VARCHAR) || ' %%, médiane des transporteurs ' || CAST(ROUND(100 * med, 1) AS VARCHAR) || ' %%)'
FROM s, m WHERE CAST(sans AS DOUBLE) / trajets - med >= %[2]g`

// Collusion: a prescriber sends nearly all his prescribed trips (≥ 100) to one
// transporter, beyond the share a practice gives its usual company (0 to 88 %
// of its trips in the synthetic region, so a plain 80 % rule flags habits),
// and that transporter depends on him for at least a fifth of its own trips:
// the concentration runs both ways. The threshold is the prescriber's share.
const ruleCollusion = `
WITH tr AS (
  SELECT p.PFS_PRE_NUM AS pre, p.PFS_EXE_NUM AS tra
  FROM ER_PRS_F p JOIN DA_PRA_R x ON x.PFS_PFS_NUM = p.PFS_EXE_NUM
  WHERE x.PFS_PRA_SPE IN ('55', '56') AND p.PFS_PRE_NUM IS NOT NULL),
pair AS (SELECT pre, tra, COUNT(*) AS n FROM tr GROUP BY 1, 2),
bypre AS (SELECT pre, SUM(n) AS tot FROM pair GROUP BY 1),
bytra AS (SELECT tra, SUM(n) AS tot FROM pair GROUP BY 1)
SELECT p.pre, '', p.tra, CAST(p.n AS DOUBLE) / a.tot, p.n,
  CAST(p.n AS VARCHAR) || ' des ' || CAST(a.tot AS VARCHAR) || ' trajets prescrits (' || CAST(ROUND(100.0 * p.n / a.tot) AS VARCHAR) || ' %%) confiés au transporteur ' || p.tra ||
  ', soit ' || CAST(ROUND(100.0 * p.n / t.tot) AS VARCHAR) || ' %% des trajets de ce transporteur'
FROM pair p JOIN bypre a ON a.pre = p.pre JOIN bytra t ON t.tra = p.tra
WHERE a.tot >= 100 AND CAST(p.n AS DOUBLE) / t.tot >= 0.2 AND CAST(p.n AS DOUBLE) / a.tot >= %[2]g`

// Series split: for a (kiné, patient, prescriber), a prescription with exactly
// 14 or 24 sessions (one under the 15 and 25 prior-approval thresholds of the
// référentiels) followed within 7 days by another prescription that itself
// stops just under the threshold again (11 to 13 sessions after 14, 21 to 23
// after 24): two prescriptions that each avoid the prior approval. A
// legitimate new episode after a series is shorter (5 to 12 sessions in the
// synthetic region; legitimate kinés renew 1 to 70 % of their series at a
// threshold, so the share of plain renewals does not separate them). A kiné's
// share of such double splits among his renewals at 14 or 24 is compared with
// the threshold, with at least 4 double splits.
const ruleSplit = `
WITH s AS (
  SELECT p.PFS_EXE_NUM AS pro, p.BEN_NIR_PSA AS ben, p.PFS_PRE_NUM AS pre, p.PRE_PRE_DTD AS pd, COUNT(*) AS n, MAX(p.EXE_SOI_DTD) AS last
  FROM ER_PRS_F p JOIN DA_PRA_R x ON x.PFS_PFS_NUM = p.PFS_EXE_NUM
  WHERE x.PFS_PRA_SPE = '26' AND p.PRE_PRE_DTD IS NOT NULL
  GROUP BY 1, 2, 3, 4),
q AS (
  SELECT s.*, LEAD(pd) OVER (PARTITION BY pro, ben, pre ORDER BY pd) AS next,
    LEAD(n) OVER (PARTITION BY pro, ben, pre ORDER BY pd) AS nextn FROM s),
k AS (
  SELECT pro, SUM(CASE WHEN n IN (14, 24) AND next IS NOT NULL AND next <= last + 7 THEN 1 ELSE 0 END) AS reprises,
    SUM(CASE WHEN ((n = 14 AND nextn BETWEEN 11 AND 13) OR (n = 24 AND nextn BETWEEN 21 AND 23)) AND next <= last + 7 THEN 1 ELSE 0 END) AS doubles
  FROM q GROUP BY 1)
SELECT pro, '', '', CAST(doubles AS DOUBLE) / reprises, doubles,
  CAST(doubles AS VARCHAR) || ' séries sur ' || CAST(reprises AS VARCHAR) || ' reprises à 14 ou 24 séances poursuivies sous une nouvelle prescription de nouveau arrêtée juste sous le seuil (11 à 13 séances après 14, 21 à 23 après 24)'
FROM k WHERE doubles >= 4 AND CAST(doubles AS DOUBLE) / reprises >= %[2]g`

// RuleOptions are the inputs of RunRules.
type RuleOptions struct {
	// Reference is the directory of the reference data (../shared/reference):
	// geo/communes/laposte_hexasmal_2023_coord.csv gives the postal-code
	// centroids of the road-distance model. Empty skips km_gonfles.
	Reference string
	// Targeting turns the IJ flags of a targeting run into alerts; nil skips it.
	Targeting *Result
	// Only runs these rule codes; empty runs all.
	Only []string
	// Thresholds overrides the catalogue's threshold of some rules (code → value).
	Thresholds map[string]float64
}

// RunRules runs the fraud-rule catalogue over the opened data (Open) and returns
// the alerts, rule by rule in catalogue order, highest value first within a
// rule. This is the Go API h-mso's investigation dossiers build on: an Alert
// carries everything a dossier needs (see AlertDossier).
func RunRules(ctx context.Context, db *sql.DB, opt RuleOptions) ([]Alert, error) {
	var year int
	if err := db.QueryRowContext(ctx, `SELECT CAST(MAX(EXTRACT(year FROM EXE_SOI_DTD)) AS INTEGER) FROM ER_PRS_F`).Scan(&year); err != nil {
		return nil, fmt.Errorf("règles : année des soins : %w", err)
	}
	only := map[string]bool{}
	for _, c := range opt.Only {
		if RuleByCode(c) == nil {
			return nil, fmt.Errorf("règle %q inconnue (voir « medconseil detect regles --liste »)", c)
		}
		only[c] = true
	}
	var out []Alert
	for _, r := range Rules {
		if len(only) > 0 && !only[r.Code] {
			continue
		}
		switch r.Code {
		case "km_gonfles":
			if opt.Reference == "" {
				continue
			}
			if err := loadPostalCodes(ctx, db, opt.Reference); err != nil {
				return nil, err
			}
		case "surprescription_ij":
			if opt.Targeting != nil {
				for _, f := range opt.Targeting.Flags {
					if f.Anomalie != r.Code {
						continue
					}
					out = append(out, Alert{Regle: r.Code, Professionnel: f.Professionnel, Valeur: math.Round(f.Funnel.Shrunk(f.Point)*100) / 100,
						Seuil: r.Threshold, Lignes: int64(f.Point.O), Explication: f.Explication})
				}
			}
			continue
		}
		if v, ok := opt.Thresholds[r.Code]; ok {
			r.Threshold = v
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf(r.sql, year, r.Threshold))
		if err != nil {
			return nil, fmt.Errorf("règle %s : %w", r.Code, err)
		}
		var alerts []Alert
		for rows.Next() {
			var a Alert
			var pro, ben, partner sql.NullString
			var detail string
			if err := rows.Scan(&pro, &ben, &partner, &a.Valeur, &a.Lignes, &detail); err != nil {
				rows.Close()
				return nil, fmt.Errorf("règle %s : %w", r.Code, err)
			}
			a.Regle, a.Professionnel, a.Beneficiaire, a.Partenaire, a.Seuil = r.Code, pro.String, ben.String, partner.String, r.Threshold
			a.Valeur = math.Round(a.Valeur*1000) / 1000
			a.Explication = capitalize(r.Label) + " : " + detail + " (seuil : " + strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", r.Threshold), "0"), ".") + " " + r.Unit + ")."
			alerts = append(alerts, a)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("règle %s : %w", r.Code, err)
		}
		sort.SliceStable(alerts, func(i, j int) bool {
			if alerts[i].Valeur != alerts[j].Valeur {
				return alerts[i].Valeur > alerts[j].Valeur
			}
			return alerts[i].Professionnel+alerts[i].Beneficiaire < alerts[j].Professionnel+alerts[j].Beneficiaire
		})
		out = append(out, alerts...)
	}
	return out, nil
}

// RuleByCode finds a rule of the catalogue.
func RuleByCode(code string) *Rule {
	for i := range Rules {
		if Rules[i].Code == code {
			return &Rules[i]
		}
	}
	return nil
}

// loadPostalCodes makes the temporary table cp(cp, lat, lon): the mean
// centroid of the communes of each postal code.
func loadPostalCodes(ctx context.Context, db *sql.DB, ref string) error {
	p := filepath.Join(ref, "geo", "communes", "laposte_hexasmal_2023_coord.csv")
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("modèle de distance routière : %s introuvable (--reference)", p)
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE cp AS
SELECT code_postal AS cp, AVG(CAST(split_part(coordonnees_geographiques, ',', 1) AS DOUBLE)) AS lat,
  AVG(CAST(split_part(coordonnees_geographiques, ',', 2) AS DOUBLE)) AS lon
FROM read_csv('%s', delim = ';', header = true, all_varchar = true)
WHERE coordonnees_geographiques LIKE '%%,%%'
GROUP BY 1`, strings.ReplaceAll(p, "'", "''"))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("modèle de distance routière : %s : %w", p, err)
	}
	return nil
}

// DossierSeed is what an investigation dossier opened from an alert starts
// with (h-mso's contrôle dossiers call AlertDossier): the professional, the
// nature of the control, a French motif with the figures, and the partner.
// It carries no clinical field: a beneficiary appears only by his pseudonym.
type DossierSeed struct {
	Professionnel string // PFS_PFS_NUM
	Partenaire    string // second professional of a pair, or ""
	Beneficiaire  string // BEN_NIR_PSA (pseudonymised) when the alert is about one patient
	Regle         string // Rule.Code
	Motif         string // French: the rule, the figures and the threshold
}

// AlertDossier turns an alert into the seed of an investigation dossier.
func AlertDossier(a Alert) DossierSeed {
	return DossierSeed{Professionnel: a.Professionnel, Partenaire: a.Partenaire, Beneficiaire: a.Beneficiaire, Regle: a.Regle, Motif: a.Explication}
}
