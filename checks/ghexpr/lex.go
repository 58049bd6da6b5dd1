// Package ghexpr reads GitHub Actions expressions (`${{ ... }}`) as far as the enrollment
// gates need: finding every reference to the secrets context, expanding runs-on
// expressions over a job's matrix, and deciding which events a job-level `if:` lets
// through. It is deliberately small: it tokenizes and parses the whole expression grammar
// (literals, contexts, property and index access, calls, comparisons, logic) but evaluates
// only what can be known hermetically and answers "unknown" for the rest.
package ghexpr

import (
	"fmt"
	"strings"
)

// TokenKind classifies a token.
type TokenKind int

const (
	// TokEOF ends every token stream.
	TokEOF TokenKind = iota
	// TokIdent is a context name, property name, function name or keyword (true/false/null).
	TokIdent
	// TokString is a single-quoted literal; Token.Value holds it with doubled quotes undone.
	TokString
	// TokNumber is a numeric literal (decimal, exponent or 0x hex).
	TokNumber
	// TokPunct is an operator or bracket: ( ) [ ] . , ! < <= > >= == != && || *
	TokPunct
)

func (k TokenKind) String() string {
	switch k {
	case TokEOF:
		return "end of expression"
	case TokIdent:
		return "identifier"
	case TokString:
		return "string"
	case TokNumber:
		return "number"
	default:
		return "operator"
	}
}

// Token is one lexeme. Off is its byte offset in the lexed source.
type Token struct {
	Kind  TokenKind
	Text  string // raw text as written
	Value string // decoded string literal (String tokens only)
	Off   int
}

// SyntaxError is a lexing or parsing error at a byte offset of the expression.
type SyntaxError struct {
	Off int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Off, e.Msg) }

// Lex tokenizes an expression (the text between `${{` and `}}`). On a bad character or an
// unterminated string it returns the tokens read so far and a *SyntaxError.
func Lex(src string) ([]Token, error) {
	return lex(src, false)
}

// lexTolerant skips characters it cannot read instead of stopping, so a search for secret
// references still sees everything after a typo.
func lexTolerant(src string) []Token {
	toks, _ := lex(src, true)
	return toks
}

func lex(src string, tolerant bool) ([]Token, error) {
	var toks []Token
	var firstErr error
	fail := func(off int, msg string) {
		if firstErr == nil {
			firstErr = &SyntaxError{Off: off, Msg: msg}
		}
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, Token{Kind: TokIdent, Text: src[i:j], Off: i})
			i = j
		case c == '\'':
			val, end, ok := scanString(src, i)
			if !ok {
				fail(i, "unterminated string literal")
				if !tolerant {
					return append(toks, Token{Kind: TokEOF, Off: len(src)}), firstErr
				}
				// Whatever follows an unterminated quote is string content, not code.
				i = len(src)
				continue
			}
			toks = append(toks, Token{Kind: TokString, Text: src[i:end], Value: val, Off: i})
			i = end
		case isDigit(c) || (c == '-' && i+1 < len(src) && (isDigit(src[i+1]) || src[i+1] == '.')):
			end := scanNumber(src, i)
			toks = append(toks, Token{Kind: TokNumber, Text: src[i:end], Off: i})
			i = end
		default:
			if n := punctLen(src[i:]); n > 0 {
				toks = append(toks, Token{Kind: TokPunct, Text: src[i : i+n], Off: i})
				i += n
				continue
			}
			fail(i, fmt.Sprintf("unexpected character %q", rune(c)))
			if !tolerant {
				return append(toks, Token{Kind: TokEOF, Off: len(src)}), firstErr
			}
			i++
		}
	}
	return append(toks, Token{Kind: TokEOF, Off: len(src)}), firstErr
}

// scanString reads a quoted literal starting at src[start] (a quote); a doubled quote inside
// it is an escaped quote.
// It returns the decoded value and the offset after the closing quote.
func scanString(src string, start int) (string, int, bool) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		if src[i] == '\'' {
			if i+1 < len(src) && src[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			return b.String(), i + 1, true
		}
		b.WriteByte(src[i])
		i++
	}
	return "", len(src), false
}

func scanNumber(src string, i int) int {
	if src[i] == '-' {
		i++
	}
	if strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0X") {
		i += 2
		for i < len(src) && isHex(src[i]) {
			i++
		}
		return i
	}
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
		i++
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

var puncts = []string{"<=", ">=", "==", "!=", "&&", "||", "(", ")", "[", "]", ".", ",", "!", "<", ">", "*"}

func punctLen(s string) int {
	for _, p := range puncts {
		if strings.HasPrefix(s, p) {
			return len(p)
		}
	}
	return 0
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isIdentPart allows '-' because step and job ids may contain it (steps.my-step.outputs.x);
// the expression language has no minus operator, so this is never ambiguous.
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '-' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
