package synth

import (
	"context"
	"io"
	"testing"
)

// BenchmarkRun generates a small region; the full-scale figures come from
// `medconseil synth --bench` (see docs/synth.md).
func BenchmarkRun(b *testing.B) {
	ref := loadRef(b)
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), ref, Config{Region: "44", Scale: 0.01, Seed: 7, Year: 2024, Out: b.TempDir(), Progress: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Rows[TablePRS])/res.Elapsed.Seconds(), "prs_rows/s")
	}
}
