package synth

import (
	"math"
	"path/filepath"
	"sort"
	"testing"
)

// The baselines measure that the planted anomalies are found only for the
// right reasons: ranking the professionals by raw volume finds almost none of
// them, and for each anomaly type the obvious single rule cannot separate the
// planted entities from the others without false flags.

// proKinds maps PFS_PFS_NUM to PFS_PRA_SPE.
func proKinds(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	for _, p := range read[PRA](t, dir, TablePRA) {
		out[p.PFS_PFS_NUM] = p.PFS_PRA_SPE
	}
	return out
}

func plantedBy(gt GroundTruth) map[AnomalyKind]map[string]bool {
	out := map[AnomalyKind]map[string]bool{}
	for _, a := range gt.Anomalies {
		if out[a.Type] == nil {
			out[a.Type] = map[string]bool{}
		}
		out[a.Type][a.Entity] = true
		if a.Type == AnomalyPhantom {
			for _, p := range a.Patients {
				out["patient_fantome/patient"] = addTo(out["patient_fantome/patient"], p)
			}
		}
	}
	return out
}

func addTo(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}

// Ranking each profession by its raw number of ER_PRS_F lines: the top N (N =
// planted professionals of that profession) holds almost none of the planted.
func TestBaselineVolume(t *testing.T) {
	dir, _ := generated(t)
	gt := groundTruth(t, dir)
	kinds := proKinds(t, dir)
	volume := map[string]int{}
	for _, r := range readPRS(t, dir) {
		if r.PFS_EXE_NUM != "" {
			volume[r.PFS_EXE_NUM]++
		}
	}
	planted := map[string]bool{}
	for _, a := range gt.Anomalies {
		if a.EntityType == "professionnel" {
			planted[a.Entity] = true
		}
	}
	byKind := map[string][]string{}
	for pfs, k := range kinds {
		byKind[k] = append(byKind[k], pfs)
	}
	hits, total := 0, 0
	chance := 0.0
	for k, pros := range byKind {
		n := 0
		for _, p := range pros {
			if planted[p] {
				n++
			}
		}
		if n == 0 {
			continue
		}
		sort.Slice(pros, func(i, j int) bool {
			if volume[pros[i]] != volume[pros[j]] {
				return volume[pros[i]] > volume[pros[j]]
			}
			return pros[i] < pros[j]
		})
		h := 0
		for _, p := range pros[:n] {
			if planted[p] {
				h++
			}
		}
		t.Logf("PFS_PRA_SPE %s : %d plantés sur %d, %d dans le top %d par volume (hasard : %.1f)", k, n, len(pros), h, n, float64(n*n)/float64(len(pros)))
		hits += h
		total += n
		chance += float64(n*n) / float64(len(pros))
	}
	recall := float64(hits) / float64(total)
	t.Logf("classement par volume brut : %d plantés sur %d trouvés (rappel %.2f ; hasard %.1f)", hits, total, recall, chance)
	if recall > 0.3 || float64(hits) > chance+3 {
		t.Errorf("le volume brut trouve %d plantés sur %d (hasard %.1f) : les anomalies se voient au volume", hits, total, chance)
	}
}

// separation is what a single rule's score gives on planted and other entities.
type separation struct {
	planted, others []float64
}

// falseFlags is the number of other entities scoring at least the lowest
// planted score: the false flags of the rule at full recall.
func (s separation) falseFlags() int {
	if len(s.planted) == 0 {
		return -1
	}
	lo := math.Inf(1)
	for _, x := range s.planted {
		lo = math.Min(lo, x)
	}
	n := 0
	for _, x := range s.others {
		if x >= lo {
			n++
		}
	}
	return n
}

// missed is the number of planted entities scoring below the best other score:
// what the rule misses when it raises no false flag.
func (s separation) missed() int {
	hi := math.Inf(-1)
	for _, x := range s.others {
		hi = math.Max(hi, x)
	}
	n := 0
	for _, x := range s.planted {
		if x <= hi {
			n++
		}
	}
	return n
}

