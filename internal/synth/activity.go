package synth

import (
	"fmt"
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
	ete   []ETE
	pha   []PHA
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
	// obs counts what planted providers produced, for the ground truth.
	obs     map[int32]*observed
	maxTrt  map[int32]int32 // per person index: latest FLX_TRT_DTD
	vol     []int32         // per provider: base lines executed
	enCours []ArretEnCours
	clos    []ArretEnCours
}

// observed is what the data shows of one planted provider.
type observed struct {
	Lignes       int64 // ER_PRS_F lines it executed
	Arrets       int64 // arrêts it prescribed (initial avis)
	JoursIJ      int64 // IJ days paid on them within the year
	Trajets      int64 // trips it executed (transporter) or prescribed (GP)
	TrajetsPart  int64 // prescribed trips done by the partner (collusion)
	KmFactures   int64
	KmSansFraude int64
	Splits       int64 // series split under a second prescription (planted)
}

// ArretEnCours is an avis d'arrêt of the year (a row of MC_ARR_F with its assuré):
// one still in flight at the end of the year, for the operational store's
// worklist (Result.EnCours), or one of an arrêt closed before (Result.Clos).
type ArretEnCours struct {
	NIR              medconseil.NIR
	Naissance        medconseil.Date
	Residence        string // INSEE commune
	PrescripteurRPPS string
	Num, Initial     int64 // MC_ARR_F numbers; Initial = Num for an initial avis
	Prolongation     bool
	Debut, Fin       medconseil.Date
	CIM10, Libelle   string
	// Anterieur marks an avis of an earlier year (Result.Clos only): the history of
	// an arrêt begun before the year, whose avis of the year are in MC_ARR_F.
	Anterieur bool
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
	first  medconseil.Date // first day the person may receive care (birth)
	last   medconseil.Date // last day the person may receive care
	dep3   string
	com3   string
	naiAnn string
	org    caisse
	mttNum *string
	noReg  bool // planted claims are never regularised
}

// newShard takes a written shard's buffers back from the free list (a shard's
// lines are large structs, and growing fresh slices for each shard was most of
// the generation's CPU), or makes a new one sized for its persons.
func (w *World) newShard(idx int) *shard {
	var s *shard
	select {
	case s = <-w.free:
	default:
	}
	if s != nil {
		*s = shard{idx: idx, prs: s.prs[:0], ete: s.ete[:0], pha: s.pha[:0], trs: s.trs[:0], dtr: s.dtr[:0], tip: s.tip[:0],
			arr: s.arr[:0], atm: s.atm[:0], imb: s.imb[:0], samples: map[int32][]int32{}, trips: map[int32]int{},
			obs: map[int32]*observed{}, maxTrt: map[int32]int32{}, vol: s.vol, enCours: nil, clos: nil}
		clear(s.vol)
		return s
	}
	return &shard{idx: idx, prs: make([]PRS, 0, 64*w.cfg.ShardSize), samples: map[int32][]int32{}, trips: map[int32]int{}, obs: map[int32]*observed{}, maxTrt: map[int32]int32{}, vol: make([]int32, len(w.Off.Pros))}
}

// release gives a written shard's buffers back to the free list.
func (w *World) release(s *shard) {
	select {
	case w.free <- s:
	default:
	}
}

func (w *World) newGen(idx int, stream uint64) *gen {
	return &gen{
		w:     w,
		rng:   newRNG(w.cfg.Seed, stream),
		out:   w.newShard(idx),
		dct:   int64(idx+1) * 10_000_000,
		arrN:  int64(idx+1) * 1_000_000,
		start: w.start,
		end:   w.end,
	}
}

func (w *World) runShard(idx, lo, hi int) *shard {
	g := w.newGen(idx, streamActivity+uint64(idx))
	g.weyl = g.rng.Float64()
	for i := lo; i < hi; i++ {
		g.person(int32(i))
	}
	return g.out
}

// set makes pi the current beneficiary.
func (g *gen) set(pi int32) {
	p := &g.w.Pop[pi]
	g.p, g.pi = p, pi
	g.age = p.Age(g.start.AddDays(182))
	g.first = g.start
	if p.Birth.After(g.first) {
		g.first = p.Birth
	}
	g.last = g.end
	if !p.Death.IsZero() {
		g.last = p.Death
	}
	c := &g.w.Ref.Communes[p.Commune]
	g.dep3 = "0" + c.Dep
	g.com3 = c.Code[2:]
	g.naiAnn = strconv.Itoa(p.Birth.Year())
	g.org = g.w.caisses[c.Dep]
	g.mttNum = nil
	if p.MT >= 0 {
		g.mttNum = &g.w.Off.Pros[p.MT].PFS
	}
}

func (g *gen) obs(pro int32) *observed {
	if !g.w.plan.planted(pro) {
		return nil
	}
	o := g.out.obs[pro]
	if o == nil {
		o = &observed{}
		g.out.obs[pro] = o
	}
	return o
}

func (g *gen) person(pi int32) {
	g.set(pi)
	p := g.p
	st := &g.out.stats
	st.Persons++
	if p.Salarie {
		st.Salaries++
	}
	if !p.Death.IsZero() {
		st.Deces++
	}
	if !p.Birth.Before(g.start) {
		st.Naissances++
	}
	exposure := float64(g.last.Sub(g.first)+1) / float64(g.end.Sub(g.start)+1)
	g.ald()
	g.consultations(exposure)
	if p.Salarie {
		g.arrets(exposure)
	}
	g.kine(exposure)
	g.infirmier(exposure)
	g.transports(exposure)
	g.lpp(exposure)
	g.pharmacie(exposure)
	g.labo(exposure)
	g.lateBilling()
}

