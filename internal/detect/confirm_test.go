package detect

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// tripsRegion writes a region of eleven GPs, 57110000 (A) and ten peers
// 57110001…57110010, each with ten patients (men of 30, one stratum) he
// consulted on 1 February. Every patient has four trips by the taxi
// 57810001 on his GP's prescription, on 1, 8, 15 and 22 March. Care (a
// nurse's act, 57240001):
//   - peers' patients: the day after the 1st trip, the same day as the 2nd,
//     and a line running from 4 to 1 days before the 3rd (its span reaches
//     the day before): 3 trips of 4 lead to a care, r = 30/40 = 0.75;
//   - A's patients: the day after each of the first careA trips; two days
//     after the 4th trip (outside the window); an IJ on the day of the 4th
//     (not a care).
func tripsRegion(t *testing.T, careA int) string {
	t.Helper()
	dir := fixture(t)
	gp := `'5711' || lpad(CAST(g AS VARCHAR), 4, '0')`
	ben := `'p' || g || '_' || i`
	trip := `DATE '2025-03-01' + CAST(7 * j AS INTEGER)`
	lines := fmt.Sprintf(`
		SELECT 100000 * g + i AS k, %[1]s AS ben, DATE '2025-02-01' AS d1, DATE '2025-02-01' AS d2, 1110 AS nat, %[2]s AS exe, CAST(NULL AS VARCHAR) AS pre
		FROM range(11) a(g), range(10) b(i)
		UNION ALL
		SELECT 100000 * g + 100 + 10 * i + j, %[1]s, %[3]s, %[3]s, 4214, '57810001', %[2]s
		FROM range(11) a(g), range(10) b(i), range(4) c(j)
		UNION ALL
		SELECT 100000 * g + 1000 + 10 * i + j, %[1]s,
			CASE j WHEN 0 THEN %[3]s + 1 WHEN 1 THEN %[3]s ELSE %[3]s - 4 END,
			CASE j WHEN 0 THEN %[3]s + 1 WHEN 1 THEN %[3]s ELSE %[3]s - 1 END, 3111, '57240001', NULL
		FROM range(1, 11) a(g), range(10) b(i), range(3) c(j)
		UNION ALL
		SELECT 1000 + 10 * i + j, %[1]s, %[3]s + 1, %[3]s + 1, 3111, '57240001', NULL
		FROM range(1) a(g), range(10) b(i), range(%[4]d) c(j)
		UNION ALL
		SELECT 2000 + i, %[1]s, DATE '2025-03-24', DATE '2025-03-24', 3111, '57240001', NULL FROM range(1) a(g), range(10) b(i)
		UNION ALL
		SELECT 3000 + i, %[1]s, DATE '2025-03-22', DATE '2025-03-22', 6111, NULL, %[2]s FROM range(1) a(g), range(10) b(i)`,
		ben, gp, trip, careA)
	duckWrite(t,
		`COPY (SELECT `+dcirKeys+`, ben AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, d1 AS EXE_SOI_DTD, d2 AS EXE_SOI_DTF, nat AS PRS_NAT_REF,
			CAST(NULL AS DATE) AS PRE_PRE_DTD, CAST(1 AS DECIMAL(18,2)) AS PRS_ACT_QTE, exe AS PFS_EXE_NUM, pre AS PFS_PRE_NUM,
			CAST(NULL AS VARCHAR) AS PRS_MTT_NUM
		FROM (`+lines+`)) TO '`+filepath.Join(dir, "ER_PRS_F.parquet")+`' (FORMAT parquet)`,
		fmt.Sprintf(`COPY (SELECT %s AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, 1 AS BEN_SEX_COD, '1995' AS BEN_NAI_ANN, '057' AS BEN_RES_DPT FROM range(11) a(g), range(10) b(i))
			TO '%s' (FORMAT parquet)`, ben, filepath.Join(dir, "IR_BEN_R.parquet")),
		fmt.Sprintf(`COPY (SELECT %s AS PFS_PFS_NUM, '1' AS PFS_PRA_SPE FROM range(11) a(g)
			UNION ALL SELECT * FROM (VALUES ('57810001', '56'), ('57240001', '24'))) TO '%s' (FORMAT parquet)`, gp, filepath.Join(dir, "DA_PRA_R.parquet")),
	)
	return dir
}

