// Package synth generates a synthetic region: a realistic, reproducible Grand Est
// with its insured, its professionals and establishments, one year of claims at
// the published rates, and planted anomalies whose ground truth goes to a separate
// file. The output is SNDS-shaped Parquet. There is no real patient data here.
package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"medconseil"
)

// Config is one generation.
type Config struct {
	Region    string  // INSEE region code; only "44" (Grand Est) has an organisation
	Scale     float64 // 1.0 = 5,075,846 insured
	Seed      uint64
	Year      int
	Out       string // output directory
	Workers   int    // 0: all CPUs
	Progress  io.Writer
	TTY       bool // progress as a redrawn bar rather than lines
	ShardSize int  // persons per shard; 0: default. Part of the output's identity.
	// NoParquet generates everything (the same draws, rows counted, ground truth
	// written) but writes no Parquet table: for synth --db, which files only what the
	// generation keeps in memory (EnCours).
	NoParquet bool
	// Clos keeps the avis of the arrêts closed before the end of the year in
	// Result.Clos (synth --db files them as the year's history).
	Clos bool
}

// Stats counts what was produced; the summary compares the rates to the targets.
type Stats struct {
	Persons, Salaries, Deces, ALD       int64
	Arrets, ArretsMoins8, ArretsPlus1an int64
	JoursIJ                             int64
	KinePaires, KineSeances             int64
	Transportes, Trajets                int64
	SplitSeries                         int64
	Naissances                          int64
	ActesInfirmiers, Delivrances        int64
	JoursIJMois                         [12]int64
	TrajetsSansSoin                     int64
	ActesMG                             [7]int64 // G and V by weekday, Sunday first
	BaseSpeS2, DepSpeS2                 int64    // sector-2 specialists' consultations: tariff and dépassements
}

func (s *Stats) add(o Stats) {
	s.Persons += o.Persons
	s.Salaries += o.Salaries
	s.Deces += o.Deces
	s.ALD += o.ALD
	s.Arrets += o.Arrets
	s.ArretsMoins8 += o.ArretsMoins8
	s.ArretsPlus1an += o.ArretsPlus1an
	s.JoursIJ += o.JoursIJ
	s.KinePaires += o.KinePaires
	s.KineSeances += o.KineSeances
	s.Transportes += o.Transportes
	s.Trajets += o.Trajets
	s.SplitSeries += o.SplitSeries
	s.Naissances += o.Naissances
	s.ActesInfirmiers += o.ActesInfirmiers
	s.Delivrances += o.Delivrances
	for i := range s.JoursIJMois {
		s.JoursIJMois[i] += o.JoursIJMois[i]
	}
	s.TrajetsSansSoin += o.TrajetsSansSoin
	for i := range s.ActesMG {
		s.ActesMG[i] += o.ActesMG[i]
	}
	s.BaseSpeS2 += o.BaseSpeS2
	s.DepSpeS2 += o.DepSpeS2
}

// World is everything a generation holds in memory: the référentiels, the offer,
// the population and the plan of anomalies. Claims are streamed to the files.
type World struct {
	cfg        Config
	Ref        *Reference
	Off        *Offer
	Pop        []Person
	plan       *plan
	lambda0    float64
	start, end medconseil.Date
	lppItems   []lppItem
	maxTrt     []int32 // per person: latest FLX_TRT_DTD of its prestations
	orders     map[uint64]uint16
	psa        pseudonymiser
	idt        pseudonymiser // BEN_IDT_ANO, another keyed pseudonym
	caisses    map[string]caisse
	free       chan *shard // written shards whose buffers can be reused
}

// caisse is the organisme of a département: ORG_CLE_NEW (the CPAM after the
// mergers, IR_ORG_V), ORG_CLE_NUM and the emitter of its flows (IR_NEM_T).
type caisse struct {
	new, cle string
	emetteur int32
}

// caissesGrandEst are the CPAM of the Grand Est départements (IR_ORG_V codes)
// and their flows' emitters (IR_NEM_T, type 1: Strasbourg 1, 2 and 3).
var caissesGrandEst = map[string]caisse{
	"08": {"01C081000", "01C081000", 13}, "10": {"01C101000", "01C101000", 13},
	"51": {"01C511000", "01C511000", 13}, "52": {"01C521000", "01C521000", 13},
	"54": {"01C542000", "01C542000", 10}, "55": {"01C551000", "01C551000", 10},
	"57": {"01C571000", "01C571000", 10}, "88": {"01C881000", "01C881000", 10},
	"67": {"01C673000", "01C673000", 17}, "68": {"01C682000", "01C682000", 17},
}

