// Package pinupdate moves an overlay's two core pins — core.pinned_commit in
// config/organization.yaml and the core git_override commit in MODULE.bazel — to one commit
// in one step, together with the workflow-level core ref env values
// (GF_CORE_REF) that follow them, then re-runs the pins gate.
//
// The edit is byte-precise: the overlay loader reports where each value starts, the value's
// bytes there are checked against the parsed value, and only those bytes are replaced, so
// comments, quote styles, CRLF line endings and every other byte survive (the diff is the
// two commit values). Both files are written through temp files and renames, and a failed
// second rename restores the first, so one pin never moves without the other.
package pinupdate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/coreref"
	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
	"github.com/tinyland-inc/gf-enrollment/checks/pins"
)

// Rule ids of the pin command. Stable: never rename one, add a new id instead.
const (
	RuleMoved     = "pin-update/moved"
	RuleUnchanged = "pin-update/unchanged"
	RuleWouldMove = "pin-update/would-move"
	RuleResolved  = "pin-update/resolved"
	RuleQuoted    = "pin-update/quoted"
)

// Rules lists every rule the command emits (the pins gate's rules are added by its report).
func Rules() []finding.Rule {
	return finding.WithDocs([]finding.Rule{
		{ID: RuleMoved, Summary: "A core pin was moved to the selected commit"},
		{ID: RuleUnchanged, Summary: "A core pin already is the selected commit"},
		{ID: RuleWouldMove, Summary: "A core pin differs from the selected commit (--check)",
			Help: "gfenroll pin REF --check reports what gfenroll pin REF would change, and fails while a pin differs."},
		{ID: RuleResolved, Summary: "The ref was resolved to a commit"},
		{ID: RuleQuoted, Summary: "A plain YAML value was quoted so it stays a string",
			Help: "A commit of only decimal digits (or digits around one 'e') reads as a number to YAML; the new value is written in double quotes."},
	}, ruleDocs)
}

// Options configure one run.
type Options struct {
	// Root is the overlay root.
	Root string
	// Ref is the commit to pin: a 40-hex SHA (any case) or a name for Resolver.
	Ref string
	// Check reports without writing; a pin that differs from Ref is a blocker.
	Check bool
	// Resolver resolves a Ref that is not a full SHA. When nil, ResolverFor (if set) builds
	// one from the loaded overlay (the GitHub route needs core.repository); when both are
	// nil only SHAs are accepted.
	Resolver    coreref.Resolver
	ResolverFor func(o *overlay.Overlay) coreref.Resolver
	// Tfvars is passed to the overlay loader (only so an overlay needing --tfvars loads).
	Tfvars []string
}

// Target is one pin to move.
type Target struct {
	// What names the pin for people ("core.pinned_commit").
	What string
	// File is root-relative; Pos the value's position.
	File string
	Pos  finding.Position
	// Old is the current value.
	Old    string
	Span   Span
	Syntax Syntax
}

// Refusal is input the pin command will not act on: no pin to move, a pin it cannot edit
// byte-exactly, a ref it cannot resolve. The CLI prints each as an input error (exit 2).
type Refusal = finding.InputErrors

func refuse(pos finding.Position, kind, format string, args ...any) error {
	return finding.InputErrors{{Pos: pos, Kind: kind, Msg: fmt.Sprintf(format, args...)}}
}

