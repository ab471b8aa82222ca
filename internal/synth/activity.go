package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"medconseil"
)

// shard is the output of the activity of a contiguous range of the population.
// Each shard has its own random stream, so the files do not depend on how many
// workers ran.
type shard struct {
	idx   int
	prs   []PRS
	trs   []TRS
	dtr   []DTR
	tip   []TIP
	arr   []ARR
	atm   []ATM
	imb   []IMB
	stats Stats
	// samples keeps, for planted providers, some of their patients (person
	// indices), for the planted phase.
	samples map[int32][]int32
	trips   map[int32]int
	enCours []ArretEnCours
}

// ArretEnCours is an avis d'arrêt still in flight at the end of the year, for the
// operational store's worklist.
type ArretEnCours struct {
	NIR              medconseil.NIR
	Naissance        medconseil.Date
	Residence        string // INSEE commune
	PrescripteurRPPS string
	Num, Initial     int64 // MC_ARR_F numbers; Initial = Num for an initial avis
	Prolongation     bool
	Debut, Fin       medconseil.Date
	CIM10, Libelle   string
}

// gen generates one shard.
type gen struct {
	w      *World
	rng    *rand.Rand
	out    *shard
	dct    int64
	arrN   int64
	start  medconseil.Date
	end    medconseil.Date
	weyl   float64
	p      *Person
	pi     int32
	age    int
	last   medconseil.Date // last day the person may receive care
	dep3   string
	com3   string
	orgCle string
	mttNum string
}

func (w *World) runShard(idx, lo, hi int) *shard {
	g := &gen{
		w:     w,
		rng:   newRNG(w.cfg.Seed, streamActivity+uint64(idx)),
		out:   &shard{idx: idx, samples: map[int32][]int32{}, trips: map[int32]int{}},
		dct:   int64(idx+1) * 10_000_000,
		arrN:  int64(idx+1) * 1_000_000,
		start: w.start,
		end:   w.end,
	}
	g.weyl = g.rng.Float64()
	for i := lo; i < hi; i++ {
		g.person(int32(i))
	}
	return g.out
}

func (g *gen) person(pi int32) {
	p := &g.w.Pop[pi]
	g.p, g.pi = p, pi
	g.age = p.Age(g.start.AddDays(182))
	g.last = g.end
	if !p.Death.IsZero() {
		g.last = p.Death
	}
	c := &g.w.Ref.Communes[p.Commune]
	g.dep3 = "0" + c.Dep
	g.com3 = c.Code[2:]
	g.orgCle = "01" + c.Dep + "10000"
	g.mttNum = ""
	if p.MT >= 0 {
		g.mttNum = g.w.Off.Pros[p.MT].PFS
	}
	st := &g.out.stats
	st.Persons++
	if p.Salarie {
		st.Salaries++
	}
	if !p.Death.IsZero() {
		st.Deces++
	}
	exposure := float64(g.last.Sub(g.start)+1) / float64(g.end.Sub(g.start)+1)
	g.ald()
	g.consultations(exposure)
	if p.Salarie {
		g.arrets(exposure)
	}
	g.kine(exposure)
	g.infirmier(exposure)
	g.transports(exposure)
	g.lpp(exposure)
}

// day draws a day in [from, to], moved off Sundays when possible.
func (g *gen) day(from, to medconseil.Date) medconseil.Date {
	n := to.Sub(from)
	if n < 0 {
		return from
	}
	d := from.AddDays(g.rng.IntN(n + 1))
	if d.Weekday() == time.Sunday && d.Before(to) {
		d = d.AddDays(1)
	}
	return d
}

