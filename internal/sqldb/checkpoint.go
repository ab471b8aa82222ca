package sqldb

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"medconseil"
	"medconseil/internal/keyring"
)

// A Checkpoint attests, outside the database, that the journal held entry Seq with
// hash Hash at time Le. Checkpoints are appended, one JSON line each, to a file per
// day in a directory the operator ships elsewhere (another host, WORM storage);
// each is signed with the audit key (HMAC-SHA256). Whoever can write to the database
// can delete the last entries and rewind the head, or wipe the journal, and the chain
// would still hold; a checkpoint for an entry that is gone, or whose hash differs,
// reveals it. Entries after the last shipped checkpoint are protected by the chain
// alone: the interval bounds that window.
type Checkpoint struct {
	Seq          int64  `json:"seq"`
	Hash         string `json:"hash"`
	Le           string `json:"le"`
	ScelleDepuis int64  `json:"scelle_depuis"`
	Cle          string `json:"cle"`
	Sig          string `json:"sig"`
}

func (c *Checkpoint) mac(key *keyring.MACKey) string {
	return key.Sum("medconseil-audit-checkpoint-v1", strconv.FormatInt(c.Seq, 10), c.Hash, c.Le, strconv.FormatInt(c.ScelleDepuis, 10), c.Cle)
}

// DefaultCheckpointInterval is how often the server writes a checkpoint while the
// journal grows.
const DefaultCheckpointInterval = 10 * time.Second

// checkpointer writes the latest journal head the committer reports, at most once
// per interval, and once more at Close.
type checkpointer struct {
	dir          string
	key          *keyring.MACKey
	scelleDepuis int64
	now          func() time.Time

	mu      sync.Mutex
	seq     int64
	hash    string
	written int64
	err     error

	stop chan struct{}
	done chan struct{}
	// report, when set (OnCheckpoint), hears of every checkpoint written or failed.
	report func(at time.Time, seq int64, err error)
}

// OnCheckpoint registers f to hear of every checkpoint written (or failed to be):
// the operator's metrics and health page (internal/ops). Call it after
// StartCheckpoints; it does nothing when checkpoints are not written.
func (db *DB) OnCheckpoint(f func(at time.Time, seq int64, err error)) {
	if cp := db.checkpoints; cp != nil {
		cp.mu.Lock()
		cp.report = f
		cp.mu.Unlock()
	}
}

// StartCheckpoints writes signed checkpoints of the journal head into dir (created
// 0700 if absent) every interval while the journal grows, and at Close. It needs
// the audit key. Call it before the first write.
func (db *DB) StartCheckpoints(ctx context.Context, dir string, interval time.Duration) error {
	if db.AuditKey == nil {
		return errors.New("points de contrôle du journal : la clé du journal d'audit est nécessaire pour les signer")
	}
	if interval <= 0 {
		interval = DefaultCheckpointInterval
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("points de contrôle du journal : création de %s : %w", dir, err)
	}
	cp := &checkpointer{dir: dir, key: db.AuditKey, now: db.Now, stop: make(chan struct{}), done: make(chan struct{})}
	if err := db.r.QueryRowContext(ctx, `SELECT seq, hash, scelle_depuis FROM audit_head WHERE id = 1`).Scan(&cp.seq, &cp.hash, &cp.scelleDepuis); err != nil {
		return fmt.Errorf("points de contrôle du journal : lecture de la tête : %w", err)
	}
	cp.written = cp.seq
	db.checkpoints = cp
	db.CheckpointDir = dir
	db.commit.afterGroup = cp.note
	go cp.loop(interval)
	return nil
}

func (cp *checkpointer) note(seq int64, hash string) {
	cp.mu.Lock()
	if seq > cp.seq {
		cp.seq, cp.hash = seq, hash
	}
	cp.mu.Unlock()
}