// TestConfirmTransports checks Confirm against a hand computation. A is
// flagged on transports with Y = 1.2, S = 0.1 in a funnel of τ² = 0.01 (the
// ten peers inside it). Peers: r = 0.75, so S' = 0.1/√0.75 and the
// denominator is √(0.01/0.75 + 0.01) = 0.1527525.
//   - careA = 1: O = 40, O' = 10; Y' = 1.2 + ln(10/40) − ln 0.75 = 0.1013877;
//     z' = 0.66374 < 3.63: withdrawn.
//   - careA = 3: O' = 30; Y' = 1.2; z' = 7.85584: kept, scored 7.86.
func TestConfirmTransports(t *testing.T) {
	for _, tc := range []struct {
		careA int
		kept  bool
		z     float64
		figs  string
	}{
		{1, false, 0.66374, "10 trajets sur 40, quand 75,0 % des trajets de 10 généralistes"},
		{3, true, 7.85584, "30 trajets sur 40, quand 75,0 % des trajets de 10 généralistes"},
	} {
		t.Run(fmt.Sprint("soins=", tc.careA), func(t *testing.T) {
			db, pr := profiled(t, tripsRegion(t, tc.careA))
			ind := indicatorIndex("transports")
			f := &Funnel{Indicator: ind, Group: "1", Tau2: 0.01}
			var flag *Point
			for _, p := range pr.Prescribers {
				if p.Profession != "1" {
					continue
				}
				pt := &Point{Pro: p, Indicator: ind}
				if p.Num == "57110000" {
					pt.Y, pt.S, pt.ZAdj = 1.2, 0.1, 1.2/math.Sqrt(0.02)
					flag = pt
					// The profile's own count is the one Confirm reads back.
					if o, _, _ := NewReference(pr.Prescribers, ind).Expected(p.Cells[ind]); o != 40 {
						t.Fatalf("profil : %v trajets pour A, attendu 40", o)
					}
				}
				f.Points = append(f.Points, pt)
			}
			if flag == nil || len(f.Points) != 11 {
				t.Fatalf("%d généralistes profilés, A trouvé : %v", len(f.Points), flag != nil)
			}
			res := &Result{Flags: []Flag{{Professionnel: "57110000", Anomalie: "surprescription_transport", Score: 8.49, Point: flag, Funnel: f}},
				ZFlag: map[string]float64{"1": 3.63}}
			if err := Confirm(context.Background(), db, res); err != nil {
				t.Fatal(err)
			}
			if tc.kept {
				if len(res.Flags) != 1 || len(res.Unconfirmed) != 0 {
					t.Fatalf("signalement écarté à tort : %+v", res.Unconfirmed)
				}
				if res.Flags[0].Score != math.Round(tc.z*100)/100 {
					t.Errorf("score %v, attendu %v", res.Flags[0].Score, math.Round(tc.z*100)/100)
				}
				if !strings.Contains(res.Flags[0].Explication, tc.figs) {
					t.Errorf("explication %q sans %q", res.Flags[0].Explication, tc.figs)
				}
				return
			}
			if len(res.Flags) != 0 || len(res.Unconfirmed) != 1 {
				t.Fatalf("signalement non écarté : %d signalements, %d écartés", len(res.Flags), len(res.Unconfirmed))
			}
			r := res.Unconfirmed[0].Raison
			if !strings.Contains(r, tc.figs) || !strings.Contains(r, "z = "+frnum(tc.z, 1)) {
				t.Errorf("raison %q : attendu %q et z = %s", r, tc.figs, frnum(tc.z, 1))
			}
		})
	}
}
