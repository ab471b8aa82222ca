package detect

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// Indicator is one prescription volume profiled per prescriber.
type Indicator struct {
	Code    string // column name in the profile query
	Label   string // French, for explanations
	Unit    string // French plural unit
	Anomaly string // the anomaly type a high value points to
	// MT marks the indicators measured on the patients whose médecin
	// traitant the professional is (PRS_MTT_NUM), aged 16 to 64: for a
	// généraliste they replace, in the targeting, the indicators of the same
	// anomaly counted over every patient seen (which dilute a médecin
	// traitant's excess among children, retirees and passing patients).
	MT bool
	// Log: the indicator is the natural log of a duration, summed per arrêt
	// (the cell's N counts arrêts, not patients); its effect reads as the
	// ratio of geometric mean durations, exp((O − E)/N). The durations are
	// normalised by rank within their stratum (durCellsSQL).
	Log bool
}

// Indicators are the profiled volumes (issue 14 §1). Each is counted per
// (prescriber, patient) pair over the patients the prescriber saw in the year.
var Indicators = []Indicator{
	{"arrets_ij", "arrêts de travail indemnisés", "arrêts", "surprescription_ij", false, false},
	{"jours_ij", "jours d'indemnités journalières", "jours", "surprescription_ij", false, false},
	{"jours_prescrits", "jours d'arrêt prescrits (avis initiaux et prolongations signés)", "jours", "surprescription_ij", false, false},
	{"transports", "transports prescrits", "trajets", "surprescription_transport", false, false},
	{"kine", "actes de kinésithérapie prescrits", "actes", "surprescription_kine", false, false},
	{"lpp", "délivrances LPP prescrites", "délivrances", "surprescription_lpp", false, false},
	{"opioides", "boîtes d'opioïdes prescrites", "boîtes", "surprescription_opioides", false, false},
	{"hypnotiques", "boîtes d'hypnotiques prescrites", "boîtes", "surprescription_hypnotiques", false, false},
	{"arrets_mt", "arrêts de travail de ses patients de 16 à 64 ans dont il est médecin traitant", "arrêts", "surprescription_ij", true, false},
	{"duree_arrets_mt", "durée des arrêts de ses patients de 16 à 64 ans dont il est médecin traitant", "arrêts", "surprescription_ij", true, true},
}

// nBase is the number of indicators counted per (prescriber, patient seen)
// by cellsSQL; the following ones come from mtCellsSQL.
const nBase = 8

// The strata of the standardisation are age band × sex × the patient's
// département of residence × ALD (the territory: distance to care drives transports,
// and the Cnam compares « à patientèle et territoire d'exercice comparables »).
var ageBands = []struct {
	lo    int
	label string
}{{0, "0-15"}, {16, "16-24"}, {25, "25-34"}, {35, "35-44"}, {45, "45-54"}, {55, "55-64"}, {65, "65-74"}, {75, "75+"}}

// nAgeSex is the number of age-sex strata within a département.
var nAgeSex = len(ageBands) * 2

// StratumLabel names a stratum in French ("F 25-34, 57").
func (pr *Profiles) StratumLabel(s int) string {
	sex := "H"
	if s%2 == 1 {
		sex = "F"
	}
	l := sex + " " + ageBands[(s%nAgeSex)/2].label
	nd := max(len(pr.Depts), 1)
	if d := (s / nAgeSex) % nd; d < len(pr.Depts) {
		l += ", " + pr.Depts[d]
	}
	if s/(nAgeSex*nd) == 1 {
		l += ", ALD"
	}
	return l
}

// Cell is what one prescriber has in one stratum for one indicator: the number
// of patients seen (n), the sum of the indicator over them (S1) and of its
// squares (S2), the latter giving the compound (overdispersed) variance.
type Cell struct {
	N      int64
	S1, S2 float64
}

// Prescriber is one professional's raw profile: per indicator, per stratum.
type Prescriber struct {
	Num        string // PFS_EXE_NUM / PFS_PFS_NUM
	Profession string // PFS_PRA_SPE
	Dept       string // département (first 2 characters of the number)
	Patients   int64
	Cells      [][]Cell // [indicator][stratum]
}

