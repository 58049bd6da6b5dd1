package overlay

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// TfvarsGlob is where Load looks for the ARC runner stack's variable files by default.
const TfvarsGlob = "tofu/stacks/arc-runners/*.tfvars"

// Namespace defaults of the core's arc-runners stack (variables.tf).
const (
	DefaultControllerNamespace = "arc-systems"
	DefaultRunnerNamespace     = "arc-runners"
)

// ParseTfvars parses one ARC runner stack variable file. Values are evaluated the way
// OpenTofu evaluates a .tfvars file: literals only, no variables or function calls, with
// OpenTofu's own conversions (max_runners = "2" is the number 2, "x" is a type error).
// rel is the root-relative path used in positions.
func ParseTfvars(rel string, data []byte) (*Tfvars, InputErrors) {
	src, ie := newSource(rel, data)
	if ie != nil {
		return nil, InputErrors{ie}
	}
	if ie := src.checkLineEnds("OpenTofu"); ie != nil {
		return nil, InputErrors{ie}
	}
	if ie := src.checkNesting(); ie != nil {
		return nil, InputErrors{ie}
	}
	if ie := src.checkOperators(true); ie != nil {
		return nil, InputErrors{ie}
	}
	p := &tfvarsParser{src: src}
	file, diags := hclsyntax.ParseConfig(src.text, rel, hcl.InitialPos)
	fatal := p.diagnostics(diags, "")
	if fatal || file == nil {
		return nil, p.errs.Sorted()
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return nil, p.errs.Sorted()
	}
	if p.checkNumberLiterals(body) {
		return nil, p.errs.Sorted()
	}
	for _, b := range body.Blocks {
		p.errf(KindSyntax, b.TypeRange, "blocks are not allowed in a variables file (found %s { ... }); write name = value", b.Type)
	}
	p.attrs = body.Attributes

	// Evaluate every attribute, known or not: OpenTofu rejects a tfvars file with a
	// non-literal anywhere, so such a file is unusable input even if we never read the key.
	p.values = map[string]cty.Value{}
	for _, a := range p.sortedAttrs() {
		if a.Name == "extra_runner_sets" {
			if _, isObj := a.Expr.(*hclsyntax.ObjectConsExpr); isObj {
				continue // evaluated item by item, with positions
			}
		}
		v, diags := a.Expr.Value(nil)
		if !p.diagnostics(diags, a.Name) {
			p.values[a.Name] = v
		}
	}

	tv := &Tfvars{File: rel}
	tv.GithubConfigURL = p.str("github_config_url")
	tv.GithubConfigSecret = p.str("github_config_secret")
	tv.ClusterContext = p.str("cluster_context")
	tv.ControllerNamespace = withDefault(p.str("controller_namespace"), DefaultControllerNamespace)
	tv.RunnerNamespace = withDefault(p.str("runner_namespace"), DefaultRunnerNamespace)
	tv.AtticServer = p.str("attic_server")
	tv.AtticCache = p.str("attic_cache")
	tv.AtticPublicKey = p.str("attic_public_key")
	tv.BazelCacheEndpoint = p.str("bazel_cache_endpoint")
	tv.BazelExecutorEndpoint = p.str("bazel_executor_endpoint")
	tv.RunnerGroup = p.str("runner_group")
	tv.RunnerGroupPolicy = p.str("runner_group_policy")
	for _, k := range LaneKinds {
		tv.Lanes = append(tv.Lanes, Lane{
			Kind:         k,
			RunnerName:   p.str(k + "_runner_name"),
			ScaleSetName: p.str(k + "_runner_scale_set_name"),
			Deploy:       p.boolean("deploy_" + k + "_runner"),
			MinRunners:   p.integer(k + "_min_runners"),
			MaxRunners:   p.integer(k + "_max_runners"),
		})
	}
	tv.ExtraRunnerSets = p.runnerSets()
	return tv, p.errs.Sorted()
}

func withDefault(s String, def string) String {
	if !s.Set {
		s.Value = def
	}
	return s
}

type tfvarsParser struct {
	src    *source
	attrs  hclsyntax.Attributes
	values map[string]cty.Value // top-level attributes that evaluated cleanly
	errs   InputErrors
}

func (p *tfvarsParser) at(r hcl.Range) Pos { return p.src.atByte(r.Start.Line, r.Start.Byte) }

func (p *tfvarsParser) errf(kind string, r hcl.Range, format string, args ...any) {
	p.errs = append(p.errs, &InputError{Pos: p.at(r), Kind: kind, Msg: fmt.Sprintf(format, args...)})
}

