package overlay

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tinyland-inc/gf-enrollment/checks/ghexpr"
)

// Workflow parsing reads GitHub Actions workflows with yaml.v3 nodes rather than through
// github.com/rhysd/actionlint: the gates need a small subset (triggers, runs-on in all its
// forms, matrix, if, environment, permissions, secrets references), yaml.v3 already gives
// exact positions, and actionlint is one large package whose import would pull its whole
// linter and a second YAML library into the hermetic checker that consumers build cold.
//
// What GitHub itself rejects and the gates depend on is an InputError here: a file that is
// not a mapping, missing or malformed on:/jobs:, a runs-on that is a number, a permissions
// value that is not read-all/write-all/a scope map. Everything else unknown is tolerated.
//
// Matrix values are kept as strings. A value that is itself a mapping is flattened: the
// axis (or include key) gets a placeholder String with Set=false at the mapping, and each
// scalar leaf is added under the dotted key ("config.runner"), which is how an expression
// addresses it (matrix.config.runner). A list value is only a placeholder. The workflows
// gate reports a runs-on that expands to a placeholder as unresolvable.

// maxScanVisits bounds the node visits of the secrets scan. Anchors let one node be reached
// from many jobs; a file built to multiply them is refused rather than scanned for minutes.
const maxScanVisits = 2_000_000

// ParseWorkflow parses one GitHub Actions workflow file. rel is the root-relative path used
// in positions. The result is nil only when the file is not usable YAML at all; with type
// errors it still carries every value that could be read.
func ParseWorkflow(rel string, data []byte) (*Workflow, InputErrors) {
	doc, errs := readYAML(rel, data)
	if doc == nil {
		return nil, errs
	}
	wf := &Workflow{File: rel}
	root := doc.root
	if root.Kind != yaml.MappingNode {
		doc.typeError(root, "workflow", "a mapping (name:, on:, jobs:)", root)
		return wf, doc.errs.Sorted()
	}
	p := &wfParser{yamlDoc: doc}
	file := doc.src.filePos()

	wf.Name = p.str(root, file, "name", "name")
	wf.On = p.triggers(root)
	if f := p.lookup(root, "on"); f.key != nil {
		wf.OnPos = p.pos(f.key)
	}
	wf.Permissions = p.permissions(root, "permissions")
	envField := p.lookup(root, "env")
	wf.Env = p.env(envField, "env")
	if envField.key != nil {
		p.scanSecrets(envField.use, false, map[*yaml.Node]bool{}, &wf.SecretRefs)
		wf.SecretRefs = dedupeRefs(wf.SecretRefs)
	}

	jobs := p.lookup(root, "jobs")
	switch {
	case jobs.key == nil:
		p.errs = append(p.errs, &InputError{Pos: file, Kind: KindType, Msg: "workflow has no jobs: section"})
	case jobs.val == nil || jobs.val.Kind != yaml.MappingNode:
		p.typeError(jobs.use, "jobs", "a mapping of job ids to jobs", jobs.val)
	case len(jobs.val.Content) == 0:
		p.errs = append(p.errs, &InputError{Pos: p.pos(jobs.use), Kind: KindType, Msg: "jobs: defines no job"})
	default:
		p.entries(jobs.val, func(k, v *yaml.Node) {
			if job := p.job(k, v); job != nil {
				wf.Jobs = append(wf.Jobs, job)
			}
		})
	}
	if p.overBudget {
		p.errs = append(p.errs, &InputError{Pos: file, Kind: KindSize,
			Msg: "workflow expands to too many nodes through YAML aliases to be checked"})
	}
	return wf, p.errs.Sorted()
}

type wfParser struct {
	*yamlDoc
	visits     int
	overBudget bool
	starts     []int // sorted byte offsets of every node's start, built on first need
}

// entries calls fn for each key/value of mapping m in file order, then for keys brought in
// by merge keys (<<: *base) that m does not set itself; values are resolved.
func (p *wfParser) entries(m *yaml.Node, fn func(k, v *yaml.Node)) {
	seen := map[string]bool{}
	p.entriesIn(m, fn, seen, map[*yaml.Node]bool{})
}

