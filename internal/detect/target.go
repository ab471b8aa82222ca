package detect

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Options of the targeting.
type Options struct {
	Budget      float64 // share of each profession that may be flagged (0.02)
	MinPatients int64   // prescribers with fewer patients are not scored
	MinExpected float64 // an indicator with a smaller expected count is not scored
	Echelon     string  // "region" (default) or "departement": the peer group of the funnel
	// MinRatio is the Cnam's "≥ 2×" condition (DETECTION.md §2.4 step 4): a
	// prescriber is flagged only when his empirical-Bayes shrunken ratio
	// reaches it, besides z > 3.09. 0 disables it.
	MinRatio float64
	// Alpha is the chance, per professional, of a false flag over all the
	// indicators he is tested on (issue 14's goal: 0.1 % in every decile).
	Alpha float64
}

// DefaultOptions are the Cnam-like settings: 2 % of each profession, at least
// 30 patients seen, at least 5 expected events.
// MinRatio is off by default: on the synthetic region it removes every flag
// at scales up to 0.1 (docs/detection.md, « Résultats »).
var DefaultOptions = Options{Budget: 0.02, MinPatients: 30, MinExpected: 5, Echelon: "region", Alpha: 0.001}

// Flag is one targeted professional, as printed by « medconseil detect --json ».
type Flag struct {
	Professionnel string  `json:"professionnel"`
	Anomalie      string  `json:"anomalie"`
	Score         float64 `json:"score"`
	Explication   string  `json:"explication"`

	Point  *Point  `json:"-"`
	Funnel *Funnel `json:"-"`
}

// Result is the outcome of a targeting run.
type Result struct {
	Funnels    []*Funnel
	Flags      []Flag
	Population map[string]int     // profiled professionals per profession
	Scored     []*Prescriber      // the professionals that entered the funnels
	Options    Options            // the options of the run
	ZFlag      map[string]float64 // per profession: the z a flag must exceed (FlagZ)
	// Unconfirmed are the flags Confirm withdrew (transports explained by
	// trips without care), shown apart so that the withdrawal can be read.
	Unconfirmed []Unconfirmed
	// ConfirmElapsed is the time Confirm took (0 when nothing needed it).
	ConfirmElapsed time.Duration
}

// FlagZ is the one-sided normal quantile a z must exceed for a professional
// tested on k indicators to be falsely flagged with probability at most alpha
// (Bonferroni: alpha/k per indicator), and never less than the 99.8 % limit
// of the funnels.
func FlagZ(alpha float64, k int) float64 {
	z := math.Sqrt2 * math.Erfinv(1-2*alpha/float64(max(k, 1)))
	return math.Max(z, Z998)
}

