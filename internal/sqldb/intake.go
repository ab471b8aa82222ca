package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"medconseil"
	"medconseil/internal/authz"
)

// Analyst runs the pre-analysis of a dossier at intake (internal/preanalyse).
type Analyst interface {
	Analyse(in *medconseil.Instruction) (medconseil.PreAnalyse, []medconseil.Alerte)
}

// Intake files dossiers of every type: in one transaction it checks the filer's
// right and the codes against the référentiels, resolves the dossier a filing
// refers to through the access gate, versions the assuré's identity, writes the
// request split by field class (clinical fields encrypted), runs the type's rule
// set on the request and the assuré's history (the pre-analysis) and stores its
// proposition and alerts, sets the initial state and journals the write.
type Intake struct {
	DB *DB
	// Analyst runs the pre-analysis; nil files without one (store tests only).
	Analyst Analyst
	// Nomenclatures returns the référentiels in force; nil, or a nil result,
	// checks codes for their shape only.
	Nomenclatures func(ctx context.Context) medconseil.Nomenclatures
}

// DemandeInput is a request of one of the schema types as submitted.
type DemandeInput struct {
	Assure       medconseil.Assure
	Prescripteur medconseil.RPPS
	Demande      *medconseil.Demande
	Faits        map[string]string
}

// filing is what every type's intake writes.
type filing struct {
	route, action string
	typ           medconseil.TypeDossier
	assure        medconseil.Assure
	prescripteur  medconseil.RPPS
	employeur     string
	medecinTrait  medconseil.RPPS
	arret         *medconseil.ArretTravail
	demande       *medconseil.Demande
	faits         map[string]string
	// at, when set, is when the filing is received (BulkFiling.Recue).
	at time.Time
}

// FileArret files an avis d'arrêt de travail (POST /api/v1/arrets, or
// POST /api/v1/dossiers with type arret_travail).
func (in *Intake) FileArret(ctx context.Context, a *medconseil.Acteur, x ArretInput, m Meta) (int64, bool, error) {
	f, err := in.arretFiling(ctx, x)
	if err != nil {
		return 0, false, err
	}
	return in.file(ctx, a, f, m)
}

func (in *Intake) arretFiling(ctx context.Context, x ArretInput) (*filing, error) {
	if err := x.Arret.Validate(); err != nil {
		return nil, err
	}
	if err := in.checkCommon(ctx, x.Assure, func(n medconseil.Nomenclatures) error {
		return medconseil.CheckCIM10(n, "cim10", x.Arret.CIM10)
	}); err != nil {
		return nil, err
	}
	if err := checkFaits(medconseil.TypeArretTravail, x.Faits); err != nil {
		return nil, err
	}
	ar := x.Arret
	return &filing{route: "POST /api/v1/arrets", action: "arret.depot", typ: medconseil.TypeArretTravail, assure: x.Assure, prescripteur: x.Prescripteur, arret: &ar, faits: x.Faits}, nil
}

// FileDemande files a request of one of the other types (POST /api/v1/dossiers).
func (in *Intake) FileDemande(ctx context.Context, a *medconseil.Acteur, x DemandeInput, m Meta) (int64, bool, error) {
	f, err := in.demandeFiling(ctx, x)
	if err != nil {
		return 0, false, err
	}
	return in.file(ctx, a, f, m)
}

func (in *Intake) demandeFiling(ctx context.Context, x DemandeInput) (*filing, error) {
	if x.Demande == nil {
		return nil, medconseil.FieldErrorf("type", "type de dossier manquant")
	}
	s, ok := medconseil.SchemaOf(x.Demande.Type)
	if !ok {
		return nil, medconseil.FieldErrorf("type", "type de dossier %q inconnu", x.Demande.Type)
	}
	if err := in.checkCommon(ctx, x.Assure, func(n medconseil.Nomenclatures) error { return x.Demande.CheckCodes(s, n) }); err != nil {
		return nil, err
	}
	if err := checkFaits(s.Type, x.Faits); err != nil {
		return nil, err
	}
	return &filing{route: "POST /api/v1/dossiers", action: "dossier.depot", typ: s.Type, assure: x.Assure, prescripteur: x.Prescripteur,
		demande: x.Demande, faits: x.Faits, employeur: x.Demande.Str("employeur_siret"), medecinTrait: medconseil.RPPS(x.Demande.Str(medconseil.ChampMedecinTraita))}, nil
}

// BulkFiling is one filing of FileInOrder: an avis d'arrêt (Arret) or a request of
// another type (Demande), with its metadata (idempotency key…).
type BulkFiling struct {
	Arret   *ArretInput
	Demande *DemandeInput
	Meta    Meta
	// Recue, when set, is when the filing is received: the time of everything
	// it writes (its reception and deadlines, its pre-analysis, its journal
	// entry), as the store's clock (DB.Now) gives it otherwise. A load of many
	// days can then go in one call.
	Recue time.Time
	// Names, when set, is the position (from 1) in the same list of an earlier
	// filing whose dossier this one names — the initial avis of a prolongation
	// (Arret.Arret.InitialID) or the sinistre of an AT/MP certificate (the
	// Demande's sinistre_id) — whose id FileInOrder fills in.
	Names int
}

