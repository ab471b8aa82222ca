package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"medconseil"
)

// Meta is what the store records about the request behind a call: where it came
// from, why (finalité), and the client's idempotency key.
type Meta struct {
	Adresse  string // remote address
	Finalite string // purpose of the access, journaled with it
	IdemKey  string // Idempotency-Key header, "" if none
	BodyHash string // SHA-256 of the request body, to refuse a key reused for another request
}

// AuditEntry is one entry of the append-only, hash-chained journal: who (login, roles),
// did what (action, result), to which record (objet), seeing which field classes,
// for which purpose, when and from where.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	Le       time.Time `json:"le"`
	ActeurID int64     `json:"acteur_id,omitempty"`
	Login    string    `json:"login"`
	Roles    string    `json:"roles"`
	Action   string    `json:"action"`
	Objet    string    `json:"objet"`
	Classes  string    `json:"classes"`
	Finalite string    `json:"finalite"`
	Adresse  string    `json:"adresse"`
	Resultat string    `json:"resultat"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// Results recorded in the journal.
const (
	ResultOK      = "ok"
	ResultRefused = "refus" // the record was answered as not found, or the action forbidden
	ResultFailed  = "echec"
)

// digest returns the hash of an entry: SHA-256 over its fields and the previous hash,
// each length-prefixed so no two different entries share a text.
func (e *AuditEntry) digest() string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), ts(e.Le), strconv.FormatInt(e.ActeurID, 10), e.Login, e.Roles,
		e.Action, e.Objet, e.Classes, e.Finalite, e.Adresse, e.Resultat, e.PrevHash,
	} {
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
// with the access itself. Updating audit_head first serialises appends across
// concurrent transactions (PostgreSQL holds its row lock until commit).
func (t *Tx) journal(ctx context.Context, a *medconseil.Acteur, action, objet string, classes medconseil.FieldSet, m Meta, result string) error {
	e := AuditEntry{
		Le:       t.db.Now(),
		Action:   action,
		Objet:    objet,
		Classes:  classes.String(),
		Finalite: m.Finalite,
		Adresse:  m.Adresse,
		Resultat: result,
		Roles:    rolesOf(a),
	}
	if a != nil {
		e.ActeurID, e.Login = a.ID, a.Login
	}
	return t.appendAudit(ctx, &e)
}

func (t *Tx) appendAudit(ctx context.Context, e *AuditEntry) error {
	if err := t.QueryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &e.PrevHash); err != nil {
		return medconseil.Internal(fmt.Errorf("audit head: %w", err))
	}
	e.Hash = e.digest()
	if _, err := t.Exec(ctx, `INSERT INTO audit (seq, le, acteur_id, login, roles, action, objet, classes, finalite, adresse, resultat, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, ts(e.Le), nullInt(e.ActeurID), e.Login, e.Roles, e.Action, e.Objet, e.Classes, e.Finalite, e.Adresse, e.Resultat, e.PrevHash, e.Hash); err != nil {
		return medconseil.Internal(fmt.Errorf("audit insert: %w", err))
	}
	if _, err := t.Exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
		return medconseil.Internal(fmt.Errorf("audit head: %w", err))
	}
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
		where, args = append(where, "objet = ?"), append(args, q.Objet)
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
		rows, err := tx.Query(ctx, `SELECT seq, le, COALESCE(acteur_id, 0), login, roles, action, objet, classes, finalite, adresse, resultat, prev_hash, hash FROM audit`+cond+
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

type scanner interface{ Scan(...any) error }

func scanAudit(s scanner) (AuditEntry, error) {
	var e AuditEntry
	var le string
	if err := s.Scan(&e.Seq, &le, &e.ActeurID, &e.Login, &e.Roles, &e.Action, &e.Objet, &e.Classes, &e.Finalite, &e.Adresse, &e.Resultat, &e.PrevHash, &e.Hash); err != nil {
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

// AuditProblem describes the first place the chain breaks.
type AuditProblem struct {
	Seq     int64  // entry concerned
	Message string // French explanation
}

func (p *AuditProblem) Error() string {
	return fmt.Sprintf("journal d'audit : entrée n° %d : %s", p.Seq, p.Message)
}

// VerifyAudit walks the whole chain in order and returns the number of entries
// checked and the first problem: an entry whose content no longer matches its hash
// (altered), a gap in the sequence (removed), a link to a previous hash that is not
// the previous entry's (inserted or reordered), or a head that does not match the
// last entry (truncated).
func (db *DB) VerifyAudit(ctx context.Context) (int64, *AuditProblem, error) {
	var n int64
	var problem *AuditProblem
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT seq, le, COALESCE(acteur_id, 0), login, roles, action, objet, classes, finalite, adresse, resultat, prev_hash, hash FROM audit ORDER BY seq`)
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
			n++
			switch {
			case e.Seq != prevSeq+1 && e.Seq > prevSeq+1:
				problem = &AuditProblem{Seq: prevSeq + 1, Message: fmt.Sprintf("absente : la séquence passe de %d à %d (entrée supprimée)", prevSeq, e.Seq)}
			case e.PrevHash != prevHash:
				problem = &AuditProblem{Seq: e.Seq, Message: "son lien vers l'entrée précédente est rompu (entrée insérée, supprimée ou déplacée)"}
			case e.digest() != e.Hash:
				problem = &AuditProblem{Seq: e.Seq, Message: "son contenu ne correspond plus à son empreinte (entrée modifiée)"}
			}
			if problem != nil {
				return nil
			}
			prevSeq, prevHash = e.Seq, e.Hash
		}
		if err := rows.Err(); err != nil {
			return medconseil.Internal(err)
		}
		var headSeq int64
		var headHash string
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
			return medconseil.Internal(err)
		}
		if headSeq != prevSeq || headHash != prevHash {
			problem = &AuditProblem{Seq: prevSeq + 1, Message: fmt.Sprintf("le journal s'arrête à l'entrée %d alors que la tête en annonce %d (entrées finales supprimées)", prevSeq, headSeq)}
		}
		return nil
	})
	return n, problem, err
}