// Run resolves the ref, moves both pins (or, with Check, reports what would move), and
// re-runs the pins gate. The report holds the pin findings followed by the gate's. A
// non-nil error is a refusal (finding.InputErrors) or a failed write (*CommitError).
func Run(ctx context.Context, opts Options) (*finding.Report, error) {
	o, err := overlay.Load(opts.Root, overlay.Options{Tfvars: opts.Tfvars})
	if err != nil {
		return nil, err
	}
	if opts.Resolver == nil && opts.ResolverFor != nil {
		opts.Resolver = opts.ResolverFor(o)
	}
	sha, how, err := resolve(ctx, opts)
	if err != nil {
		return nil, err
	}
	targets, contents, err := Find(o)
	if err != nil {
		return nil, err
	}

	r := &finding.Report{}
	r.AddRules(Rules()...)
	if how != "" {
		r.Add(finding.Finding{Rule: RuleResolved, Severity: finding.Info,
			Message: fmt.Sprintf("%s resolved to %s through %s", opts.Ref, sha, how)})
	}

	var updates []FileUpdate
	moved := map[string][]Target{} // per file: the targets to rewrite in it
	var files []string
	for _, t := range targets {
		if t.Old == sha {
			r.Add(finding.Finding{Rule: RuleUnchanged, Severity: finding.OK, Position: t.Pos,
				Message: fmt.Sprintf("%s already is %s", t.What, sha)})
			continue
		}
		if opts.Check {
			r.Add(finding.Finding{Rule: RuleWouldMove, Severity: finding.Blocker, Position: t.Pos,
				Message:    fmt.Sprintf("%s is %s; gfenroll pin would move it to %s", t.What, t.Old, sha),
				NextAction: fmt.Sprintf("Move both core pins together: gfenroll pin %s (or just pin-refresh %s), then rerun the strict preflight.", opts.Ref, opts.Ref)})
			continue
		}
		if _, seen := moved[t.File]; !seen {
			files = append(files, t.File)
		}
		moved[t.File] = append(moved[t.File], t)
		r.Add(finding.Finding{Rule: RuleMoved, Severity: finding.OK, Position: t.Pos,
			Message: fmt.Sprintf("%s moved from %s to %s", t.What, t.Old, sha)})
	}
	for _, file := range files {
		// Old is the content the spans were located in; Commit refuses to overwrite a file
		// that changed on disk since. Spans are replaced from the end of the file backwards
		// so each earlier span keeps its offsets.
		old := contents[file]
		ts := moved[file]
		sort.Slice(ts, func(i, j int) bool { return ts[i].Span.Start > ts[j].Span.Start })
		data := old
		for _, t := range ts {
			var quoted bool
			data, quoted = ReplaceValue(data, t.Span, sha, t.Syntax)
			if quoted {
				r.Add(finding.Finding{Rule: RuleQuoted, Severity: finding.Info, Position: t.Pos,
					Message: fmt.Sprintf("%s is written in double quotes: unquoted, YAML would read %s as a number", t.What, sha)})
			}
		}
		updates = append(updates, FileUpdate{Path: filepath.Join(opts.Root, filepath.FromSlash(file)), Rel: file, Old: old, New: data})
	}

	if len(updates) > 0 {
		if err := Commit(updates); err != nil {
			return nil, err
		}
		// Judge the files as written, not the model in memory.
		if o, err = overlay.Load(opts.Root, overlay.Options{Tfvars: opts.Tfvars}); err != nil {
			return nil, fmt.Errorf("the pins were written but the overlay no longer loads: %w", err)
		}
	}

	gate := pins.Options{}
	if !opts.Check {
		// After a move both pins must be the selected commit: say so through the gate's own
		// expected-ref rule rather than trusting the edit.
		gate.ExpectedCoreRef = sha
	}
	r.Merge(pins.Check(ctx, o, gate))
	return r, nil
}

// resolve turns opts.Ref into a full SHA; how names the route for a name ("" for a SHA).
func resolve(ctx context.Context, opts Options) (sha, how string, err error) {
	ref := strings.TrimSpace(opts.Ref)
	if ref == "" {
		return "", "", refuse(finding.Position{}, finding.KindMissing, "REF is empty; give a 40-hex commit SHA, a branch or a tag of the core")
	}
	if s, ok := coreref.NormalizeSHA(ref); ok {
		return s, "", nil
	}
	if opts.Resolver == nil {
		return "", "", refuse(finding.Position{}, finding.KindMissing,
			"%q is not a 40-hex commit SHA and there is no way to resolve a name: set %s to a core checkout, or GITHUB_TOKEN/GH_TOKEN for the GitHub API, or pass the full SHA",
			ref, coreref.EnvCorePath)
	}
	s, err := opts.Resolver.Resolve(ctx, ref)
	if err != nil {
		return "", "", refuse(finding.Position{}, finding.KindMissing, "cannot resolve %q to a core commit: %v", ref, err)
	}
	if !coreref.IsFullSHA(s) {
		return "", "", refuse(finding.Position{}, finding.KindType, "%s resolved %q to %q, which is not a full commit SHA", coreref.Describe(opts.Resolver), ref, s)
	}
	return s, describeRoute(opts.Resolver), nil
}

func describeRoute(r coreref.Resolver) string { return coreref.Describe(r) }