// Target standardises every indicator, builds the funnels and selects, per
// profession and anomaly type, at most Budget × population professionals among
// those above the 99.8 % limit, best z first.
func Target(pr *Profiles, opt Options) (*Result, error) {
	if opt.Budget <= 0 || opt.Budget > 1 {
		return nil, fmt.Errorf("budget %v invalide : une part entre 0 et 1 est attendue (0.02 pour 2 %%)", opt.Budget)
	}
	if opt.Echelon == "" {
		opt.Echelon = "region"
	}
	if opt.Echelon != "region" && opt.Echelon != "departement" {
		return nil, fmt.Errorf("échelon %q inconnu : « region » ou « departement »", opt.Echelon)
	}
	if opt.Alpha <= 0 || opt.Alpha >= 1 {
		opt.Alpha = DefaultOptions.Alpha
	}
	res := &Result{Population: map[string]int{}, Options: opt, ZFlag: map[string]float64{}}
	byProf := map[string][]*Prescriber{}
	for _, p := range pr.Prescribers {
		if p.Patients < opt.MinPatients || p.Profession == "" {
			continue
		}
		byProf[p.Profession] = append(byProf[p.Profession], p)
		res.Population[p.Profession]++
		res.Scored = append(res.Scored, p)
	}
	profs := make([]string, 0, len(byProf))
	for k := range byProf {
		profs = append(profs, k)
	}
	sort.Strings(profs)
	type cand struct {
		p *Point
		f *Funnel
	}
	var cands []cand
	for _, prof := range profs {
		ps := byProf[prof]
		// The médecin traitant indicators come first: where they make a funnel
		// for this profession, the other indicators of the same anomaly stay in
		// the profile but do not target (mtCovered).
		mtCovered := map[string]bool{}
		followed := followedShare(ps)
		var targeting []*Funnel
		targetInds := map[int]bool{}
		for _, ind := range targetOrder() {
			in := Indicators[ind]
			targets := in.MT || !mtCovered[in.Anomaly]
			// The reference is regional, per profession, and computed twice:
			// the prescribers beyond the 99.8 % limit of the first pass are
			// left out of the second, so that the rates they are compared
			// with are those of their ordinary peers.
			groups, keys := points(ps, ind, NewReference(ps, ind), prof, opt)
			out := map[*Prescriber]bool{}
			for _, g := range keys {
				for _, p := range NewFunnel(ind, g, groups[g]).Points {
					if p.ZAdj > Z998 {
						out[p.Pro] = true
					}
				}
			}
			if len(out) > 0 {
				var kept []*Prescriber
				for _, p := range ps {
					if !out[p] {
						kept = append(kept, p)
					}
				}
				groups, keys = points(ps, ind, NewReference(kept, ind), prof, opt)
			}
			if !in.MT && len(followed) > 0 {
				for _, g := range keys {
					AdjustFollowed(ind, groups[g], followed)
				}
			}
			for _, g := range keys {
				f := NewFunnel(ind, g, groups[g])
				if len(f.Points) < 10 {
					continue // too few peers for a funnel
				}
				res.Funnels = append(res.Funnels, f)
				if in.MT {
					mtCovered[in.Anomaly] = true
				}
				if targets {
					targeting = append(targeting, f)
					targetInds[ind] = true
				}
			}
		}
		// A professional is tested on every targeting indicator of his
		// profession: the flag threshold keeps his chance of a false flag
		// under Alpha over all of them (Bonferroni).
		zmin := FlagZ(opt.Alpha, len(targetInds))
		res.ZFlag[prof] = zmin
		for _, f := range targeting {
			for _, p := range f.Points {
				if p.ZAdj > zmin && (opt.MinRatio <= 0 || Indicators[f.Indicator].Log || f.ShrunkEffect(p) >= opt.MinRatio) {
					cands = append(cands, cand{p, f})
				}
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].p.ZAdj != cands[j].p.ZAdj {
			return cands[i].p.ZAdj > cands[j].p.ZAdj
		}
		return cands[i].p.Pro.Num < cands[j].p.Pro.Num
	})
	// One flag per (professional, anomaly): the best indicator; at most
	// Budget × population professionals per profession and anomaly (a campaign
	// targets one theme: IJ, transports, kinésithérapie…, as the Cnam's do).
	seen := map[string]bool{}
	taken := map[string]map[string]bool{}
	for _, c := range cands {
		pro := c.p.Pro
		an := Indicators[c.p.Indicator].Anomaly
		if seen[pro.Num+"|"+an] {
			continue
		}
		t := taken[pro.Profession+"|"+an]
		if t == nil {
			t = map[string]bool{}
			taken[pro.Profession+"|"+an] = t
		}
		k := int(math.Floor(opt.Budget * float64(res.Population[pro.Profession])))
		if !t[pro.Num] && len(t) >= max(k, 1) {
			continue
		}
		t[pro.Num] = true
		seen[pro.Num+"|"+an] = true
		res.Flags = append(res.Flags, Flag{
			Professionnel: pro.Num, Anomalie: an, Score: math.Round(c.p.ZAdj*100) / 100,
			Explication: Explain(c.p, c.f), Point: c.p, Funnel: c.f,
		})
	}
	return res, nil
}

// followedShare is, for each prescriber of ps who is médecin traitant of
// patients of 16 to 64, ln(those patients / patients seen): the share of his
// panel he follows (AdjustFollowed). Empty for a profession without
// médecin traitant indicators.
func followedShare(ps []*Prescriber) map[*Prescriber]float64 {
	ind := -1
	for i, in := range Indicators {
		if in.MT && !in.Log {
			ind = i
			break
		}
	}
	x := map[*Prescriber]float64{}
	if ind < 0 {
		return x
	}
	for _, p := range ps {
		var n int64
		for _, c := range p.Cells[ind] {
			n += c.N
		}
		if n > 0 && p.Patients > 0 {
			x[p] = math.Log(float64(n) / float64(p.Patients))
		}
	}
	if len(x) < 10 {
		return map[*Prescriber]float64{}
	}
	return x
}

