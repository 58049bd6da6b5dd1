package workflows

import (
	"fmt"
	"strings"

	"github.com/tinyland-inc/gf-enrollment/checks/ghexpr"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// label is one concrete runs-on label after expansion. pos is where an operator fixes it:
// the runs-on scalar for a literal, the matrix value for an expanded one (then via says
// which runs-on used it).
type label struct {
	value string
	pos   overlay.Pos
	via   string
}

// alternative is one value a runs-on entry can take (an expression can yield a list).
// incomplete marks values the gate could not determine.
type alternative struct {
	labels     []label
	incomplete bool
}

// labelSet is one combination of labels a job can request.
type labelSet struct {
	labels     []label
	incomplete bool
}

type unresolvedExpr struct {
	pos       overlay.Pos
	expr, why string
}

type expansion struct {
	perLabel   [][]alternative // per runs-on entry, what it can be
	sets       []labelSet      // their combinations
	unresolved []unresolvedExpr
}

// maxSets caps label combinations; labels are judged one by one in any case, so the cap
// only limits the generic-labels-only check on absurd matrices.
const maxSets = 256

// maxCombos caps the matrix rows enumerated to decide which axis values survive exclude.
const maxCombos = 4096

func (c *gateRun) expand(job *overlay.Job) expansion {
	var exp expansion
	mr := &matrixResolver{mx: job.Matrix, exp: &exp}
	for _, l := range job.RunsOn.Labels {
		exp.perLabel = append(exp.perLabel, expandLabel(l, mr, &exp))
	}
	exp.sets = product(exp.perLabel)
	return exp
}

func expandLabel(l overlay.String, mr *matrixResolver, exp *expansion) []alternative {
	if !strings.Contains(l.Value, "${{") {
		return []alternative{{labels: []label{{value: l.Value, pos: l.Pos}}}}
	}
	via := fmt.Sprintf("strategy.matrix value used by runs-on at line %d", l.Pos.Line)
	at := func(v ghexpr.Value) (overlay.Pos, string) {
		if v.Origin >= 0 && v.Origin < len(mr.origins) {
			return mr.origins[v.Origin], via
		}
		return l.Pos, ""
	}
	if sp, single := ghexpr.IsSingle(l.Value); single {
		// A lone expression keeps its type: a list becomes several labels.
		node, err := ghexpr.Parse(sp.Expr)
		if err != nil {
			exp.unresolved = append(exp.unresolved, unresolvedExpr{pos: l.Pos, expr: strings.TrimSpace(l.Value), why: "not a valid expression: " + err.Error()})
			return []alternative{{incomplete: true}}
		}
		mr.partial = false
		out := ghexpr.Evaluate(node, mr.resolve)
		var alts []alternative
		for _, v := range out.Values {
			pos, via := at(v)
			if v.Kind == ghexpr.ListValue {
				var ls []label
				for _, s := range v.List {
					ls = append(ls, label{value: s, pos: pos, via: via})
				}
				alts = append(alts, alternative{labels: ls})
				continue
			}
			alts = append(alts, alternative{labels: []label{{value: v.String(), pos: pos, via: via}}})
		}
		if !out.Known() {
			exp.unresolved = append(exp.unresolved, unresolvedExpr{pos: l.Pos, expr: "${{ " + ghexpr.Format(node) + " }}", why: explain(node, out.Unresolved)})
		}
		if !out.Known() || mr.partial || len(alts) == 0 {
			alts = append(alts, alternative{incomplete: true})
		}
		return alts
	}
	return expandTemplate(l, mr, exp, at)
}

// expandTemplate expands a label with text around its expressions (tinyland-${{ matrix.lane }}):
// every combination of the expressions' values, rendered as strings.
func expandTemplate(l overlay.String, mr *matrixResolver, exp *expansion, at func(ghexpr.Value) (overlay.Pos, string)) []alternative {
	type partial struct {
		text   string
		origin *ghexpr.Value
	}
	acc := []partial{{}}
	incomplete := false
	last := 0
	for _, sp := range ghexpr.Embedded(l.Value) {
		lit := l.Value[last:sp.Start]
		last = sp.End
		node, err := ghexpr.Parse(sp.Expr)
		if err != nil || !sp.Closed {
			why := "an unclosed ${{"
			if err != nil {
				why = "not a valid expression: " + err.Error()
			}
			exp.unresolved = append(exp.unresolved, unresolvedExpr{pos: l.Pos, expr: l.Value, why: why})
			return []alternative{{incomplete: true}}
		}
		mr.partial = false
		out := ghexpr.Evaluate(node, mr.resolve)
		if !out.Known() {
			exp.unresolved = append(exp.unresolved, unresolvedExpr{pos: l.Pos, expr: "${{ " + ghexpr.Format(node) + " }}", why: explain(node, out.Unresolved)})
			incomplete = true
		}
		incomplete = incomplete || mr.partial
		var next []partial
		for _, p := range acc {
			for i := range out.Values {
				v := out.Values[i]
				if v.Kind == ghexpr.ListValue {
					incomplete = true
					continue
				}
				np := partial{text: p.text + lit + v.String(), origin: p.origin}
				if np.origin == nil && v.Origin >= 0 {
					np.origin = &out.Values[i]
				}
				next = append(next, np)
				if len(next) > ghexpr.MaxValues {
					exp.unresolved = append(exp.unresolved, unresolvedExpr{pos: l.Pos, expr: l.Value, why: "too many combinations"})
					return []alternative{{incomplete: true}}
				}
			}
		}
		acc = next
	}
	var alts []alternative
	for _, p := range acc {
		pos, via := l.Pos, ""
		if p.origin != nil {
			pos, via = at(*p.origin)
		}
		alts = append(alts, alternative{labels: []label{{value: p.text + l.Value[last:], pos: pos, via: via}}})
	}
	if incomplete || len(alts) == 0 {
		alts = append(alts, alternative{incomplete: true})
	}
	return alts
}

// explain says why an expression could not be expanded: the reason alone when the whole
// expression is the unknown part, else each unknown part with its reason.
func explain(node ghexpr.Node, us []ghexpr.Unresolved) string {
	whole := ghexpr.Format(node)
	var parts []string
	for _, u := range us {
		switch {
		case u.Expr == whole && u.Why != "":
			parts = append(parts, u.Why)
		case u.Expr != whole:
			parts = append(parts, u.String())
		}
	}
	return strings.Join(parts, "; ")
}

func product(perLabel [][]alternative) []labelSet {
	sets := []labelSet{{}}
	for _, alts := range perLabel {
		if len(alts) == 0 {
			alts = []alternative{{incomplete: true}}
		}
		var next []labelSet
		for _, s := range sets {
			for _, a := range alts {
				if len(next) >= maxSets {
					break
				}
				ls := append(append([]label(nil), s.labels...), a.labels...)
				next = append(next, labelSet{labels: ls, incomplete: s.incomplete || a.incomplete})
			}
		}
		sets = next
	}
	return sets
}

// matrixResolver answers ghexpr's context lookups for one job: matrix.<key> from the job's
// strategy.matrix; every other context is unknown hermetically.
type matrixResolver struct {
	mx      *overlay.Matrix
	exp     *expansion
	origins []overlay.Pos // Value.Origin indexes this
	partial bool          // some matrix values could not be used (lists, expressions)
}

// contextWhy explains why a context cannot be known before a run.
var contextWhy = map[string]string{
	"inputs":   "a workflow input, chosen by whoever triggers or calls the workflow",
	"needs":    "a job output, known only at run time",
	"vars":     "a configuration variable, stored in repository settings",
	"github":   "run-time event data",
	"env":      "an environment variable",
	"steps":    "a step output, known only at run time",
	"jobs":     "a job output, known only at run time",
	"strategy": "run-time strategy data",
	"runner":   "run-time runner data",
	"secrets":  "a secret",
}

func (m *matrixResolver) resolve(path []string) ([]ghexpr.Value, bool, string) {
	if path[0] != "matrix" {
		return nil, false, contextWhy[path[0]]
	}
	if m.mx == nil {
		return nil, false, "the job has no strategy.matrix"
	}
	if len(path) == 1 {
		return nil, false, "the whole matrix object is not a label"
	}
	key := strings.Join(path[1:], ".")
	vals := matrixValues(m.mx, key)
	if m.mx.Expr.Set {
		why := fmt.Sprintf("the matrix is computed at run time by %s", strings.TrimSpace(m.mx.Expr.Value))
		if len(vals) == 0 {
			return nil, false, why
		}
		m.exp.unresolved = append(m.exp.unresolved, unresolvedExpr{pos: m.mx.Expr.Pos, expr: strings.TrimSpace(m.mx.Expr.Value),
			why: "matrix rows computed at run time may add other values of matrix." + key})
		m.partial = true
	}
	if len(vals) == 0 {
		return nil, false, "strategy.matrix has no key " + key
	}
	var out []ghexpr.Value
	for _, v := range vals {
		switch {
		case !v.Set:
			m.exp.unresolved = append(m.exp.unresolved, unresolvedExpr{pos: v.Pos, expr: "matrix." + key,
				why: "this matrix value is a list or mapping, not a label"})
			m.partial = true
		case strings.Contains(v.Value, "${{"):
			m.exp.unresolved = append(m.exp.unresolved, unresolvedExpr{pos: v.Pos, expr: strings.TrimSpace(v.Value),
				why: "this matrix axis is computed at run time"})
			m.partial = true
		default:
			m.origins = append(m.origins, v.Pos)
			out = append(out, ghexpr.Value{Kind: ghexpr.StringValue, Str: v.Value, Origin: len(m.origins) - 1})
		}
	}
	return out, true, ""
}

// matrixValues returns the values matrix.<key> takes: the axis values that survive exclude,
// then every include row's value for the key. Keys match case-insensitively, as GitHub's
// expression lookups do.
func matrixValues(mx *overlay.Matrix, key string) []overlay.String {
	var out []overlay.String
	seen := map[string]bool{}
	addVal := func(v overlay.String) {
		k := fmt.Sprintf("%t|%s|%s", v.Set, v.Value, v.Pos)
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	for _, axis := range sortedKeys(mx.Axes) {
		if strings.EqualFold(axis, key) {
			for _, v := range survivors(mx, axis) {
				addVal(v)
			}
		}
	}
	for _, row := range mx.Include {
		for _, k := range sortedKeys(row) {
			if strings.EqualFold(k, key) {
				addVal(row[k])
			}
		}
	}
	return out
}

// survivors returns the values of axis that appear in at least one row the exclude list
// does not remove.
func survivors(mx *overlay.Matrix, axis string) []overlay.String {
	vals := mx.Axes[axis]
	if len(mx.Exclude) == 0 {
		return vals
	}
	var others []string
	total := 1
	for _, k := range sortedKeys(mx.Axes) {
		if k == axis {
			continue
		}
		others = append(others, k)
		total *= len(mx.Axes[k])
		if total > maxCombos {
			return vals
		}
	}
	if total == 0 {
		return nil
	}
	var out []overlay.String
	row := map[string]overlay.String{}
	for _, v := range vals {
		row[axis] = v
		for i := 0; i < total; i++ {
			n := i
			for _, k := range others {
				vs := mx.Axes[k]
				row[k] = vs[n%len(vs)]
				n /= len(vs)
			}
			if !excluded(mx.Exclude, row) {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

func excluded(excludes []map[string]overlay.String, row map[string]overlay.String) bool {
	for _, ex := range excludes {
		if len(ex) > 0 && matches(ex, row) {
			return true
		}
	}
	return false
}

func matches(ex, row map[string]overlay.String) bool {
	for k, want := range ex {
		got, ok := lookupFold(row, k)
		if !ok || !want.Set || !got.Set || got.Value != want.Value {
			return false
		}
	}
	return true
}

func lookupFold(m map[string]overlay.String, key string) (overlay.String, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for _, k := range sortedKeys(m) {
		if strings.EqualFold(k, key) {
			return m[k], true
		}
	}
	return overlay.String{}, false
}
