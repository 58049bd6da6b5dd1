package planguard

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// FuzzParse: any input is either a plan the guard can judge (whose report keeps the
// model's invariants) or one input error naming the file — never a panic.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"*.json", "invalid/*"} {
		paths, _ := filepath.Glob(filepath.Join(plansDir, glob))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["delete","create"]}}],"deferred_changes":[{"resource_change":{"address":"c.d","change":{"actions":["delete"]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("plan.json", data)
		if err != nil {
			var ies finding.InputErrors
			if !errors.As(err, &ies) || len(ies) != 1 || ies[0].Pos.File != "plan.json" || ies[0].Msg == "" {
				t.Fatalf("error is not one input error on plan.json: %#v", err)
			}
			return
		}
		for _, allow := range []Options{{}, {AllowDestroy: "1", AllowDestroySet: true}} {
			r := Check(p, allow)
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			r.Finalize()
			deletes := 0
			for _, c := range p.Changes {
				if c.Deletes() {
					deletes++
				}
			}
			for _, d := range p.Deferred {
				if d.Change.Deletes() {
					deletes++
				}
			}
			if !allow.DestroyAllowed() && r.Summary.Blockers < deletes {
				t.Fatalf("%d deletes but %d blockers", deletes, r.Summary.Blockers)
			}
		}
	})
}
