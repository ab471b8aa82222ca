package sqldb_test

import (
	"encoding/json"
	"testing"

	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// FuzzParseCheckpoint: a checkpoint line never panics the parser, and a line is
// accepted only if it carries the signature of exactly its content.
func FuzzParseCheckpoint(f *testing.F) {
	key := sqldbtest.AuditKey(f)
	good := sqldb.Checkpoint{Seq: 42, Hash: "ab", Le: "2026-12-02T07:00:00Z", ScelleDepuis: 1, Cle: key.ID}
	sqldb.SignCheckpoint(&good, key)
	b, _ := json.Marshal(good)
	f.Add(string(b))
	f.Add(`{"seq":1}`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, line string) {
		c, problem := sqldb.ParseCheckpoint(line, key)
		if problem != nil {
			return
		}
		resigned := c
		sqldb.SignCheckpoint(&resigned, key)
		if resigned.Sig != c.Sig {
			t.Fatalf("accepted a checkpoint whose signature is not its content's: %q", line)
		}
	})
}