// employer returns IJR_EMP_NUM of an employee: a synthetic 9-digit employer
// number, employers of 1 to a few hundred employees.
func (w *World) employer(pi int32) int64 {
	h := uint64(pi)*0x9E3779B97F4A7C15 ^ w.cfg.Seed
	h ^= h >> 29
	return 300_000_000 + int64(h%uint64(max(1, len(w.Pop)/12)))
}

// Result is what a generation reports.
type Result struct {
	Stats     Stats
	Rows      map[string]int64
	Anomalies int
	Elapsed   time.Duration
	// Calibration compares the produced figures to their targets (docs/synth.md).
	Calibration []Rate
	// EnCours lists the avis d'arrêt in flight at the end of the year, initial
	// avis before their prolongations, in a fixed order.
	EnCours []ArretEnCours
	// Clos lists, when Config.Clos asks for them, the avis of the year's other
	// arrêts (closed before the end of the year), and the avis of the earlier
	// years of every arrêt of the year begun before it (Anterieur, not in
	// MC_ARR_F: the initial avis its prolongations name and those in between),
	// initial avis before their prolongations, in the same fixed order.
	Clos []ArretEnCours
}

// Table names, in the order they are written.
const (
	TablePRS = "ER_PRS_F"
	TableETE = "ER_ETE_F"
	TablePHA = "ER_PHA_F"
	TableTRS = "ER_TRS_F"
	TableDTR = "ER_DTR_F"
	TableTIP = "ER_TIP_F"
	TableBEN = "IR_BEN_R"
	TableIMB = "IR_IMB_R"
	TablePRA = "DA_PRA_R"
	TableARR = "MC_ARR_F"
	TableATM = "MC_ATM_F"
	TableNIR = "MC_NIR_R"
	TableAGT = "MC_AGT_R"
	TableRPS = "MC_PRA_R"
	TablePHR = "MC_PHA_R"
)

// GroundTruthFile is the name of the ground-truth file in the output directory.
const GroundTruthFile = "ground_truth.json"

