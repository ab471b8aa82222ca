package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"medconseil"
)

// The bulk history path: the closed avis d'arrêt of a past year (synth --db files
// the 1.65 million arrêts of Grand Est that closed before the year's end), written
// as the intake and the avis would have left them — the assuré (created or
// reused), the arrêt with its clinical fields sealed under the keyring with the
// intake's AAD (arret:<id>:cim10…), its lifecycle row, the avis given on it and the
// final state "notifiee", one idempotency key and one journal entry per dossier,
// and the dashboard counters — but many thousands a transaction, in multi-row
// statements, without the interactive intake's per-filing work: no pre-analysis
// (the history is closed: nobody instructs it again), no deadline, no
// notification to the caisse and no letter (they went out when the avis was
// given). It is kept apart from the intake (intake.go, batch.go): it never goes
// through the group commit, it takes the writer for one transaction per batch.
//
// The dashboard counters (migrations 0940, 0975, 0976) are moved once per batch
// rather than per row: on PostgreSQL the batch sets medconseil.tableau_differe
// (the triggers return at once) and calls tableau_rafraichir_ensemble over the
// batch's dossiers before it commits; on SQLite, whose triggers are per row and
// cannot be switched off, the batch drops the counter triggers of dossier and
// avis inside its transaction, writes, fills tableau_dossier from tableau_cle and
// adds the batch's counts to tableau_compte in two statements, and creates the
// triggers again from their stored text before it commits: no other transaction
// ever sees them missing (SQLite's schema is transactional and the batch holds
// the only writer).

// ArretHistorique is a closed avis d'arrêt of an imported history.
type ArretHistorique struct {
	// Ref is the caller's number of the avis (MC_ARR_F's ARR_NUM), unique: the
	// idempotency key is the import's prefix and Ref. InitialRef is, for a
	// prolongation, the Ref of its initial avis, imported before it (in this batch
	// or an earlier one of the same import); 0 for an initial avis.
	Ref, InitialRef int64
	Assure          medconseil.Assure
	Prescripteur    medconseil.RPPS
	// Arret's Nature and InitialID are set by the import from InitialRef.
	Arret   medconseil.ArretTravail
	RecueLe time.Time
	// Avis is the avis given (Sens, EffetAu, Motif), by Par on Le.
	Avis medconseil.Avis
}

// HistoryImport files closed arrêts in batches (File). It remembers the ids of the
// initial avis it filed or found already filed, for their prolongations.
type HistoryImport struct {
	DB     *DB
	Acteur *medconseil.Acteur // the importer (journal, idempotency keys)
	Meta   Meta               // address and finalité of the journal entries
	// KeyPrefix makes the idempotency key of each arrêt: KeyPrefix + Ref.
	KeyPrefix string
	// Nomenclatures, when set, checks CIM-10 codes and communes against the
	// référentiels (else their shape only).
	Nomenclatures medconseil.Nomenclatures

	initials map[int64]int64
	echelons map[string]bool
	// noms holds the registered name of every assuré an earlier batch of the
	// import registered or found: a later batch neither registers them again
	// nor reads their name. The import assumes nobody else changes or removes
	// them meanwhile, as in a bulk load (BulkLoad: nobody else writes).
	noms map[medconseil.NIR]string
	// deferred: the import dropped the secondary indexes of the big tables
	// (index_differe.go); Finish builds them again.
	deferred bool
	// Filed and Replayed count the arrêts written and those found already filed
	// (their key was there); Created counts the assurés created.
	Filed, Replayed, Created int
}

// historyRoute names the import in the idempotency records.
const historyRoute = "import historique arret"

// historyAction is the journal's action for one imported dossier.
const historyAction = "arret.historique"

// historyRows bounds a multi-row statement of the import (18 parameters a row for
// the dossier: 9,000, under both engines' limits).
const historyRows = 500