// points standardises every prescriber of ps on indicator ind against ref and
// groups the points by peer group (the profession, or profession/département).
func points(ps []*Prescriber, ind int, ref Reference, prof string, opt Options) (map[string][]*Point, []string) {
	groups := map[string][]*Point{}
	for _, p := range ps {
		o, e, v := ref.Expected(p.Cells[ind])
		if e < opt.MinExpected {
			continue
		}
		g := prof
		if opt.Echelon == "departement" {
			g = prof + "/" + p.Dept
		}
		var n int64
		for _, c := range p.Cells[ind] {
			n += c.N
		}
		groups[g] = append(groups[g], &Point{Pro: p, Indicator: ind, O: o, E: e, V: v, N: float64(n)})
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return groups, keys
}

// targetOrder lists the indicators, the médecin traitant ones first.
func targetOrder() []int {
	var out []int
	for i, in := range Indicators {
		if in.MT {
			out = append(out, i)
		}
	}
	for i, in := range Indicators {
		if !in.MT {
			out = append(out, i)
		}
	}
	return out
}

// Explain writes the figures of a flag in French.
func Explain(p *Point, f *Funnel) string {
	ind := Indicators[p.Indicator]
	peers := "de la région"
	if i := strings.IndexByte(f.Group, '/'); i >= 0 {
		peers = "du département " + f.Group[i+1:]
	}
	if ind.Log {
		return fmt.Sprintf("%s : %s arrêts commencés dans l'année, durée moyenne géométrique observée %s jours, attendue %s jours à patientèle comparable (âge, sexe, département, ALD ; durées normalisées par leur rang parmi les arrêts de la même strate) ; "+
			"ratio des durées %s (%s après rétrécissement bayésien) ; z = %s après surdispersion (z brut %s) ; comparé à %d %s %s.",
			capitalize(ind.Label), frnum(p.N, 0), frnum(math.Exp(p.O/p.N), 1), frnum(math.Exp(p.E/p.N), 1), frnum(f.Effect(p), 2), frnum(f.ShrunkEffect(p), 2),
			frnum(p.ZAdj, 1), frnum(p.Z, 1), len(f.Points), ProfessionLabel(p.Pro.Profession, len(f.Points) > 1), peers)
	}
	adj := ""
	if p.Territory != 0 || p.Followed != 0 {
		adj = fmt.Sprintf(" ; %s une fois retirés le territoire d'exercice (× %s) et la part de sa patientèle suivie en médecin traitant (× %s)",
			frnum(f.AdjustedEffect(p), 2), frnum(math.Exp(p.Territory), 2), frnum(math.Exp(p.Followed), 2))
	}
	return fmt.Sprintf("%s : observé %s, attendu %s à patientèle comparable (âge, sexe, département, ALD ; %d patients vus), "+
		"ratio %s%s (%s après rétrécissement bayésien) ; z = %s après surdispersion (z brut %s, τ = %s sur l'échelle log) ; comparé à %d %s %s, limite à 99,8 %% pour ce volume : ratio %s.",
		capitalize(ind.Label), frnum(p.O, 0), frnum(p.E, 1), p.Pro.Patients, frnum(p.SR, 2), adj, frnum(f.Shrunk(p), 2), frnum(p.ZAdj, 1), frnum(p.Z, 1),
		frnum(math.Sqrt(f.Tau2), 2), len(f.Points), ProfessionLabel(p.Pro.Profession, len(f.Points) > 1), peers, frnum(f.Limit(p.E, Z998), 2))
}

// ProfessionLabel names a PFS_PRA_SPE (IR_SPA_D) in French.
func ProfessionLabel(spa string, plural bool) string {
	l, ok := map[string][2]string{
		"1":  {"généraliste", "généralistes"},
		"26": {"masseur-kinésithérapeute", "masseurs-kinésithérapeutes"},
		"24": {"infirmier", "infirmiers"},
		"55": {"entreprise d'ambulances", "entreprises d'ambulances"},
		"56": {"taxi conventionné", "taxis conventionnés"},
		"50": {"pharmacie", "pharmacies"},
		"19": {"chirurgien-dentiste", "chirurgiens-dentistes"},
		"21": {"sage-femme", "sages-femmes"},
	}[spa]
	if !ok {
		l = [2]string{"médecin de spécialité " + spa, "médecins de spécialité " + spa}
	}
	if plural {
		return l[1]
	}
	return l[0]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// FormatFr formats x with dec decimals the French way (decimal comma, narrow
// no-break space between thousands, "—" for an infinite or undefined value).
func FormatFr(x float64, dec int) string { return frnum(x, dec) }

// frnum formats a number the French way: decimal comma, thin space thousands.
func frnum(x float64, dec int) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return "—"
	}
	s := fmt.Sprintf("%.*f", dec, x)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	out := b.String()
	if fp != "" {
		out += "," + fp
	}
	if neg {
		out = "−" + out
	}
	return out
}
