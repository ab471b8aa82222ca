package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/lifecycle"
)

// The store side of the lifecycles (internal/lifecycle): deadlines are rows of the
// table echeance, written in the same transaction as the event that starts them
// (the intake, a transition), cancelled in the transaction of the event that ends
// them (an avis given before the tacit date), and fired by FireDeadlines — from
// the server's periodic sweep or from "medconseil deadlines --until". Firing claims
// the row with a conditional UPDATE (statut attente → declenchee) in the
// transaction that changes the dossier's state and journals it, so a deadline fires
// exactly once whatever the number of sweeps running, and one that fell due while
// the server was down fires at the next sweep.

// systemLogin is the login journaled for what the scheduler does.
const systemLogin = "systeme:echeances"

// StartLifecycle starts the lifecycle of a dossier just inserted, inside the
// intake transaction t: it sets the dossier's state to the type's apres_depot state
// (lifecycle file), writes the deadlines that the reception starts (accord tacite,
// reconnaissance implicite, reminders…) and sets the dossier's echeance to the
// nearest of their last days (NULL when none runs). Call it once per new dossier,
// after the INSERT INTO dossier and before the transaction commits:
//
//	err := tx.StartLifecycle(ctx, id, medconseil.TypeTransport, "", medconseil.DateOf(recueLe))
//
// nature is the kind of request within the type when its lifecycle file declares
// natures (AT/MP: accident, maladie, rechute; LPP: dispositif, vph_devis), "" for
// the other types; an unknown or missing nature is an EINVALID error on the field
// "nature". recue is the day the (complete) request reached the Service médical:
// the délais count from it. Calling it twice for the same dossier is an error
// (ECONFLICT), so a retried intake cannot plan the deadlines twice.
func (t *Tx) StartLifecycle(ctx context.Context, id int64, typ medconseil.TypeDossier, nature string, recue medconseil.Date) error {
	var dep, storedType string
	if err := t.QueryRow(ctx, `SELECT departement, type FROM dossier WHERE id = ?`, id).Scan(&dep, &storedType); err != nil {
		return medconseil.Internal(fmt.Errorf("start lifecycle of dossier %d: %w", id, err))
	}
	if storedType != string(typ) {
		return medconseil.Internal(fmt.Errorf("start lifecycle: dossier %d is %s, not %s", id, storedType, typ))
	}
	st, err := t.db.planStart(typ, nature, recue, dep)
	if err != nil {
		return err
	}
	if err := t.writeStart(ctx, id, st); err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `UPDATE dossier SET etat = ?, echeance = ? WHERE id = ?`, string(st.etat), st.echeance, id); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// lifecycleStart is a new dossier's lifecycle as planned from its type, nature, day
// of reception and département, before the dossier is written: the state it enters,
// the deadlines the reception starts and the nearest of their last days. The
// intake computes it off the single writer and writes the state and echeance in the
// dossier's INSERT (intake.go); StartLifecycle does the same for a dossier already
// written.
type lifecycleStart struct {
	cycle    bool // false: no lifecycle started (a certificate attached to a sinistre already filed)
	nature   string
	recue    medconseil.Date
	etat     medconseil.Etat
	echeance medconseil.Date // zero when no deadline runs
	plan     []lifecycle.Planned
}

func (db *DB) planStart(typ medconseil.TypeDossier, nature string, recue medconseil.Date, dep string) (lifecycleStart, error) {
	l, ok := db.Lifecycle.Get(typ)
	if !ok {
		return lifecycleStart{}, medconseil.Internal(fmt.Errorf("no lifecycle for dossier type %q", typ))
	}
	if len(l.Natures) > 0 && !slices.Contains(l.Natures, nature) {
		return lifecycleStart{}, medconseil.FieldErrorf("nature", "nature %q inconnue pour un dossier %s : %s", nature, strings.ToLower(typ.Label()), strings.Join(l.Natures, ", "))
	}
	if len(l.Natures) == 0 && nature != "" {
		return lifecycleStart{}, medconseil.FieldErrorf("nature", "un dossier %s n'a pas de nature (reçu %q)", strings.ToLower(typ.Label()), nature)
	}
	if recue.IsZero() {
		return lifecycleStart{}, medconseil.FieldErrorf("recue_le", "date de réception manquante")
	}
	st := lifecycleStart{cycle: true, nature: nature, recue: recue, etat: l.ApresDepot}
	st.plan = l.Plan(lifecycle.Reception, nature, l.ApresDepot, recue, recue, dep)
	for _, p := range st.plan { // the nearest last day: the new dossier has no other deadline
		if st.echeance.IsZero() || p.Limite.Before(st.echeance) {
			st.echeance = p.Limite
		}
	}
	return st, nil
}

