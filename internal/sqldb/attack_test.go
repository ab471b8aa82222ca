package sqldb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"medconseil"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// restoreAuditTriggers puts back the append-only triggers, as a careful attacker
// would after rewriting the journal, so that the tests prove the chain and the
// checkpoints catch the rewrite, not the missing triggers.
func restoreAuditTriggers(ctx context.Context, tx *sqldb.Tx) error {
	stmts := []string{
		`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'journal d''audit : modification interdite'); END`,
		`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'journal d''audit : suppression interdite'); END`,
	}
	if tx.DB().Dialect() == sqldb.Postgres {
		stmts = []string{
			`CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
			`CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
		}
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// attack runs statements as someone with direct write access to the database: drop
// the journal's triggers, rewrite, put the triggers back.
func attack(t *testing.T, db *sqldb.DB, stmts ...string) {
	t.Helper()
	err := db.Write(ctx, func(tx *sqldb.Tx) error {
		drops := []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}
		if db.Dialect() == sqldb.Postgres {
			drops = []string{`DROP TRIGGER audit_no_update ON audit`, `DROP TRIGGER audit_no_truncate ON audit`}
		}
		for _, s := range append(drops, stmts...) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return restoreAuditTriggers(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// journaled opens a store with checkpoints, fills its journal, and checkpoints it:
// what an attacker finds on a running system.
func journaled(t *testing.T, db *sqldb.DB) (as map[string]*medconseil.Acteur, dir string) {
	t.Helper()
	dir = t.TempDir()
	if err := db.StartCheckpoints(ctx, dir, 0); err != nil {
		t.Fatal(err)
	}
	as = actors(t, db)
	for i := 0; i < 5; i++ {
		if _, _, err := db.CreateArret(ctx, as["prescripteur.demo"], arret(t, nir1, "2026-11-02", "2026-11-20", "M545", "lombalgie", ""), sqldb.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.WriteCheckpoint(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
		t.Fatalf("intact journal: problem=%v err=%v", problem, err)
	}
	return as, dir
}

func head(t *testing.T, db *sqldb.DB) (int64, string) {
	t.Helper()
	var seq int64
	var hash string
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	}); err != nil {
		t.Fatal(err)
	}
	return seq, hash
}

func hashOf(t *testing.T, db *sqldb.DB, seq int64) string {
	t.Helper()
	var h string
	if err := db.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `SELECT hash FROM audit WHERE seq = ?`, seq).Scan(&h)
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

func wantProblem(t *testing.T, db *sqldb.DB, words ...string) {
	t.Helper()
	_, problem, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if problem == nil {
		t.Fatal("verify answered OK after the attack")
	}
	for _, w := range words {
		if !strings.Contains(problem.Error(), w) {
			t.Errorf("verify: %q does not name %q", problem.Error(), w)
		}
	}
}

// Truncation: delete the last entries and rewind audit_head onto the new last one.
// The chain alone still holds; the signed checkpoint reveals the missing entries.
func TestAuditAttackTruncation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		journaled(t, db)
		seq, _ := head(t, db)
		keep := seq - 3
		attack(t, db,
			fmt.Sprintf(`DELETE FROM audit WHERE seq > %d`, keep),
			fmt.Sprintf(`UPDATE audit_head SET seq = %d, hash = '%s' WHERE id = 1`, keep, hashOf(t, db, keep)))
		wantProblem(t, db, "point de contrôle signé", fmt.Sprintf("atteste l'entrée %d", seq), fmt.Sprintf("s'arrête à l'entrée %d", keep), "supprimées")
	})
}

// Wiping: delete every entry and reset the head.
func TestAuditAttackWipe(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		journaled(t, db)
		attack(t, db, `DELETE FROM audit`, `UPDATE audit_head SET seq = 0, hash = '' WHERE id = 1`)
		wantProblem(t, db, "journal effacé", "s'arrête à l'entrée 0")
	})
}

// Re-attribution: change who did an action and recompute every hash after it, as
// the old unkeyed chain allowed. Without the audit key the seals do not match.
func TestAuditAttackReattribution(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		journaled(t, db)
		entries := allEntries(t, db)
		var target int64
		for _, e := range entries {
			if e.Action == "arret.depot" {
				target = e.Seq
				break
			}
		}
		stmts := recomputed(entries, target, "praticien.57", func(e *sqldb.AuditEntry) string { return plainDigest(e) })
		attack(t, db, stmts...)
		wantProblem(t, db, strconv.FormatInt(target, 10), "sceau", "réattribuée")
	})
}

