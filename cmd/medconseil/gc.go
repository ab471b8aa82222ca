package main

import "runtime/debug"

// serverGCPercent is the collector's target while medconseil serves: the heap may
// grow to three times its live data between two collections, where Go's default
// (100) lets it reach twice. A filing allocates its decoded body, its pre-analysis
// and its statements' arguments, so under load the default collected several
// times a second and its mark workers took processor time from the single writer.
// Measured side by side on the intake (docs/perf.md, « Les trois cibles de
// l'issue 9 remesurées ; le ramasse-miettes du serveur »): +7 % of filings per
// second over five alternating pairs, for ≈ 40 MiB more resident memory.
const serverGCPercent = 200

// serverGC sets serverGCPercent for a process that serves (serve, demo, the
// benchmarks that run the server), unless the operator set GOGC: theirs wins.
// It returns the percentage in force afterwards.
func serverGC(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		old := debug.SetGCPercent(-1)
		debug.SetGCPercent(old)
		return old
	}
	debug.SetGCPercent(serverGCPercent)
	return serverGCPercent
}