func (p *wfParser) entriesIn(m *yaml.Node, fn func(k, v *yaml.Node), seen map[string]bool, visited map[*yaml.Node]bool) {
	if m == nil || m.Kind != yaml.MappingNode || visited[m] {
		return
	}
	visited[m] = true
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode || seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		fn(k, v)
	}
	for _, mv := range merges {
		src := p.resolve(mv)
		if src == nil {
			continue
		}
		if src.Kind == yaml.SequenceNode {
			for _, s := range src.Content {
				p.entriesIn(p.resolve(s), fn, seen, visited)
			}
			continue
		}
		p.entriesIn(src, fn, seen, visited)
	}
}

// isString reports whether n is a scalar YAML reads as a string (plain or quoted), as
// opposed to a number, boolean or null.
func isString(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

func (p *wfParser) triggers(root *yaml.Node) []Event {
	// yaml.v3 reads the key `on` as the string "on" (not the YAML 1.1 boolean true).
	f := p.lookup(root, "on")
	if f.key == nil {
		p.errs = append(p.errs, &InputError{Pos: p.src.filePos(), Kind: KindType,
			Msg: "workflow has no on: section naming its triggers"})
		return nil
	}
	v := f.val
	switch {
	case isString(v):
		return []Event{{Name: String{Value: v.Value, Pos: p.pos(f.use), Set: true}}}
	case v != nil && v.Kind == yaml.SequenceNode:
		var out []Event
		for i, item := range v.Content {
			r := p.resolve(item)
			if !isString(r) {
				p.typeError(item, fmt.Sprintf("on[%d]", i), "an event name", r)
				continue
			}
			out = append(out, Event{Name: String{Value: r.Value, Pos: p.pos(item), Set: true}})
		}
		return out
	case v != nil && v.Kind == yaml.MappingNode:
		var out []Event
		p.entries(v, func(k, _ *yaml.Node) {
			out = append(out, Event{Name: String{Value: k.Value, Pos: p.pos(k), Set: true}})
		})
		return out
	}
	p.typeError(f.use, "on", "an event name, a list of events or a mapping of events", v)
	return nil
}

var permissionLevels = map[string]bool{"read": true, "write": true, "none": true}

// permissions reads `permissions:` of the mapping m: nil when absent.
func (p *wfParser) permissions(m *yaml.Node, path string) *Permissions {
	f := p.lookup(m, "permissions")
	if f.key == nil {
		return nil
	}
	v := f.val
	perm := &Permissions{Pos: p.pos(f.use)}
	switch {
	case isString(v) && (v.Value == "read-all" || v.Value == "write-all"):
		perm.Shorthand = String{Value: v.Value, Pos: p.pos(f.use), Set: true}
		return perm
	case v != nil && v.Kind == yaml.MappingNode:
		perm.Scopes = map[string]String{}
		p.entries(v, func(k, val *yaml.Node) {
			r := p.resolve(val)
			if !isString(r) || !permissionLevels[r.Value] {
				p.typeError(val, path+"."+k.Value, "read, write or none", r)
				return
			}
			perm.Scopes[k.Value] = String{Value: r.Value, Pos: p.pos(val), Set: true}
		})
		return perm
	}
	p.typeError(f.use, path, "read-all, write-all or a mapping of scopes to read/write/none", v)
	return perm
}

// env reads an env: mapping. An expression string (env: ${{ fromJSON(...) }}) is allowed
// and yields no static entries.
func (p *wfParser) env(f field, path string) map[string]String {
	if f.key == nil || isNull(f.val) {
		return nil
	}
	v := f.val
	if isString(v) && strings.Contains(v.Value, "${{") {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.typeError(f.use, path, "a mapping of variable names to values", v)
		return nil
	}
	return p.scalarMap(v, path)
}

// scalarMap reads a mapping whose values are scalars (env:, with:); null is "".
func (p *wfParser) scalarMap(m *yaml.Node, path string) map[string]String {
	out := map[string]String{}
	p.entries(m, func(k, val *yaml.Node) {
		r := p.resolve(val)
		switch {
		case isNull(r):
			out[k.Value] = String{Pos: p.pos(val), Set: true}
		case r.Kind == yaml.ScalarNode:
			out[k.Value] = String{Value: r.Value, Pos: p.pos(val), Set: true}
		default:
			p.typeError(val, path+"."+k.Value, "a string, number or boolean", r)
		}
	})
	return out
}

func (p *wfParser) job(k, v *yaml.Node) *Job {
	id := k.Value
	at := p.pos(k)
	job := &Job{ID: String{Value: id, Pos: at, Set: true}, Pos: at}
	m := p.resolve(v)
	if m == nil || m.Kind != yaml.MappingNode {
		p.typeError(v, "jobs."+id, "a mapping (runs-on:, steps:, ...)", m)
		return nil
	}
	path := "jobs." + id
	job.Name = p.str(m, at, "name", path+".name")
	job.RunsOn = p.runsOn(m, at, path+".runs-on")
	job.If = p.str(m, at, "if", path+".if")
	job.Environment = p.environment(m, at, path+".environment")
	job.Permissions = p.permissions(m, path+".permissions")
	job.Matrix = p.matrix(m, path+".strategy")
	job.Uses = p.str(m, at, "uses", path+".uses")
	job.Needs = p.needs(m, path+".needs")
	job.Env = p.env(p.lookup(m, "env"), path+".env")
	job.Steps = p.steps(m, path+".steps")

	visited := map[*yaml.Node]bool{}
	p.scanSecrets(m, false, visited, &job.SecretRefs)
	if f := p.lookup(m, "secrets"); isString(f.val) && f.val.Value == "inherit" {
		// A reusable-workflow call that hands over every secret.
		job.SecretRefs = append(job.SecretRefs, SecretRef{Pos: p.pos(f.use)})
	}
	job.SecretRefs = dedupeRefs(job.SecretRefs)
	return job
}

func (p *wfParser) runsOn(m *yaml.Node, jobPos Pos, path string) RunsOn {
	f := p.lookup(m, "runs-on")
	if f.key == nil {
		return RunsOn{Pos: jobPos}
	}
	ro := RunsOn{Pos: p.pos(f.use), Set: true}
	const want = "a runner label, a list of labels or a mapping with group:/labels:"
	v := f.val
	switch {
	case isString(v):
		ro.Labels = []String{{Value: v.Value, Pos: p.pos(f.use), Set: true}}
	case v != nil && v.Kind == yaml.SequenceNode:
		ro.Labels = p.labelList(v, path)
	case v != nil && v.Kind == yaml.MappingNode:
		group := p.lookup(v, "group")
		labels := p.lookup(v, "labels")
		if group.key == nil && labels.key == nil {
			p.typeError(f.use, path, "group: and/or labels: in a runs-on mapping", v)
			return ro
		}
		if group.key != nil {
			if isString(group.val) {
				ro.Group = String{Value: group.val.Value, Pos: p.pos(group.use), Set: true}
			} else {
				p.typeError(group.use, path+".group", "a runner group name", group.val)
			}
		}
		switch {
		case labels.key == nil:
		case isString(labels.val):
			ro.Labels = []String{{Value: labels.val.Value, Pos: p.pos(labels.use), Set: true}}
		case labels.val != nil && labels.val.Kind == yaml.SequenceNode:
			ro.Labels = p.labelList(labels.val, path+".labels")
		default:
			p.typeError(labels.use, path+".labels", "a runner label or a list of labels", labels.val)
		}
	default:
		p.typeError(f.use, path, want, v)
	}
	return ro
}

func (p *wfParser) labelList(seq *yaml.Node, path string) []String {
	var out []String
	for i, item := range seq.Content {
		r := p.resolve(item)
		if !isString(r) {
			p.typeError(item, fmt.Sprintf("%s[%d]", path, i), "a runner label", r)
			continue
		}
		out = append(out, String{Value: r.Value, Pos: p.pos(item), Set: true})
	}
	return out
}

// environment reads environment: as a name or {name, url}.
func (p *wfParser) environment(m *yaml.Node, jobPos Pos, path string) String {
	f := p.lookup(m, "environment")
	switch {
	case f.key == nil:
		return String{Pos: jobPos}
	case isNull(f.val):
		return String{Pos: p.pos(f.use)}
	case f.val.Kind == yaml.ScalarNode:
		return String{Value: f.val.Value, Pos: p.pos(f.use), Set: true}
	case f.val.Kind == yaml.MappingNode:
		name := p.str(f.val, p.pos(f.key), "name", path+".name")
		// A mapping without a name still binds an environment for the security rules.
		name.Set = true
		return name
	}
	p.typeError(f.use, path, "an environment name or a mapping with name:", f.val)
	return String{Pos: p.pos(f.use)}
}

func (p *wfParser) matrix(job *yaml.Node, path string) *Matrix {
	sf := p.lookup(job, "strategy")
	if sf.key == nil || isNull(sf.val) {
		return nil
	}
	if isString(sf.val) && strings.Contains(sf.val.Value, "${{") {
		return &Matrix{Expr: String{Value: sf.val.Value, Pos: p.pos(sf.use), Set: true}, Pos: p.pos(sf.use)}
	}
	if sf.val.Kind != yaml.MappingNode {
		p.typeError(sf.use, path, "a mapping (matrix:, fail-fast:, ...)", sf.val)
		return nil
	}
	mf := p.lookup(sf.val, "matrix")
	if mf.key == nil || isNull(mf.val) {
		return nil
	}
	mx := &Matrix{Axes: map[string][]String{}, Pos: p.pos(mf.use)}
	path += ".matrix"
	if isString(mf.val) && strings.Contains(mf.val.Value, "${{") {
		mx.Expr = String{Value: mf.val.Value, Pos: p.pos(mf.use), Set: true}
		return mx
	}
	if mf.val.Kind != yaml.MappingNode {
		p.typeError(mf.use, path, "a mapping of axes, include: and exclude:", mf.val)
		return nil
	}
	p.entries(mf.val, func(k, v *yaml.Node) {
		key := k.Value
		r := p.resolve(v)
		exprString := isString(r) && strings.Contains(r.Value, "${{")
		switch key {
		case "include", "exclude":
			var rows []map[string]String
			switch {
			case isNull(r):
			case exprString:
				if !mx.Expr.Set {
					mx.Expr = String{Value: r.Value, Pos: p.pos(v), Set: true}
				}
			case r.Kind == yaml.SequenceNode:
				for i, item := range r.Content {
					row := p.resolve(item)
					if row == nil || row.Kind != yaml.MappingNode {
						p.typeError(item, fmt.Sprintf("%s.%s[%d]", path, key, i), "a mapping of matrix keys to values", row)
						continue
					}
					out := map[string]String{}
					p.entries(row, func(rk, rv *yaml.Node) {
						p.flattenValue(rk.Value, rv, func(name string, s String) { out[name] = s })
					})
					rows = append(rows, out)
				}
			default:
				p.typeError(v, path+"."+key, "a list of mappings", r)
			}
			if key == "include" {
				mx.Include = append(mx.Include, rows...)
			} else {
				mx.Exclude = append(mx.Exclude, rows...)
			}
		default:
			switch {
			case exprString:
				// One axis computed at run time (os: ${{ fromJSON(...) }}): kept as its
				// only value so the gate can say which axis it cannot expand.
				mx.Axes[key] = append(mx.Axes[key], String{Value: r.Value, Pos: p.pos(v), Set: true})
			case r != nil && r.Kind == yaml.SequenceNode:
				if _, ok := mx.Axes[key]; !ok {
					mx.Axes[key] = []String{}
				}
				for _, item := range r.Content {
					p.flattenValue(key, item, func(name string, s String) { mx.Axes[name] = append(mx.Axes[name], s) })
				}
			default:
				p.typeError(v, path+"."+key, "a list of values", r)
			}
		}
	})
	return mx
}

// flattenValue emits a matrix value under name: a scalar as itself, a mapping as a
// placeholder plus its leaves under dotted names, a list as a placeholder only.
func (p *wfParser) flattenValue(name string, v *yaml.Node, emit func(string, String)) {
	p.flattenDepth(name, v, emit, 0)
}

func (p *wfParser) flattenDepth(name string, v *yaml.Node, emit func(string, String), depth int) {
	r := p.resolve(v)
	switch {
	case r == nil:
		emit(name, String{Pos: p.pos(v)})
	case isNull(r):
		emit(name, String{Pos: p.pos(v), Set: true})
	case r.Kind == yaml.ScalarNode:
		emit(name, String{Value: r.Value, Pos: p.pos(v), Set: true})
	case r.Kind == yaml.MappingNode && depth < 8:
		emit(name, String{Pos: p.pos(v)})
		p.entries(r, func(k, sub *yaml.Node) {
			p.flattenDepth(name+"."+k.Value, sub, emit, depth+1)
		})
	default:
		emit(name, String{Pos: p.pos(v)})
	}
}

func (p *wfParser) steps(job *yaml.Node, path string) []Step {
	var out []Step
	p.mappingList(job, "steps", path, "a list of steps", "a mapping (uses: or run:)", func(item, m *yaml.Node, sp string) {
		at := p.pos(item)
		st := Step{Pos: at}
		st.Name = p.str(m, at, "name", sp+".name")
		st.Uses = p.str(m, at, "uses", sp+".uses")
		if w := p.lookup(m, "with"); w.key != nil && !isNull(w.val) {
			if w.val.Kind == yaml.MappingNode {
				st.With = p.scalarMap(w.val, sp+".with")
			} else {
				p.typeError(w.use, sp+".with", "a mapping of inputs", w.val)
			}
		}
		st.Env = p.env(p.lookup(m, "env"), sp+".env")
		st.Run = p.script(m, at, sp+".run")
		out = append(out, st)
	})
	return out
}

// needs reads needs: as one job id or a list of them.
func (p *wfParser) needs(m *yaml.Node, path string) []String {
	f := p.lookup(m, "needs")
	switch {
	case f.key == nil || isNull(f.val):
		return nil
	case isString(f.val):
		return []String{{Value: f.val.Value, Pos: p.pos(f.use), Set: true}}
	case f.val.Kind == yaml.SequenceNode:
		var out []String
		for i, item := range f.val.Content {
			r := p.resolve(item)
			if !isString(r) {
				p.typeError(item, fmt.Sprintf("%s[%d]", path, i), "a job id", r)
				continue
			}
			out = append(out, String{Value: r.Value, Pos: p.pos(item), Set: true})
		}
		return out
	}
	p.typeError(f.use, path, "a job id or a list of job ids", f.val)
	return nil
}

// script reads run: with what Script.At needs to point inside it.
func (p *wfParser) script(m *yaml.Node, stepPos Pos, path string) Script {
	f := p.lookup(m, "run")
	switch {
	case f.key == nil:
		return Script{Pos: stepPos}
	case isNull(f.val):
		return Script{Pos: p.pos(f.use)}
	case f.val.Kind != yaml.ScalarNode:
		p.typeError(f.use, path, "a shell script (a string)", f.val)
		return Script{Pos: p.pos(f.use)}
	}
	n := f.val
	return Script{Value: n.Value, Pos: p.pos(f.use), Set: true, src: p.src, spans: p.scriptSpans(n)}
}

// scriptSpans maps the lines of a scalar's value to where they are in the file, when the
// file holds them verbatim: a single-line plain or quoted scalar without escapes, or a
// literal block scalar. Every line is checked against the file text; any mismatch (an
// escape, a tab, an indentation indicator) gives up, and positions fall back to the
// scalar's start.
func (p *wfParser) scriptSpans(n *yaml.Node) []scriptSpan {
	text := p.src.text
	start := p.src.runeOffset(n.Line, n.Column)
	if start < 0 {
		return nil
	}
	if !strings.Contains(n.Value, "\n") && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		off := start
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			off++
		}
		if off+len(n.Value) <= len(text) && string(text[off:off+len(n.Value)]) == n.Value {
			return []scriptSpan{{val: 0, file: off}}
		}
		return nil
	}
	if n.Style&yaml.LiteralStyle == 0 {
		return nil
	}
	// The block's lines follow the indicator line, one value line per file line.
	nl := bytes.IndexByte(text[start:], '\n')
	if nl < 0 {
		return nil
	}
	fileLine := start + nl + 1
	indent := -1
	var spans []scriptSpan
	val := 0
	for _, line := range strings.SplitAfter(n.Value, "\n") {
		if line == "" {
			break
		}
		content := strings.TrimSuffix(line, "\n")
		end := bytes.IndexByte(text[fileLine:], '\n')
		if end < 0 {
			end = len(text) - fileLine
		}
		fl := text[fileLine : fileLine+end]
		if content != "" {
			if indent < 0 {
				indent = len(fl) - len(bytes.TrimLeft(fl, " "))
			}
			if indent > len(fl) || string(bytes.TrimRight(fl[indent:], "\r")) != content {
				return nil
			}
			spans = append(spans, scriptSpan{val: val, file: fileLine + indent})
		}
		val += len(line)
		fileLine += end + 1
		if fileLine > len(text) {
			break
		}
	}
	return spans
}