// For each anomaly type, its obvious rule (a single score and threshold) cannot
// flag every planted entity without flagging others: legitimate behaviour
// varies where the anomalies hide.
func TestBaselineNoPerfectRule(t *testing.T) {
	dir, _ := generated(t)
	ref := loadRef(t)
	gt := groundTruth(t, dir)
	pl := plantedBy(gt)
	kinds := proKinds(t, dir)
	prs := readPRS(t, dir)
	rules := map[AnomalyKind]separation{}
	split := func(kind AnomalyKind, score map[string]float64, keep func(string) bool) {
		var s separation
		for e, x := range score {
			if !keep(e) {
				continue
			}
			if pl[kind][e] {
				s.planted = append(s.planted, x)
			} else {
				s.others = append(s.others, x)
			}
		}
		rules[kind] = s
	}

	// surprescription_ij: IJ days prescribed per patient seen (the L162-1-15 ratio).
	ijDays, seen := map[string]float64{}, map[string]map[string]bool{}
	// journee_impossible: most acts billed in a day.
	perDay := map[string]map[int32]int{}
	// patient_fantome: patients whose every line comes from one kiné or nurse.
	execs := map[string]map[string]bool{}
	// fractionnement_series: pairs whose first prescription held 14 or 24 sessions.
	type pair struct{ kine, ben string }
	series := map[pair]map[int32]int{}
	// trajet_sans_soin and collusion: trips by patient-day, care by patient-day.
	care := map[string]map[int32]bool{}
	type trip struct {
		tr, pre, ben string
		day          int32
		dct          int64
	}
	var trips []trip
	for _, r := range prs {
		if r.PRS_ACT_QTE <= 0 || r.CPL_MAJ_TOP != 0 {
			continue
		}
		switch n := r.PRS_NAT_REF; {
		case n >= 6110 && n <= 6112 && kinds[r.PFS_PRE_NUM] == "1":
			ijDays[r.PFS_PRE_NUM] += float64(r.PRS_ACT_QTE) / 100
		case n == 1110 || n == 1211:
			seen[r.PFS_EXE_NUM] = addTo(seen[r.PFS_EXE_NUM], r.BEN_NIR_PSA)
		case n == 3111 || n == 3112 || n == 3122 || n == 3125:
			if perDay[r.PFS_EXE_NUM] == nil {
				perDay[r.PFS_EXE_NUM] = map[int32]int{}
			}
			perDay[r.PFS_EXE_NUM][r.EXE_SOI_DTD]++
			if n != 3111 && n != 3112 {
				p := pair{r.PFS_EXE_NUM, r.BEN_NIR_PSA}
				if series[p] == nil {
					series[p] = map[int32]int{}
				}
				series[p][r.PRE_PRE_DTD]++
			}
		}
		if n := r.PRS_NAT_REF; n >= 4212 && n <= 4214 {
			trips = append(trips, trip{r.PFS_EXE_NUM, r.PFS_PRE_NUM, r.BEN_NIR_PSA, r.EXE_SOI_DTD, r.DCT_ORD_NUM})
		} else {
			if care[r.BEN_NIR_PSA] == nil {
				care[r.BEN_NIR_PSA] = map[int32]bool{}
			}
			care[r.BEN_NIR_PSA][r.EXE_SOI_DTD] = true
		}
		if r.PFS_EXE_NUM != "" {
			execs[r.BEN_NIR_PSA] = addTo(execs[r.BEN_NIR_PSA], r.PFS_EXE_NUM)
		} else {
			execs[r.BEN_NIR_PSA] = addTo(execs[r.BEN_NIR_PSA], "établissement ou IJ")
		}
	}
	gpScore := map[string]float64{}
	for gp, ps := range seen {
		if kinds[gp] == "1" && len(ps) > 0 {
			gpScore[gp] = ijDays[gp] / float64(len(ps))
		}
	}
	split(AnomalyOverIJ, gpScore, func(string) bool { return true })

	maxDay := map[string]float64{}
	for pro, days := range perDay {
		for _, n := range days {
			maxDay[pro] = math.Max(maxDay[pro], float64(n))
		}
	}
	split(AnomalyImpossibleDay, maxDay, func(string) bool { return true })

	phantom := map[string]float64{}
	for ben, ex := range execs {
		if len(ex) != 1 {
			continue
		}
		for e := range ex {
			if k := kinds[e]; k == "24" || k == "26" {
				phantom[ben] = 1
			}
		}
	}
	var ph separation
	for ben := range phantom {
		if pl["patient_fantome/patient"][ben] {
			ph.planted = append(ph.planted, 1)
		} else {
			ph.others = append(ph.others, 1)
		}
	}
	rules[AnomalyPhantom] = ph

	splits, pairs := map[string]float64{}, map[string]float64{}
	for p, pres := range series {
		pairs[p.kine]++
		if len(pres) < 2 {
			continue
		}
		var ds []int32
		for d := range pres {
			ds = append(ds, d)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		if n := pres[ds[0]]; n == 14 || n == 24 {
			splits[p.kine]++
		}
	}
	share := map[string]float64{}
	for k, n := range pairs {
		share[k] = splits[k] / n
	}
	split(AnomalySplitting, share, func(string) bool { return true })

	// Trips: share without care the same day; GP's top transporter share; km
	// billed against the crow-fly distance between the postal codes.
	noCare, tripsBy := map[string]float64{}, map[string]float64{}
	preTo := map[string]map[string]float64{}
	for _, tr := range trips {
		tripsBy[tr.tr]++
		if !care[tr.ben][tr.day] {
			noCare[tr.tr]++
		}
		if tr.pre != "" && kinds[tr.pre] == "1" {
			if preTo[tr.pre] == nil {
				preTo[tr.pre] = map[string]float64{}
			}
			preTo[tr.pre][tr.tr]++
		}
	}
	nc := map[string]float64{}
	for tr, n := range tripsBy {
		if n >= 10 {
			nc[tr] = noCare[tr] / n
		}
	}
	split(AnomalyTripNoCare, nc, func(string) bool { return true })
	coll := map[string]float64{}
	for gp, m := range preTo {
		tot, top := 0.0, 0.0
		for _, n := range m {
			tot += n
			top = math.Max(top, n)
		}
		if tot >= 6 {
			coll[gp] = top / tot
		}
	}
	split(AnomalyCollusion, coll, func(string) bool { return true })

	cp := map[string][3]float64{}
	for _, c := range ref.Communes {
		s := cp[c.CodePostal]
		cp[c.CodePostal] = [3]float64{s[0] + c.Lat, s[1] + c.Lon, s[2] + 1}
	}
	for _, e := range ref.Etablissements {
		if _, ok := cp[e.CodePostal]; !ok {
			cp[e.CodePostal] = [3]float64{e.Lat, e.Lon, 1}
		}
	}
	trsC := readColumns(t, filepath.Join(dir, TableTRS+".parquet"), "DCT_ORD_NUM", "TRS_DEP_CDP", "TRS_ARR_CDP")
	dtrC := readColumns(t, filepath.Join(dir, TableDTR+".parquet"), "DCT_ORD_NUM", "TRS_PRS_IDE", "TRS_ACT_QSN")
	km := map[int64]float64{}
	for i, d := range dtrC.i["DCT_ORD_NUM"] {
		if dtrC.i["TRS_PRS_IDE"][i] == 21 {
			km[d] = float64(dtrC.i["TRS_ACT_QSN"][i])
		}
	}
	exeOf := map[int64]string{}
	for _, tr := range trips {
		exeOf[tr.dct] = tr.tr
	}
	ratio, nr := map[string]float64{}, map[string]float64{}
	for i, d := range trsC.i["DCT_ORD_NUM"] {
		a, b := cp[trsC.s["TRS_DEP_CDP"][i]], cp[trsC.s["TRS_ARR_CDP"][i]]
		if a[2] == 0 || b[2] == 0 {
			continue
		}
		crow := distanceKm(a[0]/a[2], a[1]/a[2], b[0]/b[2], b[1]/b[2])
		if crow < 3 {
			continue
		}
		ratio[exeOf[d]] += km[d] / crow
		nr[exeOf[d]]++
	}
	kmScore := map[string]float64{}
	for tr, n := range nr {
		if n >= 10 {
			kmScore[tr] = ratio[tr] / n
		}
	}
	split(AnomalyKmInflation, kmScore, func(string) bool { return true })

	death := map[string]int32{}
	for _, b := range read[BEN](t, dir, TableBEN) {
		if b.BEN_DCD_DTE != nil {
			death[b.BEN_NIR_PSA] = *b.BEN_DCD_DTE
		}
	}
	after := map[string]float64{}
	for _, r := range prs {
		if d, ok := death[r.BEN_NIR_PSA]; ok && r.EXE_SOI_DTD > d && r.PRS_ACT_QTE > 0 {
			after[r.BEN_NIR_PSA]++
		}
	}
	split(AnomalyAfterDeath, after, func(string) bool { return true })

	kindsOrder := []AnomalyKind{AnomalyOverIJ, AnomalyImpossibleDay, AnomalyAfterDeath, AnomalyPhantom, AnomalyKmInflation, AnomalyTripNoCare, AnomalyCollusion, AnomalySplitting}
	for _, k := range kindsOrder {
		s := rules[k]
		ff, miss := s.falseFlags(), s.missed()
		t.Logf("%-36s plantés %3d, autres %5d : rappel 100 %% → %d faux signalements ; 0 faux signalement → %d plantés manqués", k, len(s.planted), len(s.others), ff, miss)
		if len(s.planted) == 0 {
			t.Errorf("%s : aucun planté mesurable", k)
			continue
		}
		if ff == 0 {
			t.Errorf("%s : la règle évidente sépare parfaitement plantés et autres", k)
		}
	}
}