// labo draws blood tests (B acts, NABM): about half of adults a year, more with
// age and ALD (Cnam, biologie médicale; an estimate), prescribed by the GP.
func (g *gen) labo(exposure float64) {
	prob := 0.25
	switch {
	case g.age >= 65:
		prob = 0.7
	case g.age >= 18:
		prob = 0.45
	}
	if g.p.ALD >= 0 {
		prob = 0.9
	}
	if g.rng.Float64() >= prob*exposure {
		return
	}
	lab := g.choose(KindLabo)
	if lab < 0 {
		return
	}
	pre := g.p.MT
	if pre < 0 {
		pre = g.choose(KindGeneraliste)
	}
	for n := 1 + g.rng.IntN(3); n > 0; n-- {
		d := g.day(g.first, g.last, "pharm")
		cft := int64(40+g.rng.IntN(200)) * 100
		g.emit(claim{exe: lab, pre: pre, preDate: d.AddDays(-g.rng.IntN(10)), from: d, nature: 3211, cft: cft, paid: cft * tarifB / 100, taux: 60, asu: 10, exo: g.exo(), regul: true})
	}
}

// day draws a day in [from, to] following a weekday mix (rates.go).
func (g *gen) day(from, to medconseil.Date, mix string) medconseil.Date {
	n := to.Sub(from)
	if n < 0 {
		return from
	}
	wm := weekdayMix[mix]
	for try := 0; try < 20; try++ {
		d := from.AddDays(g.rng.IntN(n + 1))
		if g.rng.Float64()*1.2 < wm[d.Weekday()] {
			return d
		}
	}
	return from.AddDays(g.rng.IntN(n + 1))
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
	paid     int64 // centimes, the tariff (base de remboursement)
	dep      int64 // dépassement, centimes
	taux     int64 // reimbursement rate in %
	asu      int32 // RGO_ASU_NAT
	exo      int32
	etb      *Etablissement // executing establishment (ER_ETE_F)
	etbPre   string
	maj      int32 // majoration nature, emitted as its own line
	majPaid  int64
	employer bool // IJ: IJR_EMP_NUM
	regul    bool // may be regularised later (cancelled, then billed again)
}

func (g *gen) keys(d medconseil.Date, ord int32, newDct bool, lag int) Keys {
	if newDct {
		g.dct++
	}
	trt := d.AddDays(2 + int(g.dct%19) + lag)
	dis := medconseil.NewDate(trt.Year(), trt.Month(), 1).AddMonths(1)
	return Keys{
		FLX_DIS_DTD: pqDate(dis), FLX_TRT_DTD: pqDate(trt), FLX_EMT_TYP: 1,
		FLX_EMT_NUM: g.org.emetteur, FLX_EMT_ORD: int32(trt.Sub(epoch) % 10000), ORG_CLE_NUM: g.org.cle,
		DCT_ORD_NUM: g.dct, PRS_ORD_NUM: ord, REM_TYP_AFF: 1,
	}
}

func atoi32(s string) int32 { n, _ := strconv.Atoi(s); return int32(n) }

// amaCod is BEN_AMA_COD: the age in months under 2 years, in years above.
func amaCod(birth, d medconseil.Date) int32 {
	if y := birth.AgeAt(d); y >= 2 {
		return int32(y)
	}
	m := (d.Year()-birth.Year())*12 + int(d.Month()) - int(birth.Month())
	if d.Day() < birth.Day() {
		m--
	}
	return int32(max(m, 0))
}

// pRegul is the share of lines regularised later: cancelled by a negative line
// (BSE_REM_SGN -1) in a later flux, and half of them billed again (an
// estimate: corrections of tariff, rate or beneficiary are a few per thousand).
const pRegul = 0.008

// emit writes a PRS line (and its majoration line, its establishment line) and
// returns its keys (for the satellites).
func (g *gen) emit(c claim) Keys {
	if c.to.IsZero() {
		c.to = c.from
	}
	if c.qte == 0 {
		c.qte = 1
	}
	k := g.keys(c.from, 1, true, 0)
	if k.FLX_TRT_DTD > g.out.maxTrt[g.pi] {
		g.out.maxTrt[g.pi] = k.FLX_TRT_DTD
	}
	line := g.line(c, k)
	g.out.prs = append(g.out.prs, line)
	if c.etb != nil {
		g.out.ete = append(g.out.ete, ETE{Keys: k, ORG_CLE_NEW: g.org.new, ETB_EXE_FIN: c.etb.Finess, ETE_CAT_COD: atoi32(c.etb.CatEtab), PRS_PPU_SEC: line.PRS_PPU_SEC})
	}
	if c.maj != 0 {
		mk := k
		mk.PRS_ORD_NUM = 2
		m := line
		m.Keys = mk
		m.PRS_NAT_REF, m.CPL_PRS_NAT, m.CPL_MAJ_TOP = c.maj, c.maj, 2
		m.PRS_ACT_CFT, m.PRS_DEP_MNT = 0, 0
		m.PRS_PAI_MNT, m.BSE_REM_BSE, m.BSE_REM_PRU = c.majPaid, c.majPaid, c.majPaid
		m.BSE_REM_MNT = c.majPaid * line.RGO_REM_TAU / 10000
		g.out.prs = append(g.out.prs, m)
	}
	if c.exe >= 0 {
		if o := g.obs(c.exe); o != nil {
			o.Lignes++
		}
		g.out.vol[c.exe]++
		st := &g.out.stats
		switch c.nature {
		case 1110, 1211:
			st.ActesMG[c.from.Weekday()]++
		case 1112, 1113:
			if g.w.Off.Pros[c.exe].Sector == 2 {
				st.BaseSpeS2 += c.paid
				st.DepSpeS2 += c.dep
			}
		}
	}
	if c.regul && !g.noReg && g.rng.Float64() < pRegul {
		// The regularisation: a negative line in a later flux, then (half the
		// time) the corrected line.
		rk := g.keys(c.from, 1, true, 20+g.rng.IntN(60))
		neg := line
		neg.Keys = rk
		neg.PRS_ACT_QTE, neg.PRS_ACT_NBR = -neg.PRS_ACT_QTE, -neg.PRS_ACT_NBR
		neg.PRS_PAI_MNT, neg.PRS_DEP_MNT, neg.BSE_REM_BSE, neg.BSE_REM_MNT = -neg.PRS_PAI_MNT, -neg.PRS_DEP_MNT, -neg.BSE_REM_BSE, -neg.BSE_REM_MNT
		neg.BSE_REM_SGN = -1
		g.out.prs = append(g.out.prs, neg)
		if g.rng.Float64() < 0.5 {
			ck := g.keys(c.from, 1, true, 30+g.rng.IntN(60))
			again := line
			again.Keys = ck
			g.out.prs = append(g.out.prs, again)
		}
	}
	return k
}

