package main

import (
	"context"
	"errors"
)

// runSynth is owned by the synth work; placeholder until it lands.
func runSynth(ctx context.Context, e *env, args []string) error {
	return errors.New("synth : pas encore disponible")
}
