package detect

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"
)

// ConfirmPeers is the number of ordinary peers whose trips give the share of
// trips that lead to a care (Confirm).
const ConfirmPeers = 50

// Unconfirmed is a flag that Target raised and Confirm withdrew, with why.
type Unconfirmed struct {
	Flag   Flag
	Raison string // French, with the figures
}

// Run profiles the prescribers of db (opened by Open), targets them and
// confirms the flags that need it: what « medconseil detect », the fraud
// rules and the médecin chef's page all list.
func Run(ctx context.Context, db *sql.DB, opt Options) (*Profiles, *Result, error) {
	pr, err := Profile(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	res, err := Target(pr, opt)
	if err != nil {
		return nil, nil, err
	}
	if err := Confirm(ctx, db, res); err != nil {
		return nil, nil, err
	}
	return pr, res, nil
}

// Confirm re-examines every flag on prescribed transports on the trips that
// lead to a care only. A transport is paid to take the patient to care (art.
// R322-10 CSS); a trip with no other line of the patient (not a transport,
// not an IJ) the day before, the same day or the day after is either a stay
// in a public hospital (PMSI, outside the DCIR: a share every prescriber has
// alike) or a trip the transporter billed without care — his fraud, which the
// trajet_sans_soin rule finds on him, not the prescriber's practice. At scale
// 1.0 a transporter planted trajet_sans_soin spread ≈ 7 such trips on each
// of 37 patients of one GP and made him the region's only transport outlier.
//
// Counting only trips to a care in the profile itself costs 7 to 26 % more
// processor over the whole region (docs/detection.md); here only the flagged
// prescribers' patients are read, with ConfirmPeers ordinary peers of each
// funnel (drawn by a hash of their number) whose trips give r, the share of
// the reference's trips that lead to a care. With O the prescriber's trips
// and O' his trips to a care, both winsorised per patient as in the profile,
// his effect becomes Y' = Y + ln(O'/O) − ln r (the expected count E·r), its
// null standard error S/√r, and the flag stands if Y'/√(S'² + τ²) still
// exceeds his profession's threshold. A withdrawn flag goes to
// res.Unconfirmed; its place in the budget is not given to another.
//
// Confirm reads the temporary tables pra, pat, panel and tcap that Profile
// left on db's one connection: it must follow Profile on the same db.
func Confirm(ctx context.Context, db *sql.DB, res *Result) error {
	ind := indicatorIndex("transports")
	var todo []int
	for i, f := range res.Flags {
		if f.Point != nil && f.Point.Indicator == ind && f.Funnel != nil {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	t0 := time.Now()
	defer func() { res.ConfirmElapsed = time.Since(t0) }()
	flagged := map[string]bool{}
	for _, f := range res.Flags {
		flagged[f.Professionnel] = true
	}
	peers := map[*Funnel][]string{}
	nums := map[string]bool{}
	for _, i := range todo {
		f := res.Flags[i]
		nums[f.Professionnel] = true
		if _, ok := peers[f.Funnel]; ok {
			continue
		}
		ps := confirmPeers(f.Funnel, flagged)
		peers[f.Funnel] = ps
		for _, n := range ps {
			nums[n] = true
		}
	}
	trips, err := tripsToCare(ctx, db, nums)
	if err != nil {
		return fmt.Errorf("confirmation des signalements « transports » : %w", err)
	}
	drop := map[int]bool{}
	for _, i := range todo {
		f := &res.Flags[i]
		p, fu := f.Point, f.Funnel
		var sumO, sumC float64
		for _, n := range peers[fu] {
			sumO += trips[n][0]
			sumC += trips[n][1]
		}
		r := 1.0
		if sumO > 0 && sumC > 0 {
			r = sumC / sumO
		}
		t := trips[f.Professionnel]
		if t[0] <= 0 {
			// No trip read back: the profile and this query disagree; keep
			// the flag as the profile raised it rather than guess.
			continue
		}
		y := p.Y + math.Log(math.Max(t[1], 0.5)/t[0]) - math.Log(r)
		s := p.S / math.Sqrt(r)
		z := y / math.Sqrt(s*s+fu.Tau2)
		what := fmt.Sprintf("sur les seuls trajets vers un soin (une autre prestation du patient la veille, le jour ou le lendemain, art. R322-10 CSS) : %s trajets sur %s, quand %s %% des trajets de %d %s tirés au hasard mènent à un soin ; z = %s",
			frnum(t[1], 0), frnum(t[0], 0), frnum(100*r, 1), len(peers[fu]), ProfessionLabel(p.Pro.Profession, true), frnum(z, 1))
		if z > res.ZFlag[p.Pro.Profession] {
			f.Score = math.Round(z*100) / 100
			f.Explication += " Confirmé " + what + "."
			continue
		}
		drop[i] = true
		res.Unconfirmed = append(res.Unconfirmed, Unconfirmed{Flag: *f,
			Raison: "Écarté " + what + ", sous le seuil de " + frnum(res.ZFlag[p.Pro.Profession], 2) + " : l'excès tient à des trajets sans soin, que la règle « trajets sans soin » cherche chez le transporteur."})
	}
	kept := res.Flags[:0]
	for i, f := range res.Flags {
		if !drop[i] {
			kept = append(kept, f)
		}
	}
	res.Flags = kept
	sort.SliceStable(res.Flags, func(i, j int) bool { return res.Flags[i].Score > res.Flags[j].Score })
	return nil
}

// confirmPeers draws up to ConfirmPeers prescribers of the funnel inside its
// 99.8 % limit and not flagged, ordered by a hash of their number: a sample
// that does not depend on their volumes.
func confirmPeers(f *Funnel, flagged map[string]bool) []string {
	type hp struct {
		h   uint32
		num string
	}
	var c []hp
	for _, p := range f.Points {
		if p.ZAdj > Z998 || flagged[p.Pro.Num] {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(p.Pro.Num))
		c = append(c, hp{h.Sum32(), p.Pro.Num})
	}
	sort.Slice(c, func(i, j int) bool {
		if c[i].h != c[j].h {
			return c[i].h < c[j].h
		}
		return c[i].num < c[j].num
	})
	out := make([]string, 0, ConfirmPeers)
	for _, x := range c[:min(len(c), ConfirmPeers)] {
		out = append(out, x.num)
	}
	return out
}

// tripsSQL reads, in one pass over ER_PRS_F, every line of the patients to
// whom the prescribers of the list (%[1]s: placeholders) prescribed a trip (from
// the profile's ev), and counts per prescriber, over the patients of his
// panel, the trips he prescribed and those that lead to a care, each
// winsorised per patient at his profession's cap (tcap), as the profile's
// transports indicator is. A care line covers the days from the day before
// it starts to the day after it ends (spans are short: 99.9 % of the lines
// are one day).
var tripsSQL = []string{`
CREATE OR REPLACE TEMP TABLE conf_l AS
SELECT p.PFS_PRE_NUM AS pre, p.BEN_NIR_PSA AS ben, p.BEN_RNG_GEM AS rng, p.EXE_SOI_DTD AS d1, p.EXE_SOI_DTF AS d2,
  COALESCE(x.spa, '') IN ('55', '56') AS trajet, p.PRS_NAT_REF IN (6110, 6111, 6112) AS ij
FROM ER_PRS_F p LEFT JOIN pra x ON x.pro = p.PFS_EXE_NUM
WHERE p.BEN_NIR_PSA IN (SELECT DISTINCT ben FROM ev WHERE pro IN (%[1]s) AND transports > 0)`, `
CREATE OR REPLACE TEMP TABLE conf_j AS
SELECT DISTINCT ben, CAST(unnest(generate_series(d1 - 1, d2 + 1, INTERVAL 1 DAY)) AS DATE) AS d
FROM conf_l WHERE NOT trajet AND NOT ij`, `
WITH c AS (
  SELECT t.pre AS pro, t.ben, t.rng, CAST(COUNT(*) AS DOUBLE) AS trajets, CAST(COUNT(j.ben) AS DOUBLE) AS soin
  FROM conf_l t LEFT JOIN conf_j j ON j.ben = t.ben AND j.d = t.d1
  WHERE t.trajet AND t.pre IN (%[1]s)
  GROUP BY 1, 2, 3)
SELECT c.pro, SUM(LEAST(c.trajets, COALESCE(k.cap, c.trajets))), SUM(LEAST(c.soin, COALESCE(k.cap, c.soin)))
FROM c
JOIN panel n ON n.pro = c.pro AND n.ben = c.ben AND n.rng = c.rng
JOIN pat s ON s.ben = c.ben AND s.rng = c.rng
LEFT JOIN pra x ON x.pro = c.pro
LEFT JOIN tcap k ON k.spa = x.spa
GROUP BY 1`}

// tripsToCare returns, per prescriber of nums, [trips, trips to a care].
func tripsToCare(ctx context.Context, db *sql.DB, nums map[string]bool) (map[string][2]float64, error) {
	list := make([]string, 0, len(nums))
	for n := range nums {
		list = append(list, n)
	}
	sort.Strings(list)
	args := make([]any, len(list))
	for i, n := range list {
		args[i] = n
	}
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(list)), ", ")
	defer db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS conf_l; DROP TABLE IF EXISTS conf_j")
	for _, q := range tripsSQL[:2] {
		if strings.Contains(q, "%[1]s") {
			q = fmt.Sprintf(q, ph)
		}
		if _, err := db.ExecContext(ctx, q, args[:strings.Count(q, "?")]...); err != nil {
			return nil, err
		}
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(tripsSQL[2], ph), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][2]float64{}
	for rows.Next() {
		var pro string
		var o, c float64
		if err := rows.Scan(&pro, &o, &c); err != nil {
			return nil, err
		}
		out[pro] = [2]float64{o, c}
	}
	return out, rows.Err()
}
