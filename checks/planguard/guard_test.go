package planguard

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in e2e/plans/expected")

const plansDir = "../../e2e/plans"

// want is one expected finding: rule, severity and a fragment of the message.
type want struct {
	rule string
	sev  finding.Severity
	text string
	line int // 0: don't care
}

func loadFixture(t *testing.T, name string) *Plan {
	t.Helper()
	p, err := Load(filepath.Join(plansDir, name), name)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return p
}

func TestCheckFixtures(t *testing.T) {
	blocked := Options{}
	allowed := Options{AllowDestroy: "1", AllowDestroySet: true}
	cases := []struct {
		plan     string
		opts     Options
		want     []want
		blockers int
	}{
		{"noop.json", blocked, []want{{RuleNoDestroy, finding.OK, "4 unchanged", 0}}, 0},
		{"empty.json", blocked, []want{{RuleNoDestroy, finding.OK, "no resource changes", 0}}, 0},
		{"helm-upgrade.json", blocked, []want{{RuleNoDestroy, finding.OK, "3 update, 2 unchanged", 0}}, 0},
		{"namespace-replace.json", blocked, []want{
			{RuleDestroy, finding.Blocker, `helm_release.runner_set["tinyland-nix"] will be REPLACED: destroyed first, then re-created (replace_because_cannot_update; forced by namespace)`, 0},
			{RuleDestroy, finding.Blocker, `kubernetes_namespace_v1.arc_runners will be REPLACED: destroyed first, then re-created (replace_because_cannot_update; forced by metadata[0].name)`, 0},
		}, 2},
		{"namespace-replace.json", allowed, []want{
			{RuleDestroy, finding.Warning, `DESTROY ALLOWED by ALLOW_ARC_DESTROY=1: helm_release.runner_set["tinyland-nix"] will be REPLACED`, 0},
			{RuleDestroy, finding.Warning, `DESTROY ALLOWED by ALLOW_ARC_DESTROY=1: kubernetes_namespace_v1.arc_runners will be REPLACED`, 0},
		}, 0},
		{"secret-delete.json", blocked, []want{
			{RuleDestroy, finding.Blocker, `kubernetes_secret_v1.github_app["arc-runners"] will be DESTROYED (delete_because_no_resource_config)`, 0},
			{RuleDestroy, finding.Blocker, `kubernetes_secret_v1.github_app["arc-systems"] will be DESTROYED (delete_because_no_resource_config)`, 0},
		}, 2},
		{"create-before-destroy.json", blocked, []want{
			{RuleDestroy, finding.Blocker, `helm_release.runner_set["tinyland-nix-heavy"] will be REPLACED: a new object is created, then the old one DESTROYED (replace_by_triggers)`, 0},
			{RuleDestroy, finding.Blocker, `deposed object 7c1d4e2a of helm_release.runner_set["tinyland-nix"] will be DESTROYED`, 0},
		}, 2},
		{"moved.json", blocked, []want{
			{RuleMoved, finding.Info, `module.arc_runners.helm_release.runner_set["jesssullivan-nix"] moves from helm_release.personal_nix["jesssullivan-nix"] (no-op)`, 0},
			{RuleMoved, finding.Info, `module.arc_runners.kubernetes_namespace_v1.runners moves from kubernetes_namespace_v1.arc_runners (update)`, 0},
			{RuleNoDestroy, finding.OK, "1 update, 2 move, 1 unchanged", 0},
		}, 0},
		{"import.json", blocked, []want{
			{RuleImport, finding.Info, `helm_release.arc_controller will be imported from existing object "arc-systems/arc"`, 0},
			{RuleImport, finding.Info, `kubernetes_namespace_v1.arc_systems will be imported from existing object "arc-systems"`, 0},
			{RuleNoDestroy, finding.OK, "1 create, 1 update, 2 import, 1 unchanged", 0},
		}, 0},
		{"forget.json", blocked, []want{
			{RuleForget, finding.Info, `helm_release.runner_set["personal-nix"] will be removed from state and left running (forget, not a destroy)`, 0},
			{RuleNoDestroy, finding.OK, "1 forget, 1 unchanged", 0},
		}, 0},
		{"deferred.json", blocked, []want{
			{RuleDeferred, finding.Info, `helm_release.runner_set["tinyland-nix-kvm"] is deferred (provider_config_unknown): proposed create`, 0},
			{RuleNoDestroy, finding.OK, "1 create, 1 update", 0},
		}, 0},
	}
	for _, tc := range cases {
		name := tc.plan
		if tc.opts.DestroyAllowed() {
			name += "/allowed"
		}
		t.Run(name, func(t *testing.T) {
			r := Check(loadFixture(t, tc.plan), tc.opts)
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			r.Finalize()
			if r.Summary.Blockers != tc.blockers {
				t.Errorf("blockers = %d, want %d\n%s", r.Summary.Blockers, tc.blockers, text(t, r))
			}
			if len(r.Findings) != len(tc.want) {
				t.Errorf("got %d findings, want %d\n%s", len(r.Findings), len(tc.want), text(t, r))
			}
			for _, w := range tc.want {
				if !hasFinding(r, w) {
					t.Errorf("missing %s %s %q (line %d)\n%s", w.sev, w.rule, w.text, w.line, text(t, r))
				}
			}
		})
	}
}

