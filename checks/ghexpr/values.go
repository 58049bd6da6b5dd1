package ghexpr

import (
	"encoding/json"
	"strconv"
	"strings"
)

// ValueKind is the type of a known value.
type ValueKind int

const (
	NullValue ValueKind = iota
	BoolValue
	NumberValue
	StringValue
	// ListValue is a list of strings (fromJSON('["self-hosted", "tinyland-nix"]')), the only
	// composite a runs-on expression can usefully produce.
	ListValue
)

// Value is one value an expression may take.
type Value struct {
	Kind ValueKind
	Bool bool
	Num  float64
	Str  string
	List []string
	// Origin is the caller's tag for where the value came from (e.g. the index of a matrix
	// value); -1 for values the expression itself spells out.
	Origin int
}

// Truthy applies GitHub's truthiness: false, 0, NaN, "" and null are falsy.
func (v Value) Truthy() bool {
	switch v.Kind {
	case BoolValue:
		return v.Bool
	case NumberValue:
		return v.Num != 0 && v.Num == v.Num
	case StringValue:
		return v.Str != ""
	case ListValue:
		return true
	}
	return false
}

// String renders a scalar the way the runner coerces it into a string.
func (v Value) String() string {
	switch v.Kind {
	case BoolValue:
		return strconv.FormatBool(v.Bool)
	case NumberValue:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case StringValue:
		return v.Str
	case ListValue:
		return "[" + strings.Join(v.List, ", ") + "]"
	}
	return ""
}

// Outcome is the set of values an expression may evaluate to. Values lists the known ones;
// UnknownTruthy / UnknownFalsy say that some unknown value (truthy or falsy) is possible
// too, and Unresolved names the sub-expressions responsible.
type Outcome struct {
	Values        []Value
	UnknownTruthy bool
	UnknownFalsy  bool
	Unresolved    []Unresolved
}

// Unresolved is a sub-expression whose value cannot be known, and why (may be empty).
type Unresolved struct {
	Expr string
	Why  string
}

// String renders "expr: why" (or just expr).
func (u Unresolved) String() string {
	if u.Why == "" {
		return u.Expr
	}
	return u.Expr + ": " + u.Why
}

// Known reports whether every possible value is known.
func (o Outcome) Known() bool { return !o.UnknownTruthy && !o.UnknownFalsy }

// Resolver returns the possible values of a context path (lower-cased, e.g. ["matrix",
// "runner"]). ok=false means the path cannot be known hermetically; why then says why (it
// is shown to the operator).
type Resolver func(path []string) (values []Value, ok bool, why string)

// MaxValues caps how many alternatives an evaluation tracks; past it the outcome is unknown.
const MaxValues = 256

// Evaluate computes the values an expression may take, resolving context paths through r.
// It understands literals, context paths, fromJSON of a literal, the && / || value-select
// idiom (cond && 'a' || 'b') and comparisons (which always yield booleans); anything else
// is unknown.
func Evaluate(n Node, r Resolver) Outcome {
	switch x := n.(type) {
	case *Literal:
		return known(literalValue(x))
	case *Ident, *Property, *Index:
		path, ok := Path(n)
		if !ok {
			return unknown(Format(n), "")
		}
		vals, ok, why := r(path)
		if !ok {
			return unknown(Format(n), why)
		}
		if len(vals) > MaxValues {
			return unknown(Format(n), "too many values")
		}
		return Outcome{Values: vals}
	case *Call:
		if strings.EqualFold(x.Func, "fromJSON") && len(x.Args) == 1 {
			if lit, ok := x.Args[0].(*Literal); ok && lit.Kind == StringLit {
				if v, ok := jsonValue(lit.Str); ok {
					return known(v)
				}
			}
		}
		return unknown(Format(n), "")
	case *Not:
		return known(Value{Kind: BoolValue, Bool: true, Origin: -1}, Value{Kind: BoolValue, Origin: -1})
	case *Binary:
		switch x.Op {
		case "&&":
			return selectAnd(Evaluate(x.L, r), x.R, r)
		case "||":
			return selectOr(Evaluate(x.L, r), x.R, r)
		default:
			return known(Value{Kind: BoolValue, Bool: true, Origin: -1}, Value{Kind: BoolValue, Origin: -1})
		}
	}
	return unknown(Format(n), "")
}

