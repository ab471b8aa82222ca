package main

import (
	"context"
	"errors"
)

// Placeholders for the foundation commands, replaced as they land.
func runServe(ctx context.Context, e *env, args []string) error {
	return errors.New("serve : à venir")
}
func runDemo(ctx context.Context, e *env, args []string) error { return errors.New("demo : à venir") }
func runMigrate(ctx context.Context, e *env, args []string) error {
	return errors.New("migrate : à venir")
}
func runUser(ctx context.Context, e *env, args []string) error { return errors.New("user : à venir") }
func runAudit(ctx context.Context, e *env, args []string) error {
	return errors.New("audit : à venir")
}
func runKeys(ctx context.Context, e *env, args []string) error { return errors.New("keys : à venir") }