func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		n := int(math.Round(lambda + math.Sqrt(lambda)*rng.NormFloat64()))
		return max(n, 0)
	}
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// gamma draws Gamma(shape, 1) (Marsaglia–Tsang).
func gamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gamma(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// claim is what a PRS line needs beyond the beneficiary.
type claim struct {
	exe      int32 // provider index, -1 for an establishment or a cash benefit
	pre      int32 // prescriber index, -1 none
	preDate  medconseil.Date
	from, to medconseil.Date
	nature   int32
	qte      int32
	cft      int64 // coefficient × 100
	paid     int64 // centimes
	taux     int64 // reimbursement rate in %
	asu      int32 // RGO_ASU_NAT
	exo      int32
	etbExe   string
	etbPre   string
}

func (g *gen) keys(exe string, d medconseil.Date, ord int32, newDct bool) Keys {
	if newDct {
		g.dct++
	}
	trt := d.AddDays(2 + int(g.dct%19))
	dis := medconseil.NewDate(trt.Year(), trt.Month(), 1).AddMonths(1)
	num := int32(0)
	for i := 0; i < len(exe) && i < 8; i++ {
		num = num*10 + int32(exe[i]-'0')%10
	}
	return Keys{
		FLX_DIS_DTD: pqDate(dis), FLX_TRT_DTD: pqDate(trt), FLX_EMT_TYP: 1,
		FLX_EMT_NUM: num, FLX_EMT_ORD: int32(trt.Sub(epoch) % 10000), ORG_CLE_NUM: g.orgCle,
		DCT_ORD_NUM: g.dct, PRS_ORD_NUM: ord, REM_TYP_AFF: 1,
	}
}

func atoi32(s string) int32 { n, _ := strconv.Atoi(s); return int32(n) }

// emit writes a PRS line and returns its keys (for the satellites).
func (g *gen) emit(c claim) Keys {
	p := g.p
	var exe, pre string
	var speE, actE, speP, actP int32
	if c.exe >= 0 {
		pr := &g.w.Off.Pros[c.exe]
		exe, speE, actE = pr.PFS, atoi32(pr.Spe), atoi32(pr.Act)
	}
	if c.pre >= 0 {
		pr := &g.w.Off.Pros[c.pre]
		pre, speP, actP = pr.PFS, atoi32(pr.Spe), atoi32(pr.Act)
	}
	if c.to.IsZero() {
		c.to = c.from
	}
	if c.qte == 0 {
		c.qte = 1
	}
	taux := c.taux
	if c.asu == 40 || c.exo == 41 {
		taux = 100
	}
	k := g.keys(exe+pre, c.from, 1, true)
	g.out.prs = append(g.out.prs, PRS{
		Keys:        k,
		BEN_NIR_PSA: p.PSA, BEN_SEX_COD: int32(p.Sex), BEN_AMA_COD: int32(p.Age(c.from)),
		BEN_RES_DPT: g.dep3, BEN_RES_COM: g.com3,
		EXE_SOI_DTD: pqDate(c.from), EXE_SOI_DTF: pqDate(c.to), PRE_PRE_DTD: pqDate(c.preDate),
		PRS_NAT_REF: c.nature, PRS_ACT_QTE: c.qte, PRS_ACT_NBR: 1, PRS_ACT_CFT: c.cft,
		PRS_PAI_MNT: c.paid, BSE_REM_BSE: c.paid, BSE_REM_MNT: c.paid * taux / 100,
		PFS_EXE_NUM: exe, PFS_PRE_NUM: pre, PRS_MTT_NUM: g.mttNum,
		PSE_SPE_COD: speE, PSE_ACT_NAT: actE, PSP_SPE_COD: speP, PSP_ACT_NAT: actP,
		ETB_PRE_FIN: c.etbPre, ETB_EXE_FIN: c.etbExe, RGO_ASU_NAT: c.asu, EXO_MTF: c.exo,
	})
	return k
}

func (g *gen) exo() int32 {
	if g.p.ALD >= 0 && g.rng.Float64() < 0.6 {
		return 41 // in relation to the ALD
	}
	return 0
}

// ald writes the beneficiary's ALD in IR_IMB_R (Cnam: protocols of 10 years for
// most lists, art. R160-16 CSS; 5 for some).
func (g *gen) ald() {
	p := g.p
	if p.ALD < 0 {
		return
	}
	a := aldMix[p.ALD]
	var dtd medconseil.Date
	if p.ALDNew {
		dtd = g.day(g.start, g.end)
	} else {
		dtd = g.start.AddDays(-1 - g.rng.IntN(9*365))
	}
	g.out.imb = append(g.out.imb, IMB{
		BEN_NIR_PSA: p.PSA, IMB_ETM_NAT: 41, IMB_ALD_NUM: atoi32(a.num),
		IMB_ALD_DTD: pqDate(dtd), IMB_ALD_DTF: pqDate(dtd.AddYears(10).AddDays(-1)),
		MED_MTF_COD: a.cims[p.ALDCim], MED_NCL_IDT: "CIM10", INS_DTE: pqDate(dtd.AddDays(15)),
	})
	g.out.stats.ALD++
}

func (g *gen) nearPro(k Kind) int32 {
	near := g.w.Off.Near(k, g.p.Commune)
	if len(near) == 0 {
		return -1
	}
	return near[nearChoice(g.rng, len(near))]
}

func (g *gen) gp() int32 {
	if g.p.MT >= 0 && g.rng.Float64() < 0.85 {
		return g.p.MT
	}
	return g.nearPro(KindGeneraliste)
}

// consultations: GP (Drees, ≈ 4 consultations a year, more at the ends of life),
// specialists, dentists, midwives.
func (g *gen) consultations(exposure float64) {
	lgp := 3.0
	switch {
	case g.age < 5:
		lgp = 5.5
	case g.age < 15:
		lgp = 2.2
	case g.age < 45:
		lgp = 2.8
	case g.age < 65:
		lgp = 3.8
	case g.age < 75:
		lgp = 5.0
	default:
		lgp = 7.0
	}
	if g.p.ALD >= 0 {
		lgp *= 1.5
	}
	for n := poisson(g.rng, lgp*exposure); n > 0; n-- {
		d := g.day(g.start, g.last)
		nat, paid := int32(1110), int64(tarifG)
		if g.age >= 80 && g.rng.Float64() < 0.25 {
			nat, paid = 1211, tarifG+1000
		}
		g.emit(claim{exe: g.gp(), pre: -1, from: d, nature: nat, paid: paid, taux: 70, asu: 10, exo: g.exo()})
	}
	ls := 1.0 + float64(g.age)/60
	for n := poisson(g.rng, ls*exposure); n > 0; n-- {
		s := g.nearPro(KindSpecialiste)
		nat := int32(1112)
		if g.w.Off.Pros[s].Spe == "33" {
			nat = 1113
		}
		g.emit(claim{exe: s, pre: g.p.MT, from: g.day(g.start, g.last), nature: nat, paid: tarifCS, taux: 70, asu: 10, exo: g.exo()})
	}
	if g.rng.Float64() < 0.42 {
		s := g.nearPro(KindDentiste)
		for n := 1 + g.rng.IntN(3); n > 0; n-- {
			g.emit(claim{exe: s, pre: -1, from: g.day(g.start, g.last), nature: 1111, paid: tarifCdent, taux: 70, asu: 10})
		}
	}
	if g.p.Sex == 2 && g.age >= 20 && g.age < 42 && g.rng.Float64() < 0.07 {
		s := g.nearPro(KindSageFemme)
		for n := 2 + g.rng.IntN(5); n > 0; n-- {
			g.emit(claim{exe: s, pre: -1, from: g.day(g.start, g.last), nature: 1111, paid: tarifCdent, taux: 100, asu: 30})
		}
	}
}

// arrets draws the year's arrêts de travail of an employee (see rates.go).
func (g *gen) arrets(exposure float64) {
	p := g.p
	mult, durMult := 1.0, 1.0
	if p.MT >= 0 {
		if a, ok := g.w.plan.overIJ[p.MT]; ok {
			if a.variant == "taux" {
				mult = a.intensity
			} else {
				durMult = a.intensity
			}
		}
	}
	ageRate := 1.0
	if g.age < 30 {
		ageRate = 1.1
	} else if g.age >= 55 {
		ageRate = 0.95
	}
	lambda := g.w.lambda0 * chevauchement * gamma(g.rng, arretsGammaShape) / arretsGammaShape * mult * ageRate * exposure
	n := poisson(g.rng, lambda)
	if n == 0 {
		return
	}
	starts := make([]medconseil.Date, n)
	for i := range starts {
		starts[i] = g.day(g.start, g.last)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	free := g.start
	for _, s := range starts {
		if s.Before(free) {
			continue // already on leave then
		}
		dur := g.duree()
		if durMult != 1 {
			// Longer arrêts, but past a year only those that already were: beyond
			// a year the Service médical reviews every arrêt anyway.
			limit := 365
			if dur > 365 {
				limit = 1095
			}
			dur = min(int(float64(dur)*durMult+0.5), limit)
		}
		g.arret(s, dur)
		free = s.AddDays(dur + 1)
	}
}

func (g *gen) duree() int {
	am := ageDuree(g.age)
	// The class comes from a Weyl sequence rather than independent draws: the
	// duration mix of a shard then matches the target closely even at small
	// scales (3 % over a year is a rare class), while durations stay random.
	g.weyl = math.Mod(g.weyl+0.6180339887498949, 1)
	c := pickU(len(dureeClasses), func(i int) float64 {
		if i >= 2 {
			return dureeClasses[i].p * am
		}
		return dureeClasses[i].p
	}, g.weyl)
	dc := dureeClasses[c]
	if c == 0 { // short arrêts: mostly 2 to 4 days
		return []int{1, 2, 2, 3, 3, 3, 4, 4, 5, 7, 6, 7}[g.rng.IntN(12)]
	}
	return dc.min + g.rng.IntN(dc.max-dc.min+1)
}

func (g *gen) motif(dur int, atmp bool) string {
	if atmp {
		return []string{"S835", "S934", "S626", "M751", "M545", "S420", "T141", "G560"}[g.rng.IntN(8)]
	}
	i := pickP(len(motifsArret), func(i int) float64 {
		m := motifsArret[i]
		switch {
		case dur <= 7 && m.court:
			return m.p * 4
		case dur > 30 && !m.court:
			return m.p * 3
		}
		return m.p
	}, g.rng)
	cims := motifsArret[i].cims
	return cims[g.rng.IntN(len(cims))]
}

// arret writes one arrêt: the initial avis and its prolongations (by the same
// prescriber or the médecin traitant, art. L162-4-4 CSS), the consultation that
// goes with the initial avis, the IJ paid after the carence, and for AT/MP the
// claim with its certificate and outcome.
func (g *gen) arret(s medconseil.Date, dur int) {
	p := g.p
	st := &g.out.stats
	st.Arrets++
	if dur < 8 {
		st.ArretsMoins8++
	}
	if dur > 365 {
		st.ArretsPlus1an++
	}
	atmp := g.rng.Float64() < partArretsATMP
	motif := g.motif(dur, atmp)
	pre := p.MT
	if pre < 0 || g.rng.Float64() < 0.18 {
		if g.rng.Float64() < 0.6 {
			pre = g.nearPro(KindGeneraliste)
		} else {
			pre = g.nearPro(KindSpecialiste)
		}
	}
	asu, ini, pro := int32(10), "AAS", "PAS"
	var sin int64
	if atmp {
		asu, ini, pro = 40, "AAT", "PAT"
		g.arrN++
		sin = g.arrN
		g.sinistre(sin, s, dur, pre, motif)
	}
	g.emit(claim{exe: pre, pre: -1, from: s, nature: 1110, paid: tarifG, taux: 70, asu: asu})
	end := s.AddDays(dur - 1)
	first := dur
	if dur > 15 || g.rng.Float64() < 0.2 {
		first = min(dur, 3+g.rng.IntN(13))
	}
	g.arrN++
	iniNum := g.arrN
	cur, cpre, nat := s, pre, ini
	remaining := dur
	seg := first
	var segs []ArretEnCours
	for remaining > 0 {
		if cur.After(g.last) || cur.After(g.end) {
			break
		}
		segEnd := cur.AddDays(seg - 1)
		num := g.arrN
		if nat != ini {
			g.arrN++
			num = g.arrN
		}
		segs = append(segs, ArretEnCours{Num: num, Initial: iniNum, Prolongation: nat != ini, Debut: cur, Fin: segEnd,
			PrescripteurRPPS: g.w.Off.Pros[cpre].RPPS, CIM10: motif})
		g.out.arr = append(g.out.arr, ARR{
			ARR_NUM: num, ARR_INI_NUM: iniNum, BEN_NIR_PSA: p.PSA, AAT_NAT_COD: nat, RGO_ASU_NAT: asu,
			ARR_PRE_DTD: pqDate(cur), ARR_DEB_DTD: pqDate(cur), ARR_FIN_DTD: pqDate(segEnd),
			PFS_PRE_NUM: g.w.Off.Pros[cpre].PFS, MED_MTF_COD: motif, SIN_NUM: sin,
		})
		if nat != ini {
			g.emit(claim{exe: cpre, pre: -1, from: cur.AddDays(-1), nature: 1110, paid: tarifG, taux: 70, asu: asu})
		}
		remaining -= seg
		cur = segEnd.AddDays(1)
		nat = pro
		if p.MT >= 0 && g.rng.Float64() < 0.3 {
			cpre = p.MT
		}
		if dur > 90 {
			seg = min(remaining, 30+g.rng.IntN(31))
		} else {
			seg = min(remaining, 7+g.rng.IntN(24))
		}
	}
	// Arrêts whose latest avis reached the Service médical in the last two weeks
	// of the year are the dossiers in flight for the operational store.
	if n := len(segs); n > 0 && !segs[n-1].Debut.Before(g.end.AddDays(-13)) && !segs[n-1].Debut.After(g.last) {
		c := &g.w.Ref.Communes[p.Commune]
		for _, sg := range segs {
			sg.NIR, sg.Naissance, sg.Residence = p.NIR, p.Birth, c.Code
			sg.Libelle = g.w.Ref.CIMLib[sg.CIM10]
			if sg.PrescripteurRPPS != "" {
				g.out.enCours = append(g.out.enCours, sg)
			}
		}
	}
	// IJ: paid from the 4th day for sickness (R323-1 CSS), from the 1st for AT/MP,
	// by calendar month, within the year and the beneficiary's life.
	payFrom := s
	if !atmp {
		payFrom = s.AddDays(carenceJours)
	}
	payTo := end
	if payTo.After(g.last) {
		payTo = g.last
	}
	if payTo.After(g.end) {
		payTo = g.end
	}
	ij := ijJournaliere(g.age)
	for d := payFrom; !d.After(payTo); {
		me := medconseil.NewDate(d.Year(), d.Month(), 1).AddMonths(1).AddDays(-1)
		if me.After(payTo) {
			me = payTo
		}
		days := me.Sub(d) + 1
		since := d.Sub(s)
		nat := int32(6111)
		switch {
		case since >= 180:
			nat = 6110
		case since >= 90:
			nat = 6112
		}
		if !d.Before(g.start) {
			g.emit(claim{exe: -1, pre: pre, preDate: s, from: d, to: me, nature: nat, qte: int32(days), paid: ij * int64(days), taux: 100, asu: asu})
			st.JoursIJ += int64(days)
		}
		d = me.AddDays(1)
	}
}

// sinistre writes an AT/MP: the claim (MC_ATM_F) and its IR_IMB_R line. Outcomes:
// guérison for short arrêts, consolidation with an IPP rate for long ones
// (Cnam, rapport de gestion AT/MP 2023), in progress when still running.
func (g *gen) sinistre(num int64, s medconseil.Date, dur int, pre int32, motif string) {
	nat, tab := int32(0), ""
	switch x := g.rng.Float64(); {
	case x < 0.10:
		nat = 1 // trajet
	case x < 0.22:
		nat = 5 // MP tableau
		tab = []string{"057", "098", "030"}[pickP(3, func(i int) float64 { return []float64{0.88, 0.08, 0.04}[i] }, g.rng)]
		if tab == "057" {
			motif = []string{"M751", "G560", "M770"}[g.rng.IntN(3)]
		}
		if tab == "098" {
			motif = "M511"
		}
		if tab == "030" {
			motif = "J920"
		}
	}
	end := s.AddDays(dur - 1)
	iss, ipp := "GUERISON", int32(0)
	issDte := end.AddDays(1)
	switch {
	case end.After(g.end) || end.After(g.last):
		iss, issDte = "EN_COURS", medconseil.Date{}
	case dur > 90:
		iss, ipp = "CONSOLIDATION", int32(1+g.rng.IntN(25))
	}
	g.out.atm = append(g.out.atm, ATM{
		SIN_NUM: num, BEN_NIR_PSA: g.p.PSA, SIN_NAT_COD: nat, SIN_SUR_DTE: pqDate(s.AddDays(-g.rng.IntN(2))),
		CMI_DTE: pqDate(s), PFS_PRE_NUM: g.w.Off.Pros[pre].PFS, MED_MTF_COD: motif, SIN_MLP_TAB: tab,
		SIN_ISS_COD: iss, SIN_ISS_DTE: pqDate(issDte), SIN_IPP_TAU: ipp,
	})
	etm := int32(11)
	btr := ""
	if nat == 5 {
		etm, btr = 12, "A"
	}
	g.out.imb = append(g.out.imb, IMB{
		BEN_NIR_PSA: g.p.PSA, IMB_ETM_NAT: etm, IMB_ALD_DTD: pqDate(s), IMB_ALD_DTF: pqDate(issDte),
		IMB_MLP_TAB: tab, IMB_MLP_BTR: btr, MED_MTF_COD: motif, MED_NCL_IDT: "CIM10", INS_DTE: pqDate(s.AddDays(20)),
	})
}

// kine draws physiotherapy: patients, their kinés, prescription series.
func (g *gen) kine(exposure float64) {
	prob := 0.085
	switch {
	case g.age < 15:
		prob = 0.03
	case g.age >= 75:
		prob = 0.28
	case g.age >= 60:
		prob = 0.13
	}
	if g.rng.Float64() >= prob*exposure {
		return
	}
	nk := 1
	if g.rng.Float64() < 0.12 {
		nk = 2
	}
	for k := 0; k < nk; k++ {
		kine := g.nearPro(KindKine)
		if kine < 0 {
			return
		}
		sessions := 0
		for series := 0; series < 3; series++ {
			si := pickP(len(situationsKine), func(i int) float64 {
				s := situationsKine[i]
				if s.chronique && g.age >= 75 {
					return s.p * 2.5
				}
				if s.chronique && g.age < 60 {
					return s.p * 0.5
				}
				return s.p
			}, g.rng)
			sessions += g.serie(kine, si)
			if g.rng.Float64() > 0.12 {
				break
			}
		}
		if sessions > 0 {
			g.out.stats.KinePaires++
			g.out.stats.KineSeances += int64(sessions)
			if _, ok := g.w.plan.kineAnom[kine]; ok {
				g.sample(kine)
			}
		}
	}
}

func (g *gen) sample(pro int32) {
	if l := g.out.samples[pro]; len(l) < 64 {
		g.out.samples[pro] = append(l, g.pi)
	}
}

// serie writes one prescription series of sessions, 2 to 3 a week on working
// days; the planted splitter bills past the threshold under a second, backdated
// prescription.
func (g *gen) serie(kine int32, si int) int {
	s := situationsKine[si]
	n := s.min + g.rng.IntN(s.max-s.min+1)
	pre := g.p.MT
	if pre < 0 || g.rng.Float64() < 0.35 {
		pre = g.nearPro(KindSpecialiste)
	}
	preDate := g.day(g.start.AddDays(-50), g.end.AddDays(-10))
	first := preDate.AddDays(2 + g.rng.IntN(8))
	split := false
	if a, ok := g.w.plan.kineAnom[kine]; ok && a.kind == AnomalySplitting && s.seuil > 0 && g.rng.Float64() < a.intensity {
		split = true
		n = s.seuil - 1 + s.seuil - 2 - g.rng.IntN(3)
	}
	d, done, count := first, 0, 0
	gap := []int{2, 2, 3, 2, 3}
	pre2 := preDate
	for done < n {
		if d.After(g.last) || d.After(g.end) {
			break
		}
		if split && done == s.seuil-1 {
			pre2 = d.AddDays(-1)
			g.out.stats.SplitSeries++
		}
		if !d.Before(g.start) {
			g.emit(claim{exe: kine, pre: pre, preDate: pre2, from: d, nature: atoi32(s.nature), cft: int64(s.coef * 100), paid: int64(s.coef * kineAMK), taux: 60, asu: 10, exo: g.exo()})
			count++
		}
		done++
		d = d.AddDays(gap[done%len(gap)])
		if d.Weekday() == time.Sunday {
			d = d.AddDays(1)
		}
	}
	return count
}

// infirmier draws nursing acts (AMI), frequent in old age and ALD.
func (g *gen) infirmier(exposure float64) {
	prob := 0.03
	switch {
	case g.age >= 75:
		prob = 0.22
	case g.age >= 65:
		prob = 0.08
	}
	if g.p.ALD >= 0 {
		prob += 0.05
	}
	if g.rng.Float64() >= prob*exposure {
		return
	}
	ide := g.nearPro(KindInfirmier)
	n := 3 + int(g.rng.ExpFloat64()*18)
	from := g.day(g.start, g.last)
	for i := 0; i < n; i++ {
		d := from.AddDays(i * (1 + g.rng.IntN(3)))
		if d.After(g.last) || d.After(g.end) {
			break
		}
		cft := int64([]int{100, 200, 300, 400}[g.rng.IntN(4)])
		g.emit(claim{exe: ide, pre: g.p.MT, preDate: from.AddDays(-2), from: d, nature: 3111, cft: cft, paid: tarifAMI * cft / 100, taux: 60, asu: 10, exo: g.exo()})
	}
	if _, ok := g.w.plan.kineAnom[ide]; ok {
		g.sample(ide)
	}
}

// transports draws the transported patients: hospital stays, consultations and
// series (chemotherapy, dialysis, SSR), from home to a real establishment, with
// the distance from the commune's centroid, the mode mix and fares of rates.go.
func (g *gen) transports(exposure float64) {
	prob := 0.035
	switch {
	case g.age >= 75:
		prob = 0.24
	case g.age >= 60:
		prob = 0.09
	}
	if g.p.ALD >= 0 {
		prob *= 1.8
	}
	if g.rng.Float64() >= prob*exposure {
		return
	}
	pi := pickP(len(transportProfils), func(i int) float64 {
		pr := transportProfils[i]
		switch {
		case pr.etab == "dialyse" && g.p.ALD >= 0 && aldMix[g.p.ALD].num == "19":
			return 6
		case pr.etab == "cancer" && g.p.ALD >= 0 && aldMix[g.p.ALD].num == "30":
			return 3
		}
		return pr.p
	}, g.rng)
	prof := transportProfils[pi]
	etabs := g.w.Off.nearEtab[prof.etab][g.p.Commune]
	if len(etabs) == 0 {
		etabs = g.w.Off.nearEtab["any"][g.p.Commune]
	}
	et := &g.w.Ref.Etablissements[etabs[nearChoice(g.rng, len(etabs))]]
	mi := pickP(len(modeMix), func(i int) float64 {
		if i == 0 && g.age >= 80 {
			return modeMix[i].p * 1.8
		}
		return modeMix[i].p
	}, g.rng)
	mode := modeMix[mi]
	kind := KindAmbulance
	if mode.nature == "4214" {
		kind = KindTaxi
	}
	pre := g.p.MT
	etbPre := ""
	if prof.serie || pre < 0 {
		pre, etbPre = -1, et.Finess
	}
	tr := g.nearPro(kind)
	if pre >= 0 {
		if a, ok := g.w.plan.collusion[pre]; ok && g.rng.Float64() < a.intensity {
			tr = a.partner
		}
	}
	c := &g.w.Ref.Communes[g.p.Commune]
	route := distanceKm(c.Lat, c.Lon, et.Lat, et.Lon)*1.25 + 1
	n := prof.min + g.rng.IntN(prof.max-prof.min+1)
	pairs := max(1, n/2)
	var dates []medconseil.Date
	d0 := g.day(g.start.AddDays(-30), g.last)
	switch {
	case prof.serie:
		step := []int{2, 2, 3}
		if prof.etab == "cancer" {
			step = []int{7, 7, 1, 1, 1, 1, 3}
		}
		d := d0
		for i := 0; i < pairs; i++ {
			dates = append(dates, d)
			d = d.AddDays(step[i%len(step)])
		}
	case prof.motif == 10:
		dates = append(dates, d0)
	default:
		for i := 0; i < pairs; i++ {
			dates = append(dates, g.day(g.start, g.last))
		}
	}
	los := 0
	if prof.motif == 10 {
		los = 1 + int(g.rng.ExpFloat64()*5)
	}
	trips := 0
	for _, d := range dates {
		if d.Before(g.start) || d.After(g.last) || d.After(g.end) {
			continue
		}
		back := d.AddDays(los)
		if back.After(g.last) || back.After(g.end) {
			back = d
		}
		// The care at the establishment the trip goes to.
		if prof.motif == 10 {
			g.emit(claim{exe: -1, pre: -1, from: d, to: back, nature: 2211, qte: int32(los + 1), paid: tarifSejour * int64(los+1), taux: 80, asu: 10, etbExe: et.Finess})
		} else {
			g.emit(claim{exe: -1, pre: -1, from: d, nature: 1112, paid: tarifCS, taux: 100, asu: 10, exo: 41, etbExe: et.Finess})
		}
		g.trip(tr, pre, etbPre, mode.nature, mode.forfait, mode.km, d, route, et.Finess, prof.motif, 1)
		g.trip(tr, pre, etbPre, mode.nature, mode.forfait, mode.km, back, route, et.Finess, prof.motif, 2)
		trips += 2
	}
	if trips > 0 {
		g.out.stats.Transportes++
		g.out.stats.Trajets += int64(trips)
		g.out.trips[tr] += trips
		if _, ok := g.w.plan.transAnom[tr]; ok {
			g.sample(tr)
		}
	}
}

// trip writes one trip: its PRS line, its ER_TRS_F line and the ER_DTR_F items
// (forfait and kilometres, IR_DTR_V 11 and 21).
func (g *gen) trip(tr, pre int32, etbPre, nature string, forfait, perKm int64, d medconseil.Date, route float64, finess string, motif, dir int) {
	km := int(math.Ceil(route)) + g.rng.IntN(2)
	if a, ok := g.w.plan.transAnom[tr]; ok && a.kind == AnomalyKmInflation {
		km = int(math.Round(float64(km) * a.intensity))
	}
	mtf := int32(motif)
	if route > 150 {
		mtf++
	}
	paid := forfait + perKm*int64(km)
	k := g.emit(claim{exe: tr, pre: pre, preDate: d.AddDays(-3), from: d, nature: atoi32(nature), paid: paid, taux: 65, asu: 10, exo: g.exo(), etbPre: etbPre})
	g.out.trs = append(g.out.trs, TRS{Keys: k, BEN_NIR_PSA: g.p.PSA, EXE_SOI_DTD: pqDate(d), TRS_DEP_COM: g.w.Ref.Communes[g.p.Commune].Code, ETB_EXE_FIN: finess, TRS_TRS_MTF: mtf, TRS_ALR_RET: int32(dir), PRS_NAT_REF: atoi32(nature)})
	g.out.dtr = append(g.out.dtr,
		DTR{Keys: k, ORG_CLE_NEW: k.ORG_CLE_NUM, TRS_ORD_NUM: 1, TRS_PRS_IDE: 11, TRS_ACT_QSN: 1, TRS_ACT_PRU: forfait, TRS_TRS_MTF: mtf},
		DTR{Keys: k, ORG_CLE_NEW: k.ORG_CLE_NUM, TRS_ORD_NUM: 2, TRS_PRS_IDE: 21, TRS_ACT_QSN: int32(km), TRS_ACT_PRU: perKm, TRS_TRS_MTF: mtf},
	)
}

// lpp draws deliveries of the LPP (devices) by the nearest pharmacies.
func (g *gen) lpp(exposure float64) {
	prob := 0.07
	if g.age >= 75 {
		prob = 0.30
	}
	if g.p.ALD >= 0 {
		prob += 0.10
	}
	if g.rng.Float64() >= prob*exposure || len(g.w.lppItems) == 0 {
		return
	}
	ph := g.nearPro(KindPharmacie)
	it := g.w.lppItems[pickP(len(g.w.lppItems), func(i int) float64 { return g.w.lppItems[i].p }, g.rng)]
	for n := 1 + g.rng.IntN(4); n > 0; n-- {
		d := g.day(g.start, g.last)
		q := int32(1 + g.rng.IntN(it.maxQ))
		paid := it.price * int64(q)
		k := g.emit(claim{exe: ph, pre: g.p.MT, preDate: d.AddDays(-5), from: d, nature: it.nature, qte: q, paid: paid, taux: 60, asu: 10, exo: g.exo()})
		g.out.tip = append(g.out.tip, TIP{Keys: k, ORG_CLE_NEW: k.ORG_CLE_NUM, TIP_ORD_NUM: 1, TIP_PRS_IDE: it.code, TIP_PRS_TYP: it.typ, TIP_ACT_QSN: q, TIP_ACT_PRU: it.price, TIP_PUB_PRX: it.price, TIP_ACL_DTD: pqDate(d), TIP_ACL_DTF: pqDate(d.AddDays(it.days))})
	}
}