// Run generates the region into cfg.Out.
func Run(ctx context.Context, ref *Reference, cfg Config) (*Result, error) {
	t0 := time.Now()
	if cfg.Scale <= 0 || cfg.Scale > 2 {
		return nil, fmt.Errorf("échelle %g hors de ]0, 2]", cfg.Scale)
	}
	if cfg.Year < 2000 || cfg.Year > 2100 {
		return nil, fmt.Errorf("année %d invalide", cfg.Year)
	}
	if cfg.ShardSize <= 0 {
		cfg.ShardSize = 2000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if err := checkCodes(ref); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	w := &World{cfg: cfg, Ref: ref, start: medconseil.NewDate(cfg.Year, time.January, 1), end: medconseil.NewDate(cfg.Year, time.December, 31), psa: newPseudonymiser(cfg.Seed),
		idt: pseudonymiser{key: []byte(fmt.Sprintf("medconseil synth BEN_IDT_ANO %d", cfg.Seed))}, caisses: caissesGrandEst,
		free: make(chan *shard, 2*cfg.Workers+4)}
	fmt.Fprintf(cfg.Progress, "Région %s, échelle %g, graine %d, année %d : offre de soins…\n", cfg.Region, cfg.Scale, cfg.Seed, cfg.Year)
	w.Off = buildOffer(ref, cfg.Scale, cfg.Seed)
	w.lppItems = buildLPP(ref)
	fmt.Fprintf(cfg.Progress, "%d professionnels, %d établissements ; population…\n", len(w.Off.Pros), len(ref.Etablissements))
	w.orders = map[uint64]uint16{}
	w.Pop = buildPopulationWith(ref, w.Off, cfg, w.orders)
	w.plan = planAnomalies(w.Off, cfg.Seed)
	w.lambda0 = lambda0(w.Pop, w.Off, w.plan)

	res := &Result{Rows: map[string]int64{}}
	wr, err := openWriters(cfg.Out, !cfg.NoParquet)
	if err != nil {
		return nil, err
	}
	defer wr.abort()

	// Activity: shards generated in parallel, written in shard order.
	n := len(w.Pop)
	nShards := (n + cfg.ShardSize - 1) / cfg.ShardSize
	jobs := make(chan int)
	results := make(chan *shard, cfg.Workers)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, 2*cfg.Workers+2) // bounds shards in memory
	for k := 0; k < cfg.Workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range jobs {
				lo := idx * cfg.ShardSize
				results <- w.runShard(idx, lo, min(lo+cfg.ShardSize, n))
			}
		}()
	}
	go func() {
		defer close(jobs)
		for idx := 0; idx < nShards; idx++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- idx:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	prog := newProgress(cfg.Progress, cfg.TTY, int64(n))
	var done atomic.Int64
	pending := map[int]*shard{}
	next := 0
	samples := map[int32][]int32{}
	trips := map[int32]int{}
	obs := map[int32]*observed{}
	vol := make([]int64, len(w.Off.Pros))
	mergeObs := func(m map[int32]*observed) {
		for p, o := range m {
			t := obs[p]
			if t == nil {
				t = &observed{}
				obs[p] = t
			}
			t.Lignes += o.Lignes
			t.Arrets += o.Arrets
			t.JoursIJ += o.JoursIJ
			t.Trajets += o.Trajets
			t.TrajetsPart += o.TrajetsPart
			t.KmFactures += o.KmFactures
			t.KmSansFraude += o.KmSansFraude
			t.Splits += o.Splits
		}
	}
	var werr error
	for sh := range results {
		pending[sh.idx] = sh
		for {
			s, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if werr == nil {
				werr = wr.write(s)
			}
			if werr != nil {
				cancel()
			}
			res.Stats.add(s.stats)
			for p, l := range s.samples {
				if len(samples[p]) < 64 {
					samples[p] = append(samples[p], l[:min(len(l), 64-len(samples[p]))]...)
				}
			}
			res.EnCours = append(res.EnCours, s.enCours...)
			res.Clos = append(res.Clos, s.clos...)
			for p, c := range s.trips {
				trips[p] += c
			}
			mergeObs(s.obs)
			for i, v := range s.vol {
				vol[i] += int64(v)
			}
			w.mergeMaxTrt(s.maxTrt)
			prog.update(done.Add(s.stats.Persons))
			w.release(s)
			next++
			<-sem
		}
	}
	prog.finish()
	if werr != nil {
		return nil, werr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps := w.plantedShard(nShards, samples, trips)
	if err := wr.write(ps); err != nil {
		return nil, err
	}
	res.Stats.add(ps.stats)
	mergeObs(ps.obs)
	for i, v := range ps.vol {
		vol[i] += int64(v)
	}
	w.mergeMaxTrt(ps.maxTrt)
	truth := w.finishTruth(obs)
	if err := w.writeReferentials(wr); err != nil {
		return nil, err
	}
	if err := wr.close(); err != nil {
		return nil, err
	}
	for name, c := range wr.counts() {
		res.Rows[name] = c
	}
	if err := w.writeGroundTruth(filepath.Join(cfg.Out, GroundTruthFile), truth); err != nil {
		return nil, err
	}
	res.Anomalies = len(truth)
	res.Calibration = w.calibration(res.Stats, vol)
	res.Elapsed = time.Since(t0)
	return res, nil
}

func (w *World) mergeMaxTrt(m map[int32]int32) {
	for pi, d := range m {
		for int(pi) >= len(w.maxTrt) {
			w.maxTrt = append(w.maxTrt, 0)
		}
		if d > w.maxTrt[pi] {
			w.maxTrt[pi] = d
		}
	}
}

// buildPopulationWith is buildPopulation sharing the NIR order counters, so that
// phantom patients created later get unique NIRs too.
func buildPopulationWith(ref *Reference, off *Offer, cfg Config, orders map[uint64]uint16) []Person {
	return buildPopulation(ref, off, cfg, orders)
}

// writers holds one Parquet writer per table.
type writers struct {
	prs    *table[PRS]
	ete    *table[ETE]
	pha    *table[PHA]
	trs    *table[TRS]
	dtr    *table[DTR]
	tip    *table[TIP]
	arr    *table[ARR]
	atm    *table[ATM]
	imb    *table[IMB]
	ben    *table[BEN]
	pra    *table[PRA]
	nir    *table[NIRC]
	agt    *table[AGT]
	rps    *table[RPPS]
	phr    *table[PHAR]
	closed bool
}

func openWriters(dir string, parquet bool) (*writers, error) {
	w := &writers{}
	var errs []error
	open := func(name string) string { return name }
	if !parquet {
		dir = "" // rows counted, nothing written
	}
	var err error
	if w.prs, err = newTable[PRS](dir, open(TablePRS)); err != nil {
		errs = append(errs, err)
	}
	if w.trs, err = newTable[TRS](dir, TableTRS); err != nil {
		errs = append(errs, err)
	}
	if w.dtr, err = newTable[DTR](dir, TableDTR); err != nil {
		errs = append(errs, err)
	}
	if w.tip, err = newTable[TIP](dir, TableTIP); err != nil {
		errs = append(errs, err)
	}
	if w.arr, err = newTable[ARR](dir, TableARR); err != nil {
		errs = append(errs, err)
	}
	if w.atm, err = newTable[ATM](dir, TableATM); err != nil {
		errs = append(errs, err)
	}
	if w.imb, err = newTable[IMB](dir, TableIMB); err != nil {
		errs = append(errs, err)
	}
	if w.ben, err = newTable[BEN](dir, TableBEN); err != nil {
		errs = append(errs, err)
	}
	if w.pra, err = newTable[PRA](dir, TablePRA); err != nil {
		errs = append(errs, err)
	}
	if w.nir, err = newTable[NIRC](dir, TableNIR); err != nil {
		errs = append(errs, err)
	}
	if w.agt, err = newTable[AGT](dir, TableAGT); err != nil {
		errs = append(errs, err)
	}
	if w.ete, err = newTable[ETE](dir, TableETE); err != nil {
		errs = append(errs, err)
	}
	if w.pha, err = newTable[PHA](dir, TablePHA); err != nil {
		errs = append(errs, err)
	}
	if w.rps, err = newTable[RPPS](dir, TableRPS); err != nil {
		errs = append(errs, err)
	}
	if w.phr, err = newTable[PHAR](dir, TablePHR); err != nil {
		errs = append(errs, err)
	}
	return w, errors.Join(errs...)
}

// write writes a shard: the big table on this goroutine, the others beside it.
func (w *writers) write(s *shard) error {
	var wg sync.WaitGroup
	errs := make([]error, 9)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[7] = w.pha.write(s.pha)
		if errs[7] == nil {
			errs[8] = w.ete.write(s.ete)
		}
		errs[1] = w.trs.write(s.trs)
		if errs[1] == nil {
			errs[2] = w.dtr.write(s.dtr)
		}
		if errs[2] == nil {
			errs[3] = w.tip.write(s.tip)
		}
		if errs[3] == nil {
			errs[4] = w.arr.write(s.arr)
		}
		if errs[4] == nil {
			errs[5] = w.atm.write(s.atm)
		}
		if errs[5] == nil {
			errs[6] = w.imb.write(s.imb)
		}
	}()
	errs[0] = w.prs.write(s.prs)
	wg.Wait()
	return errors.Join(errs...)
}