// Profiles is the result of the profiling query.
type Profiles struct {
	Year        int
	Depts       []string // départements of residence, in stratum order
	NStrata     int
	Prescribers []*Prescriber
	Elapsed     time.Duration
}

// profileSQL builds the temporary tables and returns (pro, stratum, n, s1, s2 per
// indicator). Portable SQL: CTEs, GROUP BY, CASE; the only DuckDB-specific parts
// are the views over read_parquet made by Open.
const profileSQL = `
CREATE OR REPLACE TEMP TABLE pra AS
SELECT PFS_PFS_NUM AS pro, PFS_PRA_SPE AS spa FROM DA_PRA_R;

CREATE OR REPLACE TEMP TABLE dpt AS
SELECT dpt, CAST(ROW_NUMBER() OVER (ORDER BY dpt) - 1 AS INTEGER) AS i
FROM (SELECT DISTINCT BEN_RES_DPT AS dpt FROM IR_BEN_R) x;

-- Patients in ALD (IR_IMB_R, IMB_ETM_NAT 41) at some time in the year: their
-- transports, devices and medicines are legitimately heavier.
CREATE OR REPLACE TEMP TABLE ald AS
SELECT DISTINCT BEN_NIR_PSA AS ben FROM IR_IMB_R
WHERE IMB_ETM_NAT = 41 AND EXTRACT(year FROM IMB_ALD_DTD) <= %[1]d
  AND (IMB_ALD_DTF IS NULL OR EXTRACT(year FROM IMB_ALD_DTF) >= %[1]d);

CREATE OR REPLACE TEMP TABLE pat AS
SELECT BEN_NIR_PSA AS ben, BEN_RNG_GEM AS rng,
       (CASE WHEN a < 16 THEN 0 WHEN a < 25 THEN 1 WHEN a < 35 THEN 2 WHEN a < 45 THEN 3
             WHEN a < 55 THEN 4 WHEN a < 65 THEN 5 WHEN a < 75 THEN 6 ELSE 7 END) * 2
       + (CASE WHEN BEN_SEX_COD = 2 THEN 1 ELSE 0 END)
       + 16 * d.i
       + 16 * (SELECT COUNT(*) FROM dpt) * (CASE WHEN l.ben IS NULL THEN 0 ELSE 1 END) AS strate
FROM (SELECT BEN_NIR_PSA, BEN_RNG_GEM, BEN_SEX_COD, BEN_RES_DPT, %[1]d - CAST(BEN_NAI_ANN AS INTEGER) AS a FROM IR_BEN_R) b
JOIN dpt d ON d.dpt = b.BEN_RES_DPT
LEFT JOIN ald l ON l.ben = b.BEN_NIR_PSA;

-- What each prescriber prescribed to each patient. Only the lines that count
-- in an indicator enter the grouping (IJ, or executed by a transporter, a
-- kinésithérapeute or a supplier of LPP): the others (laboratories, nurses,
-- medicines, …: four lines in five) would only make (prescriber, patient)
-- pairs whose every count is 0, which the cells read as 0 anyway (COALESCE).
CREATE OR REPLACE TEMP TABLE ev AS
SELECT p.PFS_PRE_NUM AS pro, p.BEN_NIR_PSA AS ben, p.BEN_RNG_GEM AS rng,
  COUNT(DISTINCT CASE WHEN p.PRS_NAT_REF IN (6110, 6111, 6112) THEN p.PRE_PRE_DTD END) AS arrets_ij,
  SUM(CASE WHEN p.PRS_NAT_REF IN (6110, 6111, 6112) THEN CAST(p.PRS_ACT_QTE AS DOUBLE) ELSE 0 END) AS jours_ij,
  SUM(CASE WHEN x.spa IN ('55', '56') THEN 1 ELSE 0 END) AS transports,
  SUM(CASE WHEN x.spa = '26' THEN GREATEST(CAST(p.PRS_ACT_QTE AS DOUBLE), 1) ELSE 0 END) AS kine,
  SUM(CASE WHEN x.spa = '50' AND p.PRS_NAT_REF <> 3313 THEN 1 ELSE 0 END) AS lpp
FROM ER_PRS_F p LEFT JOIN pra x ON x.pro = p.PFS_EXE_NUM
WHERE p.PFS_PRE_NUM IS NOT NULL
  AND (p.PRS_NAT_REF IN (6110, 6111, 6112) OR x.spa IN ('55', '56', '26') OR (x.spa = '50' AND p.PRS_NAT_REF <> 3313))
GROUP BY 1, 2, 3;

-- Trips per transported patient, winsorised: per profession of the
-- prescriber, the trips one prescriber prescribed to one patient count at most
-- the 99th percentile of the non-zero counts of the region. The law counts
-- transport prescriptions (L162-1-15): the decision to transport a patient,
-- not each trip a transporter bills under it. Beyond that percentile the
-- trips are a series set by the care (dialysis, chemotherapy) or trips the
-- transporter billed on a few patients (fictitious trips, caught by the
-- trajet_sans_soin rule on the transporter): a handful of such patients
-- would make the prescriber an outlier of the whole funnel.
CREATE OR REPLACE TEMP TABLE tcap AS
SELECT x.spa, CAST(percentile_disc(0.99) WITHIN GROUP (ORDER BY e.transports) AS DOUBLE) AS cap
FROM ev e JOIN pra x ON x.pro = e.pro
WHERE e.transports > 0
GROUP BY 1;

-- Days of arrêt prescribed: every avis (initial or prolongation) the
-- prescriber signed, whole length even past the year (MC_ARR_F, what the
-- Service médical receives); not truncated by the year's payments.
CREATE OR REPLACE TEMP TABLE evarr AS
SELECT PFS_PRE_NUM AS pro, BEN_NIR_PSA AS ben,
  SUM(CAST(ARR_FIN_DTD - ARR_DEB_DTD + 1 AS DOUBLE)) AS jours_prescrits
FROM MC_ARR_F
WHERE EXTRACT(year FROM ARR_DEB_DTD) = %[1]d
GROUP BY 1, 2;

-- The professionals profiled: whoever prescribed in the year (claims lines,
-- whatever they are, or avis d'arrêt). A distinct over one column of few
-- values is cheap next to ev's grouping of (prescriber, patient) pairs.
CREATE OR REPLACE TEMP TABLE prescribers AS
SELECT PFS_PRE_NUM AS pro FROM ER_PRS_F WHERE PFS_PRE_NUM IS NOT NULL
UNION SELECT pro FROM evarr;

-- The prescriber's patients: everyone on whom he executed an act in the year
-- (the 2018 denominator of L162-1-15: patients with at least one act). Only
-- the prescribers' panels are kept: those of pharmacies, laboratories,
-- nurses and transporters who prescribe nothing are not profiled, and they
-- make 40 %% of the (executant, patient) pairs and three quarters of the lines.
CREATE OR REPLACE TEMP TABLE panel AS
SELECT DISTINCT PFS_EXE_NUM AS pro, BEN_NIR_PSA AS ben, BEN_RNG_GEM AS rng
FROM ER_PRS_F WHERE PFS_EXE_NUM IN (SELECT pro FROM prescribers);

-- Medicines by class (ER_PHA_F joined to its prestation on the 9 DCIR keys).
-- The opioid and hypnotic lines are set apart first (phx, one line of ER_PHA_F
-- in five), and the prestations are narrowed to their décomptes by one key
-- (DCT_ORD_NUM, implied by the join) before the join on the nine: one hash of
-- an integer per line of ER_PRS_F instead of nine.
CREATE OR REPLACE TEMP TABLE phx AS
SELECT h.FLX_DIS_DTD, h.FLX_TRT_DTD, h.FLX_EMT_TYP, h.FLX_EMT_NUM, h.FLX_EMT_ORD, h.ORG_CLE_NUM,
  h.DCT_ORD_NUM, h.PRS_ORD_NUM, h.REM_TYP_AFF, h.PHA_ACT_QSN, m.PHA_CLA_LIB
FROM ER_PHA_F h JOIN MC_PHA_R m ON m.PHA_CIP_C13 = h.PHA_PRS_C13
WHERE m.PHA_CLA_LIB IN ('opioide', 'hypnotique');

CREATE OR REPLACE TEMP TABLE evpha AS
SELECT p.PFS_PRE_NUM AS pro, p.BEN_NIR_PSA AS ben, p.BEN_RNG_GEM AS rng,
  SUM(CASE WHEN h.PHA_CLA_LIB = 'opioide' THEN h.PHA_ACT_QSN ELSE 0 END) AS opioides,
  SUM(CASE WHEN h.PHA_CLA_LIB = 'hypnotique' THEN h.PHA_ACT_QSN ELSE 0 END) AS hypnotiques
FROM phx h
JOIN ER_PRS_F p ON p.FLX_DIS_DTD = h.FLX_DIS_DTD AND p.FLX_TRT_DTD = h.FLX_TRT_DTD
  AND p.FLX_EMT_TYP = h.FLX_EMT_TYP AND p.FLX_EMT_NUM = h.FLX_EMT_NUM AND p.FLX_EMT_ORD = h.FLX_EMT_ORD
  AND p.ORG_CLE_NUM = h.ORG_CLE_NUM AND p.DCT_ORD_NUM = h.DCT_ORD_NUM AND p.PRS_ORD_NUM = h.PRS_ORD_NUM
  AND p.REM_TYP_AFF = h.REM_TYP_AFF
WHERE p.PFS_PRE_NUM IS NOT NULL AND p.DCT_ORD_NUM IN (SELECT DCT_ORD_NUM FROM phx)
GROUP BY 1, 2, 3;
`