// Re-attribution, cleverer: recompute with plain SHA-256 and move the start of the
// sealed part past the end, so every entry looks like a pre-key entry. The chain
// then holds; the checkpoints, which sign where sealing starts, do not.
func TestAuditAttackReattributionDowngrade(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		journaled(t, db)
		entries := allEntries(t, db)
		stmts := recomputed(entries, entries[len(entries)-1].Seq-1, "praticien.57", plainDigest)
		stmts = append(stmts, `UPDATE audit_head SET scelle_depuis = 1000000 WHERE id = 1`)
		attack(t, db, stmts...)
		wantProblem(t, db, "partie scellée", "déplacé")
	})
}

// Trigger dropping alone (the first step of every rewrite) is reported as such.
func TestAuditAttackTriggersDropped(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		journaled(t, db)
		stmt := `DROP TRIGGER audit_no_delete`
		if db.Dialect() == sqldb.Postgres {
			stmt = `DROP TRIGGER audit_no_truncate ON audit`
		}
		if err := db.Write(ctx, func(tx *sqldb.Tx) error { _, err := tx.Exec(ctx, stmt); return err }); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, db, "déclencheurs", "absents")
		if db.Dialect() == sqldb.Postgres {
			// Disabling a trigger is as bad as dropping it.
			if err := db.Write(ctx, func(tx *sqldb.Tx) error {
				if _, err := tx.Exec(ctx, `CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `ALTER TABLE audit DISABLE TRIGGER audit_no_update`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			wantProblem(t, db, "désactivés", "audit_no_update")
		}
	})
}

// A forged or edited checkpoint file is refused.
func TestAuditCheckpointForged(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		_, dir := journaled(t, db)
		seq, _ := head(t, db)
		f := fmt.Sprintf(`{"seq":%d,"hash":"00","le":"2026-12-01T00:00:00Z","scelle_depuis":1,"cle":"audit-test","sig":"00"}`+"\n", seq+10)
		if err := appendFile(dir+"/audit-2026-12-01.jsonl", f); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, db, "point de contrôle falsifié")
	})
}

func allEntries(t *testing.T, db *sqldb.DB) []sqldb.AuditEntry {
	t.Helper()
	var out []sqldb.AuditEntry
	err := db.Read(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, `SELECT seq, le, COALESCE(acteur_id, 0), login, roles, action, objet, divulgues, classes, finalite, adresse, resultat, prev_hash, hash FROM audit ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e sqldb.AuditEntry
			var le string
			if err := rows.Scan(&e.Seq, &le, &e.ActeurID, &e.Login, &e.Roles, &e.Action, &e.Objet, &e.Divulgues, &e.Classes, &e.Finalite, &e.Adresse, &e.Resultat, &e.PrevHash, &e.Hash); err != nil {
				return err
			}
			e.Objet = le + "\x00" + e.Objet // keep le's stored text for recomputation
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plainDigest is the unkeyed SHA-256 chain an attacker can recompute.
func plainDigest(e *sqldb.AuditEntry) string {
	le, objet, _ := strings.Cut(e.Objet, "\x00")
	h := sha256.New()
	for _, f := range []string{strconv.FormatInt(e.Seq, 10), le, strconv.FormatInt(e.ActeurID, 10), e.Login, e.Roles,
		e.Action, objet, e.Classes, e.Finalite, e.Adresse, e.Resultat, e.PrevHash} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// recomputed re-attributes entry target to login and returns the statements that
// rewrite it and every later entry with recomputed hashes, and move the head.
func recomputed(entries []sqldb.AuditEntry, target int64, login string, digest func(*sqldb.AuditEntry) string) []string {
	var stmts []string
	prev := ""
	for i := range entries {
		e := &entries[i]
		if e.Seq < target {
			prev = e.Hash
			continue
		}
		if e.Seq == target {
			e.Login = login
		}
		e.PrevHash = prev
		e.Hash = digest(e)
		prev = e.Hash
		stmts = append(stmts, fmt.Sprintf(`UPDATE audit SET login = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %d`, e.Login, e.PrevHash, e.Hash, e.Seq))
	}
	return append(stmts, fmt.Sprintf(`UPDATE audit_head SET hash = '%s' WHERE id = 1`, prev))
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// The same downgrade, checked without the checkpoints: the start of the sealed part
// cannot lie past the end of the journal.
func TestAuditAttackDowngradeWithoutCheckpoints(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		journaled(t, db)
		entries := allEntries(t, db)
		stmts := recomputed(entries, 1, "praticien.57", plainDigest)
		stmts = append(stmts, `UPDATE audit_head SET scelle_depuis = 1000000 WHERE id = 1`)
		attack(t, db, stmts...)
		db.CheckpointDir = ""
		wantProblem(t, db, "au-delà de la fin du journal")
	})
}
