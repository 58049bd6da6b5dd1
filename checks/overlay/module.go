package overlay

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// ModuleBazel is the root module file of an overlay.
const ModuleBazel = "MODULE.bazel"

// ParseModule parses a MODULE.bazel with the buildtools Starlark parser and reads every
// bazel_dep, every *_override call and every include. rel is the root-relative path used in
// positions. Arguments may be string literals or top-level constants assigned a string
// literal earlier in the file (COMMIT = "..."; commit = COMMIT), which real overlays use to
// keep a pin in one place; anything computed is a type error, because Bazel evaluates it but
// a static gate cannot.
func ParseModule(rel string, data []byte) (*ModuleFile, InputErrors) {
	src, ie := newSource(rel, data)
	if ie != nil {
		return nil, InputErrors{ie}
	}
	if ie := src.checkLineEnds("Bazel"); ie != nil {
		return nil, InputErrors{ie}
	}
	if ie := src.checkNesting(); ie != nil {
		return nil, InputErrors{ie}
	}
	if ie := src.checkOperators(false); ie != nil {
		return nil, InputErrors{ie}
	}
	f, err := build.ParseModule(rel, src.text)
	if err != nil {
		return nil, InputErrors{starlarkSyntaxError(src, err)}
	}
	p := moduleParser{src: src, consts: map[string]*build.StringExpr{}}
	mf := &ModuleFile{File: rel}
	for _, stmt := range f.Stmt {
		switch x := stmt.(type) {
		case *build.AssignExpr:
			if id, ok := x.LHS.(*build.Ident); ok && x.Op == "=" {
				if s, ok := x.RHS.(*build.StringExpr); ok {
					p.consts[id.Name] = s
				}
			}
		case *build.CallExpr:
			fn, ok := x.X.(*build.Ident)
			if !ok {
				continue
			}
			switch {
			case fn.Name == "bazel_dep":
				args := p.keywordArgs(fn.Name, x)
				mf.Deps = append(mf.Deps, BazelDep{
					Name:     p.str(args, x, "name"),
					Version:  p.str(args, x, "version"),
					RepoName: p.str(args, x, "repo_name"),
					Pos:      p.at(fn.NamePos),
				})
			case strings.HasSuffix(fn.Name, "_override"):
				args := p.keywordArgs(fn.Name, x)
				o := Override{
					Kind:       fn.Name,
					ModuleName: p.str(args, x, "module_name"),
					Remote:     p.str(args, x, "remote"),
					Commit:     p.str(args, x, "commit"),
					Tag:        p.str(args, x, "tag"),
					Branch:     p.str(args, x, "branch"),
					Path:       p.str(args, x, "path"),
					Pos:        p.at(fn.NamePos),
				}
				if fn.Name == "archive_override" {
					o.URLs = p.strOrList(args, x, "urls")
					if !o.URLs.Set {
						o.URLs = p.strOrList(args, x, "url")
					}
				}
				mf.Overrides = append(mf.Overrides, o)
			case fn.Name == "include":
				if len(x.List) != 1 {
					p.errf(KindType, p.at(fn.NamePos), "include takes exactly one label argument")
					continue
				}
				if s := p.value(x.List[0], "include label"); s.Set {
					mf.Includes = append(mf.Includes, s)
				}
			}
		}
	}
	return mf, p.errs.Sorted()
}

// starlarkSyntaxError converts a buildtools parse error; its position has a byte offset,
// which gives the byte column directly.
func starlarkSyntaxError(src *source, err error) *InputError {
	var pe build.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if strings.HasPrefix(msg, "internal error") {
			msg = "Starlark parser failed on this file (" + msg + ")"
		}
		return &InputError{Pos: src.atByte(pe.Pos.Line, pe.Pos.Byte), Kind: KindSyntax, Msg: "invalid Starlark: " + msg}
	}
	return &InputError{Pos: src.filePos(), Kind: KindSyntax, Msg: "invalid Starlark: " + err.Error()}
}

type moduleParser struct {
	src    *source
	consts map[string]*build.StringExpr // top-level NAME = "literal" seen so far
	errs   InputErrors
}

