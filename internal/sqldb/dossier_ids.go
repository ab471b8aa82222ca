package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"medconseil"
)

// Dossier ids reserved ahead of their write (the interactive intake).
//
// A filing's clinical fields, pre-analysis and alerts are sealed with the dossier's
// id in their associated data (aad: "table:id:column"), so that a sealed value
// moved to another row no longer opens. When the id was assigned by the dossier's
// INSERT, on the single writer, the sealing and the JSON encoding had to run there
// too. The intake now takes the id from a block reserved beforehand, seals and
// encodes off the writer (prepare), and the writer inserts the dossier with that
// id. The associated data are unchanged: values sealed before open as they did.
//
//   - PostgreSQL: a block is drawn from the dossier's sequence (nextval), which
//     every process and every other INSERT share, so an id is never handed out
//     twice. Ids reserved and never written (a refused or replayed filing, a
//     crash, the end of the process) are gaps.
//   - SQLite has no sequence (an INTEGER PRIMARY KEY takes MAX(id) + 1): a block
//     starts after the highest id written and after the last ids this process
//     reserved (the history import draws from the same source, newDossierIDs). Another writer of the file — an INSERT that lets SQLite choose the
//     id, another process — may take an id of a block: the dossier's INSERT … ON
//     CONFLICT (id) DO NOTHING then writes nothing, the blocks are dropped and the
//     filing is written as before (id chosen by the INSERT, sealed on the writer).
//     An id reserved and never written may be handed out again after a restart:
//     nothing refers to it, since a filing's id is answered, journaled and kept
//     for idempotency only with its dossier, in the same commit.

// idBlockSize is the number of ids a reservation takes: one query per block, and a
// block reserved ahead when the current one is half used, so that no filing waits.
const idBlockSize = 128

// idBlocks hands out the reserved dossier ids of one store.
type idBlocks struct {
	mu    sync.Mutex
	cur   []int64  // reserved ids not handed out yet, in order
	spare []int64  // the block reserved ahead
	fetch *idFetch // a reservation under way, nil if none
	hi    int64    // SQLite: the highest id this process reserved
	// reserved counts the blocks reserved (tests).
	reserved int
}

// idFetch is a reservation under way; done is closed once it has ended.
type idFetch struct {
	done chan struct{}
	err  error
}

// reserveDossierID returns a dossier id no other filing will be given. It waits
// only when no block is left, for the reservation of the next one.
func (db *DB) reserveDossierID(ctx context.Context) (int64, error) {
	b := &db.ids
	b.mu.Lock()
	for {
		if len(b.cur) > 0 {
			id := b.cur[0]
			b.cur = b.cur[1:]
			if len(b.cur) < idBlockSize/2 && b.spare == nil && b.fetch == nil {
				b.startFetch(db)
			}
			b.mu.Unlock()
			return id, nil
		}
		if b.spare != nil {
			b.cur, b.spare = b.spare, nil
			continue
		}
		if b.fetch == nil {
			b.startFetch(db)
		}
		f := b.fetch
		b.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		if f.err != nil {
			return 0, f.err
		}
		b.mu.Lock()
	}
}

// startFetch starts the reservation of a block; b.mu is held. The reservation runs
// under its own context: a caller leaving does not abandon it for the others.
func (b *idBlocks) startFetch(db *DB) {
	f := &idFetch{done: make(chan struct{})}
	b.fetch = f
	go func() {
		ids, err := db.reserveBlock(context.Background())
		b.mu.Lock()
		b.fetch = nil
		if err == nil {
			b.reserved++
			if len(b.cur) == 0 {
				b.cur = ids
			} else {
				b.spare = ids
			}
		}
		f.err = err
		b.mu.Unlock()
		close(f.done)
	}()
}

// reserveBlock reserves idBlockSize ids.
func (db *DB) reserveBlock(ctx context.Context) ([]int64, error) {
	ids, err := db.newDossierIDs(ctx, db.r, idBlockSize)
	if err != nil {
		return nil, medconseil.Internal(fmt.Errorf("réservation d'identifiants de dossier : %w", err))
	}
	return ids, nil
}

// idQuerier is what newDossierIDs reads through: a reader of the store, or the
// writer's transaction (the history import, which must see its own rows).
type idQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// newDossierIDs returns n new dossier ids, in increasing order, for the intake's
// blocks and the history import alike, so that neither is handed an id the other
// reserved: on PostgreSQL n values of the dossier's sequence; on SQLite the n ids
// after the highest written (read through q) and after the highest this process
// reserved.
func (db *DB) newDossierIDs(ctx context.Context, q idQuerier, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if db.dialect == Postgres {
		rows, err := q.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('dossier', 'id')) FROM generate_series(1, $1::int) ORDER BY 1`, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	var top int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM dossier`).Scan(&top); err != nil {
		return nil, err
	}
	b := &db.ids
	b.mu.Lock()
	first := max(b.hi, top) + 1
	b.hi = first + int64(n) - 1
	b.mu.Unlock()
	for i := range int64(n) {
		ids = append(ids, first+i)
	}
	return ids, nil
}

// dropDossierIDs forgets the reserved ids not handed out yet: one of them was found
// taken by another writer (SQLite), so the next block starts after it.
func (db *DB) dropDossierIDs() {
	b := &db.ids
	b.mu.Lock()
	b.cur, b.spare = nil, nil
	b.mu.Unlock()
}
