package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/rules"
)

// Prévention de la désinsertion professionnelle (issue 13 part 7,
// REGULATIONS.md §16; docs/pdp.md). The signals are computed by three SQL
// queries over the store, narrowed to the reader's territory in SQL and served by
// the indexes of migration 0910; the rows found (a few per long arrêt, not one
// per dossier of the table) are then classified with the dated thresholds of
// internal/rules/parametres/pdp and checked one by one against the policy.

func pdpMeta(m Meta) Meta {
	if m.Finalite == "" {
		m.Finalite = "pdp"
	}
	return m
}

// pdpActiveDays: an arrêt episode is signalled while it runs and during this
// many days after its last day (the tool's convention, not a legal value: the
// cell still acts on the return to work).
const pdpActiveDays = 30

// pdpMaxSignals bounds the worklist (the most serious first).
const pdpMaxSignals = 500

// pdpParam reads a PDP parameter in force on d: its value and its trace.
func pdpParam(params *rules.Set, name string, d medconseil.Date) (int, string, bool, bool) {
	p, ok := params.Get(name)
	if !ok {
		return 0, "", false, false
	}
	per, ok := p.At(d)
	if !ok {
		return 0, "", false, false
	}
	ref := ""
	for i, r := range per.References {
		if i > 0 {
			ref += " ; "
		}
		ref += r.Title
	}
	return int(per.Value.Num.Int()), ref, per.Verify, true
}