// selectAnd: a && b yields a's falsy values, and b whenever a may be truthy.
func selectAnd(a Outcome, b Node, r Resolver) Outcome {
	out := Outcome{UnknownFalsy: a.UnknownFalsy}
	mayTruthy := a.UnknownTruthy
	for _, v := range a.Values {
		if v.Truthy() {
			mayTruthy = true
		} else {
			out.Values = append(out.Values, v)
		}
	}
	if a.UnknownFalsy {
		out.Unresolved = append(out.Unresolved, a.Unresolved...)
	}
	if mayTruthy {
		out = merge(out, Evaluate(b, r))
	}
	return capped(out)
}

// selectOr: a || b yields a's truthy values, and b whenever a may be falsy.
func selectOr(a Outcome, b Node, r Resolver) Outcome {
	out := Outcome{UnknownTruthy: a.UnknownTruthy}
	mayFalsy := a.UnknownFalsy
	for _, v := range a.Values {
		if v.Truthy() {
			out.Values = append(out.Values, v)
		} else {
			mayFalsy = true
		}
	}
	if a.UnknownTruthy {
		out.Unresolved = append(out.Unresolved, a.Unresolved...)
	}
	if mayFalsy {
		out = merge(out, Evaluate(b, r))
	}
	return capped(out)
}

func merge(a, b Outcome) Outcome {
	a.Values = append(a.Values, b.Values...)
	a.UnknownTruthy = a.UnknownTruthy || b.UnknownTruthy
	a.UnknownFalsy = a.UnknownFalsy || b.UnknownFalsy
	for _, u := range b.Unresolved {
		if !containsUnresolved(a.Unresolved, u) {
			a.Unresolved = append(a.Unresolved, u)
		}
	}
	return a
}

func capped(o Outcome) Outcome {
	if len(o.Values) > MaxValues {
		return Outcome{UnknownTruthy: true, UnknownFalsy: true, Unresolved: append(o.Unresolved, Unresolved{Expr: "the expression", Why: "too many alternatives"})}
	}
	return o
}

func containsUnresolved(xs []Unresolved, s Unresolved) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func known(vs ...Value) Outcome { return Outcome{Values: vs} }

func unknown(expr, why string) Outcome {
	return Outcome{UnknownTruthy: true, UnknownFalsy: true, Unresolved: []Unresolved{{Expr: expr, Why: why}}}
}

func literalValue(x *Literal) Value {
	switch x.Kind {
	case BoolLit:
		return Value{Kind: BoolValue, Bool: x.Bool, Origin: -1}
	case NumberLit:
		return Value{Kind: NumberValue, Num: x.Num, Origin: -1}
	case StringLit:
		return Value{Kind: StringValue, Str: x.Str, Origin: -1}
	}
	return Value{Kind: NullValue, Origin: -1}
}

// jsonValue reads a JSON scalar or an array of strings.
func jsonValue(s string) (Value, bool) {
	var raw any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return Value{}, false
	}
	switch v := raw.(type) {
	case nil:
		return Value{Kind: NullValue, Origin: -1}, true
	case bool:
		return Value{Kind: BoolValue, Bool: v, Origin: -1}, true
	case float64:
		return Value{Kind: NumberValue, Num: v, Origin: -1}, true
	case string:
		return Value{Kind: StringValue, Str: v, Origin: -1}, true
	case []any:
		list := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return Value{}, false
			}
			list = append(list, s)
		}
		return Value{Kind: ListValue, List: list, Origin: -1}, true
	}
	return Value{}, false
}