// writeStart writes the cycle row and the planned deadlines of dossier id.
func (t *Tx) writeStart(ctx context.Context, id int64, st lifecycleStart) error {
	if !st.cycle {
		return nil
	}
	if _, err := t.Exec(ctx, `INSERT INTO cycle (dossier_id, nature, recue) VALUES (?, ?, ?)`, id, st.nature, st.recue); err != nil {
		if isUniqueViolation(err) {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Message: fmt.Sprintf("le cycle de vie du dossier %d est déjà commencé", id)}
		}
		return medconseil.Internal(err)
	}
	now := t.now()
	for _, p := range st.plan {
		if err := t.insertEcheance(ctx, id, p, now); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) insertEcheance(ctx context.Context, id int64, p lifecycle.Planned, now time.Time) error {
	// The same deadline started again from the same day (documents asked for and
	// received twice in a day) re-arms its cancelled row; a fired one stays fired:
	// a deadline never fires twice.
	_, err := t.Exec(ctx, `INSERT INTO echeance (dossier_id, nom, depuis, limite, due, cree_le) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (dossier_id, nom, depuis) DO UPDATE SET statut = 'attente', limite = excluded.limite, due = excluded.due,
			motif = '', traite_le = '', tentatives = 0, erreur = '', reessai_le = '' WHERE echeance.statut = 'annulee'`,
		id, p.Echeance.Nom, p.Depuis, p.Limite, p.Due, ts(now))
	if err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// LifecycleEvent records in t that dossier id, of type typ, went through event ev
// (a transition of its lifecycle file: "avis", "demander_pieces"…) and is now in
// state etat: the pending deadlines that do not run in etat, or that ev cancels,
// are cancelled; the deadlines ev starts are written; the dossier's echeance is
// recomputed. The caller has already changed the state. GiveAvis calls it with
// "avis", so an avis given before the tacit date cancels the accord tacite.
func (t *Tx) LifecycleEvent(ctx context.Context, id int64, typ medconseil.TypeDossier, ev string, etat medconseil.Etat) error {
	l, ok := t.db.Lifecycle.Get(typ)
	if !ok {
		return medconseil.Internal(fmt.Errorf("no lifecycle for dossier type %q", typ))
	}
	now := t.now()
	if err := t.cancelEcheances(ctx, l, id, etat, ev, now); err != nil {
		return err
	}
	var nature, dep string
	var recue medconseil.Date
	err := t.QueryRow(ctx, `SELECT c.nature, c.recue, d.departement FROM cycle c JOIN dossier d ON d.id = c.dossier_id WHERE c.dossier_id = ?`, id).Scan(&nature, &recue, &dep)
	if errors.Is(err, sql.ErrNoRows) {
		// A dossier filed before lifecycles were kept: nothing to plan from.
		return t.refreshEcheance(ctx, id)
	}
	if err != nil {
		return medconseil.Internal(err)
	}
	for _, p := range l.Plan(ev, nature, etat, recue, medconseil.DateOf(now), dep) {
		if err := t.insertEcheance(ctx, id, p, now); err != nil {
			return err
		}
	}
	return t.refreshEcheance(ctx, id)
}

// cancelEcheances cancels the pending deadlines of dossier id that do not run in
// state etat or that event ev cancels.
func (t *Tx) cancelEcheances(ctx context.Context, l *lifecycle.Lifecycle, id int64, etat medconseil.Etat, ev string, now time.Time) error {
	// On PostgreSQL a row a sweep holds is skipped, never waited for: the sweep
	// locks deadlines before dossiers, a user transaction dossiers before
	// deadlines, so waiting here could deadlock. The sweep then finds the dossier
	// changed (its update is conditional on the state it read) and cancels the
	// deadline itself.
	q := `SELECT id, nom FROM echeance WHERE dossier_id = ? AND statut = 'attente'`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := t.Query(ctx, q, id)
	if err != nil {
		return medconseil.Internal(err)
	}
	type cancel struct {
		id    int64
		motif string
	}
	var cancels []cancel
	for rows.Next() {
		var eid int64
		var nom string
		if err := rows.Scan(&eid, &nom); err != nil {
			rows.Close()
			return medconseil.Internal(err)
		}
		e, ok := l.Echeance(nom)
		switch {
		case !ok:
			cancels = append(cancels, cancel{eid, fmt.Sprintf("échéance %q absente du cycle de vie %s", nom, l.Fichier)})
		case ev != "" && slices.Contains(e.AnnuleePar, ev):
			cancels = append(cancels, cancel{eid, "événement " + ev})
		case !e.RunsIn(etat):
			cancels = append(cancels, cancel{eid, "état " + string(etat)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return medconseil.Internal(err)
	}
	for _, c := range cancels {
		if _, err := t.Exec(ctx, `UPDATE echeance SET statut = 'annulee', motif = ?, traite_le = ? WHERE id = ? AND statut = 'attente'`, c.motif, ts(now), c.id); err != nil {
			return medconseil.Internal(err)
		}
	}
	return nil
}

func (t *Tx) refreshEcheance(ctx context.Context, id int64) error {
	if _, err := t.Exec(ctx, `UPDATE dossier SET echeance = (SELECT MIN(limite) FROM echeance WHERE dossier_id = ? AND statut = 'attente') WHERE id = ?`, id, id); err != nil {
		return medconseil.Internal(err)
	}
	return nil
}

// Transition moves dossier id, read by a at version, through event ev of its
// lifecycle (convoquer, demander_pieces, pieces_recues, notifier, ouvrir_enquete…):
// the policy must let a see the dossier (ENOTFOUND otherwise, journaled) and the
// lifecycle file must list one of a's roles for the transition (EFORBIDDEN); the
// dossier must be in one of the transition's starting states and at version
// (ECONFLICT). The state change, the deadlines it cancels or starts and the
// journal entry are one transaction. The avis itself goes through GiveAvis.
func (db *DB) Transition(ctx context.Context, a *medconseil.Acteur, id int64, version int, ev string, m Meta) (newVersion int, err error) {
	var refusal error
	err = db.Write(ctx, func(tx *Tx) error {
		objet := fmt.Sprintf("dossier:%d", id)
		action := "dossier." + ev
		r, err := scanDossier(tx.QueryRow(ctx, `SELECT `+dossierCols+` FROM dossier d WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && db.Policy.Classes(a, r.scope()) == 0) {
			refusal = medconseil.NotFound("Dossier")
			return tx.journal(ctx, a, action, objet, 0, m, ResultRefused)
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		if route, ok := dedicatedEvents[ev]; ok {
			return &medconseil.Error{Code: medconseil.EINVALID, Field: "evenement", Message: route}
		}
		l, ok := db.Lifecycle.Get(r.Type)
		if !ok {
			return medconseil.Internal(fmt.Errorf("no lifecycle for dossier type %q", r.Type))
		}
		tr, ok := l.Transition(ev, r.Etat)
		if !ok {
			var possible, known []string
			for _, t := range l.Transitions {
				if _, dedicated := dedicatedEvents[t.Evenement]; !dedicated && slices.Contains(t.De, r.Etat) {
					possible = append(possible, t.Evenement)
				}
				if t.Evenement == ev {
					known = append(known, t.Evenement)
				}
			}
			if len(possible) == 0 {
				possible = []string{"aucun"}
			}
			if len(known) == 0 {
				return medconseil.FieldErrorf("evenement", "événement « %s » inconnu pour un dossier %s ; possibles à l'état « %s » : %s", ev, strings.ToLower(r.Type.Label()), r.Etat.Label(), strings.Join(possible, ", "))
			}
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "evenement", Message: fmt.Sprintf("« %s » est impossible pour un dossier %s à l'état « %s » ; possibles : %s", ev, strings.ToLower(r.Type.Label()), r.Etat.Label(), strings.Join(possible, ", "))}
		}
		// Only the habilitations whose role the lifecycle file lists for the
		// transition count, and one of them must cover the dossier's territory.
		allowed := *a
		allowed.Habilitations = nil
		for _, h := range a.Habilitations {
			if tr.Allows([]medconseil.Role{h.Role}) {
				allowed.Habilitations = append(allowed.Habilitations, h)
			}
		}
		if len(allowed.Habilitations) == 0 || db.Policy.Classes(&allowed, r.scope()) == 0 {
			refusal = &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: fmt.Sprintf("« %s » est réservé à : %s", tr.Libelle, strings.Join(tr.Par, ", "))}
			return tx.journal(ctx, a, action, objet, 0, m, ResultRefused)
		}
		if r.Version != version {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: fmt.Sprintf("le dossier a été modifié depuis que vous l'avez ouvert (version %d, vous aviez la version %d)", r.Version, version)}
		}
		etat := r.Etat
		if tr.Vers != "" {
			etat = tr.Vers
		}
		newVersion = r.Version + 1
		res, err := tx.Exec(ctx, `UPDATE dossier SET etat = ?, version = ?, maj_le = ? WHERE id = ? AND version = ?`, string(etat), newVersion, ts(db.Now()), id, r.Version)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &medconseil.Error{Code: medconseil.ECONFLICT, Field: "version", Message: "le dossier a été modifié en même temps : rouvrez-le"}
		}
		if err := tx.LifecycleEvent(ctx, id, r.Type, ev, etat); err != nil {
			return err
		}
		return tx.journal(ctx, a, action, objet, medconseil.FieldSet(0).With(medconseil.Administratif), m, ResultOK)
	})
	if err == nil && refusal != nil {
		return 0, refusal
	}
	return newVersion, err
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Fired     int // deadlines fired (state changed or reminder recorded), each journaled
	Cancelled int // pending deadlines found no longer running (the dossier had moved on)
	Failed    int // firings that failed: recorded on the row, retried later
	Busy      int // dossiers locked by a concurrent transaction (PostgreSQL): left for the next sweep
}

// OldestDue returns the due day of the oldest deadline still waiting to fire on or
// before until (ok false when none): how late the sweep is running.
func (db *DB) OldestDue(ctx context.Context, until medconseil.Date) (due medconseil.Date, ok bool, err error) {
	var s sql.NullString
	if err := db.r.QueryRowContext(ctx, db.Rebind(`SELECT MIN(due) FROM echeance WHERE statut = 'attente' AND due <= ?`), until).Scan(&s); err != nil {
		return due, false, medconseil.Internal(err)
	}
	if !s.Valid || s.String == "" {
		return due, false, nil
	}
	due, err = medconseil.ParseDate(s.String[:min(10, len(s.String))])
	return due, err == nil, err
}

func (r *SweepResult) add(o SweepResult) {
	r.Fired += o.Fired
	r.Cancelled += o.Cancelled
	r.Failed += o.Failed
	r.Busy += o.Busy
}

// SweepBatch is the number of deadlines fired per transaction: large enough to
// amortise the commit and the per-batch statements (a dozen, whatever the batch's
// size), small enough that a sweep holds the writer briefly and that cancelling
// it loses little. The letters of the tacit decisions are not rendered in the
// batch but by the letter worker afterwards (courrier_outbox.go): rendering them
// in the batch (≈ 2.5 ms of CPU a decision) had forced batches of 64.
const SweepBatch = 512

// retryDelay is how long a failed firing waits before the next attempt: one minute,
// doubled at each failure, at most a day.
func retryDelay(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

// errCareful asks for a batch to be run again deadline by deadline, each in its own
// savepoint, because one of its firings failed.
var errCareful = errors.New("a firing failed: rerun the batch with one savepoint per deadline")

// FireDeadlines fires every pending deadline due on or before until, in due order,
// SweepBatch per transaction. Each firing claims its row (attente → declenchee),
// checks the dossier is still in a state where the deadline runs (else cancels it),
// applies the effect (state change, e.g. accord_tacite; a reminder changes nothing),
// cancels the dossier's other deadlines that no longer run, and journals the firing
// with its legal source, in the transaction of the batch. A batch first runs set
// by set (fireSet: a dozen statements for the whole batch); if anything in it
// fails, the batch is rolled back and run again deadline by deadline, each in its
// own savepoint, so the failing one is rolled back alone, recorded with its error
// and retried later while the others fire. Concurrent
// sweeps (another server, the deadlines command) never fire a deadline twice.
// When ctx ends, the batch in progress is rolled back and FireDeadlines returns
// what was committed before, with ctx's error.
func (db *DB) FireDeadlines(ctx context.Context, until medconseil.Date) (SweepResult, error) {
	var total SweepResult
	var cursor dueEcheance
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var res SweepResult
		var n int
		var last dueEcheance
		batch := func(careful bool) func(tx *Tx) error {
			return func(tx *Tx) error {
				res, n = SweepResult{}, 0
				now := db.Now()
				due, err := tx.dueEcheances(ctx, until, cursor, now)
				if err != nil {
					return err
				}
				n = len(due)
				chain, err := tx.auditChain(ctx)
				if err != nil {
					return err
				}
				if !careful {
					if len(due) > 0 {
						last = due[len(due)-1]
					}
					if res, err = tx.fireSet(ctx, due, now, chain); err != nil {
						if ctx.Err() != nil {
							return ctx.Err()
						}
						return fmt.Errorf("%w: %w", errCareful, err)
					}
					return chain.save(ctx, tx)
				}
				for _, e := range due {
					if err := ctx.Err(); err != nil {
						return err
					}
					out, err := tx.fireOne(ctx, e, now, chain)
					switch {
					case err != nil:
						res.Failed++
						if rerr := tx.recordFailure(ctx, e, err, now, chain); rerr != nil {
							return rerr
						}
					case out == fireBusy:
						res.Busy++
					case out == fireCancelled:
						res.Cancelled++
					case out == fireDone:
						res.Fired++
					}
					last = e
				}
				return chain.save(ctx, tx)
			}
		}
		err := db.Write(ctx, batch(false))
		if errors.Is(err, errCareful) {
			err = db.Write(ctx, batch(true))
		}
		if err != nil {
			return total, err
		}
		total.add(res)
		cursor = last
		if n < SweepBatch {
			return total, nil
		}
	}
}

// inIDs returns the condition "col is one of a list of ids" and its one argument:
// a JSON array read by json_each on SQLite, an array on PostgreSQL. The statement
// text does not depend on the list's length, so it is prepared once.
func (t *Tx) inIDs(col string, ids []int64) (string, any) {
	if t.db.dialect == Postgres {
		// Not "= ANY(?)": with the partial indexes of echeance the planner may scan
		// every pending row checking the array; unnest joins on the primary key.
		return col + ` IN (SELECT unnest(?::bigint[]))`, ids
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return col + ` IN (SELECT value FROM json_each(?))`, b.String()
}

// fireSet fires a batch with set-based statements: it locks and reads the
// dossiers' states, decides in Go deadline by deadline in due order (exactly as
// fire would, one after the other), then claims, cancels, changes the dossiers and
// journals with a few statements per batch. Any error or surprise (a row claimed
// by someone else) makes the caller run the batch again deadline by deadline.
func (t *Tx) fireSet(ctx context.Context, due []dueEcheance, now time.Time, chain *chainHead) (SweepResult, error) {
	var res SweepResult
	if len(due) == 0 {
		return res, nil
	}
	var dossiers []int64
	seen := map[int64]bool{}
	for _, e := range due {
		if !seen[e.dossier] {
			seen[e.dossier] = true
			dossiers = append(dossiers, e.dossier)
		}
	}
	// PostgreSQL: the dashboard counters move the batch's dossiers once, at the
	// end (tableauApres), not at each statement (migration 0976).
	if err := t.tableauAvant(ctx); err != nil {
		return res, err
	}
	// The dossiers are read without a lock: their update below is conditional on
	// the state read here, and a dossier changed meanwhile by a user sends the
	// batch to the careful path, which locks each dossier.
	cond, arg := t.inIDs("id", dossiers)
	rows, err := t.Query(ctx, `SELECT id, type, etat FROM dossier WHERE `+cond, arg)
	if err != nil {
		return res, medconseil.Internal(err)
	}
	etat := map[int64]medconseil.Etat{} // as the firings leave it
	orig := map[int64]medconseil.Etat{} // as read
	typ := map[int64]medconseil.TypeDossier{}
	for rows.Next() {
		var id int64
		var ty, s string
		if err := rows.Scan(&id, &ty, &s); err != nil {
			rows.Close()
			return res, medconseil.Internal(err)
		}
		etat[id], orig[id], typ[id] = medconseil.Etat(s), medconseil.Etat(s), medconseil.TypeDossier(ty)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, medconseil.Internal(err)
	}
	type cancel struct {
		id    int64
		motif string
	}
	var fire []int64
	var tacit []tacitFiring // the decisions whose letters are written (courrier_decision.go)
	var cancels []cancel
	var entries []*AuditEntry
	var notes []Notification               // to the caisse, written last (Notify's lock)
	changed := map[int64]medconseil.Etat{} // dossier → its new state
	touched := map[int64]bool{}            // dossiers whose echeance must be recomputed
	lifecycles := map[int64]*lifecycle.Lifecycle{}
	for _, e := range due {
		cur, ok := etat[e.dossier]
		if !ok {
			res.Busy++
			continue
		}
		l, ok := t.db.Lifecycle.Get(typ[e.dossier])
		if !ok {
			return res, medconseil.Internal(fmt.Errorf("aucun cycle de vie pour le type %q", typ[e.dossier]))
		}
		def, ok := l.Echeance(e.nom)
		if !ok {
			return res, medconseil.Internal(fmt.Errorf("échéance %q absente du cycle de vie %s", e.nom, l.Fichier))
		}
		if !def.RunsIn(cur) {
			cancels = append(cancels, cancel{e.id, "état " + string(cur)})
			touched[e.dossier] = true
			res.Cancelled++
			continue
		}
		fire = append(fire, e.id)
		if def.Vers != "" {
			etat[e.dossier], changed[e.dossier] = def.Vers, def.Vers
			touched[e.dossier], lifecycles[e.dossier] = true, l
		}
		if def.Vers != "" {
			tacit = append(tacit, tacitFiring{e.dossier, e.id, def, e.due})
		}
		entries = append(entries, &AuditEntry{Le: now, Login: systemLogin, Action: "echeance." + string(def.Effet), Objet: fmt.Sprintf("dossier:%d", e.dossier),
			Classes:  medconseil.FieldSet(0).With(medconseil.Administratif).String(),
			Finalite: "echeance", Resultat: ResultOK})
		if n, ok := silenceNotification(typ[e.dossier], def, e); ok {
			notes = append(notes, n)
		}
		res.Fired++
	}
	// The claim: exactly one transaction turns each row from attente to declenchee.
	if len(fire) > 0 {
		cond, arg := t.inIDs("id", fire)
		r, err := t.Exec(ctx, `UPDATE echeance SET statut = 'declenchee', traite_le = ?, erreur = '' WHERE statut = 'attente' AND `+cond, ts(now), arg)
		if err != nil {
			return res, medconseil.Internal(err)
		}
		if n, _ := r.RowsAffected(); n != int64(len(fire)) {
			return res, fmt.Errorf("claimed %d of %d deadlines: another sweep took some", n, len(fire))
		}
	}
	// The other pending deadlines of the dossiers that changed state.
	if len(changed) > 0 {
		ids := make([]int64, 0, len(changed))
		for id := range changed {
			ids = append(ids, id)
		}
		cond, arg := t.inIDs("dossier_id", ids)
		rows, err := t.Query(ctx, `SELECT id, dossier_id, nom FROM echeance WHERE statut = 'attente' AND `+cond, arg)
		if err != nil {
			return res, medconseil.Internal(err)
		}
		for rows.Next() {
			var id, dossier int64
			var nom string
			if err := rows.Scan(&id, &dossier, &nom); err != nil {
				rows.Close()
				return res, medconseil.Internal(err)
			}
			l, st := lifecycles[dossier], changed[dossier]
			if def, ok := l.Echeance(nom); !ok || !def.RunsIn(st) {
				cancels = append(cancels, cancel{id, "état " + string(st)})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, medconseil.Internal(err)
		}
	}
	byMotif := map[string][]int64{}
	for _, c := range cancels {
		byMotif[c.motif] = append(byMotif[c.motif], c.id)
	}
	for motif, ids := range byMotif {
		cond, arg := t.inIDs("id", ids)
		if _, err := t.Exec(ctx, `UPDATE echeance SET statut = 'annulee', motif = ?, traite_le = ? WHERE statut = 'attente' AND `+cond, motif, ts(now), arg); err != nil {
			return res, medconseil.Internal(err)
		}
	}
	// One update per dossier that changed state, conditional on the state read.
	type move struct{ from, to medconseil.Etat }
	byMove := map[move][]int64{}
	for id, to := range changed {
		m := move{orig[id], to}
		byMove[m] = append(byMove[m], id)
	}
	for m, ids := range byMove {
		cond, arg := t.inIDs("id", ids)
		r, err := t.Exec(ctx, `UPDATE dossier SET etat = ?, version = version + 1, maj_le = ?,
			echeance = (SELECT MIN(e.limite) FROM echeance e WHERE e.dossier_id = dossier.id AND e.statut = 'attente')
			WHERE etat = ? AND `+cond, string(m.to), ts(now), string(m.from), arg)
		if err != nil {
			return res, medconseil.Internal(err)
		}
		if n, _ := r.RowsAffected(); n != int64(len(ids)) {
			return res, fmt.Errorf("%d of %d dossiers changed state meanwhile", int64(len(ids))-n, len(ids))
		}
	}
	if err := t.enqueueCourriers(ctx, tacit, now); err != nil {
		return res, err
	}
	if len(touched) > 0 {
		ids := make([]int64, 0, len(touched))
		for id := range touched {
			if _, done := changed[id]; !done {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			cond, arg := t.inIDs("d.id", ids)
			if _, err := t.Exec(ctx, `UPDATE dossier AS d SET echeance = (SELECT MIN(e.limite) FROM echeance e WHERE e.dossier_id = d.id AND e.statut = 'attente') WHERE `+cond, arg); err != nil {
				return res, medconseil.Internal(err)
			}
		}
	}
	if err := t.notifyAll(ctx, notes, now); err != nil {
		return res, err
	}
	if err := t.tableauApres(ctx, dossiers); err != nil {
		return res, err
	}
	return res, chain.appendAll(ctx, t, entries)
}

type dueEcheance struct {
	id, dossier int64
	nom         string
	due         medconseil.Date
	tentatives  int
}

// dueEcheances selects the next batch of pending deadlines due on or before until,
// after cursor in (due, id) order, whose retry time has come. The row-value
// comparison lets the partial index (due, id) start right after the cursor rather
// than skip every row fired earlier. On PostgreSQL the rows are locked, and rows
// another sweep holds are skipped rather than waited for. The dossiers are read
// (and locked) afterwards, in dossier order.
func (t *Tx) dueEcheances(ctx context.Context, until medconseil.Date, cursor dueEcheance, now time.Time) ([]dueEcheance, error) {
	q := `SELECT id, dossier_id, nom, due, tentatives FROM echeance
		WHERE statut = 'attente' AND due <= ? AND (due, id) > (?, ?) AND reessai_le <= ?
		ORDER BY due, id LIMIT ?`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	lo := cursor.due
	if lo.IsZero() {
		lo = medconseil.NewDate(1, 1, 1)
	}
	rows, err := t.Query(ctx, q, until, lo, cursor.id, ts(now), SweepBatch)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var due []dueEcheance
	for rows.Next() {
		var e dueEcheance
		if err := rows.Scan(&e.id, &e.dossier, &e.nom, &e.due, &e.tentatives); err != nil {
			return nil, medconseil.Internal(err)
		}
		due = append(due, e)
	}
	if err := rows.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}
	return due, nil
}

type fireOutcome int

const (
	fireNone fireOutcome = iota
	fireDone
	fireCancelled
	fireBusy
)

// fireOne fires one deadline inside its own savepoint; the audit chain is restored
// with the savepoint when the firing is rolled back.
func (t *Tx) fireOne(ctx context.Context, e dueEcheance, now time.Time, chain *chainHead) (out fireOutcome, err error) {
	if _, err := t.Exec(ctx, "SAVEPOINT echeance"); err != nil {
		return fireNone, medconseil.Internal(err)
	}
	saved := *chain
	defer func() {
		if p := recover(); p != nil {
			err = medconseil.Internal(fmt.Errorf("panic firing deadline %d: %v", e.id, p))
		}
		if err != nil || out == fireBusy {
			*chain = saved
			if _, rerr := t.Exec(context.Background(), "ROLLBACK TO SAVEPOINT echeance"); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := t.Exec(context.Background(), "RELEASE SAVEPOINT echeance"); rerr != nil && err == nil {
			err = medconseil.Internal(rerr)
		}
	}()
	return t.fire(ctx, e, now, chain)
}

func (t *Tx) fire(ctx context.Context, e dueEcheance, now time.Time, chain *chainHead) (fireOutcome, error) {
	// On PostgreSQL a dossier being changed right now is left for the next sweep
	// rather than waited for. (SQLite: the writer is exclusive.)
	q := `SELECT type, etat FROM dossier WHERE id = ?`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE NOWAIT`
	}
	var typ, s string
	if err := t.QueryRow(ctx, q, e.dossier).Scan(&typ, &s); err != nil {
		if strings.Contains(err.Error(), "SQLSTATE 55P03") {
			return fireBusy, nil
		}
		return fireNone, medconseil.Internal(err)
	}
	etat := medconseil.Etat(s)
	l, ok := t.db.Lifecycle.Get(medconseil.TypeDossier(typ))
	if !ok {
		return fireNone, medconseil.Internal(fmt.Errorf("aucun cycle de vie pour le type %q", typ))
	}
	def, ok := l.Echeance(e.nom)
	if !ok {
		return fireNone, medconseil.Internal(fmt.Errorf("échéance %q absente du cycle de vie %s", e.nom, l.Fichier))
	}
	if !def.RunsIn(etat) {
		res, err := t.Exec(ctx, `UPDATE echeance SET statut = 'annulee', motif = ?, traite_le = ? WHERE id = ? AND statut = 'attente'`, "état "+string(etat), ts(now), e.id)
		if err != nil {
			return fireNone, medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fireNone, nil
		}
		return fireCancelled, t.refreshEcheance(ctx, e.dossier)
	}
	// The claim: exactly one transaction turns the row from attente to declenchee.
	res, err := t.Exec(ctx, `UPDATE echeance SET statut = 'declenchee', traite_le = ?, erreur = '' WHERE id = ? AND statut = 'attente'`, ts(now), e.id)
	if err != nil {
		return fireNone, medconseil.Internal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fireNone, nil // fired or cancelled by someone else meanwhile
	}
	if def.Vers != "" {
		if err := t.cancelEcheances(ctx, l, e.dossier, def.Vers, "", now); err != nil {
			return fireNone, err
		}
		if _, err := t.Exec(ctx, `UPDATE dossier SET etat = ?, version = version + 1, maj_le = ?,
			echeance = (SELECT MIN(limite) FROM echeance WHERE dossier_id = ? AND statut = 'attente') WHERE id = ?`,
			string(def.Vers), ts(now), e.dossier, e.dossier); err != nil {
			return fireNone, medconseil.Internal(err)
		}
		if err := t.enqueueCourriers(ctx, []tacitFiring{{e.dossier, e.id, def, e.due}}, now); err != nil {
			return fireNone, err
		}
	}
	if n, ok := silenceNotification(medconseil.TypeDossier(typ), def, e); ok {
		if _, err := t.notify(ctx, n, now); err != nil {
			return fireNone, err
		}
	}
	entry := AuditEntry{Le: now, Login: systemLogin, Action: "echeance." + string(def.Effet), Objet: fmt.Sprintf("dossier:%d", e.dossier),
		Classes:  medconseil.FieldSet(0).With(medconseil.Administratif).String(),
		Finalite: "echeance", Resultat: ResultOK}
	if err := chain.append(ctx, t, &entry); err != nil {
		return fireNone, err
	}
	return fireDone, nil
}

// recordFailure keeps a failed firing pending, with its error and the time of the
// next attempt, and journals the failure.
func (t *Tx) recordFailure(ctx context.Context, e dueEcheance, cause error, now time.Time, chain *chainHead) error {
	msg := cause.Error()
	var me *medconseil.Error
	if errors.As(cause, &me) && me.Err != nil {
		msg = me.Err.Error()
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	next := now.Add(retryDelay(e.tentatives + 1))
	if _, err := t.Exec(ctx, `UPDATE echeance SET tentatives = tentatives + 1, erreur = ?, reessai_le = ? WHERE id = ? AND statut = 'attente'`,
		msg, ts(next), e.id); err != nil {
		return medconseil.Internal(err)
	}
	entry := AuditEntry{Le: now, Login: systemLogin, Action: "echeance.echec", Objet: fmt.Sprintf("dossier:%d", e.dossier),
		Finalite: "echeance", Resultat: ResultFailed}
	return chain.append(ctx, t, &entry)
}

// chainHead collects the journal entries of a sweep batch; save hands them to the
// store's journal (flushAudit, or the group commit's pending entries), which seals
// them under the audit key in one multi-row append. A savepoint rollback restores
// the collected entries by value (fireOne).
type chainHead struct {
	entries []AuditEntry
}

func (t *Tx) auditChain(context.Context) (*chainHead, error) { return &chainHead{}, nil }

func (c *chainHead) append(_ context.Context, _ *Tx, e *AuditEntry) error {
	c.entries = append(c.entries, *e)
	return nil
}

func (c *chainHead) appendAll(ctx context.Context, t *Tx, entries []*AuditEntry) error {
	for _, e := range entries {
		if err := c.append(ctx, t, e); err != nil {
			return err
		}
	}
	return nil
}

func (c *chainHead) save(ctx context.Context, t *Tx) error {
	if len(c.entries) == 0 {
		return nil
	}
	if t.pending != nil {
		*t.pending = append(*t.pending, c.entries...)
		c.entries = nil
		return nil
	}
	var head AuditEntry
	err := t.flushAudit(ctx, c.entries, &head)
	c.entries = nil
	return err
}

// Echeance is one deadline of a dossier as stored.
type Echeance struct {
	ID         int64           `json:"id"`
	DossierID  int64           `json:"dossier_id"`
	Nom        string          `json:"nom"`
	Depuis     medconseil.Date `json:"depuis"`
	Limite     medconseil.Date `json:"limite"`
	Due        medconseil.Date `json:"due"`
	Statut     string          `json:"statut"`
	Tentatives int             `json:"tentatives"`
	Erreur     string          `json:"erreur,omitempty"`
	Motif      string          `json:"motif,omitempty"`
}

// Echeances lists the deadlines of dossier id, for operators and tests. It is not a
// disclosure path for users: deadlines hold no clinical content, but callers
// serving users must check the dossier's visibility first (Dossier).
func (db *DB) Echeances(ctx context.Context, id int64) ([]Echeance, error) {
	var out []Echeance
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, dossier_id, nom, depuis, limite, due, statut, tentatives, erreur, motif FROM echeance WHERE dossier_id = ? ORDER BY due, id`, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Echeance
			if err := rows.Scan(&e.ID, &e.DossierID, &e.Nom, &e.Depuis, &e.Limite, &e.Due, &e.Statut, &e.Tentatives, &e.Erreur, &e.Motif); err != nil {
				return medconseil.Internal(err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// PendingDeadlines counts the pending deadlines due on or before until.
func (db *DB) PendingDeadlines(ctx context.Context, until medconseil.Date) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM echeance WHERE statut = 'attente' AND due <= ?`, until).Scan(&n)
	})
	if err != nil {
		return 0, medconseil.Internal(err)
	}
	return n, nil
}

// OpenAgain opens a second, independent handle on the same database, with the same
// clock, keys, policy and lifecycles — what a second server process or a
// "medconseil deadlines" run beside the server is (tests of concurrent sweeps).
func (db *DB) OpenAgain(ctx context.Context) (*DB, error) {
	other, err := Open(ctx, db.dsn)
	if err != nil {
		return nil, err
	}
	other.Now, other.Keys, other.Policy, other.Lifecycle, other.AuditKey = db.Now, db.Keys, db.Policy, db.Lifecycle, db.AuditKey
	return other, nil
}