// File writes xs in one transaction: every row is checked first, and a bad row
// aborts the batch with a French message naming the row and the field, before
// anything is written. Arrêts whose key is already there are not written again.
func (h *HistoryImport) File(ctx context.Context, xs []ArretHistorique) error {
	if len(xs) == 0 {
		return nil
	}
	db := h.DB
	if h.initials == nil {
		h.initials = map[int64]int64{}
		h.noms = map[medconseil.NIR]string{}
	}
	if h.Acteur == nil {
		return medconseil.Internal(errors.New("history import without an importer"))
	}
	if h.Meta.Finalite == "" {
		h.Meta.Finalite = "synthese"
	}
	if err := CheckFinalite(h.Meta.Finalite); err != nil {
		return err
	}
	if h.echelons == nil {
		if err := h.loadEchelons(ctx); err != nil {
			return err
		}
	}
	starts := make([]lifecycleStart, len(xs))
	for i := range xs {
		if err := h.check(&xs[i]); err != nil {
			return medconseil.Prefix(historyRow(xs[i].Ref), err)
		}
		st, err := db.onFiled(medconseil.TypeArretTravail, medconseil.DateOf(xs[i].RecueLe), nil, xs[i].Assure.Departement())
		if err != nil {
			return medconseil.Prefix(historyRow(xs[i].Ref), err)
		}
		starts[i] = st
	}
	keys := make([]string, len(xs))
	for i := range xs {
		keys[i] = h.KeyPrefix + strconv.FormatInt(xs[i].Ref, 10)
	}
	var filed, replayed, created int
	newInitials := map[int64]int64{}
	var noms map[medconseil.NIR]string
	deferred := h.deferred
	err := db.run(ctx, db.w, false, func(tx *Tx) error {
		filed, replayed, created = 0, 0, 0
		clear(newInitials)
		if !h.deferred {
			var err error
			if deferred, err = tx.deferIndexes(ctx); err != nil {
				return err
			}
		}
		done, err := tx.historyKeys(ctx, h.Acteur.ID, keys)
		if err != nil {
			return err
		}
		// The rows to write, and their prolongations' initial ids.
		var todo []int
		for i := range xs {
			if id, ok := done[keys[i]]; ok {
				replayed++
				if xs[i].InitialRef == 0 {
					newInitials[xs[i].Ref] = id
				}
				continue
			}
			todo = append(todo, i)
		}
		if len(todo) == 0 {
			return nil
		}
		ids, err := db.newDossierIDs(ctx, tx.tx, len(todo))
		if err != nil {
			return medconseil.Internal(err)
		}
		initialOf := func(ref int64) (int64, bool) {
			if id, ok := newInitials[ref]; ok {
				return id, true
			}
			id, ok := h.initials[ref]
			return id, ok
		}
		arrets := make([]medconseil.ArretTravail, len(todo))
		for k, i := range todo {
			x := &xs[i]
			ar := x.Arret
			ar.Nature, ar.InitialID = medconseil.NatureInitial, 0
			if x.InitialRef != 0 {
				id, ok := initialOf(x.InitialRef)
				if !ok {
					return medconseil.FieldErrorf(historyRow(x.Ref)+".initial_id", "l'avis initial n° %d de la prolongation n° %d n'est pas dans l'historique importé : l'importer avant elle", x.InitialRef, x.Ref)
				}
				ar.Nature, ar.InitialID = medconseil.NatureProlongation, id
			} else {
				newInitials[x.Ref] = ids[k]
			}
			arrets[k] = ar
		}
		sealed, err := db.sealHistory(ids, todo, xs, arrets)
		if err != nil {
			return err
		}
		if created, noms, err = tx.historyAssures(ctx, h.Acteur, todo, xs, h.noms); err != nil {
			return err
		}
		restore, err := tx.historyCountersOff(ctx)
		if err != nil {
			return err
		}
		now := db.Now()
		for lo := 0; lo < len(todo); lo += historyRows {
			hi := min(lo+historyRows, len(todo))
			var ds, ar, av, cy, ik [][]any
			for k := lo; k < hi; k++ {
				x, id, s := &xs[todo[k]], ids[k], sealed[k]
				recue, avisLe := ts(x.RecueLe), ts(x.Avis.Le)
				ds = append(ds, []any{id, string(medconseil.TypeArretTravail), string(medconseil.EtatNotifiee), x.Assure.Departement(), string(x.Assure.NIR),
					string(x.Prescripteur), recue, x.Avis.Par, nullInt(h.Acteur.ID), avisLe, x.Assure.Nom, x.Assure.Prenom, x.Assure.Naissance, x.Assure.Residence, noms[x.Assure.NIR]})
				a := &arrets[k]
				tele := 0
				if a.Teleconsultation {
					tele = 1
				}
				ar = append(ar, []any{id, string(a.Nature), nullInt(a.InitialID), a.Debut, a.Fin, tele, s[0], s[1], s[2]})
				av = append(av, []any{id, string(x.Avis.Sens), x.Avis.EffetAu, s[3], x.Avis.Par, avisLe})
				if st := starts[todo[k]]; st.cycle {
					cy = append(cy, []any{id, st.nature, st.recue})
				}
				ik = append(ik, []any{h.Acteur.ID, keys[todo[k]], historyRoute, h.Meta.BodyHash, 201, `{"id":` + strconv.FormatInt(id, 10) + `}`, ts(now)})
			}
			if err := tx.insertDossiersHistory(ctx, ds); err != nil {
				return err
			}
			for _, t := range []struct {
				table, cols string
				rows        [][]any
			}{
				{"arret", "dossier_id, nature, initial_id, debut, fin, teleconsultation, cim10_enc, libelle_enc, motif_enc", ar},
				{"avis", "dossier_id, sens, effet_au, motif_enc, par, le", av},
				{"cycle", "dossier_id, nature, recue", cy},
				{"idempotence", "utilisateur_id, cle, route, corps_hash, statut, reponse, cree_le", ik},
			} {
				if err := tx.insertRows(ctx, t.table, t.cols, t.rows, ""); err != nil {
					return medconseil.Internal(fmt.Errorf("historique : %s : %w", t.table, err))
				}
			}
		}
		if err := restore(ids); err != nil {
			return err
		}
		// One journal entry per dossier: the access right (acces.go) finds every
		// write on a dossier by its objet.
		classes := medconseil.FieldSet(0).With(medconseil.Identite).With(medconseil.Administratif).With(medconseil.Clinique).With(medconseil.Decision).String()
		entries := make([]AuditEntry, len(todo))
		for k := range todo {
			entries[k] = AuditEntry{Le: now, ActeurID: h.Acteur.ID, Login: h.Acteur.Login, Roles: rolesOf(h.Acteur), Action: historyAction,
				Objet: "dossier:" + strconv.FormatInt(ids[k], 10), Classes: classes, Finalite: h.Meta.Finalite, Adresse: h.Meta.Adresse, Resultat: ResultOK}
		}
		var head AuditEntry
		if err := tx.flushAudit(ctx, entries, &head); err != nil {
			return err
		}
		filed = len(todo)
		return nil
	})
	if err != nil {
		return err
	}
	h.deferred = deferred
	for ref, id := range newInitials {
		h.initials[ref] = id
	}
	for nir, nom := range noms {
		h.noms[nir] = nom
	}
	h.Filed += filed
	h.Replayed += replayed
	h.Created += created
	return nil
}

