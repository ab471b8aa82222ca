package main

import (
	"context"
	"errors"
)

// runReference is owned by the reference work; placeholder until it lands.
func runReference(ctx context.Context, e *env, args []string) error {
	return errors.New("reference : pas encore disponible")
}
