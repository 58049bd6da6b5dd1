package ghexpr

import "strings"

// SecretRef is one use of the secrets context (or, from ContextRefs, of another context)
// inside an expression.
type SecretRef struct {
	// Name is the secret's name for secrets.NAME and secrets['NAME']; "" when the name is
	// computed (secrets[format(...)]) or the whole context is used (toJSON(secrets)).
	Name string
	// Off is the byte offset of the `secrets` identifier in the searched text.
	Off int
}

// SecretRefs finds every reference to the secrets context in an expression. It works on
// tokens, not on a parse tree, so an expression with a syntax error is still searched (a
// typo must not hide a secret). `secrets` after a '.' is a property of something else
// (inputs.secrets) and does not count.
func SecretRefs(expr string) []SecretRef { return ContextRefs(expr, "secrets") }

// ContextRefs finds every reference to the named context (secrets, env, github, ...) in
// an expression, with the property name when it is static (ctx.NAME, ctx['NAME']), in the
// same tolerant way as SecretRefs.
func ContextRefs(expr, ctx string) []SecretRef {
	toks := lexTolerant(expr)
	var out []SecretRef
	for i, t := range toks {
		if t.Kind != TokIdent || !strings.EqualFold(t.Text, ctx) {
			continue
		}
		if i > 0 && toks[i-1].Kind == TokPunct && toks[i-1].Text == "." {
			continue
		}
		ref := SecretRef{Off: t.Off}
		if i+2 < len(toks) && isP(toks[i+1], ".") && toks[i+2].Kind == TokIdent {
			ref.Name = toks[i+2].Text
		} else if i+3 < len(toks) && isP(toks[i+1], "[") && toks[i+2].Kind == TokString && isP(toks[i+3], "]") {
			ref.Name = toks[i+2].Value
		}
		out = append(out, ref)
	}
	return out
}

// ContextRefsInTemplate is ContextRefs over every `${{ }}` of a string value; offsets
// are relative to s.
func ContextRefsInTemplate(s, ctx string) []SecretRef {
	if !strings.Contains(s, "${{") {
		return nil
	}
	var out []SecretRef
	for _, sp := range Embedded(s) {
		for _, r := range ContextRefs(sp.Expr, ctx) {
			r.Off += sp.ExprOff
			out = append(out, r)
		}
	}
	return out
}

func isP(t Token, s string) bool { return t.Kind == TokPunct && t.Text == s }

// SecretRefsInTemplate finds secret references in a string value: inside every `${{ }}`,
// or, when whole is true (an `if:` value, which is an expression even without braces), in
// the entire value. Offsets are relative to s.
func SecretRefsInTemplate(s string, whole bool) []SecretRef {
	if whole && !strings.Contains(s, "${{") {
		return SecretRefs(s)
	}
	if !strings.Contains(s, "${{") {
		return nil
	}
	var out []SecretRef
	for _, sp := range Embedded(s) {
		for _, r := range SecretRefs(sp.Expr) {
			r.Off += sp.ExprOff
			out = append(out, r)
		}
	}
	return out
}