// naming returns x naming dossier id (Names), x itself unchanged.
func (x BulkFiling) naming(id int64) BulkFiling {
	switch {
	case x.Arret != nil:
		a := *x.Arret
		a.Arret.InitialID = id
		x.Arret = &a
	case x.Demande != nil && x.Demande.Demande != nil:
		d := *x.Demande
		d.Demande = sinistreNamed(d.Demande, id)
		x.Demande = &d
	}
	return x
}

// sinistreNamed returns a copy of d naming sinistre id.
func sinistreNamed(d *medconseil.Demande, id int64) *medconseil.Demande {
	c := &medconseil.Demande{Type: d.Type, Valeurs: maps.Clone(d.Valeurs)}
	if c.Valeurs == nil {
		c.Valeurs = map[string]medconseil.Valeur{}
	}
	c.Valeurs[medconseil.ChampSinistreID] = medconseil.Valeur{N: id}
	return c
}

// FileInOrder files xs as FileArret and FileDemande would, one by one — each
// checked, pre-analysed, written in its own savepoint, journaled and idempotent —
// for a bulk load (synth --db): up to workers filings are prepared at once (checks,
// history, rule set) while the writer writes those already prepared, taken in the
// order of xs. On SQLite (one writer) the dossiers' ids and the journal then follow
// xs, so a load is reproducible. It returns each filing's id (0 after a failure)
// and the first error; the filings after a failing one are not filed.
//
// A filing may name an earlier one of xs (BulkFiling.Names). On SQLite, with ids
// reserved, it is prepared without waiting for the one it names to be committed:
// with that filing's reserved id, which the writer checks when it writes (a
// filing replayed keeps its first id: the writer then names that one, seals the
// rows again and pre-analyses afresh). Its pre-analysis, made before the named
// dossier was there, is done again by the writer, as for any filing whose
// assuré's dossiers changed meanwhile (the named dossier is the same assuré's).
// Elsewhere it waits for the named filing's verdict.
func (in *Intake) FileInOrder(ctx context.Context, a *medconseil.Acteur, xs []BulkFiling, workers int) ([]int64, error) {
	if workers < 1 {
		workers = 1
	}
	// The named filings: a verdict to wait for, an id the writer gives.
	named := map[int]*namedFiling{}
	for i, x := range xs {
		if x.Names == 0 {
			continue
		}
		if x.Names < 1 || x.Names > i {
			return make([]int64, len(xs)), medconseil.FieldErrorf(fmt.Sprintf("depot[%d].names", i+1), "le dépôt n° %d désigne le dépôt n° %d, qui ne le précède pas dans la liste", i+1, x.Names)
		}
		if named[x.Names-1] == nil {
			named[x.Names-1] = &namedFiling{done: make(chan struct{})}
		}
	}
	parent := ctx
	ids := make([]int64, len(xs))
	type slot struct {
		p   *preparedFiling
		err error
	}
	ready := make([]chan slot, len(xs))
	for i := range ready {
		ready[i] = make(chan slot, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Preparers take the filings in order; the window bounds how far they run ahead
	// of the writer (memory) while keeping the writer fed: two groups, so that the
	// next group is prepared while one is written (SetGroupSize's wait fills them).
	window := make(chan struct{}, 4*workers+2*in.DB.groupSize())
	// Each filing's dossier id is reserved here, in the order of xs, so that the ids
	// follow xs (a bulk load is reproducible id for id) while the preparers seal
	// and encode its rows with it, off the writer. A filing refused or replayed
	// leaves its id unused.
	rids := make([]int64, len(xs))
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range xs {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if in.DB.Keys != nil {
				id, err := in.DB.reserveDossierID(ctx)
				if err != nil {
					return // ctx ended: the load is cut short
				}
				rids[i] = id
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	// nameIn gives filing i, which names filing k, the id of k: the one its
	// verdict gave; on SQLite, if k is still in flight, its reserved id (spec:
	// the writer checks it); elsewhere, once its verdict is in.
	nameIn := func(i int) (x BulkFiling, spec *namedFiling, err error) {
		x, k := xs[i], xs[i].Names-1
		nf := named[k]
		var id int64
		select {
		case <-nf.done:
			id = ids[k]
		default:
			if rids[k] != 0 && in.DB.dialect == SQLite {
				id, spec = rids[k], nf
				break
			}
			select {
			case <-nf.done:
				id = ids[k]
			case <-ctx.Done():
				return x, nil, ctx.Err()
			}
		}
		if id == 0 {
			return x, nil, medconseil.FieldErrorf(fmt.Sprintf("depot[%d].names", i+1), "le dépôt n° %d qu'il désigne n'est pas déposé", x.Names)
		}
		return x.naming(id), spec, nil
	}
	for w := 0; w < workers; w++ {
		go func() {
			for i := range next {
				x, spec := xs[i], (*namedFiling)(nil)
				var err error
				if x.Names > 0 {
					if x, spec, err = nameIn(i); err != nil {
						ready[i] <- slot{nil, err}
						continue
					}
				}
				p, err := in.prepareBulk(ctx, a, x, rids[i])
				if p != nil {
					if nf := named[i]; nf != nil {
						p.out = &nf.id
					}
					if spec != nil {
						p.named, p.namedAs = &spec.id, rids[x.Names-1]
					}
				}
				ready[i] <- slot{p, err}
			}
		}()
	}
	// Queue the writes in order; wait for their verdicts in order.
	type queued struct {
		i    int
		p    *preparedFiling
		wait func() error
	}
	verdicts := make(chan queued, cap(window))
	var firstErr error
	go func() {
		defer close(verdicts)
		for i := range xs {
			var s slot
			select {
			case s = <-ready[i]:
			case <-ctx.Done():
				return
			}
			if s.err != nil {
				verdicts <- queued{i: i, wait: func() error { return s.err }}
				return
			}
			verdicts <- queued{i: i, p: s.p, wait: in.DB.writeGatedAsync(ctx, s.p.write)}
		}
	}()
	seen := 0
	for q := range verdicts {
		seen++
		<-window
		err := q.wait()
		if errors.Is(err, errIdemRace) && q.p != nil {
			// Another writer (PostgreSQL, or a concurrent client) raced this one:
			// file it again on its own, as the API would.
			q.p.id, _, err = in.file(ctx, a, q.p.f, q.p.m)
		}
		if err == nil && firstErr == nil {
			ids[q.i] = q.p.id
		}
		if nf := named[q.i]; nf != nil {
			close(nf.done) // after ids[q.i]: its waiters read it
		}
		if err != nil && firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	if firstErr == nil && seen < len(xs) {
		firstErr = parent.Err() // the load was cut short
	}
	return ids, firstErr
}

// prepareBulk checks one filing of FileInOrder and prepares it, with the dossier
// id rid reserved for it (0: the write's INSERT chooses it).
func (in *Intake) prepareBulk(ctx context.Context, a *medconseil.Acteur, x BulkFiling, rid int64) (*preparedFiling, error) {
	var f *filing
	var err error
	switch {
	case x.Arret != nil:
		f, err = in.arretFiling(ctx, *x.Arret)
	case x.Demande != nil:
		f, err = in.demandeFiling(ctx, *x.Demande)
	default:
		err = medconseil.FieldErrorf("type", "type de dossier manquant")
	}
	if err != nil {
		return nil, err
	}
	f.at = x.Recue
	var reserve func(context.Context) (int64, error)
	if rid != 0 {
		reserve = func(context.Context) (int64, error) { return rid, nil }
	}
	return in.prepare(ctx, a, f, x.Meta, reserve)
}

// checkCommon checks the assuré's commune and the type's codes against the
// référentiels, every error at once.
func (in *Intake) checkCommon(ctx context.Context, as medconseil.Assure, codes func(medconseil.Nomenclatures) error) error {
	var n medconseil.Nomenclatures
	if in.Nomenclatures != nil {
		n = in.Nomenclatures(ctx)
	}
	if n == nil {
		return nil
	}
	return errors.Join(medconseil.CheckCommune(n, "residence", as.Residence), codes(n))
}

// checkFaits checks facts against the type's list and their kinds.
func checkFaits(t medconseil.TypeDossier, faits map[string]string) error {
	known := map[string]medconseil.Fait{}
	for _, f := range medconseil.FaitsOf(t) {
		known[f.Nom] = f
	}
	var errs []error
	names := make([]string, 0, len(faits))
	for k := range faits {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		f, ok := known[k]
		field := "faits." + k
		if !ok {
			errs = append(errs, medconseil.FieldErrorf(field, "fait « %s » inconnu pour ce type de dossier", k))
			continue
		}
		v := faits[k]
		c := medconseil.Champ{Nom: field, Libelle: f.Libelle, Kind: f.Kind}
		raw, _ := json.Marshal(v)
		if _, err := medconseil.ParseDemande(&medconseil.Schema{Champs: []medconseil.Champ{c}}, map[string]json.RawMessage{field: raw}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (in *Intake) file(ctx context.Context, a *medconseil.Acteur, f *filing, m Meta) (id int64, replay bool, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		id, replay, err = in.fileOnce(ctx, a, f, m)
		if !errors.Is(err, errIdemRace) {
			return id, replay, err
		}
	}
	return id, replay, err
}

func (in *Intake) fileOnce(ctx context.Context, a *medconseil.Acteur, f *filing, m Meta) (id int64, replay bool, err error) {
	p, err := in.prepare(ctx, a, f, m, in.DB.reserveDossierID)
	if err != nil {
		return 0, false, err
	}
	err = in.DB.writeGated(ctx, p.write)
	return p.id, p.replay, err
}

// preparedFiling is a filing checked and pre-analysed off the single writer, with
// what its write transaction needs.
type preparedFiling struct {
	in        *Intake
	ctx       context.Context
	a         *medconseil.Acteur
	f         *filing
	m         Meta
	now       time.Time
	dep       string
	pre       *medconseil.PreAnalyse
	preAlerts []medconseil.Alerte
	mark      watermark
	start     lifecycleStart
	scope     authz.Scope
	// With an id reserved ahead (dossier_ids.go; the interactive intake, and a
	// bulk load, in the order of its filings): the id and the rows the write
	// inserts, sealed and encoded with it off the writer. Nil rows: the INSERT
	// chooses the id and the write seals (a store without keys, a reserved id
	// found taken).
	rid  int64
	rows *sealedFiling
	// Set by write.
	id     int64
	replay bool
	// A filing of FileInOrder that a later one names: out receives its id once
	// written (0 if its write failed). A filing that names one still in flight
	// when it was prepared (SQLite): named is that one's out, and namedAs the id
	// it was prepared with, its reserved id.
	out     *atomic.Int64
	named   *atomic.Int64
	namedAs int64
}

// namedFiling is a filing of FileInOrder that a later one names: done is closed
// once its verdict is in (its id in FileInOrder's ids, 0 if it failed); id is
// what its write gave, before its group commits.
type namedFiling struct {
	done chan struct{}
	id   atomic.Int64
}

// sealedFiling is what a filing's write inserts besides the dossier row, sealed
// and encoded with its reserved id.
type sealedFiling struct {
	dossier []any    // the dossier's INSERT values, its id first
	arret   []any    // nil without an avis d'arrêt
	demande []any    // nil without a request of another type
	pre     *preRows // nil without a pre-analysis
}

// prepare does the part of a filing that runs off the single writer: the
// pre-analysis (the assuré's history read and the rule set run now, the result kept
// if nothing changed for this assuré by the time of the write) and the lifecycle's
// start (the state and echeance go in the dossier's INSERT). With reserve (and a
// keyring), it also takes the dossier's id from reserve and seals and encodes the
// rows the write inserts.
func (in *Intake) prepare(ctx context.Context, a *medconseil.Acteur, f *filing, m Meta, reserve func(context.Context) (int64, error)) (*preparedFiling, error) {
	db := in.DB
	now := f.at
	if now.IsZero() {
		now = db.Now()
	}
	p := &preparedFiling{in: in, ctx: ctx, a: a, f: f, m: m, now: now, dep: f.assure.Departement()}
	if in.Analyst != nil {
		ins := instructionOf(f, p.now)
		if err := db.Read(ctx, func(tx *Tx) error {
			var err error
			p.mark, err = tx.preRead(ctx, ins)
			return err
		}); err != nil {
			return nil, err
		}
		pa, alerts := in.Analyst.Analyse(ins)
		p.pre, p.preAlerts = &pa, alerts
	}
	var err error
	if p.start, err = db.onFiled(f.typ, medconseil.DateOf(p.now), f.demande, p.dep); err != nil {
		return nil, err
	}
	p.scope = authz.Scope{Type: f.typ, Departement: p.dep, Prescripteur: f.prescripteur, NIR: f.assure.NIR, Employeur: f.employeur}
	if reserve != nil && db.Keys != nil {
		id, err := reserve(ctx)
		if err != nil {
			return nil, err
		}
		if p.rows, err = p.seal(id); err != nil {
			return nil, err
		}
		p.rid = id
	}
	return p, nil
}

// seal builds the rows of the filing as dossier id: clinical fields, pre-analysis
// and alerts sealed with id in their associated data, as the write would.
func (p *preparedFiling) seal(id int64) (*sealedFiling, error) {
	db, f := p.in.DB, p.f
	r := &sealedFiling{dossier: append([]any{id}, p.dossierValues()...)}
	var err error
	if f.arret != nil {
		if r.arret, err = db.arretValues(id, f.arret); err != nil {
			return nil, err
		}
	}
	if f.demande != nil {
		if r.demande, err = db.demandeValues(id, f.demande); err != nil {
			return nil, err
		}
	}
	if p.pre != nil {
		if r.pre, err = db.preRowsOf(id, *p.pre, p.preAlerts, p.now); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// The dossier's INSERT: its columns and values but the id (dossierValues).
const (
	dossierInsertCols = `type, etat, version, departement, nir, prescripteur, recue_le, echeance, cree_par, maj_le, employeur, decl_nom, decl_prenom, decl_naissance, decl_residence, nom_assure`
	dossierInsertVals = `?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ` + nomAssureOf
	// The INSERT with a reserved id writes nothing when another writer took it.
	insertDossierReserved  = `INSERT INTO dossier (id, ` + dossierInsertCols + `) VALUES (?, ` + dossierInsertVals + `) ON CONFLICT (id) DO NOTHING`
	insertDossierReturning = `INSERT INTO dossier (` + dossierInsertCols + `) VALUES (` + dossierInsertVals + `) RETURNING id`
)

func (p *preparedFiling) dossierValues() []any {
	f, now := p.f, p.now
	return []any{string(f.typ), string(p.start.etat), p.dep, string(f.assure.NIR), string(f.prescripteur), ts(now), p.start.echeance,
		nullInt(p.a.ID), ts(now), f.employeur, f.assure.Nom, f.assure.Prenom, f.assure.Naissance, f.assure.Residence, string(f.assure.NIR)}
}

// write is the filing's write transaction (run by the single writer, in its own
// savepoint of a group).
func (p *preparedFiling) write(tx *Tx) (err error) {
	if p.out != nil {
		defer func() {
			if err != nil {
				p.out.Store(0)
			} else {
				p.out.Store(p.id)
			}
		}()
	}
	if !p.f.at.IsZero() {
		tx.at = p.f.at
		defer func() { tx.at = time.Time{} }()
	}
	if p.named != nil {
		if err := p.renamed(); err != nil {
			return err
		}
	}
	in, a, f, m, now, dep, scope, start, ctx := p.in, p.a, p.f, p.m, p.now, p.dep, p.scope, p.start, p.ctx
	db := in.DB
	pre, preAlerts, mark := p.pre, p.preAlerts, p.mark
	var id int64
	p.id, p.replay = 0, false
	// One statement reads the idempotency record, the échelons of the
	// département, the assuré's watermark and registered identity.
	st, err := tx.intakeState(ctx, a, m, dep, f.assure.NIR)
	if err != nil {
		return err
	}
	if stored, ok, err := st.idemReplay(m, f.route); err != nil {
		return err
	} else if ok {
		var body struct{ ID int64 }
		if err := json.Unmarshal([]byte(stored), &body); err != nil {
			return medconseil.Internal(err)
		}
		p.id, p.replay = body.ID, true
		return nil
	}
	if st.echelons == 0 {
		return medconseil.FieldErrorf("residence", "aucun échelon du service médical ne couvre le département %s de la commune %s", dep, f.assure.Residence)
	}
	if !db.Policy.Can(a, authz.ActionSubmit, scope) {
		if err := tx.journal(ctx, a, f.action, "assure:"+string(f.assure.NIR), 0, m, ResultRefused); err != nil {
			return err
		}
		return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Field: "prescripteur", Message: "vous ne pouvez déposer une demande que pour votre propre numéro RPPS ou votre territoire"}}
	}
	if err := tx.resolveLinks(ctx, a, f, m); err != nil {
		return err
	}
	// The watermark is read before the identity is registered (which bumps it);
	// resolving the links above wrote nothing.
	fresh := pre != nil && st.mark == mark
	if err := tx.registerIdentityOn(ctx, a, f, scope, m, now, st.ident); err != nil {
		return err
	}
	// With an id reserved ahead, the rows sealed with it are inserted as they are;
	// if another writer took the id (SQLite), the INSERT chooses one and the rows
	// are sealed here, as for a bulk load.
	sealed := p.rows
	if sealed != nil {
		res, err := tx.Exec(ctx, insertDossierReserved, sealed.dossier...)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return medconseil.Internal(err)
		} else if n == 1 {
			id = p.rid
		} else {
			db.dropDossierIDs()
			sealed, p.rows = nil, nil
		}
	}
	if sealed == nil {
		if err := tx.QueryRow(ctx, insertDossierReturning, p.dossierValues()...).Scan(&id); err != nil {
			return medconseil.Internal(err)
		}
	}
	p.id = id
	if f.arret != nil {
		if sealed != nil {
			err = tx.insertArretValues(ctx, sealed.arret)
		} else {
			err = tx.insertArret(id, ctx, f.arret)
		}
		if err != nil {
			return err
		}
	}
	if f.demande != nil {
		if sealed != nil {
			err = tx.insertDemandeValues(ctx, sealed.demande)
		} else {
			err = tx.insertDemande(ctx, id, f.demande)
		}
		if err != nil {
			return err
		}
	}
	if err := tx.insertFaits(ctx, id, f.faits, a.Login, now); err != nil {
		return err
	}
	switch {
	case fresh && sealed != nil:
		if err := tx.writePreRows(ctx, id, sealed.pre, false); err != nil {
			return err
		}
	case fresh:
		if err := tx.storePreAnalyse(ctx, id, *pre, preAlerts, now, false); err != nil {
			return err
		}
	case in.Analyst != nil:
		if err := tx.runPreAnalyse(ctx, in.Analyst, id, now); err != nil {
			return err
		}
	}
	if err := tx.writeFiledStart(ctx, id, start); err != nil {
		return err
	}
	if err := tx.msapOnFiled(ctx, id, f.prescripteur, f.arret); err != nil {
		return err
	}
	if err := tx.pdpOnFiled(ctx, id, dep, f.assure.NIR, f.demande); err != nil {
		return err
	}
	if err := tx.idemSave(ctx, a, m, f.route, 201, fmt.Sprintf(`{"id":%d}`, id)); err != nil {
		return err
	}
	all := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique)
	return tx.journal(ctx, a, f.action, fmt.Sprintf("dossier:%d", id), all, m, ResultOK)
}

// renamed checks, as the writer writes it, the id a filing prepared while the
// filing it names was in flight named (its reserved id): if that filing kept
// another id (replayed: its first one), the filing names that one, its rows are
// sealed again and its pre-analysis done again by the write.
func (p *preparedFiling) renamed() error {
	id := p.named.Load()
	if id == p.namedAs {
		return nil
	}
	if id == 0 {
		return medconseil.FieldErrorf("names", "le dossier que ce dépôt désigne n'a pas été déposé")
	}
	switch {
	case p.f.arret != nil:
		ar := *p.f.arret
		ar.InitialID = id
		p.f.arret = &ar
	case p.f.demande != nil:
		p.f.demande = sinistreNamed(p.f.demande, id)
	}
	p.namedAs, p.pre, p.preAlerts, p.rows = id, nil, nil, nil
	if p.rid != 0 {
		rows, err := p.seal(p.rid)
		if err != nil {
			return err
		}
		p.rows = rows
	}
	return nil
}

// resolveLinks resolves, through the gate, the dossier a filing refers to: a
// prolongation's initial arrêt, an AT/MP certificate's sinistre.
func (t *Tx) resolveLinks(ctx context.Context, a *medconseil.Acteur, f *filing, m Meta) error {
	adm := medconseil.FieldSet(0).With(medconseil.Administratif)
	if f.arret != nil && f.arret.InitialID != 0 {
		r, err := t.gateLink(ctx, a, f.arret.InitialID, "initial_id", "arrêt", medconseil.TypeArretTravail, f.assure.NIR, adm, m)
		if err != nil {
			return err
		}
		var nature string
		var debut medconseil.Date
		if err := t.QueryRow(ctx, `SELECT nature, debut FROM arret WHERE dossier_id = ?`, r.ID).Scan(&nature, &debut); err != nil {
			return medconseil.Internal(err)
		}
		if medconseil.Nature(nature) != medconseil.NatureInitial {
			return medconseil.FieldErrorf("initial_id", "l'arrêt n° %d est lui-même une %s : indiquer l'arrêt initial", r.ID, strings.ToLower(medconseil.Nature(nature).Label()))
		}
		if f.arret.Debut.Before(debut) {
			return medconseil.FieldErrorf("debut", "la prolongation commence (%s) avant l'arrêt initial (%s)", f.arret.Debut.Francais(), debut.Francais())
		}
	}
	if f.demande != nil && f.demande.Has(medconseil.ChampSinistreID) {
		if _, err := t.gateLink(ctx, a, f.demande.Int(medconseil.ChampSinistreID), medconseil.ChampSinistreID, "dossier AT/MP", medconseil.TypeATMP, f.assure.NIR, adm, m); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) insertArret(id int64, ctx context.Context, ar *medconseil.ArretTravail) error {
	v, err := t.db.arretValues(id, ar)
	if err != nil {
		return err
	}
	return t.insertArretValues(ctx, v)
}

// arretValues is the arret row of dossier id, its clinical fields sealed.
func (db *DB) arretValues(id int64, ar *medconseil.ArretTravail) ([]any, error) {
	enc, err := db.sealArret(id, *ar)
	if err != nil {
		return nil, err
	}
	tele := 0
	if ar.Teleconsultation {
		tele = 1
	}
	return []any{id, string(ar.Nature), nullInt(ar.InitialID), ar.Debut, ar.Fin, tele, enc[0], enc[1], enc[2]}, nil
}

func (t *Tx) insertArretValues(ctx context.Context, v []any) error {
	if _, err := t.Exec(ctx, `INSERT INTO arret (dossier_id, nature, initial_id, debut, fin, teleconsultation, cim10_enc, libelle_enc, motif_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, v...); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// insertDemande writes the request split by field class: administrative fields in
// clear, clinical fields encrypted. A field without a class is refused, never stored.
func (t *Tx) insertDemande(ctx context.Context, id int64, d *medconseil.Demande) error {
	v, err := t.db.demandeValues(id, d)
	if err != nil {
		return err
	}
	return t.insertDemandeValues(ctx, v)
}

func (t *Tx) insertDemandeValues(ctx context.Context, v []any) error {
	if _, err := t.Exec(ctx, `INSERT INTO demande (dossier_id, admin, clinique_enc) VALUES (?, ?, ?)`, v...); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// demandeValues is the demande row of dossier id: its administrative fields in
// clear, its clinical fields sealed.
func (db *DB) demandeValues(id int64, d *medconseil.Demande) ([]any, error) {
	s, _ := medconseil.SchemaOf(d.Type)
	adm, cli := map[string]any{}, map[string]any{}
	for _, c := range s.Champs {
		v, ok := d.Valeurs[c.Nom]
		if !ok {
			continue
		}
		class, ok := authz.ClassOf(d.Type, c.Nom)
		switch {
		case !ok:
			return nil, medconseil.Internal(fmt.Errorf("field %s of %s has no class", c.Nom, d.Type))
		case class == medconseil.Clinique:
			cli[c.Nom] = c.StoreValue(v)
		default:
			adm[c.Nom] = c.StoreValue(v)
		}
	}
	a, err := json.Marshal(adm)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	c, err := json.Marshal(cli)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	enc, err := db.seal("demande", id, "clinique", string(c))
	if err != nil {
		return nil, err
	}
	return []any{id, string(a), enc}, nil
}

// demande reads the request of dossier id, the classes allowed only.
func (t *Tx) demande(ctx context.Context, id int64, typ medconseil.TypeDossier, classes medconseil.FieldSet) (*medconseil.Demande, error) {
	s, ok := medconseil.SchemaOf(typ)
	if !ok || !(classes.Has(medconseil.Administratif) || classes.Has(medconseil.Clinique)) {
		return nil, nil
	}
	var adm, enc string
	err := t.QueryRow(ctx, `SELECT admin, clinique_enc FROM demande WHERE dossier_id = ?`, id).Scan(&adm, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		// A dossier filed without its request's fields (by a tool or before requests
		// were kept): nothing to disclose.
		return nil, nil
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	raw := map[string]json.RawMessage{}
	if classes.Has(medconseil.Administratif) {
		if err := json.Unmarshal([]byte(adm), &raw); err != nil {
			return nil, medconseil.Internal(err)
		}
	}
	if classes.Has(medconseil.Clinique) {
		plain, err := t.db.open("demande", id, "clinique", enc)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(plain), &raw); err != nil {
			return nil, medconseil.Internal(err)
		}
	}
	d := &medconseil.Demande{Type: typ, Valeurs: map[string]medconseil.Valeur{}}
	for _, c := range s.Champs {
		r, ok := raw[c.Nom]
		if !ok {
			continue
		}
		class, _ := authz.ClassOf(typ, c.Nom)
		if !classes.Has(class) {
			continue
		}
		v, err := c.Decode(r)
		if err != nil {
			return nil, medconseil.Internal(err)
		}
		d.Valeurs[c.Nom] = v
	}
	return d, nil
}

func (t *Tx) faits(ctx context.Context, id int64) (map[string]string, error) {
	rows, err := t.Query(ctx, `SELECT nom, valeur FROM dossier_fait WHERE dossier_id = ?`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out map[string]string
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, medconseil.Internal(err)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out, rows.Err()
}

// historyLimit bounds the history the pre-analysis reads: the 360-IJ count runs
// over 3 years; an ALD or a sinistre may be older.
const historyLimit = 200

// watermark is what the pre-analysis of a filing depends on in the store besides
// the filing itself: the assuré's dossiers (their number and the sum of their ids)
// and identity version. The
// pre-analysis runs before the write transaction, off the single writer, and is
// kept only if the watermark is unchanged when the transaction writes; otherwise
// it runs again inside the transaction.
type watermark struct {
	n, sum  int64
	version int
}

// assureHistory fills in the registered identity, médecin traitant and the
// assuré's other dossiers (every class but identity), read with the system's rights.
func (t *Tx) assureHistory(ctx context.Context, in *medconseil.Instruction, except int64) error {
	cur, _, err := t.readIdentity(ctx, in.Assure.NIR)
	if err != nil {
		return err
	}
	return t.historyOf(ctx, in, except, cur)
}

// historyOf is assureHistory with the registered identity already read (nil: the
// assuré is not registered yet).
func (t *Tx) historyOf(ctx context.Context, in *medconseil.Instruction, except int64, cur *identityRow) error {
	decl := in.Assure
	in.MedecinTraitant = ""
	if cur != nil {
		in.Assure = cur.Assure
		in.MedecinTraitant = medconseil.RPPS(cur.mt)
	}
	// What the registered identity lacks, this filing's declaration gives.
	if in.Assure.Naissance.IsZero() {
		in.Assure.Naissance = decl.Naissance
	}
	types := historyTypes(in.Type)
	in.Historique = in.Historique[:0]
	if len(types) == 0 {
		return nil
	}
	args := []any{string(decl.NIR), except}
	for _, ty := range types {
		args = append(args, string(ty))
	}
	// The arrêt and the avis of each earlier dossier come with it, in one
	// statement (rather than two reads a dossier).
	rows, err := t.Query(ctx, `SELECT `+dossierCols+`, a.nature, a.initial_id, a.debut, a.fin, a.teleconsultation, a.cim10_enc, a.libelle_enc, a.motif_enc, v.sens
		FROM dossier d LEFT JOIN arret a ON a.dossier_id = d.id LEFT JOIN avis v ON v.dossier_id = d.id
		WHERE d.nir = ? AND d.id <> ? AND d.type IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(types)), ",")+`) ORDER BY d.id DESC LIMIT ?`, append(args, historyLimit)...)
	if err != nil {
		return medconseil.Internal(err)
	}
	type earlier struct {
		r                    *dossierRow
		nature, cim, lib, mo sql.NullString
		initial              sql.NullInt64
		debut, fin           medconseil.Date
		tele                 sql.NullInt64
		sens                 sql.NullString
	}
	var rs []*earlier
	for rows.Next() {
		e := &earlier{}
		r, err := scanDossier(withExtra{rows, []any{&e.nature, &e.initial, &e.debut, &e.fin, &e.tele, &e.cim, &e.lib, &e.mo, &e.sens}})
		if err != nil {
			rows.Close()
			return medconseil.Internal(err)
		}
		e.r = r
		rs = append(rs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return medconseil.Internal(err)
	}
	// What discloseSystem would give with these classes: administrative,
	// clinical (opened) and decision fields, no identity.
	all := medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision)
	for _, e := range rs {
		h := e.r
		ant := medconseil.Antecedent{ID: h.ID, Type: h.Type, RecueLe: h.RecueLe, Prescripteur: h.Prescripteur, Sens: medconseil.Sens(e.sens.String)}
		if h.Type == medconseil.TypeArretTravail {
			if !e.nature.Valid {
				return medconseil.Internal(fmt.Errorf("arrêt %d sans sa ligne arret", h.ID))
			}
			ar := &medconseil.ArretTravail{Nature: medconseil.Nature(e.nature.String), InitialID: e.initial.Int64, Debut: e.debut, Fin: e.fin, Teleconsultation: e.tele.Int64 == 1}
			c, err := t.db.open("arret", h.ID, "cim10", e.cim.String)
			if err != nil {
				return err
			}
			ar.CIM10 = medconseil.CIM10(c)
			if ar.Libelle, err = t.db.open("arret", h.ID, "libelle", e.lib.String); err != nil {
				return err
			}
			if ar.Motif, err = t.db.open("arret", h.ID, "motif", e.mo.String); err != nil {
				return err
			}
			ant.Arret = ar
		} else {
			dem, err := t.demande(ctx, h.ID, h.Type, all)
			if err != nil {
				return err
			}
			ant.Demande = dem
		}
		in.Historique = append(in.Historique, ant)
	}
	return nil
}

// withExtra scans a row's leading columns into what its caller asks and the
// following ones into extra.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// historyTypes are the earlier dossiers each type's pre-analysis reads: an arrêt,
// the assuré's arrêts (overlaps, IJ days, prolongations) and ALD protocols (the
// affection's regime); an AT/MP piece, its sinistre's pieces; an ALD protocol, the
// earlier protocols; a kinésithérapie request, the earlier ones (sessions over 12
// months). The other rule sets decide on the request alone.
func historyTypes(t medconseil.TypeDossier) []medconseil.TypeDossier {
	switch t {
	case medconseil.TypeArretTravail:
		return []medconseil.TypeDossier{medconseil.TypeArretTravail, medconseil.TypeALD}
	case medconseil.TypeATMP, medconseil.TypeALD, medconseil.TypeKine:
		return []medconseil.TypeDossier{t}
	}
	return nil
}

// instructionOf is the instruction of a filing not yet written.
func instructionOf(f *filing, now time.Time) *medconseil.Instruction {
	return &medconseil.Instruction{Type: f.typ, Departement: f.assure.Departement(), RecueLe: now, Assure: f.assure,
		Prescripteur: f.prescripteur, Arret: f.arret, Demande: f.demande, Faits: f.faits}
}

// instruction gathers, with the system's rights inside the transaction, what the
// pre-analysis of a stored dossier runs on.
func (t *Tx) instruction(ctx context.Context, id int64) (*medconseil.Instruction, error) {
	r, ok, err := t.loadRow(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, medconseil.Internal(fmt.Errorf("dossier %d vanished", id))
	}
	all := medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision)
	d, err := t.discloseSystem(ctx, r, all)
	if err != nil {
		return nil, err
	}
	in := &medconseil.Instruction{ID: id, Type: r.Type, Departement: r.Departement, RecueLe: r.RecueLe, Prescripteur: r.Prescripteur,
		Arret: d.Arret, Demande: d.Demande, Assure: r.decl}
	if in.Faits, err = t.faits(ctx, id); err != nil {
		return nil, err
	}
	if err := t.assureHistory(ctx, in, id); err != nil {
		return nil, err
	}
	return in, nil
}

// discloseSystem reads a dossier with every class but identity, for the
// pre-analysis: it never discloses to anyone; what the pre-analysis concludes is
// stored and shown to medical roles only.
func (t *Tx) discloseSystem(ctx context.Context, r *dossierRow, classes medconseil.FieldSet) (*medconseil.Dossier, error) {
	return t.disclose(ctx, nil, r, classes&^medconseil.FieldSet(medconseil.Identite))
}

// runPreAnalyse runs the rule set of stored dossier id and stores its proposition
// and alerts, replacing earlier ones.
func (t *Tx) runPreAnalyse(ctx context.Context, an Analyst, id int64, now time.Time) error {
	in, err := t.instruction(ctx, id)
	if err != nil {
		return err
	}
	p, alerts := an.Analyse(in)
	return t.storePreAnalyse(ctx, id, p, alerts, now, true)
}

// storePreAnalyse writes a pre-analysis and its alerts (replace: drop earlier ones).
func (t *Tx) storePreAnalyse(ctx context.Context, id int64, p medconseil.PreAnalyse, alerts []medconseil.Alerte, now time.Time, replace bool) error {
	r, err := t.db.preRowsOf(id, p, alerts, now)
	if err != nil {
		return err
	}
	return t.writePreRows(ctx, id, r, replace)
}

// preRows are the preanalyse row of a dossier and its alerts, sealed.
type preRows struct {
	pre    []any
	alerts [][]any
}

// preRowsOf encodes and seals the pre-analysis p of dossier id and its alerts.
func (db *DB) preRowsOf(id int64, p medconseil.PreAnalyse, alerts []medconseil.Alerte, now time.Time) (*preRows, error) {
	p.Le = now
	manquants, err := json.Marshal(p.Manquants)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	p.Suite = nil
	body, err := json.Marshal(p)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	enc, err := db.seal("preanalyse", id, "contenu", string(body))
	if err != nil {
		return nil, err
	}
	r := &preRows{pre: []any{id, p.Regles, p.Version, p.Issue, enc, string(manquants), ts(now)}, alerts: make([][]any, len(alerts))}
	for i, al := range alerts {
		msg, err := db.seal("alerte", id, "message:"+strconv.Itoa(i), al.Message)
		if err != nil {
			return nil, err
		}
		r.alerts[i] = []any{id, i, al.Code, msg, nullInt(al.RefID)}
	}
	return r, nil
}

// writePreRows writes a pre-analysis and its alerts (replace: drop earlier ones).
func (t *Tx) writePreRows(ctx context.Context, id int64, r *preRows, replace bool) error {
	if replace {
		if _, err := t.Exec(ctx, `DELETE FROM preanalyse WHERE dossier_id = ?`, id); err != nil {
			return medconseil.Internal(err)
		}
		if _, err := t.Exec(ctx, `DELETE FROM alerte WHERE dossier_id = ?`, id); err != nil {
			return medconseil.Internal(err)
		}
	}
	if _, err := t.Exec(ctx, `INSERT INTO preanalyse (dossier_id, regles, version, issue, contenu_enc, manquants, le) VALUES (?, ?, ?, ?, ?, ?, ?)`, r.pre...); err != nil {
		return medconseil.Internal(err)
	}
	if err := t.insertRows(ctx, "alerte", "dossier_id, rang, code, message_enc, ref_id", r.alerts, ""); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}