func (g *gen) line(c claim, k Keys) PRS {
	p := g.p
	var exe, pre *string
	var speE, actE, speP, actP int32
	if c.exe >= 0 {
		pr := &g.w.Off.Pros[c.exe]
		exe, speE, actE = &pr.PFS, atoi32(pr.Spe), atoi32(pr.Act)
	}
	if c.pre >= 0 {
		pr := &g.w.Off.Pros[c.pre]
		pre, speP, actP = &pr.PFS, atoi32(pr.Spe), atoi32(pr.Act)
	}
	taux := c.taux
	if c.asu == 40 || c.exo == 42 {
		taux = 100
	}
	ppu, dpn := int32(2), int32(0)
	if c.etb != nil && c.etb.Public {
		ppu = 1
		if c.nature != 2211 {
			dpn = 71 // consultations externes of public hospitals: for information
		}
	}
	var preDate *int32
	var preAmd *string
	if !c.preDate.IsZero() {
		preDate = optDate(c.preDate)
		preAmd = optStr(yyyymm(c.preDate))
	}
	var emp *int64
	if c.employer {
		e := g.w.employer(g.pi)
		emp = &e
	}
	qte := int64(c.qte) * 100
	pru := c.paid
	if c.qte > 1 {
		pru = c.paid / int64(c.qte)
	}
	return PRS{
		Keys:        k,
		BEN_NIR_PSA: p.PSA, BEN_RNG_GEM: 1, BEN_SEX_COD: int32(p.Sex), BEN_AMA_COD: amaCod(p.Birth, c.from),
		BEN_NAI_ANN: g.naiAnn, BEN_CDI_NIR: "00", BEN_RES_DPT: g.dep3, BEN_RES_COM: g.com3,
		ORG_AFF_BEN: g.org.new, ORG_CLE_NEW: g.org.new,
		EXE_SOI_DTD: pqDate(c.from), EXE_SOI_DTF: pqDate(c.to), EXE_SOI_AMD: yyyymm(c.from), EXE_SOI_AMF: yyyymm(c.to),
		PRE_PRE_DTD: preDate, PRE_PRE_AMD: preAmd,
		PRS_NAT_REF: c.nature, BSE_PRS_NAT: c.nature, DPN_QLF: dpn, PRS_DPN_QLP: dpn, PRS_PPU_SEC: ppu,
		PRS_ACT_QTE: qte, PRS_ACT_NBR: qte, PRS_ACT_CFT: c.cft,
		PRS_PAI_MNT: c.paid + c.dep, PRS_DEP_MNT: c.dep, BSE_REM_BSE: c.paid, BSE_REM_PRU: pru, BSE_REM_MNT: c.paid * taux / 100,
		BSE_REM_SGN: 1, RGO_REM_TAU: taux * 100,
		PFS_EXE_NUM: exe, PFS_PRE_NUM: pre, PRS_MTT_NUM: g.mttNum,
		PSE_SPE_COD: speE, PSE_ACT_NAT: actE, PSP_SPE_COD: speP, PSP_ACT_NAT: actP,
		ETB_PRE_FIN: optStr(c.etbPre), IJR_EMP_NUM: emp, RGO_ASU_NAT: c.asu, EXO_MTF: c.exo,
	}
}

// exo is EXO_MTF of an act: 42 (ALD, care in relation) for part of an ALD
// patient's care, 41 (ALD, care without relation) for the rest.
func (g *gen) exo() int32 {
	if g.p.ALD < 0 {
		return 0
	}
	if g.rng.Float64() < 0.6 {
		return 42
	}
	return 41
}

// dep draws the dépassement of an act of a sector-2 practitioner.
func (g *gen) dep(pro int32, tarif int64) int64 {
	pr := &g.w.Off.Pros[pro]
	if pr.Sector != 2 || g.rng.Float64() < 0.15 { // some acts at the tariff (CMU-C, urgences)
		return 0
	}
	return int64(float64(tarif)*pr.DepRate*math.Exp(0.25*g.rng.NormFloat64())/50) * 50
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
		dtd = g.day(g.first, g.end, "all")
	} else {
		dtd = g.start.AddDays(-1 - g.rng.IntN(9*365))
		if dtd.Before(p.Birth) {
			dtd = p.Birth.AddDays(30)
		}
	}
	num := atoi32(a.num)
	g.out.imb = append(g.out.imb, IMB{
		BEN_NIR_PSA: p.PSA, BEN_RNG_GEM: 1, IMB_ETM_NAT: 41, IMB_ALD_NUM: &num,
		IMB_ALD_DTD: pqDate(dtd), IMB_ALD_DTF: optDate(dtd.AddYears(10).AddDays(-1)),
		MED_MTF_COD: a.cims[p.ALDCim], MED_NCL_IDT: "CIM10", INS_DTE: pqDate(dtd.AddDays(15)),
	})
	g.out.stats.ALD++
}