// mtSQL: the médecin traitant of each beneficiary as the claims carry it
// (PRS_MTT_NUM, on every line of a patient who declared one) and the arrêts
// of the year, each with its whole prescribed length (initial avis and
// prolongations, MC_ARR_F). An arrêt is counted whoever signed it: a médecin
// traitant's excess shows on all his patients' arrêts, and 18 % of them are
// signed by another doctor.
const mtSQL = `
CREATE OR REPLACE TEMP TABLE mtp AS
SELECT BEN_NIR_PSA AS ben, BEN_RNG_GEM AS rng, MAX(PRS_MTT_NUM) AS pro
FROM ER_PRS_F WHERE PRS_MTT_NUM IS NOT NULL
GROUP BY 1, 2;

CREATE OR REPLACE TEMP TABLE arrmt AS
SELECT BEN_NIR_PSA AS ben, ARR_INI_NUM AS ini, MIN(ARR_DEB_DTD) AS deb,
  SUM(CAST(ARR_FIN_DTD - ARR_DEB_DTD + 1 AS DOUBLE)) AS jours,
  MAX(CASE WHEN ARR_NUM = ARR_INI_NUM THEN 1 ELSE 0 END) AS initial
FROM MC_ARR_F
GROUP BY 1, 2;
`

// mtCellsSQL returns (pro, indicator, stratum, n, s1, s2) for the médecin
// traitant's rate of arrêts: arrêts begun in the year per patient of 16 to 64
// (age bands 1 to 5: strata 2 to 11 modulo 16).
const mtCellsSQL = `
WITH wa AS (
  SELECT m.pro, m.ben, s.strate FROM mtp m JOIN pat s ON s.ben = m.ben AND s.rng = m.rng
  WHERE s.strate %% 16 BETWEEN 2 AND 11
),
a AS (
  SELECT ben, jours FROM arrmt WHERE initial = 1 AND EXTRACT(year FROM deb) = %[1]d
),
n AS (SELECT ben, CAST(COUNT(*) AS DOUBLE) AS k FROM a GROUP BY 1)
SELECT wa.pro, %[2]d, wa.strate, COUNT(*), SUM(COALESCE(n.k, 0)), SUM(COALESCE(n.k, 0) * COALESCE(n.k, 0))
FROM wa LEFT JOIN n ON n.ben = wa.ben
GROUP BY 1, 2, 3`

