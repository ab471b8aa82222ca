package sqldb

import (
	"context"
	"strings"

	"medconseil"
	"medconseil/internal/keyring"
)

// Test hooks of the group committer.

// SetBeforeCommit makes f run just before every group's COMMIT; an error it returns
// fails the COMMIT.
func SetBeforeCommit(db *DB, f func() error) { db.commit.beforeCommit = f }

// SetHoldCommit makes f run before every group's COMMIT, once the group has taken
// its last job (nil: none).
func SetHoldCommit(db *DB, f func()) { db.commit.holdCommit = f }

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

// Test hooks of the intake's reserved ids (dossier_ids.go).

// DSN returns the data source the store was opened with.
func DSN(db *DB) string { return db.dsn }

// ReserveDossierID reserves one dossier id as the intake does.
func ReserveDossierID(ctx context.Context, db *DB) (int64, error) { return db.reserveDossierID(ctx) }

// DossierIDBlocks returns the number of id blocks the store reserved.
func DossierIDBlocks(db *DB) int {
	db.ids.mu.Lock()
	defer db.ids.mu.Unlock()
	return db.ids.reserved
}

// Prepared is a filing checked, pre-analysed and sealed, not yet written.
type Prepared struct{ p *preparedFiling }

// PrepareArret prepares the filing of x as FileArret does, without writing it.
func PrepareArret(ctx context.Context, in *Intake, a *medconseil.Acteur, x ArretInput) (*Prepared, error) {
	f, err := in.arretFiling(ctx, x)
	if err != nil {
		return nil, err
	}
	p, err := in.prepare(ctx, a, f, Meta{}, in.DB.reserveDossierID)
	if err != nil {
		return nil, err
	}
	return &Prepared{p}, nil
}

// ReservedID is the id reserved for the filing (0 if none).
func (p *Prepared) ReservedID() int64 { return p.p.rid }

// Write writes the prepared filing and returns its id.
func (p *Prepared) Write(ctx context.Context) (int64, error) {
	err := p.p.in.DB.writeGated(ctx, p.p.write)
	return p.p.id, err
}

// CachedOnWriter reports whether the writer's statement cache holds q prepared.
func CachedOnWriter(db *DB, q string) bool {
	db.wstmts.mu.Lock()
	defer db.wstmts.mu.Unlock()
	return db.wstmts.m[q] != nil
}

// LargeCachedOnWriter is how many statements with more than maxSmallParams
// placeholders the writer's cache holds.
func LargeCachedOnWriter(db *DB) int {
	db.wstmts.mu.Lock()
	defer db.wstmts.mu.Unlock()
	n := 0
	for q := range db.wstmts.m {
		if strings.Count(q, "?") > maxSmallParams {
			n++
		}
	}
	return n
}