// scanSecrets appends every secrets-context reference under n. Values of `if` keys are
// expressions even without ${{ }}. Aliases are followed (an anchor defined in one job and
// used in another references the secret in both), each node once per scan.
func (p *wfParser) scanSecrets(n *yaml.Node, isIf bool, visited map[*yaml.Node]bool, out *[]SecretRef) {
	if n == nil || visited[n] || p.overBudget {
		return
	}
	if p.visits++; p.visits > maxScanVisits {
		p.overBudget = true
		return
	}
	visited[n] = true
	switch n.Kind {
	case yaml.AliasNode:
		p.scanSecrets(n.Alias, isIf, visited, out)
	case yaml.ScalarNode:
		if n.ShortTag() != "!!str" || !containsFold(n.Value, "secrets") {
			return
		}
		refs := ghexpr.SecretRefsInTemplate(n.Value, isIf)
		if len(refs) == 0 {
			return
		}
		offs := make([]int, len(refs))
		for i, r := range refs {
			offs[i] = r.Off
		}
		for i, pos := range p.positionsInScalar(n, offs) {
			*out = append(*out, SecretRef{Name: refs[i].Name, Pos: pos})
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p.scanSecrets(n.Content[i+1], k.Kind == yaml.ScalarNode && k.Value == "if", visited, out)
		}
	default:
		for _, c := range n.Content {
			p.scanSecrets(c, false, visited, out)
		}
	}
}