// durCellsSQL returns the same columns for the durations of those arrêts,
// per arrêt: the log of its length, normalised by rank within its stratum.
// Each arrêt takes the normal score of its mid-rank u among the arrêts of
// the stratum (same age band, sex, département, ALD), Φ⁻¹(u), put back on
// the stratum's log scale: m + sd·Φ⁻¹(u), m and sd the mean and standard
// deviation of the log lengths of the stratum. The lengths are a mixture
// (55 % of 1 to 7 days, a tail to three years, the lengths past the year
// cut by its end): a few very long or cut arrêts move the plain mean of
// the logs as much as a doctor who doubles every arrêt. By rank, each
// arrêt weighs its place among comparable arrêts; the normal score test is
// never less efficient than the mean for a shift (Chernoff–Savage), and
// the values stay log days, so exp of their mean difference still reads as
// a ratio of durations. Φ⁻¹ is Tukey's λ approximation, 4.91·(u^0.14 −
// (1 − u)^0.14), within 0.005 of it for |z| ≤ 2.5 and 0.04 at 3
// (portable SQL: no probit function in DuckDB nor PostgreSQL).
const durCellsSQL = `
WITH wa AS (
  SELECT m.pro, m.ben, s.strate FROM mtp m JOIN pat s ON s.ben = m.ben AND s.rng = m.rng
  WHERE s.strate %% 16 BETWEEN 2 AND 11
),
a AS (
  SELECT ben, jours FROM arrmt WHERE initial = 1 AND EXTRACT(year FROM deb) = %[1]d
),
r AS (
  SELECT wa.pro, wa.strate,
    CUME_DIST() OVER (PARTITION BY wa.strate ORDER BY a.jours)
      - 0.5 * CAST(COUNT(*) OVER (PARTITION BY wa.strate, a.jours) AS DOUBLE) / CAST(COUNT(*) OVER (PARTITION BY wa.strate) AS DOUBLE) AS u,
    AVG(LN(a.jours)) OVER (PARTITION BY wa.strate) AS m,
    STDDEV_POP(LN(a.jours)) OVER (PARTITION BY wa.strate) AS sd
  FROM wa JOIN a ON a.ben = wa.ben
),
x AS (SELECT pro, strate, m + sd * 4.91 * (POWER(u, 0.14) - POWER(1 - u, 0.14)) AS l FROM r)
SELECT pro, %[2]d, strate, COUNT(*), SUM(l), SUM(l * l)
FROM x
GROUP BY 1, 2, 3`