func (w *writers) all() []interface{ close() error } {
	return []interface{ close() error }{w.prs, w.ete, w.pha, w.trs, w.dtr, w.tip, w.arr, w.atm, w.imb, w.ben, w.pra, w.nir, w.agt, w.rps, w.phr}
}

func (w *writers) close() error {
	w.closed = true
	var errs []error
	for _, t := range w.all() {
		if t != nil {
			errs = append(errs, t.close())
		}
	}
	return errors.Join(errs...)
}

func (w *writers) abort() {
	if !w.closed {
		w.close()
	}
}

func (w *writers) counts() map[string]int64 {
	return map[string]int64{
		TablePRS: w.prs.n, TableTRS: w.trs.n, TableDTR: w.dtr.n, TableTIP: w.tip.n, TableARR: w.arr.n,
		TableATM: w.atm.n, TableIMB: w.imb.n, TableBEN: w.ben.n, TablePRA: w.pra.n, TableNIR: w.nir.n, TableAGT: w.agt.n,
		TableETE: w.ete.n, TablePHA: w.pha.n, TableRPS: w.rps.n, TablePHR: w.phr.n,
	}
}

// writeReferentials writes the beneficiaries (with the phantoms), the
// professionals, the NIR correspondence and the Service médical's staff.
func (w *World) writeReferentials(wr *writers) error {
	const batch = 8192
	ben := make([]BEN, 0, batch)
	nir := make([]NIRC, 0, batch)
	// MAX_TRT_DTD: the latest processing date of the person's prestations.
	maxTrt := w.maxTrt
	for i := range w.Pop {
		p := &w.Pop[i]
		c := &w.Ref.Communes[p.Commune]
		org := w.caisses[c.Dep]
		ins := p.Birth.AddDays(30)
		if ins.Before(medconseil.NewDate(2006, time.January, 1)) {
			ins = medconseil.NewDate(2006, time.January, 1)
		}
		b := BEN{BEN_NIR_PSA: p.PSA, BEN_RNG_GEM: 1, BEN_IDT_ANO: w.idt.psa(p.NIR), BEN_CDI_NIR: "00", BEN_SEX_COD: int32(p.Sex),
			BEN_NAI_ANN: fmt.Sprintf("%04d", p.Birth.Year()), BEN_NAI_MOI: fmt.Sprintf("%02d", int(p.Birth.Month())),
			BEN_RES_DPT: "0" + c.Dep, BEN_RES_COM: c.Code[2:], ORG_AFF_BEN: org.new, ORG_CLE_NEW: org.new, BEN_DTE_INS: pqDate(ins)}
		if !p.Death.IsZero() {
			b.BEN_DCD_DTE = optDate(p.Death)
			b.BEN_DCD_AME = optStr(yyyymm(p.Death))
		}
		if i < len(maxTrt) && maxTrt[i] != 0 {
			b.MAX_TRT_DTD = &maxTrt[i]
		}
		var mt *string
		if p.MT >= 0 {
			mt = &w.Off.Pros[p.MT].PFS
		}
		ben = append(ben, b)
		nir = append(nir, NIRC{BEN_NIR_PSA: p.PSA, BEN_NIR: string(p.NIR), BEN_RES_COM: c.Code, PRS_MTT_NUM: mt})
		if len(ben) == batch || i == len(w.Pop)-1 {
			if err := wr.ben.write(ben); err != nil {
				return err
			}
			if err := wr.nir.write(nir); err != nil {
				return err
			}
			ben, nir = ben[:0], nir[:0]
		}
	}
	pra := make([]PRA, 0, len(w.Off.Pros))
	rps := make([]RPPS, 0, len(w.Off.Pros))
	for i := range w.Off.Pros {
		p := &w.Off.Pros[i]
		c := &w.Ref.Communes[p.Commune]
		cnv, ddp := "1", "0"
		if p.Sector == 2 {
			cnv, ddp = "3", "1"
		}
		r := PRA{PFS_PFS_NUM: p.PFS, PFS_PRA_SPE: p.Spa, CNV_CNV_COD: cnv, PRA_IDP_DDP: ddp,
			IPP_SEX_COD: strconv.Itoa(int(p.Sex)), IPP_ANN_NAI: strconv.Itoa(p.Born), PFS_EXC_COM: c.Code, PFS_COD_POS: c.CodePostal,
			PFS_LIB_COM: strings.ToUpper(c.Nom), CAI_NUM: w.caisses[c.Dep].new, DTE_ANN_TRT: strconv.Itoa(w.cfg.Year), DTE_MOI_FIN: "12"}
		if p.Kind == KindAmbulance || p.Kind == KindTaxi {
			r.PFS_AMB_NBR, r.PFS_VSL_NBR, r.PFS_TXI_NBR = &p.Vehicles[0], &p.Vehicles[1], &p.Vehicles[2]
		}
		pra = append(pra, r)
		rps = append(rps, RPPS{PFS_PFS_NUM: p.PFS, PFS_RPPS_NUM: optStr(p.RPPS), PFS_COM_COD: c.Code, PFS_KIN_LIB: p.Kind.String()})
	}
	if err := wr.pra.write(pra); err != nil {
		return err
	}
	if err := wr.rps.write(rps); err != nil {
		return err
	}
	phr := make([]PHAR, 0, len(medicaments))
	for _, m := range medicaments {
		phr = append(phr, PHAR{PHA_CIP_C13: m.cip, PHA_ATC_C07: m.atc, PHA_NOM_PA: m.nom, PHA_CLA_LIB: m.classe, PHA_PRX_PUB: m.price, PHA_REM_TAU: 65})
	}
	if err := wr.phr.write(phr); err != nil {
		return err
	}
	return wr.agt.write(staff(w.cfg.Seed))
}

