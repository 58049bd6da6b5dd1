// Package coreref resolves a GloriousFlywheel core ref (a branch, tag or commit name) to a
// full commit SHA, so the pins gate can check that both core pins point at the commit an
// operator selected (--expected-core-ref / GF_EXPECTED_CORE_REF).
//
// Resolution is behind the Resolver interface: the hermetic gates use GitCheckout (a local
// core checkout named by GF_CORE_PATH, read with `git rev-parse`, never fetched), and the
// live preflight chains a GitHub API resolver after it. A 40-hex SHA needs no resolver at
// all: callers compare it directly (see IsFullSHA / NormalizeSHA).
//
// Errors never carry the checkout's absolute path: reports end up in cached Bazel test
// outputs shared between machines, and the path says nothing useful on another runner.
package coreref

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Resolver turns a ref name into a full lowercase 40-hex commit SHA.
type Resolver interface {
	Resolve(ctx context.Context, name string) (sha string, err error)
}

// ErrNotFound is wrapped by resolver errors that mean "this source does not know the name"
// (as opposed to "this source could not be asked"), so callers can word the finding.
var ErrNotFound = errors.New("ref not found")

// IsFullSHA reports whether s is a full 40-character lowercase hexadecimal commit id, the
// only form the pin contract accepts.
func IsFullSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// NormalizeSHA returns s lowercased when it is 40 hex digits in any case, so a SHA an
// operator pasted from a UI in upper case is still compared directly rather than resolved.
func NormalizeSHA(s string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(s))
	return l, IsFullSHA(l)
}

// Chain tries resolvers in order and returns the first SHA found. When all fail, the error
// lists every resolver's reason, so an operator sees each route that was tried.
type Chain []Resolver

// Resolve implements Resolver.
func (c Chain) Resolve(ctx context.Context, name string) (string, error) {
	if len(c) == 0 {
		return "", fmt.Errorf("resolve %q: no resolver configured", name)
	}
	var errs []error
	for _, r := range c {
		if r == nil {
			continue
		}
		sha, err := r.Resolve(ctx, name)
		if err == nil {
			return sha, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return "", fmt.Errorf("resolve %q: no resolver configured", name)
	}
	return "", &ChainError{Name: name, Errs: errs}
}

// ChainError is every reason a Chain could not resolve Name.
type ChainError struct {
	Name string
	Errs []error
}

func (e *ChainError) Error() string {
	parts := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets errors.Is(err, ErrNotFound) see through the chain.
func (e *ChainError) Unwrap() []error { return e.Errs }

// Describe returns a short human description of a resolver for messages ("the local core
// checkout (GF_CORE_PATH)"), using its String method when it has one.
func Describe(r Resolver) string {
	if s, ok := r.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", r)
}

// String describes the chain as its members joined by " then ".
func (c Chain) String() string {
	var parts []string
	for _, r := range c {
		if r != nil {
			parts = append(parts, Describe(r))
		}
	}
	return strings.Join(parts, " then ")
}