// cellsSQL returns (pro, profession, stratum, n, s1, s2 per indicator). The
// patients are counted over the whole panel (n), but the sums only over the
// (prescriber, patient) pairs of the panel with something prescribed (k: one
// pair in five): the others add only zeros, so the joins and the grouping of
// the sums are made on the few pairs that carry them.
const cellsSQL = `
WITH n AS (
  SELECT pn.pro, s.strate, COUNT(*) AS n
  FROM panel pn JOIN pat s ON s.ben = pn.ben AND s.rng = pn.rng
  GROUP BY 1, 2
),
k AS (
  SELECT pro, ben, rng FROM ev
  UNION SELECT pro, ben, rng FROM evpha
  UNION SELECT a.pro, a.ben, s.rng FROM evarr a JOIN pat s ON s.ben = a.ben
),
y AS (
  SELECT pn.pro, s.strate,
    CAST(COALESCE(e.arrets_ij, 0) AS DOUBLE) AS arrets_ij, CAST(COALESCE(e.jours_ij, 0) AS DOUBLE) AS jours_ij,
    COALESCE(a.jours_prescrits, 0) AS jours_prescrits,
    LEAST(CAST(COALESCE(e.transports, 0) AS DOUBLE), COALESCE(c.cap, CAST(COALESCE(e.transports, 0) AS DOUBLE))) AS transports, CAST(COALESCE(e.kine, 0) AS DOUBLE) AS kine, CAST(COALESCE(e.lpp, 0) AS DOUBLE) AS lpp,
    CAST(COALESCE(f.opioides, 0) AS DOUBLE) AS opioides, CAST(COALESCE(f.hypnotiques, 0) AS DOUBLE) AS hypnotiques
  FROM k
  JOIN panel pn ON pn.pro = k.pro AND pn.ben = k.ben AND pn.rng = k.rng
  JOIN pat s ON s.ben = pn.ben AND s.rng = pn.rng
  LEFT JOIN ev e ON e.pro = pn.pro AND e.ben = pn.ben AND e.rng = pn.rng
  LEFT JOIN evpha f ON f.pro = pn.pro AND f.ben = pn.ben AND f.rng = pn.rng
  LEFT JOIN evarr a ON a.pro = pn.pro AND a.ben = pn.ben
  LEFT JOIN pra xc ON xc.pro = pn.pro
  LEFT JOIN tcap c ON c.spa = xc.spa
),
v AS (
  SELECT pro, strate,
    SUM(arrets_ij) AS a1, SUM(arrets_ij * arrets_ij) AS a2, SUM(jours_ij) AS b1, SUM(jours_ij * jours_ij) AS b2,
    SUM(jours_prescrits) AS c1, SUM(jours_prescrits * jours_prescrits) AS c2,
    SUM(transports) AS d1, SUM(transports * transports) AS d2, SUM(kine) AS e1, SUM(kine * kine) AS e2,
    SUM(lpp) AS f1, SUM(lpp * lpp) AS f2, SUM(opioides) AS g1, SUM(opioides * opioides) AS g2,
    SUM(hypnotiques) AS h1, SUM(hypnotiques * hypnotiques) AS h2
  FROM y GROUP BY 1, 2
)
SELECT n.pro, COALESCE(x.spa, ''), n.strate, n.n,
  COALESCE(v.a1, 0), COALESCE(v.a2, 0), COALESCE(v.b1, 0), COALESCE(v.b2, 0), COALESCE(v.c1, 0), COALESCE(v.c2, 0),
  COALESCE(v.d1, 0), COALESCE(v.d2, 0), COALESCE(v.e1, 0), COALESCE(v.e2, 0), COALESCE(v.f1, 0), COALESCE(v.f2, 0),
  COALESCE(v.g1, 0), COALESCE(v.g2, 0), COALESCE(v.h1, 0), COALESCE(v.h2, 0)
FROM n LEFT JOIN v ON v.pro = n.pro AND v.strate = n.strate
LEFT JOIN pra x ON x.pro = n.pro`