func dedupeRefs(refs []SecretRef) []SecretRef {
	seen := map[SecretRef]bool{}
	out := refs[:0:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pos.CompareInFile(out[j].Pos) < 0 })
	return out
}

// positionsInScalar finds where each `secrets` word at the given byte offsets (ascending)
// of scalar n's value is in the file. Quoting, folding and block indentation make value
// offsets differ from file offsets, but they never create or remove the word itself, so
// the k-th "secrets" of the value is the k-th "secrets" in the file text of the scalar
// (which ends before the next node starts). Where that does not hold (an escape sequence
// spelling the word), a position falls back to the scalar's start. One pass over the
// value and one over the file text, however many references the scalar holds.
func (p *wfParser) positionsInScalar(n *yaml.Node, offs []int) []Pos {
	out := make([]Pos, len(offs))
	fallback := p.pos(n)
	for i := range out {
		out[i] = fallback
	}
	start := p.src.runeOffset(n.Line, n.Column)
	if start < 0 {
		return out
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		// Skip the indicator line (`run: |  # a comment may say secrets`).
		nl := bytes.IndexByte(p.src.text[start:], '\n')
		if nl < 0 {
			return out
		}
		start += nl + 1
	}
	// k[i] is which occurrence of the word in the value offs[i] is.
	k := make([]int, len(offs))
	occ, i := 0, 0
	for _, o := range allFold([]byte(n.Value), "secrets") {
		for i < len(offs) && offs[i] < o {
			i++
		}
		for j := i; j < len(offs) && offs[j] == o; j++ {
			k[j] = occ
		}
		occ++
	}
	inFile := allFold(p.src.text[start:p.nextStart(start)], "secrets")
	for i := range offs {
		if k[i] < len(inFile) {
			out[i] = p.src.atOffset(start + inFile[k[i]])
		}
	}
	return out
}