func hasFinding(r *finding.Report, w want) bool {
	for _, f := range r.Findings {
		if f.Rule == w.rule && f.Severity == w.sev && strings.Contains(f.Message, w.text) && (w.line == 0 || f.Line == w.line) {
			return true
		}
	}
	return false
}

func text(t *testing.T, r *finding.Report) string {
	t.Helper()
	b, err := render.Bytes(render.Text, r, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPositionsPointAtTheResourceChange checks each finding's line:col is the opening brace of
// the resource_changes entry it names, in both pretty and compact (single-line) plans.
func TestPositionsPointAtTheResourceChange(t *testing.T) {
	for _, name := range []string{"namespace-replace.json", "secret-delete.json", "noop.json", "deferred.json"} {
		data, err := os.ReadFile(filepath.Join(plansDir, name))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		all := append([]Change(nil), p.Changes...)
		for _, d := range p.Deferred {
			all = append(all, d.Change)
		}
		if len(all) == 0 {
			t.Fatalf("%s: no changes parsed", name)
		}
		for _, c := range all {
			if c.Pos.File != name || c.Pos.Line < 1 || c.Pos.Column < 1 {
				t.Fatalf("%s: %s has position %v", name, c.Address, c.Pos)
			}
			rest := lines[c.Pos.Line-1][c.Pos.Column-1:]
			if !strings.HasPrefix(rest, "{") {
				t.Errorf("%s: %s position %v points at %.20q, want the entry's '{'", name, c.Address, c.Pos, rest)
			}
			// The entry's address follows within its first few hundred bytes.
			joined := strings.Join(lines[c.Pos.Line-1:], "\n")[c.Pos.Column-1:]
			if i := strings.Index(joined, `"address"`); i < 0 || i > 200 {
				t.Errorf("%s: %s: no address right after the position", name, c.Address)
			}
		}
	}
}

func TestAllowDestroyValue(t *testing.T) {
	p := loadFixture(t, "secret-delete.json")
	noDeletes := loadFixture(t, "helm-upgrade.json")
	cases := []struct {
		value    string
		set      bool
		allowed  bool
		why      string // expected fragment of the allow-destroy-value finding ("" = no finding)
		plan     *Plan
		whySev   finding.Severity
		blockers int
	}{
		{value: "", set: false, blockers: 2, plan: p},
		{value: "", set: true, blockers: 2, plan: p},
		{value: "0", set: true, blockers: 2, plan: p},
		{value: "1", set: true, allowed: true, blockers: 0, plan: p},
		{value: "true", set: true, why: `ALLOW_ARC_DESTROY="true" is not exactly "1" (only the digit 1 counts, not a word)`, whySev: finding.Warning, blockers: 2, plan: p},
		{value: "yes", set: true, why: `ALLOW_ARC_DESTROY="yes" is not exactly "1" (only the digit 1 counts`, whySev: finding.Warning, blockers: 2, plan: p},
		{value: " 1", set: true, why: `ALLOW_ARC_DESTROY=" 1" is not exactly "1" (it has surrounding whitespace)`, whySev: finding.Warning, blockers: 2, plan: p},
		{value: "1 ", set: true, why: `ALLOW_ARC_DESTROY="1 " is not exactly "1" (it has surrounding whitespace)`, whySev: finding.Warning, blockers: 2, plan: p},
		{value: "1\n", set: true, why: `(it has surrounding whitespace)`, whySev: finding.Warning, blockers: 2, plan: p},
		{value: "01", set: true, why: `ALLOW_ARC_DESTROY="01" is not exactly "1", so destroys stay blocked`, whySev: finding.Warning, blockers: 2, plan: p},
		{value: "true", set: true, why: `so destroys stay blocked`, whySev: finding.Info, blockers: 0, plan: noDeletes},
	}
	for _, tc := range cases {
		opts := OptionsFromEnv(func(k string) (string, bool) {
			if k != AllowEnv {
				t.Fatalf("looked up %q", k)
			}
			return tc.value, tc.set
		})
		if opts.DestroyAllowed() != tc.allowed {
			t.Errorf("%q: DestroyAllowed = %v", tc.value, !tc.allowed)
		}
		r := Check(tc.plan, opts)
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		r.Finalize()
		if r.Summary.Blockers != tc.blockers {
			t.Errorf("%q: blockers = %d, want %d", tc.value, r.Summary.Blockers, tc.blockers)
		}
		got := false
		for _, f := range r.Findings {
			if f.Rule == RuleAllowDestroyValue {
				got = true
				if tc.why == "" || !strings.Contains(f.Message, tc.why) || f.Severity != tc.whySev {
					t.Errorf("%q: unexpected %s %q", tc.value, f.Severity, f.Message)
				}
			}
		}
		if !got && tc.why != "" {
			t.Errorf("%q: no %s finding", tc.value, RuleAllowDestroyValue)
		}
	}
}

// TestNeverPrintsValues: the secret-delete fixture carries a (fake) private key in its
// before-values; no output format may carry it.
func TestNeverPrintsValues(t *testing.T) {
	r := Check(loadFixture(t, "secret-delete.json"), Options{})
	r.Finalize()
	for _, f := range render.Formats() {
		b, err := render.Bytes(f, r, render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"FIXTURE-NOT-A-KEY", "87654321"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s output contains plan value %q", f, secret)
			}
		}
	}
}

func TestInvalidPlans(t *testing.T) {
	cases := []struct {
		file, kind, msg string
		line            int
	}{
		{"invalid/state.json", "type", "this is state output (`tofu show -json` without a plan file), not a plan", 0},
		{"invalid/truncated.json", "syntax", "truncated plan JSON", -1},
		{"invalid/resource-changes-object.json", "type", "resource_changes must be a list, got an object", -1},
		{"invalid/actions-string.json", "type", "kubernetes_namespace_v1.arc_runners: change.actions must be a list of strings", -1},
		{"invalid/format-version-2.json", "type", `format_version "2.0" is not supported`, 2},
		{"invalid/not-a-plan.json", "type", "not a plan: no format_version", 0},
		{"invalid/binary.tfplan", "syntax", "binary plan file (a zip archive); convert it first: tofu show -json invalid/binary.tfplan > plan.json", 0},
		{"does-not-exist.json", "missing", "cannot read plan: no such file or directory", 0},
		{"invalid", "read", "not a regular file", 0},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join(plansDir, tc.file), tc.file)
			var ies finding.InputErrors
			if !errors.As(err, &ies) || len(ies) != 1 {
				t.Fatalf("err = %v, want one finding.InputError", err)
			}
			e := ies[0]
			if e.Pos.File != tc.file || e.Kind != tc.kind || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %s %s: %s\nwant %s %s: ...%s...", e.Pos, e.Kind, e.Msg, tc.file, tc.kind, tc.msg)
			}
			switch {
			case tc.line > 0 && e.Pos.Line != tc.line:
				t.Errorf("line = %d, want %d", e.Pos.Line, tc.line)
			case tc.line < 0 && e.Pos.Line < 2:
				t.Errorf("line = %d, want the place of the problem", e.Pos.Line)
			}
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	bad := []struct {
		name, doc, msg string
	}{
		{"empty", "", "empty file"},
		{"blank", " \n\t", "empty file"},
		{"array", `[{"format_version":"1.2"}]`, "top-level value is not a JSON object"},
		{"trailing garbage", `{"format_version":"1.2","planned_values":{}} x`, "invalid JSON"},
		{"format number", `{"format_version":1.2,"planned_values":{}}`, "format_version must be a string, got a number"},
		{"format garbage", `{"format_version":"one","planned_values":{}}`, `format_version "one" is not MAJOR.MINOR`},
		{"no plan parts", `{"format_version":"1.2"}`, "neither planned_values nor resource_changes"},
		{"entry not object", `{"format_version":"1.2","resource_changes":["x"]}`, "resource_changes entry must be an object, got a string"},
		{"no address", `{"format_version":"1.2","resource_changes":[{"change":{"actions":["delete"]}}]}`, "resource_changes entry has no address"},
		{"no change", `{"format_version":"1.2","resource_changes":[{"address":"a.b"}]}`, "a.b has no change object"},
		{"empty actions", `{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":[]}}]}`, "a.b: change.actions is empty"},
		{"address number", `{"format_version":"1.2","resource_changes":[{"address":7,"change":{"actions":["delete"]}}]}`, `resource_changes entry: address must be a string, got a number`},
		{"errored string", `{"format_version":"1.2","planned_values":{},"errored":"yes"}`, "errored must be a boolean, got a string"},
		{"duplicate", `{"format_version":"1.2","resource_changes":[],"resource_changes":[]}`, `key "resource_changes" appears twice`},
		{"deferred bad", `{"format_version":"1.2","planned_values":{},"deferred_changes":[{"reason":"x"}]}`, "deferred_changes entry has no resource_change"},
	}
	for _, tc := range bad {
		_, err := Parse("plan.json", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.msg)
		}
	}

	good := `{"format_version":"1.0","terraform_version":"1.6.0","planned_values":{},"resource_changes":null}`
	p, err := Parse("plan.json", []byte(good))
	if err != nil || len(p.Changes) != 0 || p.TerraformVersion != "1.6.0" {
		t.Fatalf("Parse(null changes) = %+v, %v", p, err)
	}

	unknown := `{"format_version":"1.3","planned_values":{},"resource_changes":[
  {"address":"helm_release.x","change":{"actions":["purge"]}},
  {"address":"helm_release.y","change":{"actions":["create","forget"]}}
],"errored":true}`
	p, err = Parse("plan.json", []byte(unknown))
	if err != nil {
		t.Fatal(err)
	}
	r := Check(p, Options{AllowDestroy: "1", AllowDestroySet: true})
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	for _, w := range []want{
		{RuleUnknownAction, finding.Blocker, `helm_release.x has action "purge" that this guard does not know`, 2},
		{RuleForget, finding.Info, "helm_release.y will be replaced, but the old object is left running", 3},
		{RuleErrored, finding.Blocker, "planning failed", 0},
	} {
		if !hasFinding(r, w) {
			t.Errorf("missing %s %q\n%s", w.rule, w.text, text(t, r))
		}
	}
	if hasFinding(r, want{RuleNoDestroy, finding.OK, "", 0}) {
		t.Error("an errored plan must not be reported as destroying nothing")
	}
}

func TestRulesAreStableAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if !strings.HasPrefix(r.ID, "plan-guard/") || seen[r.ID] || r.Summary == "" {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.ID] = true
	}
}

// TestGolden pins the text report of every fixture (and the allowed variant of every
// destroying one): go test ./checks/planguard -update rewrites them.
func TestGolden(t *testing.T) {
	entries, err := filepath.Glob(filepath.Join(plansDir, "*.json"))
	if err != nil || len(entries) < 10 {
		t.Fatalf("fixtures: %v (%d)", err, len(entries))
	}
	for _, path := range entries {
		name := filepath.Base(path)
		for _, variant := range []struct {
			suffix string
			opts   Options
		}{{"", Options{}}, {".allowed", Options{AllowDestroy: "1", AllowDestroySet: true}}} {
			r := Check(loadFixture(t, name), variant.opts)
			r.Finalize()
			if variant.suffix != "" && r.Summary.Warnings == 0 {
				continue // nothing destroyed: the allowed report equals the default one
			}
			got := text(t, r)
			golden := filepath.Join(plansDir, "expected", strings.TrimSuffix(name, ".json")+variant.suffix+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			wantB, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./checks/planguard -update)", err)
			}
			if got != string(wantB) {
				t.Errorf("%s differs from golden:\n--- got\n%s--- want\n%s", golden, got, wantB)
			}
		}
	}
}

