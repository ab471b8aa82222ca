package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startCPUProfile writes a CPU profile to path until the returned stop is called
// (a command's --cpuprofile); an empty path profiles nothing and stop does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	return record(path, "profil CPU", pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startTrace writes a runtime execution trace (go tool trace) to path until the
// returned stop is called (synth --trace: where the goroutines wait, which a CPU
// profile does not show); an empty path traces nothing and stop does nothing.
func startTrace(path string) (stop func(), err error) {
	return record(path, "trace d'exécution", trace.Start, trace.Stop)
}

// record runs start on a new file at path, and returns what stops it and closes
// the file; what names the recording in errors.
func record(path, what string, start func(io.Writer) error, end func()) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", what, err)
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s : %w", what, err)
	}
	return func() {
		end()
		f.Close()
	}, nil
}