// Finish ends the import: it builds the indexes the import deferred, if any
// (index_differe.go). Call it once the last batch is filed. With only, it builds
// those only reports true for (IntakeIndex: before a bulk load through the
// intake) and leaves the others to DB.RebuildDeferredIndexes.
func (h *HistoryImport) Finish(ctx context.Context, only func(name string) bool) error {
	if !h.deferred {
		return nil
	}
	if err := h.DB.RebuildDeferredIndexes(ctx, only); err != nil {
		return err
	}
	h.deferred = false
	return nil
}

// InitialID returns the dossier id of the initial avis Ref ref, filed or found
// already filed by this import.
func (h *HistoryImport) InitialID(ref int64) (int64, bool) {
	id, ok := h.initials[ref]
	return id, ok
}

// historyRow names a row of the import in an error's field: "arret n° 1234".
func historyRow(ref int64) string { return fmt.Sprintf("arret n° %d", ref) }

func (h *HistoryImport) loadEchelons(ctx context.Context) error {
	h.echelons = map[string]bool{}
	return h.DB.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT departement FROM organisme WHERE type = 'echelon'`)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				return medconseil.Internal(err)
			}
			h.echelons[d] = true
		}
		return rows.Err()
	})
}

// check refuses a row the intake would refuse, and an avis the praticien could not
// have given, every error of the row at once.
func (h *HistoryImport) check(x *ArretHistorique) error {
	var errs []error
	if _, err := medconseil.ParseNIR(string(x.Assure.NIR)); err != nil {
		errs = append(errs, medconseil.Prefix("nir", err))
	}
	if err := medconseil.ValidCommuneShape(x.Assure.Residence); err != nil {
		errs = append(errs, medconseil.Prefix("residence", err))
	} else if err := medconseil.CheckCommune(h.Nomenclatures, "residence", x.Assure.Residence); err != nil {
		errs = append(errs, err)
	} else if dep := x.Assure.Departement(); !h.echelons[dep] {
		errs = append(errs, medconseil.FieldErrorf("residence", "aucun échelon du service médical ne couvre le département %s de la commune %s", dep, x.Assure.Residence))
	}
	if x.Prescripteur != "" {
		if _, err := medconseil.ParseRPPS(string(x.Prescripteur)); err != nil {
			errs = append(errs, medconseil.Prefix("prescripteur", err))
		}
	}
	ar := x.Arret
	ar.Nature, ar.InitialID = medconseil.NatureInitial, 0
	if err := ar.Validate(); err != nil {
		errs = append(errs, err)
	}
	if ar.CIM10 != "" {
		if c, err := medconseil.ParseCIM10(string(ar.CIM10)); err != nil {
			errs = append(errs, medconseil.Prefix("cim10", err))
		} else if c != ar.CIM10 {
			errs = append(errs, medconseil.FieldErrorf("cim10", "code CIM-10 %q non normalisé (attendu %s)", string(ar.CIM10), c))
		} else if err := medconseil.CheckCIM10(h.Nomenclatures, "cim10", ar.CIM10); err != nil {
			errs = append(errs, err)
		}
	}
	if x.RecueLe.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("recue_le", "date de réception manquante"))
	}
	if err := x.Avis.Validate(&ar); err != nil {
		errs = append(errs, medconseil.Prefix("avis", err))
	}
	switch {
	case x.Avis.Par == "":
		errs = append(errs, medconseil.FieldErrorf("avis.par", "auteur de l'avis manquant"))
	case x.Avis.Le.IsZero() || x.Avis.Le.Before(x.RecueLe):
		errs = append(errs, medconseil.FieldErrorf("avis.le", "date de l'avis manquante ou antérieure à la réception de l'arrêt"))
	}
	return errors.Join(errs...)
}

// historyKeys returns the dossier ids stored under the keys already there.
func (t *Tx) historyKeys(ctx context.Context, userID int64, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	for lo := 0; lo < len(keys); lo += historyRows {
		chunk := keys[lo:min(lo+historyRows, len(keys))]
		args := make([]any, 0, len(chunk)+2)
		args = append(args, userID, historyRoute)
		for _, k := range chunk {
			args = append(args, k)
		}
		rows, err := t.Query(ctx, `SELECT cle, reponse FROM idempotence WHERE utilisateur_id = ? AND route = ? AND cle IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, args...)
		if err != nil {
			return nil, medconseil.Internal(err)
		}
		for rows.Next() {
			var k, body string
			if err := rows.Scan(&k, &body); err != nil {
				rows.Close()
				return nil, medconseil.Internal(err)
			}
			var b struct{ ID int64 }
			if err := json.Unmarshal([]byte(body), &b); err != nil {
				rows.Close()
				return nil, medconseil.Internal(err)
			}
			out[k] = b.ID
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, medconseil.Internal(err)
		}
	}
	return out, nil
}

