package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/keyring"
)

// Meta is what the store records about the request behind a call: where it came
// from, why (finalité), and the client's idempotency key.
type Meta struct {
	Adresse  string // remote address
	Finalite string // purpose of the access, journaled with it
	IdemKey  string // Idempotency-Key header, "" if none
	BodyHash string // SHA-256 of the request body, to refuse a key reused for another request
}

// AuditEntry is one entry of the append-only, chained journal: who (login, roles),
// did what (action, result), to which record (objet) and which other dossiers it was
// shown (divulgues), seeing which field classes, for which purpose, when and from
// where. Hash seals the entry and the previous one: HMAC-SHA256 under the audit key,
// kept outside the database (entries before migration 0200: plain SHA-256).
type AuditEntry struct {
	Seq       int64     `json:"seq"`
	Le        time.Time `json:"le"`
	ActeurID  int64     `json:"acteur_id,omitempty"`
	Login     string    `json:"login"`
	Roles     string    `json:"roles"`
	Action    string    `json:"action"`
	Objet     string    `json:"objet"`
	Divulgues string    `json:"divulgues,omitempty"`
	Classes   string    `json:"classes"`
	Finalite  string    `json:"finalite"`
	Adresse   string    `json:"adresse"`
	Resultat  string    `json:"resultat"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// Results recorded in the journal.
const (
	ResultOK      = "ok"
	ResultRefused = "refus" // the record was answered as not found, or the action forbidden
	ResultFailed  = "echec"
)

// Finalites is the closed list of purposes an access may be journaled with (RGPD
// art. 5-1-b, purpose limitation; the journal must say why data was accessed).
var Finalites = map[string]string{
	"consultation":   "consultation d'un dossier",
	"instruction":    "instruction d'un dossier (examen, note)",
	"depot":          "dépôt d'un avis d'arrêt de travail",
	"avis":           "avis du service médical",
	"export":         "export de dossiers",
	"administration": "administration des comptes",
	"audit":          "contrôle du journal d'audit",
	"audit.export":   "export du journal d'audit",
	"connexion":      "connexion",
	"deconnexion":    "déconnexion",
	"api":            "gestion des jetons d'API",
	"synthese":       "génération de données synthétiques",
	"demonstration":  "données de démonstration",
	"exploitation":   "exploitation technique",
	"conservation":   "purge à l'échéance de la durée de conservation",
	"acces":          "droit d'accès de l'assuré (qui a consulté ses données)",
	"communication":  "communication du dossier à l'assuré (L1111-7 CSP)",
	"identite":       "gestion de l'identité de l'assuré",
	"echeance":       "échéance légale d'un dossier (balayage du calendrier)",
	"notification":   "notification des conclusions à la caisse",
	"courrier":       "courrier d'un dossier (notification, réponse au prescripteur, copie à la caisse)",
	"pilotage":       "pilotage de l'activité (tableau de bord : effectifs agrégés, sans donnée nominative)",
	"controle":       "contrôle de l'activité d'un professionnel (profils, ciblage, MSO/MSAP, indus, pénalités) et contentieux",
	"convocation":    "convocation et examen de l'assuré (L315-2 CSS)",
	"agenda":         "tenue de l'agenda des sites (salles, plages, absences)",
	"contre_visite":  "contre-visite patronale d'un arrêt de travail (L315-1 II CSS)",
	"pdp":            "prévention de la désinsertion professionnelle (signalements, actions de la cellule PDP, contacts avec le médecin du travail)",
}

// defaultFinalite is the purpose of an action whose caller declared none.
func defaultFinalite(action string) string {
	switch {
	case strings.HasPrefix(action, "arret."):
		return "depot"
	case strings.HasPrefix(action, "dossier.lecture"), strings.HasPrefix(action, "dossiers.liste"):
		return "consultation"
	case strings.HasPrefix(action, "dossiers.export"):
		return "export"
	case strings.HasPrefix(action, "avis."):
		return "avis"
	case strings.HasPrefix(action, "note."):
		return "instruction"
	case strings.HasPrefix(action, "compte."):
		return "administration"
	case strings.HasPrefix(action, "connexion"), strings.HasPrefix(action, "jeton."):
		return "connexion"
	case strings.HasPrefix(action, "deconnexion"):
		return "deconnexion"
	case strings.HasPrefix(action, "audit."):
		return "audit"
	}
	return "exploitation"
}

// CheckFinalite refuses a purpose outside the closed list, naming the valid ones.
func CheckFinalite(f string) error {
	if _, ok := Finalites[f]; ok {
		return nil
	}
	names := make([]string, 0, len(Finalites))
	for k := range Finalites {
		names = append(names, k)
	}
	sort.Strings(names)
	return medconseil.FieldErrorf("finalite", "finalité « %s » inconnue : valeurs admises %s", truncate(f, 40), strings.Join(names, ", "))
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// digest returns the seal of an entry: HMAC-SHA256 under key over its fields and the
// previous hash when sealed, else (entries before migration 0200) plain SHA-256.
// Fields are length-prefixed so no two different entries share a text.
func (e *AuditEntry) digest(key *keyring.MACKey, sealed bool) string {
	fields := []string{
		strconv.FormatInt(e.Seq, 10), ts(e.Le), strconv.FormatInt(e.ActeurID, 10), e.Login, e.Roles,
		e.Action, e.Objet, e.Classes, e.Finalite, e.Adresse, e.Resultat, e.PrevHash,
	}
	if sealed {
		return key.Sum("medconseil-audit-v2", append(fields, e.Divulgues)...)
	}
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func rolesOf(a *medconseil.Acteur) string {
	if a == nil {
		return ""
	}
	parts := make([]string, 0, len(a.Habilitations))
	for _, h := range a.Habilitations {
		parts = append(parts, string(h.Role)+"@"+h.Territoire.String())
	}
	return strings.Join(parts, " ")
}

// journal appends an entry in tx, so the record of an access commits or rolls back
// with the access itself.
func (t *Tx) journal(ctx context.Context, a *medconseil.Acteur, action, objet string, classes medconseil.FieldSet, m Meta, result string) error {
	return t.journalShown(ctx, a, action, objet, nil, classes, m, result)
}

// journalShown is journal for a read that also disclosed the dossiers shown (a
// list, an export, a dossier's history and alerts): one entry lists their ids.
func (t *Tx) journalShown(ctx context.Context, a *medconseil.Acteur, action, objet string, shown []int64, classes medconseil.FieldSet, m Meta, result string) error {
	if m.Finalite == "" {
		m.Finalite = defaultFinalite(action)
	}
	if err := CheckFinalite(m.Finalite); err != nil {
		return err
	}
	if t.db.AuditKey == nil {
		return medconseil.Internal(errors.New("audit key missing: the journal cannot be sealed"))
	}
	e := AuditEntry{
		Le:        t.now(),
		Action:    action,
		Objet:     objet,
		Divulgues: idList(shown),
		Classes:   classes.String(),
		Finalite:  m.Finalite,
		Adresse:   m.Adresse,
		Resultat:  result,
		Roles:     rolesOf(a),
	}
	if a != nil {
		e.ActeurID, e.Login = a.ID, a.Login
	}
	if t.pending != nil {
		*t.pending = append(*t.pending, e)
		return nil
	}
	var head AuditEntry
	return t.flushAudit(ctx, []AuditEntry{e}, &head)
}

// journalList journals a list read: one entry naming every dossier shown and the
// union of the classes disclosed. The list is not returned if the entry fails.
func (db *DB) journalList(ctx context.Context, a *medconseil.Acteur, action string, rows []WorklistRow, m Meta) error {
	ids := make([]int64, len(rows))
	var seen medconseil.FieldSet
	for i, r := range rows {
		ids[i] = r.ID
		seen |= r.Visible
	}
	return db.Write(ctx, func(tx *Tx) error {
		return tx.journalShown(ctx, a, action, "liste", ids, seen, m, ResultOK)
	})
}

// shownByDossier returns the other dossiers a dossier read disclosed: those of its
// history, and the initial notice its terminology alerts were computed from.
func shownByDossier(d *medconseil.Dossier) []int64 {
	var ids []int64
	for _, h := range d.Historique {
		ids = append(ids, h.ID)
	}
	if len(d.Alertes) > 0 && d.Arret != nil && d.Arret.InitialID != 0 {
		ids = append(ids, d.Arret.InitialID)
	}
	return ids
}

// idList writes ids as "1,5,9", sorted and without duplicates.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	s = slices.Compact(s)
	parts := make([]string, len(s))
	for i, id := range s {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// auditInsertRows bounds a multi-row insert (14 parameters a row).
const auditInsertRows = 64

// flushAudit appends entries to the chain: it takes the journal head (its row lock,
// on PostgreSQL, serialises appends until commit, so the chain never forks), seals
// the entries in order, inserts them in multi-row statements and moves the head. In
// a group commit it runs once, just before COMMIT. head receives the last entry.
func (t *Tx) flushAudit(ctx context.Context, entries []AuditEntry, head *AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if t.db.AuditKey == nil {
		return medconseil.Internal(errors.New("audit key missing: the journal cannot be sealed"))
	}
	n := int64(len(entries))
	var last int64
	var prev string
	var sealedFrom int64
	if err := t.QueryRow(ctx, `UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash, scelle_depuis`, n).Scan(&last, &prev, &sealedFrom); err != nil {
		return medconseil.Internal(fmt.Errorf("audit head: %w", err))
	}
	for i := range entries {
		e := &entries[i]
		e.Seq = last - n + int64(i) + 1
		e.PrevHash = prev
		e.Hash = e.digest(t.db.AuditKey, e.Seq >= sealedFrom)
		prev = e.Hash
	}
	for start := 0; start < len(entries); start += auditInsertRows {
		chunk := entries[start:min(start+auditInsertRows, len(entries))]
		var b strings.Builder
		b.WriteString(`INSERT INTO audit (seq, le, acteur_id, login, roles, action, objet, divulgues, classes, finalite, adresse, resultat, prev_hash, hash) VALUES `)
		args := make([]any, 0, len(chunk)*14)
		for i := range chunk {
			e := &chunk[i]
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Seq, ts(e.Le), nullInt(e.ActeurID), e.Login, e.Roles, e.Action, e.Objet, e.Divulgues, e.Classes, e.Finalite, e.Adresse, e.Resultat, e.PrevHash, e.Hash)
		}
		if _, err := t.Exec(ctx, b.String(), args...); err != nil {
			return medconseil.Internal(fmt.Errorf("audit insert: %w", err))
		}
	}
	if _, err := t.Exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, prev); err != nil {
		return medconseil.Internal(fmt.Errorf("audit head: %w", err))
	}
	*head = entries[len(entries)-1]
	return nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// Journal records an event that is not a dossier access (login, logout, account
// change, export) in its own transaction.
func (db *DB) Journal(ctx context.Context, a *medconseil.Acteur, action, objet string, m Meta, result string) error {
	return db.Write(ctx, func(tx *Tx) error {
		return tx.journal(ctx, a, action, objet, 0, m, result)
	})
}

// AuditQuery filters the journal.
type AuditQuery struct {
	Login  string
	Objet  string
	Action string
	Depuis time.Time
	Avant  time.Time
	Limit  int
	Offset int
}

// AuditEntries lists journal entries, newest first. Only the auditor calls it; the
// consultation is itself journaled.
func (db *DB) AuditEntries(ctx context.Context, a *medconseil.Acteur, q AuditQuery, m Meta) ([]AuditEntry, int, error) {
	var where []string
	var args []any
	if q.Login != "" {
		where, args = append(where, "login = ?"), append(args, q.Login)
	}
	if q.Objet != "" {
		if id, ok := strings.CutPrefix(q.Objet, "dossier:"); ok && id != "" && strings.Trim(id, "0123456789") == "" {
			// A dossier is also disclosed by the lists, exports and histories showing it.
			where, args = append(where, "(objet = ? OR ',' || divulgues || ',' LIKE ?)"), append(args, q.Objet, "%,"+id+",%")
		} else {
			where, args = append(where, "objet = ?"), append(args, q.Objet)
		}
	}
	if q.Action != "" {
		where, args = append(where, "action = ?"), append(args, q.Action)
	}
	if !q.Depuis.IsZero() {
		where, args = append(where, "le >= ?"), append(args, ts(q.Depuis))
	}
	if !q.Avant.IsZero() {
		where, args = append(where, "le < ?"), append(args, ts(q.Avant))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	var out []AuditEntry
	var total int
	err := db.Write(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit`+cond, args...).Scan(&total); err != nil {
			return medconseil.Internal(err)
		}
		rows, err := tx.Query(ctx, `SELECT `+auditCols+` FROM audit`+cond+
			` ORDER BY seq DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "audit.consultation", "audit", 0, m, ResultOK)
	})
	return out, total, err
}

const auditCols = `seq, le, COALESCE(acteur_id, 0), login, roles, action, objet, divulgues, classes, finalite, adresse, resultat, prev_hash, hash`

type scanner interface{ Scan(...any) error }

func scanAudit(s scanner) (AuditEntry, error) {
	var e AuditEntry
	var le string
	if err := s.Scan(&e.Seq, &le, &e.ActeurID, &e.Login, &e.Roles, &e.Action, &e.Objet, &e.Divulgues, &e.Classes, &e.Finalite, &e.Adresse, &e.Resultat, &e.PrevHash, &e.Hash); err != nil {
		return e, medconseil.Internal(err)
	}
	t, err := parseTS(le)
	if err != nil {
		// A timestamp that does not parse is itself tampering: keep the text's zero
		// time, the digest will not match.
		t = time.Time{}
	}
	e.Le = t
	return e, nil
}

// AuditProblem describes the first place the journal fails verification.
type AuditProblem struct {
	Seq     int64  // entry concerned, 0 when the problem is not one entry's
	Message string // French explanation
}

func (p *AuditProblem) Error() string {
	if p.Seq == 0 {
		return "journal d'audit : " + p.Message
	}
	return fmt.Sprintf("journal d'audit : entrée n° %d : %s", p.Seq, p.Message)
}

// AuditReport sums up a verification.
type AuditReport struct {
	Entries     int64       // entries checked
	Sealed      int64       // of which sealed with the audit key
	Checkpoints int         // signed checkpoints checked
	Last        *Checkpoint // the most recent checkpoint, nil if none
}

// VerifyAudit verifies the journal (see VerifyAuditReport) and returns the number of
// entries checked.
func (db *DB) VerifyAudit(ctx context.Context) (int64, *AuditProblem, error) {
	r, p, err := db.VerifyAuditReport(ctx)
	return r.Entries, p, err
}

// VerifyAuditReport walks the whole chain in order with the audit key and returns
// the first problem: the triggers that keep the journal append-only are gone; an
// entry whose content no longer matches its seal (altered, or re-attributed with
// hashes recomputed without the key); a gap in the sequence (removed); a link to a
// previous hash that is not the previous entry's (inserted or reordered); a head that
// does not match the last entry; and, against the signed checkpoints of
// db.CheckpointDir, an entry they attest that is missing (truncated, wiped) or
// different (rewritten), or a moved start of the sealed part.
func (db *DB) VerifyAuditReport(ctx context.Context) (AuditReport, *AuditProblem, error) {
	var rep AuditReport
	if p, err := db.checkAuditTriggers(ctx); p != nil || err != nil {
		return rep, p, err
	}
	var cps []Checkpoint
	if db.CheckpointDir != "" {
		var p *AuditProblem
		var err error
		if cps, p, err = readCheckpoints(db.CheckpointDir, db.AuditKey); p != nil || err != nil {
			return rep, p, err
		}
	}
	attested := map[int64]*Checkpoint{}
	var maxCP *Checkpoint
	for i := range cps {
		c := &cps[i]
		if prev, ok := attested[c.Seq]; ok && prev.Hash != c.Hash {
			return rep, &AuditProblem{Seq: c.Seq, Message: fmt.Sprintf("deux points de contrôle signés (%s et %s) attestent des empreintes différentes : le journal a été réécrit", prev.Le, c.Le)}, nil
		}
		attested[c.Seq] = c
		if maxCP == nil || c.Seq > maxCP.Seq {
			maxCP = c
		}
		if rep.Last == nil || c.Le > rep.Last.Le {
			rep.Last = c
		}
	}
	rep.Checkpoints = len(cps)
	var problem *AuditProblem
	err := db.Read(ctx, func(tx *Tx) error {
		var headSeq, sealedFrom int64
		var headHash string
		if err := tx.QueryRow(ctx, `SELECT seq, hash, scelle_depuis FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash, &sealedFrom); err != nil {
			return medconseil.Internal(err)
		}
		for _, c := range cps {
			if c.ScelleDepuis != sealedFrom {
				problem = &AuditProblem{Seq: sealedFrom, Message: fmt.Sprintf("le début de la partie scellée du journal a été déplacé (%d selon le point de contrôle du %s, %d dans la base) : entrées recalculées sans la clé", c.ScelleDepuis, c.Le, sealedFrom)}
				return nil
			}
		}
		rows, err := tx.Query(ctx, `SELECT `+auditCols+` FROM audit ORDER BY seq`)
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		var prevSeq int64
		prevHash := ""
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			rep.Entries++
			sealed := e.Seq >= sealedFrom
			if sealed && db.AuditKey == nil {
				return errors.New("la clé du journal d'audit est nécessaire pour vérifier les entrées scellées (--audit-key-file ou MEDCONSEIL_AUDIT_KEY_FILE)")
			}
			switch {
			case e.Seq > prevSeq+1:
				problem = &AuditProblem{Seq: prevSeq + 1, Message: fmt.Sprintf("absente : la séquence passe de %d à %d (entrée supprimée)", prevSeq, e.Seq)}
			case e.PrevHash != prevHash:
				problem = &AuditProblem{Seq: e.Seq, Message: "son lien vers l'entrée précédente est rompu (entrée insérée, supprimée ou déplacée)"}
			case !keyring.Equal(e.digest(db.AuditKey, sealed), e.Hash):
				problem = &AuditProblem{Seq: e.Seq, Message: "son contenu ne correspond plus à son sceau (entrée modifiée ou réattribuée, ou empreintes recalculées sans la clé)"}
			case attested[e.Seq] != nil && attested[e.Seq].Hash != e.Hash:
				problem = &AuditProblem{Seq: e.Seq, Message: fmt.Sprintf("elle ne correspond pas au point de contrôle signé du %s : le journal a été réécrit", attested[e.Seq].Le)}
			}
			if problem != nil {
				return nil
			}
			if sealed {
				rep.Sealed++
			}
			prevSeq, prevHash = e.Seq, e.Hash
		}
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		if headSeq != prevSeq || headHash != prevHash {
			problem = &AuditProblem{Seq: prevSeq + 1, Message: fmt.Sprintf("le journal s'arrête à l'entrée %d alors que la tête en annonce %d (entrées finales supprimées)", prevSeq, headSeq)}
			return nil
		}
		if sealedFrom > prevSeq+1 {
			problem = &AuditProblem{Seq: sealedFrom, Message: fmt.Sprintf("le début de la partie scellée (%d) est au-delà de la fin du journal (%d) : entrées recalculées sans la clé", sealedFrom, prevSeq)}
			return nil
		}
		if maxCP != nil && maxCP.Seq > prevSeq {
			what := "entrées finales supprimées et tête rembobinée"
			if prevSeq == 0 {
				what = "journal effacé"
			}
			problem = &AuditProblem{Seq: prevSeq + 1, Message: fmt.Sprintf("le point de contrôle signé du %s atteste l'entrée %d, mais le journal s'arrête à l'entrée %d (%s)", maxCP.Le, maxCP.Seq, prevSeq, what)}
		}
		return nil
	})
	return rep, problem, err
}

// auditTriggers names the triggers that keep the journal append-only, per engine.
var auditTriggers = map[Dialect][]string{
	SQLite:   {"audit_no_delete", "audit_no_update"},
	Postgres: {"audit_no_truncate", "audit_no_update"},
}

// checkAuditTriggers reports a missing or disabled append-only trigger.
func (db *DB) checkAuditTriggers(ctx context.Context) (*AuditProblem, error) {
	var q string
	if db.dialect == SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'`
	} else {
		q = `SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE c.oid = 'audit'::regclass AND NOT t.tgisinternal AND t.tgenabled <> 'D'`
	}
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, medconseil.Internal(err)
		}
		have[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}
	var missing []string
	for _, n := range auditTriggers[db.dialect] {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return &AuditProblem{Message: fmt.Sprintf("les déclencheurs qui rendent le journal non modifiable sont absents ou désactivés (%s) : le journal a pu être altéré", strings.Join(missing, ", "))}, nil
	}
	return nil, nil
}