func (p *tfvarsParser) sortedAttrs() []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(p.attrs))
	for _, a := range p.attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NameRange.Start.Byte < out[j].NameRange.Start.Byte })
	return out
}

var redefinedRE = regexp.MustCompile(`already set at [^\n]*?:(\d+),`)

// diagnostics records HCL error diagnostics and reports whether any was one; what names the
// attribute being evaluated ("" while parsing). A redefined attribute is KindDuplicate.
func (p *tfvarsParser) diagnostics(diags hcl.Diagnostics, what string) bool {
	bad := false
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		r := hcl.Range{Start: hcl.InitialPos}
		if d.Subject != nil {
			r = *d.Subject
		}
		if d.Summary == "Attribute redefined" || d.Summary == "Argument redefined" {
			name := strings.TrimSpace(string(p.src.text[clamp(r.Start.Byte, len(p.src.text)):clamp(r.End.Byte, len(p.src.text))]))
			msg := fmt.Sprintf("duplicate attribute %q", name)
			if m := redefinedRE.FindStringSubmatch(d.Detail); m != nil {
				msg += " (first set at line " + m[1] + ")"
			}
			p.errs = append(p.errs, &InputError{Pos: p.at(r), Kind: KindDuplicate, Msg: msg})
			continue
		}
		bad = true
		msg := strings.TrimSuffix(d.Summary, ".")
		if d.Detail != "" {
			msg += ": " + strings.TrimSuffix(d.Detail, ".")
		}
		if what != "" {
			msg = what + ": " + msg
		}
		if what != "" && (d.Summary == "Variables not allowed" || d.Summary == "Function calls not allowed") {
			msg += " (a .tfvars file holds literal values only)"
		}
		p.errs = append(p.errs, &InputError{Pos: p.at(r), Kind: KindSyntax, Msg: "invalid HCL: " + msg})
	}
	return bad
}

func clamp(i, n int) int { return max(0, min(i, n)) }

// maxNumberExp bounds the binary exponent of numbers the loader handles (2^10000 is about
// 1e3010). Parsing 1e400000000 is instant, but turning it into decimal text (a message,
// a string conversion, a template) takes effectively forever; no runner count or label
// needs such a number.
const maxNumberExp = 10000

// checkNumberLiterals reports number literals too large to handle, before any evaluation.
func (p *tfvarsParser) checkNumberLiterals(body *hclsyntax.Body) bool {
	bad := false
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if lit, ok := n.(*hclsyntax.LiteralValueExpr); ok && !numberInRange(lit.Val) {
			p.errf(KindSyntax, lit.SrcRange, "number literal is too large (more than about 3000 decimal digits)")
			bad = true
		}
		return nil
	})
	return bad
}

// numberInRange reports whether every number in v (a number, or a collection holding
// numbers, such as a string converted from one) has a manageable exponent.
func numberInRange(v cty.Value) bool {
	ok := true
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		if x.Type() == cty.Number && x.IsKnown() && !x.IsNull() {
			bf := x.AsBigFloat()
			if !bf.IsInf() && bf.Sign() != 0 {
				if e := bf.MantExp(nil); e > maxNumberExp || e < -maxNumberExp {
					ok = false
				}
			}
		}
		return ok, nil
	})
	return ok
}

// scalar returns a top-level attribute's value and position; ok is false when it is absent,
// null or failed to evaluate (then the returned position is where the value would be).
func (p *tfvarsParser) scalar(name string) (cty.Value, hcl.Range, bool, bool) {
	a, present := p.attrs[name]
	if !present {
		return cty.NilVal, hcl.Range{}, false, false
	}
	v, ok := p.values[name]
	if !ok || v.IsNull() {
		return cty.NilVal, a.Expr.Range(), true, false
	}
	return v, a.Expr.Range(), true, true
}

func (p *tfvarsParser) str(name string) String {
	v, r, present, ok := p.scalar(name)
	if !present {
		return String{Pos: p.src.filePos()}
	}
	if !ok {
		return String{Pos: p.at(r)}
	}
	return p.toString(v, r, name)
}

func (p *tfvarsParser) boolean(name string) Bool {
	v, r, present, ok := p.scalar(name)
	if !present {
		return Bool{Pos: p.src.filePos()}
	}
	if !ok {
		return Bool{Pos: p.at(r)}
	}
	return p.toBool(v, r, name)
}

func (p *tfvarsParser) integer(name string) Int {
	v, r, present, ok := p.scalar(name)
	if !present {
		return Int{Pos: p.src.filePos()}
	}
	if !ok {
		return Int{Pos: p.at(r)}
	}
	return p.toInt(v, r, name)
}