// sealHistory seals the clinical values of the rows to write — the arrêt's CIM-10
// code, libellé and motif, the avis's motif — with the AAD the intake and the avis
// use, on every core.
func (db *DB) sealHistory(ids []int64, todo []int, xs []ArretHistorique, arrets []medconseil.ArretTravail) ([][4]string, error) {
	out := make([][4]string, len(todo))
	workers := min(runtime.GOMAXPROCS(0), 1+len(todo)/256)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < len(todo); k += workers {
				a, err := db.sealArret(ids[k], arrets[k])
				if err != nil {
					errs[w] = err
					return
				}
				m, err := db.seal("avis", ids[k], "motif", xs[todo[k]].Avis.Motif)
				if err != nil {
					errs[w] = err
					return
				}
				out[k] = [4]string{a[0], a[1], a[2], m}
			}
		}(w)
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// historyAssures creates the assurés of the rows not registered yet (version 1,
// attributed to the importer, as a first filing does) and returns how many, with
// the registered name of every assuré of the rows (the dossiers' nom_assure: one
// read per chunk here rather than a subquery per row of the dossiers' INSERT,
// whose hundreds of cursors SQLite links and unlinks one by one). The assurés of
// known (an earlier batch's names) are taken from it, without a statement.
func (t *Tx) historyAssures(ctx context.Context, a *medconseil.Acteur, todo []int, xs []ArretHistorique, known map[medconseil.NIR]string) (int, map[medconseil.NIR]string, error) {
	noms := map[medconseil.NIR]string{}
	var order []*ArretHistorique
	for _, i := range todo {
		x := &xs[i]
		if _, ok := noms[x.Assure.NIR]; ok {
			continue
		}
		if nom, ok := known[x.Assure.NIR]; ok {
			noms[x.Assure.NIR] = nom
			continue
		}
		noms[x.Assure.NIR] = "" // set below
		order = append(order, x)
	}
	created := 0
	for lo := 0; lo < len(order); lo += historyRows {
		chunk := order[lo:min(lo+historyRows, len(order))]
		rows := make([][]any, len(chunk))
		for k, x := range chunk {
			rows[k] = []any{string(x.Assure.NIR), x.Assure.Nom, x.Assure.Prenom, x.Assure.Naissance, x.Assure.Residence, ts(x.RecueLe), 1, ""}
		}
		// The assurés already registered are kept as they are (their identity is
		// the registered one); RETURNING lists those this statement created.
		n := len(rows[0])
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
		args := make([]any, 0, n*len(rows))
		for _, r := range rows {
			args = append(args, r...)
		}
		q := `INSERT INTO assure (nir, nom, prenom, naissance, residence, cree_le, version, medecin_traitant) VALUES ` +
			strings.TrimSuffix(strings.Repeat(tuple+", ", len(rows)), ", ") + ` ON CONFLICT (nir) DO NOTHING RETURNING nir`
		rs, err := t.Query(ctx, q, args...)
		if err != nil {
			return 0, nil, medconseil.Internal(fmt.Errorf("historique : assure : %w", err))
		}
		fresh := map[string]bool{}
		for rs.Next() {
			var nir string
			if err := rs.Scan(&nir); err != nil {
				rs.Close()
				return 0, nil, medconseil.Internal(err)
			}
			fresh[nir] = true
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return 0, nil, medconseil.Internal(err)
		}
		// The names of the assurés already registered.
		var known []any
		for _, x := range chunk {
			if fresh[string(x.Assure.NIR)] {
				noms[x.Assure.NIR] = x.Assure.Nom
			} else {
				known = append(known, string(x.Assure.NIR))
			}
		}
		if len(known) > 0 {
			rs, err := t.Query(ctx, `SELECT nir, nom FROM assure WHERE nir IN (`+strings.TrimSuffix(strings.Repeat("?,", len(known)), ",")+`)`, known...)
			if err != nil {
				return 0, nil, medconseil.Internal(fmt.Errorf("historique : assure : %w", err))
			}
			for rs.Next() {
				var nir, nom string
				if err := rs.Scan(&nir, &nom); err != nil {
					rs.Close()
					return 0, nil, medconseil.Internal(err)
				}
				noms[medconseil.NIR(nir)] = nom
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return 0, nil, medconseil.Internal(err)
			}
		}
		var vs [][]any
		for _, x := range chunk {
			if fresh[string(x.Assure.NIR)] {
				vs = append(vs, []any{string(x.Assure.NIR), 1, x.Assure.Nom, x.Assure.Prenom, x.Assure.Naissance, x.Assure.Residence, "", a.Login, ts(x.RecueLe), nil, "premier dépôt (import de l'historique)"})
			}
		}
		if err := t.insertRows(ctx, "assure_version", "nir, version, nom, prenom, naissance, residence, medecin_traitant, par, le, dossier_id, motif", vs, ""); err != nil {
			return 0, nil, medconseil.Internal(fmt.Errorf("historique : assure_version : %w", err))
		}
		created += len(vs)
	}
	return created, noms, nil
}