// staff spreads the Service médical's 138 praticiens-conseils and 501 other staff
// (the seed's numbers, at every scale) over the direction régionale, the 10
// échelons and their 18 sites, in proportion to the sites' départements.
func staff(seed uint64) []AGT {
	rng := newRNG(seed, streamOffer+100)
	var sites []medconseil.Organisme
	for _, o := range medconseil.GrandEst() {
		if o.Type == medconseil.TypeSite || o.Type == medconseil.TypeDRSM {
			sites = append(sites, o)
		}
	}
	roles := []struct {
		fon string
		n   int
	}{{"PRATICIEN_CONSEIL", 138}, {"INFIRMIER_SM", 96}, {"TECHNICIEN_SM", 280}, {"ASSISTANT", 95}, {"CADRE_ADMINISTRATIF", 30}}
	var out []AGT
	k := 0
	for _, r := range roles {
		for i := 0; i < r.n; i++ {
			k++
			s := sites[rng.IntN(len(sites))]
			niv := "site"
			if s.Type == medconseil.TypeDRSM {
				niv = "region"
			}
			out = append(out, AGT{AGT_MAT: fmt.Sprintf("SM44%05d", k), AGT_FON: r.fon, ORG_COD: s.Code, ORG_NIV: niv})
		}
	}
	return out
}