func (g *gen) choose(k Kind) int32 { return g.w.Off.Choose(k, g.p.Commune, g.rng) }

func (g *gen) gp() int32 {
	if g.p.MT >= 0 && g.rng.Float64() < 0.85 {
		return g.p.MT
	}
	return g.choose(KindGeneraliste)
}

func (g *gen) specialist() int32 {
	s := specialites[pickP(len(specialites), func(i int) float64 { return specialites[i].p }, g.rng)].code
	return g.w.Off.ChooseSpecialist(s, g.p.Commune, g.rng)
}

// consultations: GP (Drees, ≈ 4 consultations a year, more at the ends of life),
// specialists, dentists, midwives.
func (g *gen) consultations(exposure float64) {
	var lgp float64
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
		d := g.day(g.first, g.last, "mg")
		gp := g.gp()
		c := claim{exe: gp, pre: -1, from: d, nature: 1110, paid: tarifG, taux: 70, asu: 10, exo: g.exo(), regul: true}
		if g.age >= 80 && g.rng.Float64() < 0.25 {
			// A home visit and its majoration MD, billed on its own line.
			c.nature, c.maj, c.majPaid = 1211, 1224, 1000
		}
		c.dep = g.dep(gp, tarifG)
		g.emit(c)
	}
	ls := 1.0 + float64(g.age)/60
	for n := poisson(g.rng, ls*exposure); n > 0; n-- {
		s := g.specialist()
		nat := int32(1112)
		if g.w.Off.Pros[s].Spe == "33" {
			nat = 1113
		}
		c := claim{exe: s, pre: g.p.MT, from: g.day(g.first, g.last, "mg"), nature: nat, paid: tarifCS, taux: 70, asu: 10, exo: g.exo(), regul: true}
		if g.p.MT >= 0 && g.rng.Float64() < 0.5 {
			c.maj, c.majPaid = 1125, 500 // MCG: sent by the médecin traitant
		}
		c.dep = g.dep(s, tarifCS)
		g.emit(c)
	}
	if g.age >= 2 && g.rng.Float64() < 0.42 {
		s := g.choose(KindDentiste)
		for n := 1 + g.rng.IntN(3); n > 0; n-- {
			g.emit(claim{exe: s, pre: -1, from: g.day(g.first, g.last, "mg"), nature: 1111, paid: tarifCdent, taux: 70, asu: 10, regul: true})
		}
	}
	if g.p.Sex == 2 && g.age >= 20 && g.age < 42 && g.rng.Float64() < 0.07 {
		s := g.choose(KindSageFemme)
		for n := 2 + g.rng.IntN(5); n > 0; n-- {
			g.emit(claim{exe: s, pre: -1, from: g.day(g.first, g.last, "mg"), nature: 1111, paid: tarifCdent, taux: 100, asu: 30, regul: true})
		}
	}
}

