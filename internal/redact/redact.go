// Package redact is the process-wide register of credentials the process holds (the
// GitHub token, Kubernetes bearer tokens, basic-auth passwords, client key material, what
// an exec plugin hands client-go) and the one function that removes them from text.
//
// Clients register a credential when they obtain it; every message that leaves the
// process passes through String (package finding's printable-text functions and the
// renderers call it), so a credential an API server or a library quotes back never
// reaches a report, a file or the terminal.
//
// Only whole occurrences of values at least MinLen long are replaced: a shorter value is
// not a plausible secret (and is never printed by the process anyway), and replacing it
// inside every word would corrupt commit SHAs, labels and paths. "Whole" means the match
// does not continue a word: when the credential starts (ends) with a letter, digit or
// underscore, the character before (after) it must not be one.
package redact

import (
	"encoding/base64"
	"encoding/pem"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MinLen is the shortest value, in bytes, treated as a credential.
const MinLen = 8

// Placeholder replaces every occurrence of a registered credential.
const Placeholder = "[REDACTED]"

var (
	mu      sync.RWMutex
	secrets = map[string]bool{}
	ordered []string // longest first, so a credential containing another goes whole
)

// Register adds credentials to the register. Empty and implausibly short values are
// ignored; surrounding blanks are dropped (they are not part of a credential).
func Register(values ...string) {
	var add []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < MinLen {
			continue
		}
		add = append(add, v)
	}
	if len(add) == 0 {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	changed := false
	for _, v := range add {
		if !secrets[v] {
			secrets[v] = true
			changed = true
		}
	}
	if !changed {
		return
	}
	ordered = ordered[:0:0]
	for v := range secrets {
		ordered = append(ordered, v)
	}
	sort.Slice(ordered, func(i, j int) bool {
		if len(ordered[i]) != len(ordered[j]) {
			return len(ordered[i]) > len(ordered[j])
		}
		return ordered[i] < ordered[j]
	})
}

// RegisterPEM registers PEM-encoded key or certificate material: the whole text, each
// block's base64 body as one string, and each body line (an error quoting part of a
// file shows lines).
func RegisterPEM(data []byte) {
	if len(data) == 0 {
		return
	}
	Register(string(data))
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return
		}
		body := base64.StdEncoding.EncodeToString(block.Bytes)
		Register(body)
		for len(body) > 64 {
			Register(body[:64])
			body = body[64:]
		}
		Register(body)
	}
}

// RegisterAuthorization registers the credential of an HTTP Authorization header value:
// a bearer token, or a basic-auth pair (encoded, decoded and the password alone).
func RegisterAuthorization(header string) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok {
		return
	}
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		Register(cred)
	case "basic":
		Register(cred)
		if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
			Register(string(dec))
			if _, pass, ok := strings.Cut(string(dec), ":"); ok {
				Register(pass)
			}
		}
	}
}

// String returns s with every whole occurrence of a registered credential replaced by
// Placeholder.
func String(s string) string {
	mu.RLock()
	list := ordered
	mu.RUnlock()
	for _, secret := range list {
		s = replaceWhole(s, secret)
	}
	return s
}

// replaceWhole replaces the occurrences of secret in s that do not continue a word.
func replaceWhole(s, secret string) string {
	i := strings.Index(s, secret)
	if i < 0 {
		return s
	}
	first, _ := utf8.DecodeRuneInString(secret)
	last, _ := utf8.DecodeLastRuneInString(secret)
	var b strings.Builder
	for i >= 0 {
		end := i + len(secret)
		whole := true
		if isWord(first) {
			if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && isWord(r) {
				whole = false
			}
		}
		if isWord(last) {
			if r, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && isWord(r) {
				whole = false
			}
		}
		if whole {
			b.WriteString(s[:i])
			b.WriteString(Placeholder)
			s = s[end:]
		} else {
			// Skip one rune and look again: a later, whole occurrence may overlap this one.
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[:i+n])
			s = s[i+n:]
		}
		i = strings.Index(s, secret)
	}
	b.WriteString(s)
	return b.String()
}

func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// reset empties the register (tests of this package only).
func reset() {
	mu.Lock()
	defer mu.Unlock()
	secrets = map[string]bool{}
	ordered = nil
}
