package planguard

import (
	"encoding/json"
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
	// Plans other JSON readers may read differently: duplicate and case-variant keys at each
	// level, escaped key spellings.
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["delete"],"actions":["no-op"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["delete"],"ACTIONS":["no-op"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["delete"]},"change":{"actions":["no-op"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{},"Resource_Changes":[{"address":"a.b","change":{"actions":["delete"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"\u0061ctions":["delete"],"actions":["no-op"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{},"reſource_changeſ":[{"address":"a.b","change":{"actionſ":["delete"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{},"deferred_changes":[{"resource_change":{"address":"c.d","change":{"actions":["delete"]}},"Resource_Change":null}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["delete"]}}],"resource_changes":[]}`))
	f.Add([]byte(`{"format_version":"1.2","format_version":"1.0","resource_changes":[{"address":"a.b","change":{"actions":["delete"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["delete"]},"Change":{"actions":["no-op"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","address":"c.d","change":{"actions":["delete"]}}]}`))
	f.Add([]byte(`{"format_version":"1.2","deferred_changes":[{"resource_change":{"address":"c.d","change":{"actions":["delete"]}}}],"deferred_changes":[]}`))
	f.Add([]byte(`{"format_version":"1.2","deferred_changes":[{"resource_change":{"address":"c.d","change":{"actions":["delete"]}},"resource_change":{"address":"c.d","change":{"actions":["no-op"]}}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["no-op"],"actions":["delete"],"ACTIONS":["no-op"]}}],"RESOURCE_CHANGES":[]}`))
	f.Add([]byte("{\"format_version\":\"1.2\",\r\"resource_changes\":[{\"address\":\"a.b\",\r\"change\":{\"actions\":[\"delete\"],\r\"actions\":[\"no-op\"]}}]}"))
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
		// A plan the guard accepts reads the same to encoding/json, which folds case and
		// keeps the last duplicate: when that reader can decode it, it finds the same deletes.
		if want, ok := looseDeletes(data); ok && want != countDeletes(p) {
			t.Fatalf("guard sees %d deletes, encoding/json %d", countDeletes(p), want)
		}
	})
}

func countDeletes(p *Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.Deletes() {
			n++
		}
	}
	for _, d := range p.Deferred {
		if d.Change.Deletes() {
			n++
		}
	}
	return n
}

// looseDeletes counts deletes the way a plain encoding/json consumer would.
func looseDeletes(data []byte) (int, bool) {
	type change struct {
		Change struct{ Actions []string }
	}
	var loose struct {
		ResourceChanges []change `json:"resource_changes"`
		DeferredChanges []struct {
			ResourceChange change `json:"resource_change"`
		} `json:"deferred_changes"`
	}
	if json.Unmarshal(data, &loose) != nil {
		return 0, false
	}
	p := &Plan{}
	for _, c := range loose.ResourceChanges {
		p.Changes = append(p.Changes, Change{Actions: c.Change.Actions})
	}
	for _, d := range loose.DeferredChanges {
		p.Deferred = append(p.Deferred, Deferred{Change: Change{Actions: d.ResourceChange.Change.Actions}})
	}
	return countDeletes(p), true
}