// Find locates the two pins of a loaded overlay and reads the files they live in. It
// refuses (finding.InputErrors) when either pin is missing or cannot be edited in place,
// listing every problem at once.
func Find(o *overlay.Overlay) ([]Target, map[string][]byte, error) {
	var errs finding.InputErrors
	add := func(err error) {
		var ie finding.InputErrors
		if errors.As(err, &ie) {
			errs = append(errs, ie...)
		} else if err != nil {
			errs = append(errs, &finding.InputError{Kind: finding.KindRead, Msg: err.Error()})
		}
	}
	contents := map[string][]byte{}
	read := func(rel string) ([]byte, error) {
		if b, ok := contents[rel]; ok {
			return b, nil
		}
		b, err := os.ReadFile(filepath.Join(o.Root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, refuse(finding.Position{File: rel}, finding.KindRead, "cannot read %s: %v", rel, unwrapPath(err))
		}
		contents[rel] = b
		return b, nil
	}

	var targets []Target
	orgT, err := orgTarget(o)
	add(err)
	modT, err := moduleTarget(o)
	add(err)
	all := []*Target{orgT, modT}
	if orgT != nil && modT != nil {
		all = append(all, workflowTargets(o, orgT.Old, modT.Old)...)
	}
	for _, t := range all {
		if t == nil {
			continue
		}
		data, err := read(t.File)
		if err != nil {
			add(err)
			continue
		}
		span, err := LocateValue(data, t.Pos, t.Old, t.Syntax)
		if err != nil {
			add(refuse(t.Pos, finding.KindType, "cannot edit %s in place: %v", t.What, err))
			continue
		}
		t.Span = span
		targets = append(targets, *t)
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return targets, contents, nil
}

// workflowTargets are the workflow-level core ref env values (GF_CORE_REF and the names of
// enrollment.core_ref_env) that follow one of the overlay's pins: they move with the pins,
// so a workflow on the shared runners keeps building the pinned core. A value at another
// commit (a declared authority pin) stays.
func workflowTargets(o *overlay.Overlay, olds ...string) []*Target {
	names := pins.CoreRefEnvNames(o)
	var out []*Target
	for _, wf := range o.Workflows {
		keys := make([]string, 0, len(wf.Env))
		for k := range wf.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := wf.Env[k]
			if !pins.MovedByPinUpdate(names, k) || !coreref.IsFullSHA(v.Value) || !slices.Contains(olds, v.Value) {
				continue
			}
			out = append(out, &Target{What: fmt.Sprintf("%s env.%s", wf.File, k), File: wf.File, Pos: v.Pos, Old: v.Value, Syntax: YAML})
		}
	}
	return out
}

func orgTarget(o *overlay.Overlay) (*Target, error) {
	org := o.Org
	if org == nil {
		return nil, refuse(finding.Position{File: overlay.OrgFile}, finding.KindMissing, "%s is missing, so there is no core.pinned_commit to move", overlay.OrgFile)
	}
	file := org.File
	if file == "" {
		file = overlay.OrgFile
	}
	p := org.Core.PinnedCommit
	if !p.Set || strings.TrimSpace(p.Value) == "" {
		pos := p.Pos
		if !pos.IsValid() {
			pos = finding.Position{File: file}
		}
		return nil, refuse(pos, finding.KindMissing,
			"%s has no core.pinned_commit to move; add `pinned_commit: <sha>` under core: (matching the MODULE.bazel git_override commit) and rerun", file)
	}
	return &Target{What: file + " core.pinned_commit", File: p.Pos.File, Pos: p.Pos, Old: p.Value, Syntax: YAML}, nil
}

func moduleTarget(o *overlay.Overlay) (*Target, error) {
	m := o.Module
	if m == nil {
		return nil, refuse(finding.Position{File: overlay.ModuleBazel}, finding.KindMissing,
			"%s is missing, so there is no core git_override commit to move", overlay.ModuleBazel)
	}
	module := ""
	if o.Org != nil {
		module = strings.TrimSpace(o.Org.Core.ModuleName.Value)
	}
	if module == "" {
		pos := finding.Position{File: overlay.OrgFile}
		if o.Org != nil && o.Org.Core.Pos.IsValid() {
			pos = o.Org.Core.Pos
		}
		return nil, refuse(pos, finding.KindMissing,
			"core.module_name is not set, so the core's git_override in %s cannot be identified; set it to the core's Bazel module name", overlay.ModuleBazel)
	}
	var core []overlay.Override
	for _, ov := range m.Overrides {
		if ov.ModuleName.Value == module {
			core = append(core, ov)
		}
	}
	switch {
	case len(core) == 0:
		return nil, refuse(finding.Position{File: m.File}, finding.KindMissing,
			"%s has no git_override(module_name = %q, ...) whose commit could move; add one with remote and commit = <sha>", m.File, module)
	case len(core) > 1:
		return nil, refuse(core[1].Pos, finding.KindDuplicate,
			"%s overrides %q %d times (first at %s); Bazel accepts one override per module, keep one git_override", core[1].Pos.File, module, len(core), core[0].Pos)
	}
	ov := core[0]
	if ov.Kind != "git_override" {
		return nil, refuse(ov.Pos, finding.KindType,
			"the core %q is overridden by %s, which has no commit to move; replace it with git_override(module_name = %q, remote = ..., commit = <sha>)", module, ov.Kind, module)
	}
	if !ov.Commit.Set || strings.TrimSpace(ov.Commit.Value) == "" {
		what := "no commit"
		switch {
		case ov.Tag.Set:
			what = fmt.Sprintf("tag = %q instead of a commit", ov.Tag.Value)
		case ov.Branch.Set:
			what = fmt.Sprintf("branch = %q instead of a commit", ov.Branch.Value)
		}
		return nil, refuse(ov.Pos, finding.KindMissing,
			"the core git_override has %s, so there is no commit to move; write commit = \"<sha>\" in it and rerun", what)
	}
	file := ov.Commit.Pos.File
	if file == "" {
		file = m.File
	}
	return &Target{What: fmt.Sprintf("%s git_override(module_name = %q) commit", file, module), File: file,
		Pos: ov.Commit.Pos, Old: ov.Commit.Value, Syntax: Starlark}, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
