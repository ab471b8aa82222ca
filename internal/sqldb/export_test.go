package sqldb

import (
	"context"

	"medconseil/internal/keyring"
)

// Test hooks of the group committer.

// SetBeforeCommit makes f run just before every group's COMMIT; an error it returns
// fails the COMMIT.
func SetBeforeCommit(db *DB, f func() error) { db.commit.beforeCommit = f }

// Queued returns the number of write jobs waiting for a writer.
func Queued(db *DB) int { return len(db.commit.jobs) }

// SetPGWriters sets the number of PostgreSQL writers of the stores opened next and
// returns the previous value.
func SetPGWriters(n int) int { old := pgWriters; pgWriters = n; return old }

// ParseCheckpoint exposes the checkpoint line parser to the fuzz target.
func ParseCheckpoint(text string, key *keyring.MACKey) (Checkpoint, *AuditProblem) {
	return parseCheckpoint(text, key, "fuzz")
}

// SignCheckpoint signs c as the checkpointer does.
func SignCheckpoint(c *Checkpoint, key *keyring.MACKey) { c.Sig = c.mac(key) }

// SealedColumns lists the "table.column" pairs key rotation re-encrypts.
func SealedColumns() []string {
	var out []string
	for _, c := range sealedColumns {
		out = append(out, c.table+"."+c.column)
	}
	return out
}

// SetCourrierJobHook makes f run before each letter job is rendered (nil: none);
// an error it returns fails that job.
func SetCourrierJobHook(f func(ctx context.Context, dossier int64) error) { courrierJobHook = f }