func (p *moduleParser) at(pos build.Position) Pos { return p.src.atByte(pos.Line, pos.Byte) }

func (p *moduleParser) errf(kind string, at Pos, format string, args ...any) {
	p.errs = append(p.errs, &InputError{Pos: at, Kind: kind, Msg: fmt.Sprintf(format, args...)})
}

// keywordArgs maps keyword -> value expression. Bazel's module functions take keyword
// arguments only, and Starlark rejects a keyword given twice; both are reported here so a
// shadowed commit cannot slip through.
func (p *moduleParser) keywordArgs(fn string, call *build.CallExpr) map[string]build.Expr {
	args := map[string]build.Expr{}
	for _, a := range call.List {
		kw, ok := a.(*build.AssignExpr)
		id, isIdent := (*build.Ident)(nil), false
		if ok {
			id, isIdent = kw.LHS.(*build.Ident)
		}
		if !ok || !isIdent || kw.Op != "=" {
			start, _ := a.Span()
			p.errf(KindType, p.at(start), "%s takes keyword arguments only (name = value)", fn)
			continue
		}
		if _, dup := args[id.Name]; dup {
			p.errf(KindDuplicate, p.at(id.NamePos), "%s: argument %s given twice", fn, id.Name)
			continue
		}
		args[id.Name] = kw.RHS
	}
	return args
}

// str reads a string argument; absent arguments point at the call.
func (p *moduleParser) str(args map[string]build.Expr, call *build.CallExpr, key string) String {
	e, ok := args[key]
	if !ok {
		start, _ := call.Span()
		return String{Pos: p.at(start)}
	}
	return p.value(e, p.callName(call)+" "+key)
}

func (p *moduleParser) callName(call *build.CallExpr) string {
	if id, ok := call.X.(*build.Ident); ok {
		return id.Name
	}
	return "call"
}

// value resolves a string literal or a constant naming one. A constant's value points at
// its literal, which is where the text to change lives.
func (p *moduleParser) value(e build.Expr, what string) String {
	switch x := e.(type) {
	case *build.StringExpr:
		return String{Value: x.Value, Pos: p.at(x.Start), Set: true}
	case *build.Ident:
		if s, ok := p.consts[x.Name]; ok {
			return String{Value: s.Value, Pos: p.at(s.Start), Set: true}
		}
		if x.Name == "None" {
			return String{Pos: p.at(x.NamePos)}
		}
		p.errf(KindType, p.at(x.NamePos), "%s: %s is not a string constant assigned earlier in this file", what, x.Name)
		return String{Pos: p.at(x.NamePos)}
	}
	start, _ := e.Span()
	p.errf(KindType, p.at(start), "%s: expected a string literal, got %s", what, exprKind(e))
	return String{Pos: p.at(start)}
}

// strOrList reads an argument that may be one string or a list of strings (archive urls).
func (p *moduleParser) strOrList(args map[string]build.Expr, call *build.CallExpr, key string) StringList {
	e, ok := args[key]
	if !ok {
		start, _ := call.Span()
		return StringList{Pos: p.at(start)}
	}
	what := p.callName(call) + " " + key
	l, isList := e.(*build.ListExpr)
	if !isList {
		s := p.value(e, what)
		out := StringList{Pos: s.Pos, Set: s.Set}
		if s.Set {
			out.Values = []String{s}
		}
		return out
	}
	out := StringList{Pos: p.at(l.Start), Set: true}
	for i, item := range l.List {
		if s := p.value(item, fmt.Sprintf("%s[%d]", what, i)); s.Set {
			out.Values = append(out.Values, s)
		}
	}
	return out
}

func exprKind(e build.Expr) string {
	switch e.(type) {
	case *build.ListExpr:
		return "a list"
	case *build.DictExpr:
		return "a dict"
	case *build.CallExpr:
		return "a function call"
	case *build.BinaryExpr:
		return "an expression (computed values cannot be checked statically)"
	case *build.LiteralExpr:
		return "a number or literal"
	case *build.DotExpr:
		return "an attribute reference"
	default:
		return "an expression"
	}
}