func (cp *checkpointer) loop(interval time.Duration) {
	defer close(cp.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-cp.stop:
			cp.flush()
			return
		case <-t.C:
			cp.flush()
		}
	}
}

// flush writes a checkpoint if the head moved since the last one.
func (cp *checkpointer) flush() {
	cp.mu.Lock()
	seq, hash := cp.seq, cp.hash
	if seq == cp.written {
		cp.mu.Unlock()
		return
	}
	cp.mu.Unlock()
	err := cp.write(seq, hash)
	cp.mu.Lock()
	if err == nil {
		cp.written = seq
	}
	cp.err = err
	report := cp.report
	cp.mu.Unlock()
	if report != nil {
		report(cp.now(), seq, err)
	}
}

func (cp *checkpointer) write(seq int64, hash string) error {
	now := cp.now().UTC()
	c := Checkpoint{Seq: seq, Hash: hash, Le: now.Format(time.RFC3339Nano), ScelleDepuis: cp.scelleDepuis, Cle: cp.key.ID}
	c.Sig = c.mac(cp.key)
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return appendSync(filepath.Join(cp.dir, "audit-"+now.Format("2006-01-02")+".jsonl"), append(line, '\n'))
}

// appendSync appends b to path (created 0600) and syncs it to disk.
func appendSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// close stops the loop after a last checkpoint and returns the last write error.
func (cp *checkpointer) close() error {
	close(cp.stop)
	<-cp.done
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return cp.err
}

// WriteCheckpoint writes a checkpoint of the journal head as stored now (command
// « audit checkpoint »), after verifying the chain up to it.
func (db *DB) WriteCheckpoint(ctx context.Context, dir string) (*Checkpoint, error) {
	if db.AuditKey == nil {
		return nil, errors.New("point de contrôle : la clé du journal d'audit est nécessaire pour le signer")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var c Checkpoint
	if err := db.r.QueryRowContext(ctx, `SELECT seq, hash, scelle_depuis FROM audit_head WHERE id = 1`).Scan(&c.Seq, &c.Hash, &c.ScelleDepuis); err != nil {
		return nil, medconseil.Internal(err)
	}
	cp := &checkpointer{dir: dir, key: db.AuditKey, scelleDepuis: c.ScelleDepuis, now: db.Now}
	if err := cp.write(c.Seq, c.Hash); err != nil {
		return nil, fmt.Errorf("point de contrôle : %w", err)
	}
	return &c, nil
}

// readCheckpoints reads and authenticates every checkpoint of dir.
func readCheckpoints(dir string, key *keyring.MACKey) ([]Checkpoint, *AuditProblem, error) {
	files, err := filepath.Glob(filepath.Join(dir, "audit-*.jsonl"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files)
	var out []Checkpoint
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, fmt.Errorf("points de contrôle : %w", err)
		}
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" {
				continue
			}
			if key == nil {
				f.Close()
				return nil, nil, errors.New("la clé du journal d'audit est nécessaire pour vérifier les points de contrôle (--audit-key-file)")
			}
			c, p := parseCheckpoint(text, key, fmt.Sprintf("%s, ligne %d", filepath.Base(name), line))
			if p != nil {
				f.Close()
				return nil, p, nil
			}
			out = append(out, c)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("points de contrôle : %w", err)
		}
	}
	return out, nil, nil
}

// parseCheckpoint reads one checkpoint line and authenticates it; where names the
// line for the message.
func parseCheckpoint(text string, key *keyring.MACKey, where string) (Checkpoint, *AuditProblem) {
	var c Checkpoint
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		return c, &AuditProblem{Message: fmt.Sprintf("point de contrôle illisible (%s)", where)}
	}
	if c.Cle != key.ID || !keyring.Equal(c.mac(key), c.Sig) {
		return c, &AuditProblem{Seq: c.Seq, Message: fmt.Sprintf("point de contrôle falsifié ou signé d'une autre clé (%s)", where)}
	}
	return c, nil
}