// TestAmbiguousPlansNeverPass: a plan that different JSON readers could read differently
// (a key given twice, keys differing only in case, a misspelt field a case-folding reader
// would still match) or that the guard cannot fully read is unusable input at the place of
// the problem, never a plan without destroys.
func TestAmbiguousPlansNeverPass(t *testing.T) {
	const head = `{"format_version":"1.2","planned_values":{},`
	entry := func(body string) string { return head + `"resource_changes":[` + body + `]}` }
	cases := []struct {
		name, doc, kind, msg string
		col                  int // 0: don't care
	}{
		{"actions twice", entry(`{"address":"a.b","change":{"actions":["delete"],"actions":["no-op"]}}`),
			"duplicate", `key "actions" appears twice (first at line 1, column 92)`, 113},
		{"actions beside ACTIONS", entry(`{"address":"a.b","change":{"actions":["delete"],"ACTIONS":["no-op"]}}`),
			"duplicate", `keys "actions" and "ACTIONS" differ only in case`, 113},
		{"ACTIONS beside actions", entry(`{"address":"a.b","change":{"ACTIONS":["delete"],"actions":["no-op"]}}`),
			"type", `unknown key "ACTIONS" looks like a misspelling of "actions"`, 0},
		{"change twice", entry(`{"address":"a.b","change":{"actions":["delete"]},"change":{"actions":["no-op"]}}`),
			"duplicate", `resource_changes entry a.b: key "change" appears twice`, 0},
		{"address twice", entry(`{"address":"a.b","address":"c.d","change":{"actions":["delete"]}}`),
			"duplicate", `key "address" appears twice`, 0},
		{"Resource_Changes", head + `"Resource_Changes":[{"address":"a.b","change":{"actions":["delete"]}}]}`,
			"type", `unknown key "Resource_Changes" looks like a misspelling of "resource_changes"`, 45},
		{"resource-changes", head + `"resource-changes":[{"address":"a.b","change":{"actions":["delete"]}}]}`,
			"type", `looks like a misspelling of "resource_changes"`, 0},
		{"resource_change", head + `"resource_change":[{"address":"a.b","change":{"actions":["delete"]}}]}`,
			"type", `looks like a misspelling of "resource_changes"`, 0},
		{"both spellings", head + `"resource_changes":[],"RESOURCE_CHANGES":[{"address":"a.b","change":{"actions":["delete"]}}]}`,
			"duplicate", `keys "resource_changes" and "RESOURCE_CHANGES" differ only in case`, 0},
		{"long s and Kelvin sign", head + `"reſource_changeſ":[{"address":"a.b","change":{"actions":["delete"]}}]}`,
			"type", `looks like a misspelling of "resource_changes"`, 0},
		{"action_reason beside ACTION_REASON", entry(`{"address":"a.b","change":{"actions":["update"]},"action_reason":"x","ACTION_REASON":"y"}`),
			"duplicate", `differ only in case`, 0},
		{"resource_changes twice", head + `"resource_changes":[{"address":"a.b","change":{"actions":["delete"]}}],"resource_changes":[]}`,
			"duplicate", `key "resource_changes" appears twice`, 0},
		{"Change only", entry(`{"address":"a.b","Change":{"actions":["delete"]}}`),
			"type", `unknown key "Change" looks like a misspelling of "change"`, 0},
		{"Actions only", entry(`{"address":"a.b","change":{"Actions":["delete"]}}`),
			"type", `unknown key "Actions" looks like a misspelling of "actions"`, 0},
		{"action beside actions", entry(`{"address":"a.b","change":{"actions":["no-op"],"action":["delete"]}}`),
			"type", `unknown key "action" looks like a misspelling of "actions"`, 0},
		{"actions null", entry(`{"address":"a.b","change":{"actions":null}}`), "type", "change.actions must be a list of strings, got null", 0},
		{"actions string", entry(`{"address":"a.b","change":{"actions":"delete"}}`), "type", "change.actions must be a list of strings, got a string", 0},
		{"actions object", entry(`{"address":"a.b","change":{"actions":{"delete":true}}}`), "type", "change.actions must be a list of strings, got an object", 0},
		{"action number", entry(`{"address":"a.b","change":{"actions":["delete",1]}}`), "type", "got an element that is a number", 0},
		{"action null", entry(`{"address":"a.b","change":{"actions":["delete",null]}}`), "type", "got an element that is null", 0},
		{"change null", entry(`{"address":"a.b","change":null}`), "type", "a.b has no change object", 0},
		{"change list", entry(`{"address":"a.b","change":[{"actions":["delete"]}]}`), "type", "change must be an object, got a list", 0},
		{"entry null", entry(`null`), "type", "resource_changes entry must be an object, got null", 0},
		{"address null", entry(`{"address":null,"change":{"actions":["delete"]}}`), "type", "resource_changes entry has no address", 0},
		{"replace_paths object", entry(`{"address":"a.b","change":{"actions":["delete","create"],"replace_paths":{"a":1}}}`), "type", "change.replace_paths must be a list, got an object", 0},
		{"importing string", entry(`{"address":"a.b","change":{"actions":["no-op"],"importing":"x"}}`), "type", "change.importing must be an object", 0},
		{"duplicate inside values", entry(`{"address":"a.b","change":{"actions":["update"],"after":{"k":1,"k":2}}}`), "duplicate", `key "k" appears twice`, 0},
		{"duplicate in a large object", entry(`{"address":"a.b","change":{"actions":["update"],"after":{` + manyKeys(40) + `,"k7":0}}}`), "duplicate", `key "k7" appears twice`, 0},
		{"deferred actions twice", head + `"deferred_changes":[{"reason":"x","resource_change":{"address":"a.b","change":{"actions":["delete"],"actions":["no-op"]}}}]}`,
			"duplicate", `key "actions" appears twice`, 0},
		{"deferred change twice", head + `"deferred_changes":[{"resource_change":{"address":"a.b","change":{"actions":["delete"]}},"resource_change":{"address":"a.b","change":{"actions":["no-op"]}}}]}`,
			"duplicate", `key "resource_change" appears twice`, 0},
		{"deferred Resource_Change", head + `"deferred_changes":[{"Resource_Change":{"address":"a.b","change":{"actions":["delete"]}}}]}`,
			"type", `looks like a misspelling of "resource_change"`, 0},
		{"deferred_changes object", head + `"deferred_changes":{"x":{}}}`, "type", "deferred_changes must be a list, got an object", 0},
		{"resource_drift object", head + `"resource_drift":{"a.b":{}}}`, "type", "resource_drift must be a list, got an object", 0},
		{"resource_drift entry string", head + `"resource_drift":["a.b"]}`, "type", "resource_drift entry must be an object, got a string", 0},
		{"output_changes list", head + `"output_changes":[]}`, "type", "output_changes must be an object, got a list", 0},
		{"errored null", head + `"errored":null}`, "type", "errored must be a boolean, got null", 0},
		{"complete string", head + `"complete":"false"}`, "type", "complete must be a boolean, got a string", 0},
		{"format_version twice", `{"format_version":"1.2","format_version":"2.0","planned_values":{}}`, "duplicate", `key "format_version" appears twice`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("plan.json", []byte(tc.doc))
			if err == nil {
				r := Check(p, Options{})
				r.Finalize()
				t.Fatalf("parsed; %d blockers:\n%s", r.Summary.Blockers, text(t, r))
			}
			var ies finding.InputErrors
			if !errors.As(err, &ies) || len(ies) != 1 {
				t.Fatalf("err = %v, want one input error", err)
			}
			e := ies[0]
			if e.Kind != tc.kind || !strings.Contains(e.Msg, tc.msg) || e.Pos.File != "plan.json" || e.Pos.Line != 1 || e.Pos.Column < 1 {
				t.Errorf("got %s %s: %s\nwant plan.json:1:* %s: ...%s...", e.Pos, e.Kind, e.Msg, tc.kind, tc.msg)
			}
			if tc.col != 0 && e.Pos.Column != tc.col {
				t.Errorf("column = %d, want %d (%q)", e.Pos.Column, tc.col, tc.doc[tc.col-1:])
			}
		})
	}
}