func (p *tfvarsParser) toString(v cty.Value, r hcl.Range, what string) String {
	if !numberInRange(v) {
		p.errf(KindType, r, "%s: expected a string, got an out-of-range number", what)
		return String{Pos: p.at(r)}
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || !s.IsKnown() {
		p.errf(KindType, r, "%s: expected a string, got %s", what, describeValue(v))
		return String{Pos: p.at(r)}
	}
	if s.IsNull() {
		return String{Pos: p.at(r)}
	}
	return String{Value: s.AsString(), Pos: p.at(r), Set: true}
}

func (p *tfvarsParser) toBool(v cty.Value, r hcl.Range, what string) Bool {
	b, err := convert.Convert(v, cty.Bool)
	if err != nil || !b.IsKnown() {
		p.errf(KindType, r, "%s: expected a boolean (true or false), got %s", what, describeValue(v))
		return Bool{Pos: p.at(r)}
	}
	if b.IsNull() {
		return Bool{Pos: p.at(r)}
	}
	return Bool{Value: b.True(), Pos: p.at(r), Set: true}
}

func (p *tfvarsParser) toInt(v cty.Value, r hcl.Range, what string) Int {
	n, err := convert.Convert(v, cty.Number)
	if err == nil && !numberInRange(n) {
		p.errf(KindType, r, "%s: expected a whole number, got an out-of-range number", what)
		return Int{Pos: p.at(r)}
	}
	if err != nil || !n.IsKnown() {
		p.errf(KindType, r, "%s: expected a whole number, got %s", what, describeValue(v))
		return Int{Pos: p.at(r)}
	}
	if n.IsNull() {
		return Int{Pos: p.at(r)}
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	if acc != big.Exact || !bf.IsInt() {
		p.errf(KindType, r, "%s: expected a whole number, got %s", what, bf.Text('g', 10))
		return Int{Pos: p.at(r)}
	}
	return Int{Value: i, Pos: p.at(r), Set: true}
}

// describeValue names a value's type for "expected X, got Y" messages.
func describeValue(v cty.Value) string {
	if v == cty.NilVal || !v.IsKnown() {
		return "an unknown value"
	}
	if v.IsNull() {
		return "null"
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return "the string " + strconv.Quote(v.AsString())
	case t == cty.Number:
		if !numberInRange(v) {
			return "an out-of-range number"
		}
		return "the number " + v.AsBigFloat().Text('g', 10)
	case t == cty.Bool:
		return fmt.Sprintf("the boolean %t", v.True())
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "an object"
	default:
		return t.FriendlyName()
	}
}

// objectKey evaluates an object constructor key; bare identifiers are literal names, and
// HCL allows dashes in them (tinyland-nix-heavy-compute-expansion = { ... }).
func (p *tfvarsParser) objectKey(item hclsyntax.ObjectConsItem, what string) (string, bool) {
	kv, diags := item.KeyExpr.Value(nil)
	if p.diagnostics(diags, what+" key") {
		return "", false
	}
	if !numberInRange(kv) {
		p.errf(KindType, item.KeyExpr.Range(), "%s: a key must be a string, got an out-of-range number", what)
		return "", false
	}
	ks, err := convert.Convert(kv, cty.String)
	if err != nil || ks.IsNull() || !ks.IsKnown() {
		p.errf(KindType, item.KeyExpr.Range(), "%s: a key must be a string, got %s", what, describeValue(kv))
		return "", false
	}
	return ks.AsString(), true
}

// objectItems walks an object constructor, reporting duplicate keys (HCL keeps the last one
// silently, which would hide a shadowed runner set or label).
func (p *tfvarsParser) objectItems(oc *hclsyntax.ObjectConsExpr, what string, each func(key string, item hclsyntax.ObjectConsItem)) {
	first := map[string]hcl.Range{}
	for _, item := range oc.Items {
		key, ok := p.objectKey(item, what)
		if !ok {
			continue
		}
		if prev, dup := first[key]; dup {
			p.errf(KindDuplicate, item.KeyExpr.Range(), "%s: duplicate key %q (first given at line %d)", what, key, prev.Start.Line)
			continue
		}
		first[key] = item.KeyExpr.Range()
		each(key, item)
	}
}

func (p *tfvarsParser) runnerSets() []RunnerSet {
	a, present := p.attrs["extra_runner_sets"]
	if !present {
		return nil
	}
	oc, isObj := a.Expr.(*hclsyntax.ObjectConsExpr)
	if !isObj {
		if v, ok := p.values["extra_runner_sets"]; ok && !v.IsNull() {
			p.errf(KindType, a.Expr.Range(), "extra_runner_sets: expected a map of runner sets ({ name = { runner_label = ..., ... } }), got %s", describeValue(v))
		}
		return nil
	}
	var sets []RunnerSet
	p.objectItems(oc, "extra_runner_sets", func(name string, item hclsyntax.ObjectConsItem) {
		what := fmt.Sprintf("extra_runner_sets[%q]", name)
		rs := RunnerSet{Key: String{Value: name, Pos: p.at(item.KeyExpr.Range()), Set: true}, Pos: p.at(item.KeyExpr.Range())}
		entry, isObj := item.ValueExpr.(*hclsyntax.ObjectConsExpr)
		if !isObj {
			v, diags := item.ValueExpr.Value(nil)
			if !p.diagnostics(diags, what) {
				p.errf(KindType, item.ValueExpr.Range(), "%s: expected an object { runner_label = ..., ... }, got %s", what, describeValue(v))
			}
			return
		}
		fields := map[string]hclsyntax.ObjectConsItem{}
		p.objectItems(entry, what, func(key string, it hclsyntax.ObjectConsItem) { fields[key] = it })
		get := func(key string) (cty.Value, hcl.Range, bool) {
			it, ok := fields[key]
			if !ok {
				return cty.NilVal, hcl.Range{}, false
			}
			v, diags := it.ValueExpr.Value(nil)
			if p.diagnostics(diags, what+"."+key) {
				v = cty.NullVal(cty.DynamicPseudoType)
			}
			return v, it.ValueExpr.Range(), true
		}
		str := func(key string) String {
			v, r, ok := get(key)
			switch {
			case !ok:
				return String{Pos: rs.Pos}
			case v.IsNull():
				return String{Pos: p.at(r)}
			}
			return p.toString(v, r, what+"."+key)
		}
		integer := func(key string) Int {
			v, r, ok := get(key)
			switch {
			case !ok:
				return Int{Pos: rs.Pos}
			case v.IsNull():
				return Int{Pos: p.at(r)}
			}
			return p.toInt(v, r, what+"."+key)
		}
		rs.GithubConfigURL = str("github_config_url")
		rs.GithubConfigSecret = str("github_config_secret")
		rs.RunnerLabel = str("runner_label")
		rs.RunnerScaleSetName = str("runner_scale_set_name")
		rs.RunnerType = str("runner_type")
		rs.RunnerGroup = str("runner_group")
		rs.MinRunners = integer("min_runners")
		rs.MaxRunners = integer("max_runners")
		rs.AtticServer = str("attic_server")
		rs.BazelCacheEndpoint = str("bazel_cache_endpoint")
		rs.BazelExecutorEndpoint = str("bazel_executor_endpoint")
		rs.RunnerLabels = p.labelList(fields, "runner_labels", what+".runner_labels", rs.Pos)
		sets = append(sets, rs)
	})
	return sets
}

// labelList reads a list of strings keeping each item's position when written as a tuple
// constructor ([ "a", "b" ]).
func (p *tfvarsParser) labelList(fields map[string]hclsyntax.ObjectConsItem, key, what string, entryPos Pos) StringList {
	it, ok := fields[key]
	if !ok {
		return StringList{Pos: entryPos}
	}
	r := it.ValueExpr.Range()
	if tuple, isTuple := it.ValueExpr.(*hclsyntax.TupleConsExpr); isTuple {
		l := StringList{Pos: p.at(r), Set: true}
		for i, e := range tuple.Exprs {
			v, diags := e.Value(nil)
			itemWhat := fmt.Sprintf("%s[%d]", what, i)
			if p.diagnostics(diags, itemWhat) {
				continue
			}
			if v.IsNull() {
				p.errf(KindType, e.Range(), "%s: expected a string, got null", itemWhat)
				continue
			}
			if s := p.toString(v, e.Range(), itemWhat); s.Set {
				l.Values = append(l.Values, s)
			}
		}
		return l
	}
	v, diags := it.ValueExpr.Value(nil)
	if p.diagnostics(diags, what) || v.IsNull() {
		return StringList{Pos: p.at(r)}
	}
	if !numberInRange(v) {
		p.errf(KindType, r, "%s: expected a list of strings, got a list holding an out-of-range number", what)
		return StringList{Pos: p.at(r)}
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || !lv.IsWhollyKnown() {
		p.errf(KindType, r, "%s: expected a list of strings, got %s", what, describeValue(v))
		return StringList{Pos: p.at(r)}
	}
	l := StringList{Pos: p.at(r), Set: true}
	if lv.IsNull() {
		return StringList{Pos: p.at(r)}
	}
	for _, e := range lv.AsValueSlice() {
		if !e.IsNull() {
			l.Values = append(l.Values, String{Value: e.AsString(), Pos: p.at(r), Set: true})
		}
	}
	return l
}
