package rules

import "embed"

//go:embed exemples/*.example.json
var examples embed.FS

// Example returns the example input of a rule set (a copy of
// docs/rules/<ruleset>.example.json, kept identical by TestExamples), to prefill forms.
func Example(ruleset string) string {
	b, err := examples.ReadFile("exemples/" + ruleset + ".example.json")
	if err != nil {
		return "{}"
	}
	return string(b)
}
