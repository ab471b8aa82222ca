package main

import (
	"context"
	"errors"
)

// runRules is owned by the rules work; placeholder until it lands.
func runRules(ctx context.Context, e *env, args []string) error {
	return errors.New("rules : pas encore disponible")
}