// Profile runs the profiling queries over the opened data (DuckDB, Open).
func Profile(ctx context.Context, db *sql.DB) (*Profiles, error) {
	return ProfileOn(ctx, db, DuckDB)
}

// ProfileOn runs the same profiling SQL on another engine through its
// dialect (PostgreSQL for the comparison of docs/perf.md): db must hold one
// table or view per Parquet table, under the same names, on one connection.
func ProfileOn(ctx context.Context, db *sql.DB, d Dialect) (*Profiles, error) {
	t0 := time.Now()
	var year sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT EXTRACT(year FROM MAX(EXE_SOI_DTD)) FROM ER_PRS_F`).Scan(&year); err != nil {
		return nil, fmt.Errorf("profil : année des soins : %w", err)
	}
	if !year.Valid {
		return nil, errNoData
	}
	if !d.Postgres {
		// The temporary tables need no order (the cells are placed by
		// prescriber and stratum): DuckDB may then write them as its threads
		// finish, without keeping the order of the scan (3 to 4 % of CPU at
		// scale 0.1). Restored for the queries that follow (rules, targeting).
		if _, err := db.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
			return nil, fmt.Errorf("profil : %w", err)
		}
		defer db.ExecContext(ctx, "RESET preserve_insertion_order")
	}
	if err := d.execScript(ctx, db, fmt.Sprintf(profileSQL, year.Int64)); err != nil {
		return nil, fmt.Errorf("profil : %w", err)
	}
	var depts []string
	drows, err := db.QueryContext(ctx, `SELECT dpt FROM dpt ORDER BY i`)
	if err != nil {
		return nil, fmt.Errorf("profil : %w", err)
	}
	for drows.Next() {
		var d string
		if err := drows.Scan(&d); err != nil {
			drows.Close()
			return nil, fmt.Errorf("profil : %w", err)
		}
		depts = append(depts, d)
	}
	drows.Close()
	nStrata := nAgeSex * max(len(depts), 1) * 2 // × ALD or not
	rows, err := db.QueryContext(ctx, d.rewrite(cellsSQL))
	if err != nil {
		return nil, fmt.Errorf("profil : %w", err)
	}
	defer rows.Close()
	byNum := map[string]*Prescriber{}
	var out []*Prescriber
	for rows.Next() {
		var pro, spa string
		var strate int
		var n int64
		sums := make([]float64, 2*nBase)
		dest := []any{&pro, &spa, &strate, &n}
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("profil : %w", err)
		}
		p := byNum[pro]
		if p == nil {
			p = &Prescriber{Num: pro, Profession: spa, Cells: make([][]Cell, len(Indicators))}
			if len(pro) >= 2 {
				p.Dept = pro[:2]
			}
			for i := range p.Cells {
				p.Cells[i] = make([]Cell, nStrata)
			}
			byNum[pro] = p
			out = append(out, p)
		}
		if strate < 0 || strate >= nStrata {
			return nil, fmt.Errorf("profil : strate %d hors bornes pour %s", strate, pro)
		}
		p.Patients += n
		for i := range nBase {
			p.Cells[i][strate] = Cell{N: n, S1: sums[2*i], S2: sums[2*i+1]}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("profil : %w", err)
	}
	rows.Close()
	if err := mtCells(ctx, db, d, int(year.Int64), byNum, nStrata); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errNoData
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Num < out[j].Num })
	return &Profiles{Year: int(year.Int64), Depts: depts, NStrata: nStrata, Prescribers: out, Elapsed: time.Since(t0)}, nil
}

// mtCells adds the médecin traitant indicators to the prescribers already
// profiled (a médecin traitant who prescribed nothing and saw no one in the
// year has no profile).
func mtCells(ctx context.Context, db *sql.DB, d Dialect, year int, byNum map[string]*Prescriber, nStrata int) error {
	if err := d.execScript(ctx, db, mtSQL); err != nil {
		return fmt.Errorf("profil (médecin traitant) : %w", err)
	}
	for _, q := range []string{
		fmt.Sprintf(mtCellsSQL, year, indicatorIndex("arrets_mt")),
		fmt.Sprintf(durCellsSQL, year, indicatorIndex("duree_arrets_mt")),
	} {
		if err := addCells(ctx, db, d.rewrite(q), byNum, nStrata); err != nil {
			return fmt.Errorf("profil (médecin traitant) : %w", err)
		}
	}
	return nil
}

// addCells reads (pro, indicator, stratum, n, s1, s2) rows into the
// prescribers already profiled.
func addCells(ctx context.Context, db *sql.DB, q string, byNum map[string]*Prescriber, nStrata int) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pro string
		var ind, strate int
		var n int64
		var s1, s2 float64
		if err := rows.Scan(&pro, &ind, &strate, &n, &s1, &s2); err != nil {
			return err
		}
		p := byNum[pro]
		if p == nil {
			continue
		}
		if strate < 0 || strate >= nStrata || ind < 0 || ind >= len(Indicators) {
			return fmt.Errorf("strate %d ou indicateur %d hors bornes pour %s", strate, ind, pro)
		}
		p.Cells[ind][strate] = Cell{N: n, S1: s1, S2: s2}
	}
	return rows.Err()
}

// indicatorIndex is the position of an indicator in Indicators, -1 if none.
func indicatorIndex(code string) int {
	for i, in := range Indicators {
		if in.Code == code {
			return i
		}
	}
	return -1
}
