//go:build !race

package web_test

// raceEnabled: built with -race.
const raceEnabled = false