// insertDossiersHistory writes dossier rows (15 values each, the last the
// registered name of the assuré, as the intake's nom_assure).
func (t *Tx) insertDossiersHistory(ctx context.Context, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	tuple := `(?, ?, ?, 2, ?, ?, ?, ?, NULL, ?, ?, ?, '', ?, ?, ?, ?, ?)`
	args := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		args = append(args, r...)
	}
	q := `INSERT INTO dossier (id, type, etat, version, departement, nir, prescripteur, recue_le, echeance, attribue_a, cree_par, maj_le, employeur, decl_nom, decl_prenom, decl_naissance, decl_residence, nom_assure) VALUES ` +
		strings.TrimSuffix(strings.Repeat(tuple+", ", len(rows)), ", ")
	if _, err := t.Exec(ctx, q, args...); err != nil {
		return medconseil.Internal(fmt.Errorf("historique : dossier : %w", err))
	}
	return nil
}

// historyCountersOff stops the per-row counter work for the rest of the batch and
// returns what moves the batch's dossiers in the counters and turns it back on
// (see the head of this file).
func (t *Tx) historyCountersOff(ctx context.Context) (restore func(ids []int64) error, err error) {
	if t.db.dialect == Postgres {
		if err := t.tableauAvant(ctx); err != nil {
			return nil, err
		}
		return func(ids []int64) error { return t.tableauApres(ctx, ids) }, nil
	}
	rows, err := t.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('dossier', 'avis') AND name LIKE 'tableau\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	var trig [][2]string
	for rows.Next() {
		var tr [2]string
		if err := rows.Scan(&tr[0], &tr[1]); err != nil {
			rows.Close()
			return nil, medconseil.Internal(err)
		}
		trig = append(trig, tr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}
	for _, tr := range trig {
		if _, err := t.tx.ExecContext(ctx, `DROP TRIGGER `+tr[0]); err != nil {
			return nil, medconseil.Internal(err)
		}
	}
	return func(ids []int64) error {
		if len(ids) > 0 {
			const cols = `dossier_id, jour, departement, type, issue, echeance, a_avis, delai`
			const key = `departement, mois, type, issue, echeance, a_avis, delai`
			lo, hi := ids[0], ids[len(ids)-1]
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO tableau_dossier (`+cols+`) SELECT `+cols+` FROM tableau_cle WHERE dossier_id BETWEEN ? AND ?`, lo, hi); err != nil {
				return medconseil.Internal(fmt.Errorf("tableau de bord : compteurs du lot : %w", err))
			}
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO tableau_compte (`+key+`, n) SELECT departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai, COUNT(*)
				FROM tableau_dossier WHERE dossier_id BETWEEN ? AND ? GROUP BY departement, substr(jour, 1, 7), type, issue, echeance, a_avis, delai
				ON CONFLICT (`+key+`) DO UPDATE SET n = n + excluded.n`, lo, hi); err != nil {
				return medconseil.Internal(fmt.Errorf("tableau de bord : compteurs du lot : %w", err))
			}
		}
		for _, tr := range trig {
			if _, err := t.tx.ExecContext(ctx, tr[1]); err != nil {
				return medconseil.Internal(fmt.Errorf("tableau de bord : %s : %w", tr[0], err))
			}
		}
		return nil
	}, nil
}