type lppItem struct {
	code   int64
	nature int32
	typ    int32 // IR_PRF_V: 1 achat, 3 location
	price  int64
	days   int
	maxQ   int
	p      float64
}

// buildLPP picks real LPP codes by family (NT_LPP labels), with typical prices.
func buildLPP(ref *Reference) []lppItem {
	fams := []struct {
		prefix string
		nature int32
		typ    int32
		price  int64
		days   int
		maxQ   int
		p      float64
	}{
		{"PPC, APNEE SOMMEIL", 3511, 3, 2100, 28, 4, 0.18},
		{"PANSEMENT", 3515, 1, 1250, 10, 6, 0.30},
		{"VETEMENT COMPRESSIF", 3513, 1, 2800, 90, 2, 0.15},
		{"LIT MEDICAL", 3512, 3, 1200, 28, 4, 0.08},
		{"DEAMBULATEUR", 3514, 3, 300, 28, 4, 0.07},
		{"CANNE", 3514, 1, 1200, 365, 1, 0.05},
		{"CORRECTION ORTHOPEDIQUE", 3521, 1, 3500, 365, 1, 0.10},
		{"ACHAT SEMESTRIEL, NEBULISEUR", 3518, 1, 8000, 180, 1, 0.04},
	}
	var items []lppItem
	codes := make([]string, 0, len(ref.LPP))
	for c := range ref.LPP {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, f := range fams {
		var found []string
		for _, c := range codes {
			if strings.HasPrefix(ref.LPP[c], f.prefix) {
				found = append(found, c)
			}
			if len(found) == 4 {
				break
			}
		}
		for _, c := range found {
			var code int64
			fmt.Sscan(c, &code)
			items = append(items, lppItem{code: code, nature: f.nature, typ: f.typ, price: f.price, days: f.days, maxQ: f.maxQ, p: f.p / float64(len(found))})
		}
	}
	return items
}

// checkCodes refuses to generate when a code the generator uses is missing from
// its nomenclature: every code in the output exists in the référentiels.
func checkCodes(ref *Reference) error {
	var missing []string
	need := func(nom string, codes ...string) {
		for _, c := range codes {
			if !ref.Has(nom, c) {
				missing = append(missing, nom+":"+c)
			}
		}
	}
	need("IR_NAT_V", "1110", "1111", "1112", "1113", "1211", "1224", "1125", "2211", "3111", "3112", "3122", "3125", "3211", "3313", "4212", "4213", "4214", "6110", "6111", "6112", "3511", "3512", "3513", "3514", "3515", "3518", "3521")
	need("IR_DEP_V", "0", "71")
	need("IR_NIR_V", "00")
	need("IR_BER_V", "1")
	need("IR_CNV_V", "1", "3")
	need("IR_TYT_V", "1")
	for _, k := range kindSpa {
		if k != "" {
			need("IR_SPA_D", k)
		}
	}
	need("IR_SPA_D", "1")
	for _, s := range specialites {
		need("IR_SPA_D", s.code)
	}
	deps := make([]string, 0, len(caissesGrandEst))
	for d := range caissesGrandEst {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	for _, d := range deps {
		c := caissesGrandEst[d]
		need("IR_ORG_V", c.new, c.cle)
		need("IR_NEM_T", fmt.Sprintf("1;%d", c.emetteur))
	}
	cats := map[string]bool{}
	for _, e := range ref.Etablissements {
		cats[e.CatEtab] = true
	}
	for _, c := range sortedKeys(cats) {
		need("IR_CET_V", c)
	}
	for _, s := range specialites {
		need("IR_SPE_V", s.code)
	}
	need("IR_SPE_V", "0", "1")
	for _, k := range kindCode {
		need("IR_ACT_V", k.act)
	}
	need("IR_DTR_V", "11", "21")
	need("IR_MTR_V", "0", "1", "10", "11", "100", "101")
	need("AT_AAT_V", "AAS", "PAS", "AAT", "PAT")
	need("IR_ASU_V", "10", "30", "40")
	need("IR_EXO_V", "0", "41", "42")
	need("IR_ETM_V", "11", "12", "41")
	need("AT_NTU_V", "0", "1", "5")
	need("AT_MLT_V", "057", "098", "030")
	need("IR_PRF_V", "1", "3")
	for _, a := range aldMix {
		need("IR_ALD_V", a.num)
		need("IR_CIM_V", a.cims...)
	}
	for _, m := range motifsArret {
		need("IR_CIM_V", m.cims...)
	}
	for _, s := range situationsKine {
		need("IR_CIM_V", s.cim)
	}
	need("IR_CIM_V", "S835", "S934", "S626", "M751", "M545", "S420", "T141", "G560", "M770", "M511", "J920")
	for _, d := range medconseil.GrandEstDepartements() {
		need("IR_DPT_V", "0"+d)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("codes absents des nomenclatures : %s", strings.Join(missing, ", "))
	}
	return nil
}

// GroundTruth is the content of ground_truth.json.
type GroundTruth struct {
	Format    int       `json:"format"` // 2 since the SNDS-conformant tables
	Region    string    `json:"region"`
	Scale     float64   `json:"scale"`
	Seed      uint64    `json:"seed"`
	Year      int       `json:"year"`
	Note      string    `json:"note"`
	Anomalies []Anomaly `json:"anomalies"`
	// LegitIJ is every GP's legitimate propensity to prescribe arrêts
	// (Pro.IJ, log-normal, log-SD 0.3), by PFS_PFS_NUM, planted or not: the
	// ground truth an evaluation needs to compute what the best possible
	// ranking could reach (detect eval's oracle). Never in the SNDS tables.
	// Absent from the files written before 3 December 2026.
	LegitIJ map[string]float64 `json:"facteurs_legitimes_ij,omitempty"`
}

func (w *World) writeGroundTruth(path string, truth []Anomaly) error {
	gt := GroundTruth{Format: 2, Region: w.cfg.Region, Scale: w.cfg.Scale, Seed: w.cfg.Seed, Year: w.cfg.Year,
		Note: "Anomalies plantées (catalogue DETECTION.md §3.3) qui ont produit des données, une fois chacune ; jamais signalées comme telles dans les tables. Format : docs/synth.md.", Anomalies: truth,
		LegitIJ: map[string]float64{}}
	for _, i := range w.Off.ByKind[KindGeneraliste] {
		gt.LegitIJ[w.Off.Pros[i].PFS] = round3(w.Off.Pros[i].IJ)
	}
	b, err := json.MarshalIndent(gt, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
