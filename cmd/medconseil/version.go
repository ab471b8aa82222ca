package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=…"); otherwise the VCS
// revision recorded by the Go toolchain is shown.
var version = "dev"

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v == "dev" {
				v = "dev+" + s.Value
			}
		}
		fmt.Fprintf(e.stdout, "medconseil %s (%s)\n", v, bi.GoVersion)
		return nil
	}
	fmt.Fprintf(e.stdout, "medconseil %s\n", v)
	return nil
}