// pdpOnFiled records, at intake, the AT/MP final certificates concluding to a
// consolidation with séquelles (R434-32 CSS: the taux d'incapacité permanente
// follows, and with it the risk of désinsertion), so the signal is a plain SQL
// read; the conclusion itself stays encrypted in demande.
func (t *Tx) pdpOnFiled(ctx context.Context, id int64, dep string, nir medconseil.NIR, d *medconseil.Demande) error {
	if d == nil || d.Type != medconseil.TypeATMP || d.Str("piece") != medconseil.PieceFinal || d.Str("conclusion") != "consolidation_avec_sequelles" {
		return nil
	}
	c := d.Date("date_consolidation")
	if c.IsZero() {
		return nil
	}
	if _, err := t.Exec(ctx, `INSERT INTO pdp_sequelle (dossier_id, departement, nir, consolidation) VALUES (?, ?, ?, ?)`, id, dep, string(nir), c.String()); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// daysSQL is the number of days from column a to column b, both 'YYYY-MM-DD'.
func (db *DB) daysSQL(a, b string) string {
	if db.dialect == Postgres {
		return fmt.Sprintf("(CAST(%s AS date) - CAST(%s AS date))", b, a)
	}
	return fmt.Sprintf("CAST(julianday(%s) - julianday(%s) AS INTEGER)", b, a)
}

type pdpRow struct {
	sig     medconseil.SignalPDP
	scope   authz.Scope
	regNom  sql.NullString
	regPren sql.NullString
}

// signals computes the signals on date today for the dossiers filter f selects
// (nir, when not empty, narrows to one assuré).
func (t *Tx) signals(ctx context.Context, f authz.Filter, nir string, today medconseil.Date) ([]pdpRow, error) {
	params, err := controleParams()
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	where, args := filterSQL(f)
	cond := strings.Join(where, " AND ")
	if nir != "" {
		cond += " AND d.nir = ?"
		args = append(args, nir)
	}
	// The lowest duration threshold of any period: the SQL keeps the episodes
	// longer than it, Go classifies them with the value in force.
	low := 0
	for _, n := range []string{"pdp/seuil_rendez_vous_liaison_jours", "pdp/seuil_pre_reprise_jours", "pdp/seuil_medecin_travail_jours", "pdp/seuil_examen_special_jours"} {
		p, ok := params.Get(n)
		if !ok {
			return nil, medconseil.Internal(fmt.Errorf("parameter %s missing", n))
		}
		for _, per := range p.Periods {
			if v := int(per.Value.Num.Int()); v > 0 && (low == 0 || v < low) {
				low = v
			}
		}
	}
	var out []pdpRow
	cols := `d.id, d.type, d.departement, d.nir, d.prescripteur, d.employeur, d.decl_nom, d.decl_prenom, s.nom, s.prenom`
	scan := func(rows *sql.Rows, extra ...any) (pdpRow, error) {
		var r pdpRow
		var typ, nirS, presc string
		dest := append([]any{&r.sig.DossierID, &typ, &r.sig.Departement, &nirS, &presc, &r.scope.Employeur, &r.sig.Nom, &r.sig.Prenom, &r.regNom, &r.regPren}, extra...)
		if err := rows.Scan(dest...); err != nil {
			return r, medconseil.Internal(err)
		}
		r.sig.NIR = medconseil.NIR(nirS)
		r.scope.Type, r.scope.Departement, r.scope.NIR, r.scope.Prescripteur = medconseil.TypeDossier(typ), r.sig.Departement, r.sig.NIR, medconseil.RPPS(presc)
		return r, nil
	}

	// 1. Long arrêts: episodes (the initial arrêt and its prolongations) still
	// running or ended less than pdpActiveDays ago, longer than the lowest threshold.
	since := today.AddDays(-pdpActiveDays).String()
	ep := `COALESCE(a.initial_id, a.dossier_id)`
	q := `SELECT ` + cols + `, e.debut, e.fin, e.jours FROM (
		SELECT ` + ep + ` AS ep, MIN(a.debut) AS debut, MAX(a.fin) AS fin, ` + t.db.daysSQL("MIN(a.debut)", "MAX(a.fin)") + ` + 1 AS jours
		FROM arret a WHERE ` + ep + ` IN (SELECT COALESCE(x.initial_id, x.dossier_id) FROM arret x WHERE x.fin >= ?)
		GROUP BY ` + ep + `
		HAVING ` + t.db.daysSQL("MIN(a.debut)", "MAX(a.fin)") + ` + 1 > ?) e
		JOIN dossier d ON d.id = e.ep LEFT JOIN assure s ON s.nir = d.nir
		WHERE ` + cond
	rows, err := t.Query(ctx, q, append([]any{since, low}, args...)...)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	for rows.Next() {
		var debut, fin string
		var jours int
		r, err := scan(rows, &debut, &fin, &jours)
		if err != nil {
			rows.Close()
			return nil, err
		}
		d0, err1 := medconseil.ParseDate(debut)
		d1, err2 := medconseil.ParseDate(fin)
		if err1 != nil || err2 != nil {
			rows.Close()
			return nil, medconseil.Internal(fmt.Errorf("arrêt %d: dates %q %q", r.sig.DossierID, debut, fin))
		}
		r.sig.Debut, r.sig.Fin, r.sig.Jours = &d0, &d1, jours
		if classifyArret(params, &r.sig, d0, today) {
			out = append(out, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}

	// 2. Repeated arrêts: at least N initial arrêts (prolongations excluded) of one
	// assuré started within the last M months, in the reader's territory; the
	// signal sits on the latest.
	n, nRef, nVer, ok1 := pdpParam(params, "pdp/arrets_repetes_nombre", today)
	months, mRef, mVer, ok2 := pdpParam(params, "pdp/arrets_repetes_periode_mois", today)
	if ok1 && ok2 && n > 0 {
		q := `SELECT ` + cols + `, g.n, g.premier FROM (
			SELECT d.nir AS nir, COUNT(*) AS n, MAX(a.dossier_id) AS dernier, MIN(a.debut) AS premier
			FROM arret a JOIN dossier d ON d.id = a.dossier_id
			WHERE a.initial_id IS NULL AND a.debut >= ? AND ` + cond + `
			GROUP BY d.nir HAVING COUNT(*) >= ?) g
			JOIN dossier d ON d.id = g.dernier LEFT JOIN assure s ON s.nir = d.nir`
		rows, err := t.Query(ctx, q, append(append([]any{today.AddMonths(-months).String()}, args...), n)...)
		if err != nil {
			return nil, medconseil.Internal(err)
		}
		for rows.Next() {
			var premier string
			var count int
			r, err := scan(rows, &count, &premier)
			if err != nil {
				rows.Close()
				return nil, err
			}
			r.sig.Arrets = count
			if p, err := medconseil.ParseDate(premier); err == nil {
				r.sig.Debut = &p
			}
			r.sig.Code, r.sig.Rang = "arrets_repetes", 2
			r.sig.Libelle = fmt.Sprintf("Arrêts répétés : %d arrêts initiaux en %d mois", r.sig.Arrets, months)
			r.sig.Source, r.sig.Verifier = nRef+" ; "+mRef, nVer || mVer
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, medconseil.Internal(err)
		}
	}

	// 3. AT/MP consolidated with séquelles within the window.
	if w, ref, ver, ok := pdpParam(params, "pdp/sequelles_fenetre_mois", today); ok {
		q := `SELECT ` + cols + `, q.consolidation FROM pdp_sequelle q JOIN dossier d ON d.id = q.dossier_id LEFT JOIN assure s ON s.nir = d.nir
			WHERE q.consolidation >= ? AND ` + cond
		rows, err := t.Query(ctx, q, append([]any{today.AddMonths(-w).String()}, args...)...)
		if err != nil {
			return nil, medconseil.Internal(err)
		}
		for rows.Next() {
			var c string
			r, err := scan(rows, &c)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if p, err := medconseil.ParseDate(c); err == nil {
				r.sig.Debut = &p
			}
			r.sig.Code, r.sig.Rang = "atmp_sequelles", 1
			r.sig.Libelle = "AT/MP consolidé avec séquelles : taux d'incapacité permanente à fixer, reprise à préparer"
			r.sig.Source, r.sig.Verifier = "R434-32 du code de la sécurité sociale ; "+ref, ver
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, medconseil.Internal(err)
		}
	}
	return out, nil
}

// classifyArret gives an episode its signal: the highest threshold it passes,
// each read at the date the text says (the pré-reprise threshold at the start of
// the arrêt, 31/3/2022 change; the others in force today). It reports false when
// the episode passes none.
func classifyArret(params *rules.Set, s *medconseil.SignalPDP, debut, today medconseil.Date) bool {
	type level struct {
		code, param, libelle string
		at                   medconseil.Date
		rang                 int
	}
	for _, l := range []level{
		{"arret_180", "pdp/seuil_examen_special_jours", "Arrêt de plus de 6 mois : contrôles spéciaux, rééducation ou reclassement (L324-1)", today, 5},
		{"arret_90", "pdp/seuil_medecin_travail_jours", "Arrêt de plus de 3 mois : le médecin-conseil peut saisir le médecin du travail (D323-3)", today, 4},
		{"arret_30", "pdp/seuil_pre_reprise_jours", "Arrêt au-delà du seuil de la visite de pré-reprise", debut, 3},
		{"arret_30", "pdp/seuil_rendez_vous_liaison_jours", "Arrêt de plus de 30 jours : rendez-vous de liaison possible", today, 3},
	} {
		v, ref, ver, ok := pdpParam(params, l.param, l.at)
		if !ok || s.Jours <= v {
			continue
		}
		s.Code, s.Rang, s.Libelle, s.Source, s.Verifier = l.code, l.rang, fmt.Sprintf("%s — %d jours (seuil : plus de %d jours)", l.libelle, s.Jours, v), ref, ver
		if l.param == "pdp/seuil_pre_reprise_jours" {
			s.Libelle = fmt.Sprintf("Arrêt de plus de %d jours : visite de pré-reprise et rendez-vous de liaison possibles — %d jours", v, s.Jours)
		}
		return true
	}
	return false
}

// finish keeps the rows a may see (PDPAccess), fills identity per the policy and
// the actions' count and latest outcome, and sorts: most serious, then longest.
func (t *Tx) finish(ctx context.Context, a *medconseil.Acteur, rows []pdpRow) ([]medconseil.SignalPDP, error) {
	var out []medconseil.SignalPDP
	for _, r := range rows {
		if see, _ := t.db.Policy.PDPAccess(a, r.scope); !see {
			continue
		}
		if t.db.Policy.SeesRegisteredIdentity(a, r.scope) && r.regNom.Valid && r.regNom.String != "" {
			r.sig.Nom, r.sig.Prenom = r.regNom.String, r.regPren.String
		}
		out = append(out, r.sig)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rang != out[j].Rang {
			return out[i].Rang > out[j].Rang
		}
		if out[i].Jours != out[j].Jours {
			return out[i].Jours > out[j].Jours
		}
		return out[i].DossierID < out[j].DossierID
	})
	if len(out) > pdpMaxSignals {
		out = out[:pdpMaxSignals]
	}
	if len(out) == 0 {
		return out, nil
	}
	idx := map[int64][]int{}
	var ids []any
	for i, s := range out {
		if _, ok := idx[s.DossierID]; !ok {
			ids = append(ids, s.DossierID)
		}
		idx[s.DossierID] = append(idx[s.DossierID], i)
	}
	rows2, err := t.Query(ctx, `SELECT dossier_id, issue FROM pdp_action WHERE dossier_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) ORDER BY id`, ids...)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var id int64
		var issue string
		if err := rows2.Scan(&id, &issue); err != nil {
			return nil, medconseil.Internal(err)
		}
		for _, i := range idx[id] {
			out[i].Actions++
			if issue != "" {
				out[i].Issue = medconseil.IssuePDP(issue)
			}
		}
	}
	return out, rows2.Err()
}

// PDPSignalements computes the PDP worklist of a on today's date (Paris): the
// signals of the dossiers of its territory, journaled (one entry naming the
// dossiers shown, finalité pdp).
func (db *DB) PDPSignalements(ctx context.Context, a *medconseil.Acteur, m Meta) ([]medconseil.SignalPDP, error) {
	m = pdpMeta(m)
	if !authz.SeesPDP(a) {
		return nil, &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "la liste de prévention de la désinsertion professionnelle est réservée à l'équipe médicale et à la cellule PDP de la caisse"}
	}
	f := db.Policy.PDPFilter(a)
	today := medconseil.DateOf(db.Now().In(parisTZ))
	var out []medconseil.SignalPDP
	err := db.writeGated(ctx, func(tx *Tx) error {
		rows, err := tx.signals(ctx, f, "", today)
		if err != nil {
			return err
		}
		if out, err = tx.finish(ctx, a, rows); err != nil {
			return err
		}
		shown := make([]int64, len(out))
		for i, s := range out {
			shown[i] = s.DossierID
		}
		return tx.journalShown(ctx, a, "pdp.signalements", "pdp", shown, medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif), m, ResultOK)
	})
	if out == nil {
		out = []medconseil.SignalPDP{}
	}
	return out, err
}

