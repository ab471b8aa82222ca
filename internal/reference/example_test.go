package reference_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"medconseil/internal/reference"
)

// referenceDir finds the shared reference directory: MEDCONSEIL_REFERENCE, or
// ../shared/reference beside the checkout. Tests needing it skip without it.
func referenceDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("MEDCONSEIL_REFERENCE"); d != "" {
		return d
	}
	for _, d := range []string{"../../../shared/reference", "../../shared/reference", "../shared/reference"} {
		if st, err := os.Stat(filepath.Join(d, "snds")); err == nil && st.IsDir() {
			return d
		}
	}
	t.Skip("reference directory not found (set MEDCONSEIL_REFERENCE)")
	return ""
}

var (
	fullOnce sync.Once
	fullSet  *reference.Set
	fullErr  error
)

func full(t testing.TB) *reference.Set {
	t.Helper()
	dir := referenceDir(t)
	fullOnce.Do(func() {
		files, _, err := reference.ReadDir(dir)
		if err != nil {
			fullErr = err
			return
		}
		fullSet, fullErr = reference.Build(files)
	})
	if fullErr != nil {
		t.Fatal(fullErr)
	}
	return fullSet
}