// arrets draws the year's arrêts de travail of an employee (see rates.go), and
// those begun in the three previous years that are still running on 1 January
// (the carry-over stock: IJ of long arrêts are paid flat over the months).
func (g *gen) arrets(exposure float64) {
	p := g.p
	mult, durMult := 1.0, 1.0
	if p.MT >= 0 {
		mult = g.w.Off.Pros[p.MT].IJ
		if a, ok := g.w.plan.overIJ[p.MT]; ok {
			if a.variant == "taux" {
				mult *= a.intensity
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
	base := g.w.lambda0 * chevauchement * gamma(g.rng, arretsGammaShape) / arretsGammaShape * mult * ageRate
	// Carry-over: arrêts begun before the year, kept when still running in it.
	free := g.start
	if g.age >= 19 {
		var prev []medconseil.Date
		for n := poisson(g.rng, base*3); n > 0; n-- {
			prev = append(prev, g.start.AddDays(-1-g.rng.IntN(3*365)))
		}
		sort.Slice(prev, func(i, j int) bool { return prev[i].Before(prev[j]) })
		for _, s := range prev {
			dur := g.duration(durMult)
			if end := s.AddDays(dur - 1); !end.Before(g.start) {
				g.arret(s, dur, true)
				if e := end.AddDays(1); e.After(free) {
					free = e
				}
			}
		}
	}
	n := poisson(g.rng, base*exposure)
	if n == 0 {
		return
	}
	starts := make([]medconseil.Date, n)
	for i := range starts {
		starts[i] = g.day(g.first, g.last, "mg")
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	for _, s := range starts {
		if s.Before(free) {
			continue // already on leave then
		}
		dur := g.duration(durMult)
		g.arret(s, dur, false)
		free = s.AddDays(dur + 1)
	}
}

func (g *gen) duration(durMult float64) int {
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
	return dur
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

// consult emits the consultation that goes with an avis: G for a GP, CS (CNP
// for a psychiatrist) for a specialist, never a GP consultation by a specialist.
func (g *gen) consult(pro int32, d medconseil.Date, asu int32) {
	nat, tarif := int32(1110), int64(tarifG)
	if pr := &g.w.Off.Pros[pro]; pr.Kind == KindSpecialiste {
		nat, tarif = 1112, tarifCS
		if pr.Spe == "33" {
			nat = 1113
		}
	}
	g.emit(claim{exe: pro, pre: -1, from: d, nature: nat, paid: tarif, dep: g.dep(pro, tarif), taux: 70, asu: asu, regul: true})
}

// arret writes one arrêt: the initial avis and its prolongations (by the same
// prescriber or the médecin traitant, art. L162-4-4 CSS), the consultation that
// goes with each avis, the IJ paid after the carence, and for AT/MP the claim
// with its certificate and outcome. A carry-over arrêt (begun before the year)
// writes only what falls in the year.
func (g *gen) arret(s medconseil.Date, dur int, carry bool) {
	p := g.p
	st := &g.out.stats
	if !carry {
		st.Arrets++
		if dur < 8 {
			st.ArretsMoins8++
		}
		if dur > 365 {
			st.ArretsPlus1an++
		}
	}
	atmp := g.rng.Float64() < partArretsATMP
	motif := g.motif(dur, atmp)
	pre := p.MT
	if pre < 0 || g.rng.Float64() < 0.18 {
		if g.rng.Float64() < 0.6 {
			pre = g.choose(KindGeneraliste)
		} else {
			pre = g.specialist()
		}
	}
	if o := g.obs(pre); o != nil && !carry {
		o.Arrets++
	}
	asu, ini, pro := int32(10), "AAS", "PAS"
	var sin *int64
	if atmp {
		asu, ini, pro = 40, "AAT", "PAT"
		g.arrN++
		n := g.arrN
		sin = &n
		g.sinistre(n, s, dur, pre, motif)
	}
	if !s.Before(g.start) {
		g.consult(pre, s, asu)
	}
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
	var segs, earlier []ArretEnCours
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
		if !segEnd.Before(g.start) {
			segs = append(segs, ArretEnCours{Num: num, Initial: iniNum, Prolongation: nat != ini, Debut: cur, Fin: segEnd,
				PrescripteurRPPS: g.w.Off.Pros[cpre].RPPS, CIM10: motif})
			g.out.arr = append(g.out.arr, ARR{
				ARR_NUM: num, ARR_INI_NUM: iniNum, BEN_NIR_PSA: p.PSA, AAT_NAT_COD: nat, RGO_ASU_NAT: asu,
				ARR_PRE_DTD: pqDate(cur), ARR_DEB_DTD: pqDate(cur), ARR_FIN_DTD: pqDate(segEnd),
				PFS_PRE_NUM: g.w.Off.Pros[cpre].PFS, MED_MTF_COD: motif, SIN_NUM: sin,
			})
			if cd := cur.AddDays(-1); nat != ini && !cd.Before(g.start) {
				if cd.Weekday() == time.Sunday { // the practice is closed: Saturday
					cd = cd.AddDays(-1)
				}
				g.consult(cpre, cd, asu)
			}
		} else if g.w.cfg.Clos {
			// An avis of an earlier year (not in MC_ARR_F): the history of an arrêt
			// begun before the year, for Result.Clos.
			earlier = append(earlier, ArretEnCours{Num: num, Initial: iniNum, Prolongation: nat != ini, Debut: cur, Fin: segEnd,
				PrescripteurRPPS: g.w.Off.Pros[cpre].RPPS, CIM10: motif, Anterieur: true})
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
	// The others closed before the end of the year: the year's history, kept when
	// the caller asks for it (Config.Clos).
	if n := len(segs); n > 0 {
		if len(earlier) > 0 { // the avis of the earlier years come first, with the closed ones
			c := &g.w.Ref.Communes[p.Commune]
			for _, sg := range earlier {
				sg.NIR, sg.Naissance, sg.Residence = p.NIR, p.Birth, c.Code
				sg.Libelle = g.w.Ref.CIMLib[sg.CIM10]
				if sg.PrescripteurRPPS != "" {
					g.out.clos = append(g.out.clos, sg)
				}
			}
		}
		dst := &g.out.clos
		if !segs[n-1].Debut.Before(g.end.AddDays(-13)) && !segs[n-1].Debut.After(g.last) {
			dst = &g.out.enCours
		} else if !g.w.cfg.Clos {
			dst = nil
		}
		if dst != nil {
			c := &g.w.Ref.Communes[p.Commune]
			for _, sg := range segs {
				sg.NIR, sg.Naissance, sg.Residence = p.NIR, p.Birth, c.Code
				sg.Libelle = g.w.Ref.CIMLib[sg.CIM10]
				if sg.PrescripteurRPPS != "" {
					*dst = append(*dst, sg)
				}
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
			g.emit(claim{exe: -1, pre: pre, preDate: s, from: d, to: me, nature: nat, qte: int32(days), paid: ij * int64(days), taux: 100, asu: asu, employer: true})
			st.JoursIJ += int64(days)
			st.JoursIJMois[d.Month()-1] += int64(days)
			if o := g.obs(pre); o != nil {
				o.JoursIJ += int64(days)
			}
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
		CMI_DTE: pqDate(s), PFS_PRE_NUM: g.w.Off.Pros[pre].PFS, MED_MTF_COD: motif, SIN_MLP_TAB: optStr(tab),
		SIN_ISS_COD: iss, SIN_ISS_DTE: optDate(issDte), SIN_IPP_TAU: ipp,
	})
	etm := int32(11)
	btr := ""
	if nat == 5 {
		etm, btr = 12, "A"
	}
	g.out.imb = append(g.out.imb, IMB{
		BEN_NIR_PSA: g.p.PSA, BEN_RNG_GEM: 1, IMB_ETM_NAT: etm, IMB_ALD_DTD: pqDate(s), IMB_ALD_DTF: optDate(issDte),
		IMB_MLP_TAB: optStr(tab), IMB_MLP_BTR: optStr(btr), MED_MTF_COD: motif, MED_NCL_IDT: "CIM10", INS_DTE: pqDate(s.AddDays(20)),
	})
}

// kine draws physiotherapy: patients, their kinés, prescription series.
func (g *gen) kine(exposure float64) {
	prob := 0.16
	switch {
	case g.age < 15:
		prob = 0.05
	case g.age >= 75:
		prob = 0.5
	case g.age >= 60:
		prob = 0.24
	}
	if g.rng.Float64() >= prob*exposure {
		return
	}
	nk := 1
	if g.rng.Float64() < 0.12 {
		nk = 2
	}
	for k := 0; k < nk; k++ {
		kine := g.choose(KindKine)
		if kine < 0 {
			return
		}
		sessions := 0
		for series := 0; series < 3; series++ {
			postOp := g.w.Off.Pros[kine].PostOp
			si := pickP(len(situationsKine), func(i int) float64 {
				s := situationsKine[i]
				if s.seuil > 0 {
					return s.p * postOp
				}
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
// days, its length varying with the kiné's practice. Past a threshold the series
// needs prior approval; a few legitimate series stop just under it and go on
// under a new prescription (a new episode). The planted splitter does it on
// purpose, under a second, backdated prescription.
func (g *gen) serie(kine int32, si int) int {
	s := situationsKine[si]
	pr := &g.w.Off.Pros[kine]
	n := int(math.Round(float64(s.min+g.rng.IntN(s.max-s.min+1)) * pr.Serie))
	n = max(n, 1)
	pre := g.p.MT
	if pre < 0 || g.rng.Float64() < 0.35 {
		pre = g.specialist()
	}
	preDate := g.day(g.start.AddDays(-50), g.end.AddDays(-10), "mg")
	first := preDate.AddDays(2 + g.rng.IntN(8))
	split, fraud := false, false
	if a, ok := g.w.plan.kineAnom[kine]; ok && a.kind == AnomalySplitting && s.seuil > 0 && g.rng.Float64() < a.intensity {
		split, fraud = true, true
		n = s.seuil - 1 + s.seuil - 2 - g.rng.IntN(3)
	} else if s.seuil > 0 && g.rng.Float64() < pr.Renew {
		split = true // legitimate: a new episode just after the first series
		n = s.seuil - 1 + 5 + g.rng.IntN(8)
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
			if o := g.obs(kine); o != nil && fraud {
				o.Splits++
			}
		}
		if !d.Before(g.first) {
			g.emit(claim{exe: kine, pre: pre, preDate: pre2, from: d, nature: atoi32(s.nature), cft: int64(s.coef * 100), paid: int64(s.coef * kineAMK), taux: 60, asu: 10, exo: g.exo(), regul: true})
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

// nursing acts: AMI coefficient, nature, minutes (AMI 1 injection ≈ 10 min, AIS 3
// toilette ≈ 30 min).
var actesInfirmiers = []struct {
	nature int32
	cft    int64
	min    float64
	p      float64
}{
	{3111, 100, 10, 0.40}, {3111, 200, 15, 0.20}, {3111, 400, 25, 0.10}, {3112, 300, 30, 0.30},
}

// infirmier draws nursing: episodic care (injections, dressings for a few weeks)
// and chronic care at home (daily insulin or toilette of dependent old people),
// which makes most of a nurse's volume.
func (g *gen) infirmier(exposure float64) {
	pEpi, pChr := 0.135, 0.0
	switch {
	case g.age >= 75:
		pEpi, pChr = 0.30, 0.39
	case g.age >= 65:
		pEpi, pChr = 0.19, 0.115
	}
	if g.p.ALD >= 0 {
		pChr += 0.06
	}
	x := g.rng.Float64()
	if x >= (pEpi+pChr)*exposure {
		return
	}
	ide := g.choose(KindInfirmier)
	if ide < 0 {
		return
	}
	chronic := x < pChr*exposure
	var from medconseil.Date
	var n, perDay int
	if chronic {
		from = g.start.AddDays(-g.rng.IntN(200))
		n, perDay = 60+g.rng.IntN(306), 1+g.rng.IntN(2)
	} else {
		from = g.day(g.first, g.last, "ide")
		n, perDay = 3+int(g.rng.ExpFloat64()*12), 1
	}
	act := actesInfirmiers[pickP(len(actesInfirmiers), func(i int) float64 { return actesInfirmiers[i].p }, g.rng)]
	pre := g.p.MT
	if pre < 0 {
		pre = g.choose(KindGeneraliste)
	}
	for i := 0; i < n; i++ {
		d := from.AddDays(i)
		if !chronic {
			d = from.AddDays(i * (1 + g.rng.IntN(3)))
		}
		if d.After(g.last) || d.After(g.end) {
			break
		}
		if d.Before(g.first) {
			continue
		}
		for k := 0; k < perDay; k++ {
			g.emit(claim{exe: ide, pre: pre, preDate: from.AddDays(-2), from: d, nature: act.nature, cft: act.cft, paid: tarifAMI * act.cft / 100, taux: 60, asu: 10, exo: g.exo(), regul: true})
			g.out.stats.ActesInfirmiers++
		}
	}
	if _, ok := g.w.plan.kineAnom[ide]; ok {
		g.sample(ide)
	}
}

// transports draws the transported patients: hospital stays, consultations and
// series (chemotherapy, dialysis, SSR), from home to a real establishment, with
// the mode mix and fares of rates.go. The care at the destination is in the DCIR
// for consultations and private stays; public stays are in the PMSI only, so
// their trips have no care line here (legitimately).
func (g *gen) transports(exposure float64) {
	prob := 0.045
	switch {
	case g.age >= 75:
		prob = 0.27
	case g.age >= 60:
		prob = 0.11
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
	pre := g.p.MT
	etbPre := ""
	if prof.serie || pre < 0 {
		pre, etbPre = -1, et.Finess
	}
	var tr int32
	if a, ok := g.w.plan.collusion[pre]; ok && pre >= 0 && g.rng.Float64() < a.intensity {
		// The partner takes the trip, in its own mode: a taxi never bills an
		// ambulance code.
		tr = a.partner
		mi = modeFor(g.w.Off.Pros[tr].Kind, mi)
	} else if gp := g.w.Off.Pros[max(pre, 0)]; pre >= 0 && gp.Habit >= 0 && g.rng.Float64() < gp.HabitP {
		// The practice's usual transporter (legitimate).
		tr = gp.Habit
		mi = modeFor(g.w.Off.Pros[tr].Kind, mi)
	} else {
		kind := KindAmbulance
		if modeMix[mi].nature == "4214" {
			kind = KindTaxi
		}
		tr = g.choose(kind)
	}
	if tr < 0 {
		return
	}
	mode := modeMix[mi]
	n := prof.min + g.rng.IntN(prof.max-prof.min+1)
	pairs := max(1, n/2)
	var dates []medconseil.Date
	d0 := g.day(g.start.AddDays(-30), g.last, "all")
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
			dates = append(dates, g.day(g.first, g.last, "all"))
		}
	}
	los := 0
	if prof.motif == 10 {
		los = 1 + int(g.rng.ExpFloat64()*5)
	}
	trips := 0
	for _, d := range dates {
		if d.Before(g.first) || d.After(g.last) || d.After(g.end) {
			continue
		}
		back := d.AddDays(los)
		if back.After(g.last) || back.After(g.end) {
			back = d
		}
		// The care at the establishment the trip goes to, when the DCIR has it.
		noCare := prof.motif == 10 && et.Public
		switch {
		case prof.motif == 10 && !et.Public:
			g.emit(claim{exe: -1, pre: -1, from: d, to: back, nature: 2211, qte: int32(los + 1), paid: tarifSejour * int64(los+1), taux: 80, asu: 10, etb: et})
		case prof.motif == 10:
			// public stay: PMSI only
		case g.rng.Float64() < soinsAilleurs(et):
			// care recorded elsewhere (PMSI séance, hospital's own budget)
			noCare = true
		default:
			g.emit(claim{exe: -1, pre: -1, from: d, nature: 1112, paid: tarifCS, taux: 100, asu: 10, exo: 42, etb: et})
		}
		g.trip(tr, pre, etbPre, mode, d, et, prof.motif, 1)
		g.trip(tr, pre, etbPre, mode, back, et, prof.motif, 2)
		trips += 2
		if noCare {
			g.out.stats.TrajetsSansSoin += 2
		}
	}
	if trips > 0 {
		g.out.stats.Transportes++
		g.out.stats.Trajets += int64(trips)
		g.out.trips[tr] += trips
		if _, ok := g.w.plan.transAnom[tr]; ok {
			g.sample(tr)
		}
		if o := g.obs(pre); pre >= 0 && o != nil {
			o.Trajets += int64(trips)
			if a, ok := g.w.plan.collusion[pre]; ok && a.partner == tr {
				o.TrajetsPart += int64(trips)
			}
		}
	}
}

// modeFor returns the mode a transporter of kind k bills, given the drawn mode:
// taxis bill TXI; ambulance companies ABA or VSL.
func modeFor(k Kind, mi int) int {
	if k == KindTaxi {
		return 2
	}
	if mi == 2 {
		return 1
	}
	return mi
}

// soinsAilleurs is the share of an establishment's consultation trips whose
// care is not in the DCIR (PMSI séances, care on the hospital's budget): from 2
// to 52 % by establishment, so that with public stays about 10–30 % of a
// transporter's trips have no matching care line (an estimate).
func soinsAilleurs(et *Etablissement) float64 {
	h := uint32(2166136261)
	for i := 0; i < len(et.Finess); i++ {
		h = (h ^ uint32(et.Finess[i])) * 16777619
	}
	u := float64(h%1000) / 1000
	return 0.02 + 0.5*u*u
}

// trip writes one trip: its PRS line, its ER_TRS_F line (postal codes of
// departure and arrival, dates, hours, vehicle) and the ER_DTR_F items (forfait
// and kilometres, IR_DTR_V 11 and 21). The kilometres billed follow the real
// route: the crow-fly distance from home to the establishment, times the
// transporter's usual route factor, with noise, and detours of shared trips.
func (g *gen) trip(tr, pre int32, etbPre string, mode transportMode, d medconseil.Date, et *Etablissement, motif, dir int) {
	pr := &g.w.Off.Pros[tr]
	crow := distanceKm(float64(g.p.Lat), float64(g.p.Lon), et.Lat, et.Lon)
	route := crow*pr.Route*math.Exp(0.08*g.rng.NormFloat64()) + 1
	if mode.nature == "4214" && g.rng.Float64() < 0.2 {
		route += 2 + 6*g.rng.Float64() // shared taxi: detour for the other patient
	}
	km := int(math.Ceil(route))
	base := km
	if a, ok := g.w.plan.transAnom[tr]; ok && a.kind == AnomalyKmInflation {
		km = int(math.Round(float64(km) * a.intensity))
	}
	if o := g.obs(tr); o != nil {
		o.KmFactures += int64(km)
		o.KmSansFraude += int64(base)
		o.Trajets++
	}
	mtf := int32(motif)
	if crow > 150 {
		mtf++
	}
	paid := mode.forfait + mode.km*int64(km)
	k := g.emit(claim{exe: tr, pre: pre, preDate: d.AddDays(-3), from: d, nature: atoi32(mode.nature), paid: paid, taux: 65, asu: 10, exo: g.exo(), etbPre: etbPre})
	home := g.w.Ref.Communes[g.p.Commune].CodePostal
	dep, arr := home, et.CodePostal
	hd := 700 + 100*g.rng.IntN(4) + 5*g.rng.IntN(12)
	if dir == 2 {
		dep, arr = arr, dep
		hd = 1400 + 100*g.rng.IntN(4) + 5*g.rng.IntN(12)
	}
	mins := int(route/45*60) + 5
	ha := hd/100*60 + hd%100 + mins
	veh := fmt.Sprintf("V%s%d", pr.PFS, g.rng.IntN(int(max(1, pr.Vehicles[0]+pr.Vehicles[1]+pr.Vehicles[2]))))
	g.out.trs = append(g.out.trs, TRS{Keys: k, ORG_CLE_NEW: g.org.new, ITR_ORD_NUM: 1, TRS_DEP_CDP: dep, TRS_ARR_CDP: arr,
		TRS_DTD_DTE: pqDate(d), TRS_DTF_DTE: pqDate(d), TRS_DTD_AME: yyyymm(d), TRS_DTF_AME: yyyymm(d),
		TRS_TRP_HRD: int32(hd), TRS_TRP_HRA: int32(ha/60%24*100 + ha%60), TRS_VEH_NUMC: veh})
	g.out.dtr = append(g.out.dtr,
		DTR{Keys: k, ORG_CLE_NEW: g.org.new, TRS_ORD_NUM: 1, TRS_PRS_IDE: 11, TRS_ACT_QSN: 1, TRS_ACT_PRU: mode.forfait, TRS_TRS_MTF: mtf},
		DTR{Keys: k, ORG_CLE_NEW: g.org.new, TRS_ORD_NUM: 2, TRS_PRS_IDE: 21, TRS_ACT_QSN: int32(km), TRS_ACT_PRU: mode.km, TRS_TRS_MTF: mtf},
	)
}

// lpp draws deliveries of the LPP (devices) by pharmacies.
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
	ph := g.choose(KindPharmacie)
	it := g.w.lppItems[pickP(len(g.w.lppItems), func(i int) float64 { return g.w.lppItems[i].p }, g.rng)]
	for n := 1 + g.rng.IntN(4); n > 0; n-- {
		d := g.day(g.first, g.last, "pharm")
		q := int32(1 + g.rng.IntN(it.maxQ))
		paid := it.price * int64(q)
		k := g.emit(claim{exe: ph, pre: g.p.MT, preDate: d.AddDays(-5), from: d, nature: it.nature, qte: q, paid: paid, taux: 60, asu: 10, exo: g.exo()})
		g.out.tip = append(g.out.tip, TIP{Keys: k, ORG_CLE_NEW: g.org.new, TIP_ORD_NUM: 1, TIP_PRS_IDE: it.code, TIP_PRS_TYP: it.typ, TIP_ACT_QSN: q, TIP_ACT_PRU: it.price, TIP_PUB_PRX: it.price, TIP_ACL_DTD: pqDate(d), TIP_ACL_DTF: pqDate(d.AddDays(it.days))})
	}
}

// pharmacie draws dispensations of the medicine classes the controls need
// (rates.go, medicaments): each a PRS line (PH7, 65 %) and its ER_PHA_F line.
func (g *gen) pharmacie(exposure float64) {
	var ph int32 = -1
	for _, m := range medicaments {
		if !m.eligible(g) {
			continue
		}
		if g.rng.Float64() >= m.prob(g.age)*exposure {
			continue
		}
		if ph < 0 {
			ph = g.choose(KindPharmacie)
			if ph < 0 {
				return
			}
		}
		pre := g.p.MT
		if pre < 0 || g.rng.Float64() < 0.2 {
			pre = g.choose(KindGeneraliste)
		}
		n := m.deliveries(g.rng)
		d := g.day(g.first, g.last, "pharm")
		for i := 0; i < n; i++ {
			if d.After(g.last) || d.After(g.end) {
				break
			}
			q := int32(1 + g.rng.IntN(m.maxBoxes))
			paid := m.price * int64(q)
			exo := int32(0)
			if m.ald && g.p.ALD >= 0 {
				exo = 42
			}
			k := g.emit(claim{exe: ph, pre: pre, preDate: d.AddDays(-g.rng.IntN(3)), from: d, nature: 3313, qte: q, paid: paid, taux: 65, asu: 10, exo: exo, regul: true})
			g.out.pha = append(g.out.pha, PHA{Keys: k, ORG_CLE_NEW: g.org.new, PHA_ORD_NUM: 1, PHA_PRS_C13: m.cip, PHA_ACT_QSN: q, PHA_ACT_PRU: m.price, PHA_SEQ_RNV: int32(min(i, 9))})
			g.out.stats.Delivrances++
			d = d.AddDays(m.every - 2 + g.rng.IntN(6))
		}
	}
}

// lateBilling writes, for a few of the deceased, a line dated just after the
// death: a nurse's last round or a delivery entered with the next day's date.
// Legitimate in the data (late or mis-dated billing), they are not anomalies
// and are not in the ground truth.
func (g *gen) lateBilling() {
	p := g.p
	if p.Death.IsZero() || p.Phantom || !p.Death.Before(g.end.AddDays(-3)) || g.rng.Float64() >= partFactureTardive {
		return
	}
	d := p.Death.AddDays(1 + g.rng.IntN(2))
	if g.rng.Float64() < 0.5 {
		if ide := g.choose(KindInfirmier); ide >= 0 {
			g.emit(claim{exe: ide, pre: p.MT, preDate: p.Death.AddDays(-20), from: d, nature: 3111, cft: 100, paid: tarifAMI, taux: 60, asu: 10})
		}
		return
	}
	if ph := g.choose(KindPharmacie); ph >= 0 {
		m := medicaments[len(medicaments)-1]
		k := g.emit(claim{exe: ph, pre: p.MT, preDate: p.Death.AddDays(-10), from: d, nature: 3313, qte: 1, paid: m.price, taux: 65, asu: 10})
		g.out.pha = append(g.out.pha, PHA{Keys: k, ORG_CLE_NEW: g.org.new, PHA_ORD_NUM: 1, PHA_PRS_C13: m.cip, PHA_ACT_QSN: 1, PHA_ACT_PRU: m.price})
	}
}