// TestPositionsWithCRLineEnds: a plan written with CR (or CRLF) line ends reports the line
// an editor shows.
func TestPositionsWithCRLineEnds(t *testing.T) {
	for _, nl := range []string{"\r", "\r\n", "\n"} {
		doc := strings.Join([]string{`{"format_version":"1.2",`, `"resource_changes":[`, `{"address":"a.b",`, `"change":{"actions":["delete"],"actions":["no-op"]}}]}`}, nl)
		_, err := Parse("plan.json", []byte(doc))
		var ies finding.InputErrors
		if !errors.As(err, &ies) || ies[0].Pos.Line != 4 || ies[0].Pos.Column != 32 {
			t.Errorf("%q line ends: err = %v, want plan.json:4:32", nl, err)
		}
	}
}

// TestKnownFieldsStillParse: fields of the plan format the guard does not read, null
// optional strings and exact spellings next to unrelated keys stay readable.
func TestKnownFieldsStillParse(t *testing.T) {
	doc := `{"format_version":"1.2","terraform_version":null,"planned_values":{},"resource_drift":[{"address":"x.y","change":{"actions":["delete"]}}],
"output_changes":{"o":{"actions":["no-op"]}},"relevant_attributes":[],"checks":[],"timestamp":"t","applyable":true,"complete":true,"errored":false,
"resource_changes":[{"address":"a.b","module_address":null,"mode":"managed","type":"t","name":"b","index":0,"provider_name":"p","deposed":null,
"change":{"actions":["delete","create"],"before":{"K":1,"k":2},"after":null,"after_unknown":{},"before_sensitive":false,"after_sensitive":false,
"replace_paths":[["metadata",0,"name"]],"importing":null,"generated_config":"","before_identity":null,"after_identity":null},"action_reason":"replace_because_tainted"}]}`
	p, err := Parse("plan.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || !p.Changes[0].Deletes() || p.Changes[0].ReplacePaths[0] != "metadata[0].name" {
		t.Fatalf("changes = %+v", p.Changes)
	}
}

func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%q:%d", fmt.Sprintf("k%d", i), i)
	}
	return strings.Join(keys, ",")
}
