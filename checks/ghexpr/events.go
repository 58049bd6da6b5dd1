package ghexpr

import (
	"encoding/json"
	"sort"
	"strings"
)

// EventSet is a set of event names that may be infinite: either exactly Names, or (when
// Except is true) every event except Names. Names are lower-case.
type EventSet struct {
	Except bool
	Names  map[string]bool
}

// AllEvents is every event.
func AllEvents() EventSet { return EventSet{Except: true} }

// NoEvents is the empty set.
func NoEvents() EventSet { return EventSet{} }

// Events is the finite set of the given names.
func Events(names ...string) EventSet {
	s := EventSet{Names: map[string]bool{}}
	for _, n := range names {
		s.Names[strings.ToLower(n)] = true
	}
	return s
}

// Has reports membership.
func (s EventSet) Has(name string) bool { return s.Names[strings.ToLower(name)] != s.Except }

// IsAll reports whether s is every event.
func (s EventSet) IsAll() bool { return s.Except && len(s.Names) == 0 }

func (s EventSet) complement() EventSet { return EventSet{Except: !s.Except, Names: s.Names} }

// Union returns s ∪ o.
func (s EventSet) Union(o EventSet) EventSet {
	switch {
	case !s.Except && !o.Except:
		return EventSet{Names: union(s.Names, o.Names)}
	case s.Except && o.Except:
		return EventSet{Except: true, Names: intersect(s.Names, o.Names)}
	case s.Except: // (U \ a) ∪ b = U \ (a \ b)
		return EventSet{Except: true, Names: minus(s.Names, o.Names)}
	default:
		return o.Union(s)
	}
}

// Intersect returns s ∩ o.
func (s EventSet) Intersect(o EventSet) EventSet {
	return s.complement().Union(o.complement()).complement()
}

// String renders the set for messages and tests: "push, schedule" or "all except pull_request".
func (s EventSet) String() string {
	names := make([]string, 0, len(s.Names))
	for n := range s.Names {
		names = append(names, n)
	}
	sort.Strings(names)
	switch {
	case s.IsAll():
		return "all"
	case s.Except:
		return "all except " + strings.Join(names, ", ")
	case len(names) == 0:
		return "none"
	}
	return strings.Join(names, ", ")
}

func union(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func intersect(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}

func minus(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	return out
}

// truth is what a condition may evaluate to, per event: T holds the events for which it may
// be true, F those for which it may be false. Both over-approximate.
type truth struct{ T, F EventSet }

var unknownTruth = truth{T: AllEvents(), F: AllEvents()}

// EventsAllowed returns the events for which a job-level `if:` condition may be true, or
// AllEvents when it cannot tell. It recognises only clear forms — github.event_name
// compared (== / !=) with a string literal, contains(fromJSON('[...]'),
// github.event_name), literals, and !, &&, || over those — and treats every other
// sub-expression (startsWith(github.ref, ...), success(), inputs.x, ...) as possibly true
// and possibly false for every event. A nil node (no `if:`) allows every event.
func EventsAllowed(n Node) EventSet {
	if n == nil {
		return AllEvents()
	}
	return condTruth(n).T
}

func condTruth(n Node) truth {
	switch x := n.(type) {
	case *Literal:
		if literalTruthy(x) {
			return truth{T: AllEvents(), F: NoEvents()}
		}
		return truth{T: NoEvents(), F: AllEvents()}
	case *Not:
		t := condTruth(x.X)
		return truth{T: t.F, F: t.T}
	case *Binary:
		switch x.Op {
		case "&&":
			l, r := condTruth(x.L), condTruth(x.R)
			return truth{T: l.T.Intersect(r.T), F: l.F.Union(r.F)}
		case "||":
			l, r := condTruth(x.L), condTruth(x.R)
			return truth{T: l.T.Union(r.T), F: l.F.Intersect(r.F)}
		case "==", "!=":
			name, ok := eventNameComparison(x.L, x.R)
			if !ok {
				return unknownTruth
			}
			eq := Events(name)
			if x.Op == "==" {
				return truth{T: eq, F: eq.complement()}
			}
			return truth{T: eq.complement(), F: eq}
		}
	case *Call:
		if set, ok := containsEventName(x); ok {
			return truth{T: set, F: set.complement()}
		}
	}
	return unknownTruth
}

func literalTruthy(x *Literal) bool {
	switch x.Kind {
	case BoolLit:
		return x.Bool
	case NumberLit:
		return x.Num != 0 && x.Num == x.Num // NaN is falsy
	case StringLit:
		return x.Str != ""
	}
	return false
}

// eventNameComparison matches github.event_name against a string literal, either way round.
func eventNameComparison(l, r Node) (string, bool) {
	if isEventName(l) {
		l, r = r, l
	} else if !isEventName(r) {
		return "", false
	}
	lit, ok := l.(*Literal)
	if !ok || lit.Kind != StringLit {
		return "", false
	}
	return strings.ToLower(lit.Str), true
}

func isEventName(n Node) bool {
	p, ok := Path(n)
	return ok && len(p) == 2 && p[0] == "github" && p[1] == "event_name"
}

// containsEventName matches contains(fromJSON('["push", ...]'), github.event_name): with an
// array, contains is exact (case-insensitive) membership, so the set is known.
func containsEventName(c *Call) (EventSet, bool) {
	if !strings.EqualFold(c.Func, "contains") || len(c.Args) != 2 || !isEventName(c.Args[1]) {
		return EventSet{}, false
	}
	names, ok := fromJSONStrings(c.Args[0])
	if !ok {
		return EventSet{}, false
	}
	return Events(names...), true
}

// fromJSONStrings reads fromJSON('<JSON array of strings>').
func fromJSONStrings(n Node) ([]string, bool) {
	call, ok := n.(*Call)
	if !ok || !strings.EqualFold(call.Func, "fromJSON") || len(call.Args) != 1 {
		return nil, false
	}
	lit, ok := call.Args[0].(*Literal)
	if !ok || lit.Kind != StringLit {
		return nil, false
	}
	var names []string
	if err := json.Unmarshal([]byte(lit.Str), &names); err != nil {
		return nil, false
	}
	return names, true
}