// nextStart returns the start offset of the first node that begins after off, or the end of
// the text: a scalar's own text cannot extend past it.
func (p *wfParser) nextStart(off int) int {
	if p.starts == nil {
		p.starts = []int{}
		p.collectStarts(p.root)
		sort.Ints(p.starts)
	}
	i := sort.SearchInts(p.starts, off+1)
	if i < len(p.starts) {
		return p.starts[i]
	}
	return len(p.src.text)
}

func (p *wfParser) collectStarts(n *yaml.Node) {
	if n == nil {
		return
	}
	if o := p.src.runeOffset(n.Line, n.Column); o >= 0 {
		p.starts = append(p.starts, o)
	}
	if n.Kind == yaml.AliasNode {
		return
	}
	for _, c := range n.Content {
		p.collectStarts(c)
	}
}

func containsFold(s, sub string) bool { return indexFold([]byte(s), sub) >= 0 }

// allFold returns the offsets of every non-overlapping occurrence of a lower-case ASCII
// word in b, ignoring ASCII case.
func allFold(b []byte, lowerSub string) []int {
	var out []int
	for off := 0; ; {
		i := indexFold(b[off:], lowerSub)
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + len(lowerSub)
	}
}

// indexFold is a case-insensitive (ASCII) bytes.Index for a lower-case ASCII needle.
func indexFold(b []byte, lowerSub string) int {
	for i := 0; i+len(lowerSub) <= len(b); i++ {
		match := true
		for j := 0; j < len(lowerSub); j++ {
			c := b[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerSub[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
