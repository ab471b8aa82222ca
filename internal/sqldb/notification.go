package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/lifecycle"
)

// The outbox of the conclusions sent to the caisse (issue 10, part 2): every avis,
// tacit approval or implicit recognition writes one row of notification in the
// transaction of the decision itself, so a decision is never without its
// notification nor a notification without its decision. The CPAM of the assuré
// reads them by cursor (Notifications, GET /api/v1/notifications?depuis=N).

// Notification is a conclusion for the CPAM of the assuré: the dossier, the kind of
// decision (one of NotificationNatures), the conclusion in French and its date.
// Conclusion never carries a clinical field (no diagnosis, no motif): the caisse
// receives the outcome and the dates only (the policy's class Decision).
type Notification struct {
	DossierID  int64
	Nature     string
	Conclusion string
	Date       medconseil.Date
}

// NotificationNatures is the closed list of the kinds of notification, with their
// French label. Helpers adding a kind append it at the end.
var NotificationNatures = []struct{ Code, Libelle string }{
	{"avis", "Avis du service médical"},
	{"accord_tacite", "Accord tacite"},
	{"reconnaissance_implicite", "Reconnaissance implicite"},
	{"suspension_ij", "Suspension des indemnités journalières"},
	{"convocation", "Convocation de l'assuré"},
	{"echange", "Échange confraternel avec le médecin traitant"},
	{"contre_visite", "Contre-visite patronale"},
}

// NotificationNature returns the label of nature code, ok false when it is not in
// the closed list.
func NotificationNature(code string) (label string, ok bool) {
	for _, n := range NotificationNatures {
		if n.Code == code {
			return n.Libelle, true
		}
	}
	return "", false
}

// notifyLock is the PostgreSQL advisory lock that orders the notifications: a
// reader at cursor N must never later find a row numbered below N committed after
// it read. Writers allocate seq under this transaction-scoped lock, so seq grows in
// commit order. SQLite has one writer: the order is given.
const notifyLock = 7007

// Notify writes n into the outbox in t, the caller's transaction: the CPAM is the
// caisse of the dossier's département (the one whose agents see its outcome).
// Nature must be in NotificationNatures, Conclusion a non-empty French text of at
// most 500 characters, Date set. It returns the notification's sequence number, the
// readers' cursor. Call it after the decision's own writes (on PostgreSQL it takes
// the outbox's lock, held until commit).
func (t *Tx) Notify(ctx context.Context, n Notification) (seq int64, err error) {
	return t.notify(ctx, n, t.now())
}

// notify is Notify at the time now: the deadline sweep reads its clock once a batch.
func (t *Tx) notify(ctx context.Context, n Notification, now time.Time) (seq int64, err error) {
	if _, ok := NotificationNature(n.Nature); !ok {
		codes := make([]string, len(NotificationNatures))
		for i, x := range NotificationNatures {
			codes[i] = x.Code
		}
		return 0, medconseil.Internal(fmt.Errorf("notification nature %q not in the closed list (%s)", n.Nature, strings.Join(codes, ", ")))
	}
	n.Conclusion = strings.TrimSpace(n.Conclusion)
	if n.Conclusion == "" || utf8.RuneCountInString(n.Conclusion) > 500 {
		return 0, medconseil.Internal(fmt.Errorf("notification of dossier %d: conclusion empty or longer than 500 characters", n.DossierID))
	}
	if n.Date.IsZero() {
		return 0, medconseil.Internal(fmt.Errorf("notification of dossier %d: no date", n.DossierID))
	}
	var caisse string
	if err := t.QueryRow(ctx, `SELECT departement FROM dossier WHERE id = ?`, n.DossierID).Scan(&caisse); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, medconseil.Internal(fmt.Errorf("notification of dossier %d: no such dossier", n.DossierID))
		}
		return 0, medconseil.Internal(err)
	}
	if t.db.dialect == Postgres {
		if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, notifyLock); err != nil {
			return 0, medconseil.Internal(err)
		}
	}
	if err := t.QueryRow(ctx, `INSERT INTO notification (seq, dossier_id, caisse, nature, conclusion, date, cree_le)
		SELECT COALESCE(MAX(seq), 0) + 1, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) FROM notification RETURNING seq`,
		n.DossierID, caisse, n.Nature, n.Conclusion, n.Date, ts(now)).Scan(&seq); err != nil {
		return 0, medconseil.Internal(err)
	}
	return seq, nil
}

// AvisConclusion is the conclusion sent to the caisse for an avis: its outcome and
// date of effect, never its motif (clinical).
func AvisConclusion(typ medconseil.TypeDossier, v medconseil.Avis) string {
	switch v.Sens {
	case medconseil.SensJustifie:
		return fmt.Sprintf("%s : avis favorable du service médical (justifié)", typ.Label())
	case medconseil.SensNonJustifie:
		if !v.EffetAu.IsZero() {
			return fmt.Sprintf("%s : avis défavorable du service médical (non justifié à compter du %s)", typ.Label(), v.EffetAu.Francais())
		}
		return fmt.Sprintf("%s : avis défavorable du service médical (non justifié)", typ.Label())
	}
	return fmt.Sprintf("%s : avis du service médical (%s)", typ.Label(), v.Sens.Label())
}

