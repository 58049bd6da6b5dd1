package planguard

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// largePlan builds a plan shaped like the ARC stack's, with n resource changes carrying
// realistic before/after bodies (which the guard must skip without decoding into values).
func largePlan(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"format_version":"1.2","terraform_version":"1.8.5","planned_values":{"root_module":{}},"resource_changes":[`)
	values := `{"name":"tinyland-nix","namespace":"arc-runners","chart":"gha-runner-scale-set","version":"0.14.2","values":["githubConfigUrl: https://github.com/tinyland-inc\nrunnerScaleSetName: tinyland-nix\nminRunners: 0\nmaxRunners: 4\n"],"set":[],"timeout":600,"wait":true}`
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		actions := `["update"]`
		if i%50 == 0 {
			actions = `["delete","create"]`
		}
		fmt.Fprintf(&b, `{"address":"helm_release.runner_set[\"set-%d\"]","mode":"managed","type":"helm_release","name":"runner_set","index":"set-%d","provider_name":"registry.opentofu.org/hashicorp/helm","change":{"actions":%s,"before":%s,"after":%s,"after_unknown":{},"before_sensitive":{},"after_sensitive":{}},"action_reason":"replace_because_cannot_update"}`,
			i, i, actions, values, values)
	}
	b.WriteString(`],"errored":false}`)
	return []byte(b.String())
}

// BenchmarkGuard parses and judges a 2,000-resource plan; the baseline is a plain
// json.Unmarshal of the same bytes into a generic value, so the ratio says what the
// position tracking and validation cost over merely reading the JSON.
func BenchmarkGuard(b *testing.B) {
	data := largePlan(2000)
	b.Run("guard", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			p, err := Parse("plan.json", data)
			if err != nil {
				b.Fatal(err)
			}
			if r := Check(p, Options{}); len(r.Findings) != 40 {
				b.Fatalf("findings = %d", len(r.Findings))
			}
		}
	})
	b.Run("json.Unmarshal-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