// PDPVue is the PDP section of a dossier.
type PDPVue struct {
	DossierID int64
	Visible   bool // a sees the section
	Medical   bool // a reads clinical summaries (the medical team)
	Signals   []medconseil.SignalPDP
	Actions   []medconseil.ActionPDP
	Contacts  []medconseil.ContactMedecinTravail
}

// PDPDossier reads the PDP section of dossier id for a: the signals of its
// assuré in a's territory, the actions and the contacts. A reader without PDP
// access gets a vue with Visible false (the dossier page shows nothing); a
// dossier a may not see is not found, as everywhere.
func (db *DB) PDPDossier(ctx context.Context, a *medconseil.Acteur, id int64, m Meta) (*PDPVue, error) {
	m = pdpMeta(m)
	v := &PDPVue{DossierID: id}
	err := db.writeGated(ctx, func(tx *Tx) error {
		*v = PDPVue{DossierID: id}
		r, _, err := tx.gate(ctx, a, id, "pdp.lecture", m)
		if err != nil {
			return err
		}
		v.Visible, v.Medical = db.Policy.PDPAccess(a, r.scope())
		if !v.Visible {
			return nil
		}
		today := medconseil.DateOf(db.Now().In(parisTZ))
		rows, err := tx.signals(ctx, db.Policy.PDPFilter(a), r.nir, today)
		if err != nil {
			return err
		}
		if v.Signals, err = tx.finish(ctx, a, rows); err != nil {
			return err
		}
		if v.Actions, err = tx.pdpActions(ctx, id); err != nil {
			return err
		}
		if v.Contacts, err = tx.pdpContacts(ctx, id, v.Medical); err != nil {
			return err
		}
		return tx.journal(ctx, a, "pdp.lecture", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif), m, ResultOK)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (t *Tx) pdpActions(ctx context.Context, id int64) ([]medconseil.ActionPDP, error) {
	rows, err := t.Query(ctx, `SELECT id, nature, debut, fin, issue, par, le FROM pdp_action WHERE dossier_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []medconseil.ActionPDP
	for rows.Next() {
		x := medconseil.ActionPDP{DossierID: id}
		var nature, debut, issue, le string
		var fin sql.NullString
		if err := rows.Scan(&x.ID, &nature, &debut, &fin, &issue, &x.Par, &le); err != nil {
			return nil, medconseil.Internal(err)
		}
		x.Nature, x.Issue = medconseil.NaturePDP(nature), medconseil.IssuePDP(issue)
		x.Debut, _ = medconseil.ParseDate(debut)
		if fin.Valid && fin.String != "" {
			f, _ := medconseil.ParseDate(fin.String)
			x.Fin = &f
		}
		x.Le, _ = parseTS(le)
		out = append(out, x)
	}
	return out, rows.Err()
}

func (t *Tx) pdpContacts(ctx context.Context, id int64, medical bool) ([]medconseil.ContactMedecinTravail, error) {
	rows, err := t.Query(ctx, `SELECT id, qui, quand, canal, resume_enc, classe, par, le FROM pdp_contact WHERE dossier_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []medconseil.ContactMedecinTravail
	for rows.Next() {
		c := medconseil.ContactMedecinTravail{DossierID: id}
		var quand, canal, enc, classe, le string
		if err := rows.Scan(&c.ID, &c.Qui, &quand, &canal, &enc, &classe, &c.Par, &le); err != nil {
			return nil, medconseil.Internal(err)
		}
		c.Quand, _ = medconseil.ParseDate(quand)
		c.Canal = medconseil.CanalContact(canal)
		c.Le, _ = parseTS(le)
		if classe == "clinique" && !medical {
			c.Masque = true
		} else {
			plain, err := t.db.open("pdp_contact", c.ID, "resume", enc)
			if err != nil {
				return nil, err
			}
			c.Resume = plain
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// pdpGate opens dossier id for a PDP write: the gate, then PDPAccess (refused
// and journaled otherwise, 403 for a reader of the dossier without PDP rights).
func (t *Tx) pdpGate(ctx context.Context, a *medconseil.Acteur, id int64, action string, m Meta) (*dossierRow, bool, error) {
	r, _, err := t.gate(ctx, a, id, action, m)
	if err != nil {
		return nil, false, err
	}
	see, medical := t.db.Policy.PDPAccess(a, r.scope())
	if !see {
		if err := t.journal(ctx, a, action, fmt.Sprintf("dossier:%d", id), 0, m, ResultRefused); err != nil {
			return nil, false, err
		}
		msg := "les actions de prévention de la désinsertion professionnelle sont enregistrées par l'équipe médicale du territoire ou la cellule PDP de la caisse"
		if !(r.Type == medconseil.TypeArretTravail || r.Type == medconseil.TypeATMP || r.Type == medconseil.TypeInvalidite) {
			msg = "la prévention de la désinsertion professionnelle porte sur les arrêts de travail, AT/MP et invalidités : pas sur un dossier « " + r.Type.Label() + " »"
		}
		return nil, false, &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: msg}}
	}
	return r, medical, nil
}

// AddPDPAction records an action of the PDP cell on dossier id, in one
// transaction with its journal entry.
func (db *DB) AddPDPAction(ctx context.Context, a *medconseil.Acteur, id int64, x medconseil.ActionPDP, m Meta) (*medconseil.ActionPDP, error) {
	m = pdpMeta(m)
	now := db.Now()
	if err := x.Validate(medconseil.DateOf(now.In(parisTZ))); err != nil {
		return nil, err
	}
	err := db.writeGated(ctx, func(tx *Tx) error {
		if _, _, err := tx.pdpGate(ctx, a, id, "pdp.action", m); err != nil {
			return err
		}
		var fin any
		if x.Fin != nil {
			fin = x.Fin.String()
		}
		if err := tx.QueryRow(ctx, `INSERT INTO pdp_action (dossier_id, nature, debut, fin, issue, par, le) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, string(x.Nature), x.Debut.String(), fin, string(x.Issue), a.Login, ts(now)).Scan(&x.ID); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "pdp.action", fmt.Sprintf("dossier:%d", id), medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	if err != nil {
		return nil, err
	}
	x.DossierID, x.Par, x.Le = id, a.Login, now
	return &x, nil
}

// AddPDPContact logs a contact with the médecin du travail on dossier id; the
// summary is encrypted at rest and classed by its writer (clinique for the
// medical team, administratif for the caisse's cell).
func (db *DB) AddPDPContact(ctx context.Context, a *medconseil.Acteur, id int64, c medconseil.ContactMedecinTravail, m Meta) (*medconseil.ContactMedecinTravail, error) {
	m = pdpMeta(m)
	now := db.Now()
	c.Qui, c.Resume = strings.TrimSpace(c.Qui), strings.TrimSpace(c.Resume)
	if err := c.Validate(medconseil.DateOf(now.In(parisTZ))); err != nil {
		return nil, err
	}
	err := db.writeGated(ctx, func(tx *Tx) error {
		_, medical, err := tx.pdpGate(ctx, a, id, "pdp.contact", m)
		if err != nil {
			return err
		}
		classe := "administratif"
		if medical {
			classe = "clinique"
		}
		if err := tx.QueryRow(ctx, `INSERT INTO pdp_contact (dossier_id, qui, quand, canal, resume_enc, classe, par, le) VALUES (?, ?, ?, ?, '', ?, ?, ?) RETURNING id`,
			id, c.Qui, c.Quand.String(), string(c.Canal), classe, a.Login, ts(now)).Scan(&c.ID); err != nil {
			return medconseil.Internal(err)
		}
		enc, err := db.seal("pdp_contact", c.ID, "resume", c.Resume)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pdp_contact SET resume_enc = ? WHERE id = ?`, enc, c.ID); err != nil {
			return medconseil.Internal(err)
		}
		cls := medconseil.FieldSet(0).With(medconseil.Administratif)
		if medical {
			cls = cls.With(medconseil.Clinique)
		}
		return tx.journal(ctx, a, "pdp.contact", fmt.Sprintf("dossier:%d", id), cls, m, ResultOK)
	})
	if err != nil {
		return nil, err
	}
	c.DossierID, c.Par, c.Le = id, a.Login, now
	return &c, nil
}
