package github

import "testing"

// The sentence naming what failed calls leave unverified is the same whatever order the
// concurrent calls failed in, and reads as English for every combination.
func TestConsequenceIsDeterministicAndGrammatical(t *testing.T) {
	secret := failure{what: "list the Actions secret names"}
	runs := failure{what: "list the runs of .github/workflows/validate.yml"}
	jobs := failure{what: "list the jobs of run 901"}
	cases := []struct {
		fs   []failure
		want string
	}{
		{[]failure{secret}, "the core-read credential is"},
		{[]failure{runs, jobs}, "the validation runs and the enrollment proof are"},
		{[]failure{secret, runs}, "the validation runs, the enrollment proof and the core-read credential are"},
		{[]failure{runs, secret}, "the validation runs, the enrollment proof and the core-read credential are"},
		{[]failure{jobs, secret, runs}, "the validation runs, the enrollment proof and the core-read credential are"},
	}
	for _, tc := range cases {
		if got := consequence(tc.fs); got != tc.want {
			t.Errorf("consequence(%v) = %q, want %q", tc.fs, got, tc.want)
		}
	}
}
