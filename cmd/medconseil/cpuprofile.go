package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startCPUProfile writes a CPU profile to path until the returned stop is called
// (a command's --cpuprofile); an empty path profiles nothing and stop does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("profil CPU : %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("profil CPU : %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// startTrace writes a runtime execution trace (go tool trace) to path until the
// returned stop is called (synth --trace: where the goroutines wait, which a CPU
// profile does not show); an empty path traces nothing and stop does nothing.
func startTrace(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("trace d'exécution : %w", err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("trace d'exécution : %w", err)
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}