// silenceNotification is the notification of a deadline fired with a decision
// effect: accord tacite and reconnaissance implicite go to the caisse, dated the
// day the effect is acquired (the day after the délai's last day), whenever the
// sweep runs. Other effects (reminders, expiries) send nothing.
func silenceNotification(typ medconseil.TypeDossier, def *lifecycle.Echeance, e dueEcheance) (Notification, bool) {
	switch def.Effet {
	case lifecycle.AccordTacite, lifecycle.ReconnaissanceImplicite:
	default:
		return Notification{}, false
	}
	var source string
	if len(def.Sources) > 0 {
		source = def.Sources[0].Title
	}
	return Notification{
		DossierID:  e.dossier,
		Nature:     string(def.Effet),
		Conclusion: silenceConclusion(typ, def.Effet.Label(), def.Libelle, source, e.due.AddDays(-1)),
		Date:       e.due,
	}, true
}

// silenceConclusion is the conclusion of a deadline that ran out with a decision
// effect (accord tacite, reconnaissance implicite), with its legal source.
func silenceConclusion(typ medconseil.TypeDossier, nature, libelle, source string, limite medconseil.Date) string {
	c := fmt.Sprintf("%s : %s, faute de réponse du service médical dans le délai (« %s », échu le %s)", typ.Label(), strings.ToLower(nature), libelle, limite.Francais())
	if source != "" {
		c += " — " + source
	}
	if utf8.RuneCountInString(c) > 500 {
		c = string([]rune(c)[:499]) + "…"
	}
	return c
}

// NotificationRow is a notification as its reader receives it.
type NotificationRow struct {
	Seq        int64           `json:"seq"`
	DossierID  int64           `json:"dossier_id"`
	Caisse     string          `json:"caisse"`
	Nature     string          `json:"nature"`
	Libelle    string          `json:"libelle"`
	Conclusion string          `json:"conclusion"`
	Date       medconseil.Date `json:"date"`
}

// Notifications returns, oldest first, at most limit (1 to 1,000) notifications
// numbered after depuis for the caisses a is an agent of (agent_cpam; a national
// habilitation reads every caisse). Reading changes nothing (the reader keeps its
// cursor: the same depuis gives the same answer). Each notification's dossier goes
// through the gate: one whose decision a may not see is skipped. The read is
// journaled with the dossiers shown, in the same transaction. Any other role is
// EFORBIDDEN, journaled.
func (db *DB) Notifications(ctx context.Context, a *medconseil.Acteur, depuis int64, limit int, m Meta) ([]NotificationRow, error) {
	if depuis < 0 {
		return nil, medconseil.FieldErrorf("depuis", "le curseur « depuis » doit être un entier positif ou nul (reçu %d)", depuis)
	}
	if limit <= 0 || limit > 1000 {
		return nil, medconseil.FieldErrorf("limite", "la limite doit être comprise entre 1 et 1 000 (reçu %d)", limit)
	}
	if m.Finalite == "" {
		m.Finalite = "notification"
	}
	var all bool
	var caisses []string
	for _, h := range a.Habilitations {
		if h.Role != medconseil.RoleAgentCPAM {
			continue
		}
		switch h.Territoire.Niveau {
		case medconseil.NiveauNational:
			all = true
		case medconseil.NiveauCaisse:
			caisses = append(caisses, h.Territoire.Code)
		}
	}
	var out []NotificationRow
	err := db.writeGated(ctx, func(tx *Tx) error {
		out = nil
		if !all && len(caisses) == 0 {
			if err := tx.journal(ctx, a, "notifications.lecture", "notifications", 0, m, ResultRefused); err != nil {
				return err
			}
			return &refusal{&medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "les notifications sont réservées aux agents de CPAM, pour leur caisse"}}
		}
		q := `SELECT n.seq, n.dossier_id, n.caisse, n.nature, n.conclusion, n.date FROM notification n WHERE n.seq > ?`
		args := []any{depuis}
		if !all {
			q += ` AND n.caisse IN (` + strings.TrimSuffix(strings.Repeat("?,", len(caisses)), ",") + `)`
			for _, c := range caisses {
				args = append(args, c)
			}
		}
		rows, err := tx.Query(ctx, q+` ORDER BY n.seq LIMIT ?`, append(args, limit)...)
		if err != nil {
			return medconseil.Internal(err)
		}
		var rs []NotificationRow
		for rows.Next() {
			var r NotificationRow
			if err := rows.Scan(&r.Seq, &r.DossierID, &r.Caisse, &r.Nature, &r.Conclusion, &r.Date); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			r.Libelle, _ = NotificationNature(r.Nature)
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		var shown []int64
		for _, r := range rs {
			d, ok, err := tx.loadRow(ctx, r.DossierID)
			if err != nil {
				return err
			}
			if !ok || !tx.classesOf(a, d).Has(medconseil.Decision) {
				continue
			}
			out = append(out, r)
			shown = append(shown, r.DossierID)
		}
		objet := fmt.Sprintf("notifications:depuis %d", depuis)
		return tx.journalShown(ctx, a, "notifications.lecture", objet, shown, medconseil.FieldSet(0).With(medconseil.Administratif).With(medconseil.Decision), m, ResultOK)
	})
	return out, err
}
