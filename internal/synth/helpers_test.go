package synth

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// referenceDir returns the shared référentiels, or skips the test when they are
// absent (they are not part of the repository).
func referenceDir(t testing.TB) string {
	dir := os.Getenv("MEDCONSEIL_REFERENCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "reference")
	}
	if _, err := os.Stat(filepath.Join(dir, "snds", "IR_NAT_V.csv")); err != nil {
		t.Skipf("référentiels absents (%s) : test ignoré ; définir MEDCONSEIL_REFERENCE", dir)
	}
	return dir
}

var (
	refOnce sync.Once
	refVal  *Reference
	refErr  error
)

func loadRef(t testing.TB) *Reference {
	dir := referenceDir(t)
	refOnce.Do(func() { refVal, refErr = LoadReference(dir, "44") })
	if refErr != nil {
		t.Fatal(refErr)
	}
	return refVal
}
