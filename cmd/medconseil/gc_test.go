package main

import (
	"runtime/debug"
	"testing"
)

func TestServerGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	unset := func(string) string { return "" }
	if got := serverGC(unset); got != serverGCPercent {
		t.Fatalf("serverGC without GOGC = %d, want %d", got, serverGCPercent)
	}
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Fatalf("GC percent in force = %d, want %d", got, serverGCPercent)
	}
	// The operator's GOGC (here 100, as the runtime read it at start) wins.
	set := func(k string) string {
		if k == "GOGC" {
			return "100"
		}
		return ""
	}
	if got := serverGC(set); got != 100 {
		t.Fatalf("serverGC with GOGC set = %d, want the runtime's 100", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GC percent in force with GOGC set = %d, want 100", got)
	}
}
