package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gogh "github.com/google/go-github/v89/github"
)

// FailureKind sorts failed calls by what the operator must do about them.
type FailureKind string

// Failure kinds.
const (
	FailAuth        FailureKind = "auth"         // the token was rejected
	FailAccess      FailureKind = "access"       // the token cannot see the resource
	FailRateLimited FailureKind = "rate-limited" // a rate limit outlasts the caller's deadline
	FailUnavailable FailureKind = "unavailable"  // GitHub or the network gave no usable answer
)

// Failure is a call that gave no usable answer, in an operator's words.
type Failure struct {
	Kind   FailureKind
	Status int    // HTTP status, 0 when none
	Class  string // failures of one class are reported together, whatever the call
	Detail string // what GitHub (or the network) said
	Next   string // the fix, without the "then rerun" tail
}

// Classify maps an error from a go-github call to a failure; now is the clock that rate
// limit resets are measured against.
func Classify(err error, now time.Time) Failure {
	var (
		rl  *gogh.RateLimitError
		ab  *gogh.AbuseRateLimitError
		er  *gogh.ErrorResponse
		ce  *CallError
		tfa *gogh.TwoFactorAuthError
	)
	switch {
	case errors.As(err, &rl):
		reset := rl.Rate.Reset.Time
		return Failure{Kind: FailRateLimited, Class: "primary-rate-limit", Status: statusOf(rl.Response),
			Detail: fmt.Sprintf("primary rate limit exhausted (%d/%d left) until %s, beyond --timeout", rl.Rate.Remaining, rl.Rate.Limit, reset.UTC().Format(time.RFC3339)),
			Next:   fmt.Sprintf("Wait until %s (about %s) or use a token with its own rate budget", reset.UTC().Format("15:04:05Z"), HumanDuration(reset.Sub(now)))}
	case errors.As(err, &ab):
		wait := "at least a minute"
		if ab.RetryAfter != nil {
			wait = HumanDuration(*ab.RetryAfter)
		}
		return Failure{Kind: FailRateLimited, Class: "secondary-rate-limit", Status: statusOf(ab.Response),
			Detail: "secondary rate limit (" + firstSentence(ab.Message) + "), Retry-After beyond --timeout",
			Next:   "Wait " + wait + " before the next run, and do not run several preflights against one token at once"}
	case errors.As(err, &tfa):
		return Failure{Kind: FailAuth, Status: http.StatusUnauthorized,
			Detail: "GitHub asks for a two-factor code: the credential is a password, not a token",
			Next:   "Use a token (fine-grained: Metadata, Actions and Secrets read on the overlay repository) in GH_TOKEN"}
	case errors.As(err, &er):
		code := statusOf(er.Response)
		msg := er.Message
		if msg == "" {
			msg = http.StatusText(code)
		}
		switch {
		case code == http.StatusUnauthorized:
			return Failure{Kind: FailAuth, Status: code, Detail: msg,
				Next: "Refresh the token in GITHUB_TOKEN / GH_TOKEN (e.g. export GH_TOKEN=$(gh auth token)); it must be for the host of --github-api-url"}
		case code == http.StatusForbidden || code == http.StatusNotFound:
			need := ""
			if er.Response != nil {
				if p := er.Response.Header.Get("X-Accepted-GitHub-Permissions"); p != "" {
					need = " (GitHub says the endpoint needs: " + p + ")"
				}
			}
			return Failure{Kind: FailAccess, Status: code, Detail: msg + need,
				Next: "Check the repository name (--repo / owner.repository) and give the token read access to it: fine-grained Metadata, Actions and Secrets read (classic: repo)"}
		case code == http.StatusTooManyRequests:
			return Failure{Kind: FailRateLimited, Status: code, Detail: msg + ", Retry-After beyond --timeout",
				Next: "Wait for GitHub's Retry-After to pass"}
		default:
			return Failure{Kind: FailUnavailable, Status: code, Detail: fmt.Sprintf("GitHub answered %d %s", code, msg),
				Next: "Check https://www.githubstatus.com (or your GitHub Enterprise host) and --github-api-url"}
		}
	case errors.As(err, &ce):
		next := "Check the network path to GitHub and --github-api-url, or raise --timeout"
		if ce.Kind == "malformed" {
			next = "Check for a proxy or middlebox cutting GitHub's answers (--github-api-url)"
		}
		return Failure{Kind: FailUnavailable, Class: "call-" + ce.Kind, Detail: ce.describe(), Next: next}
	case errors.Is(err, context.DeadlineExceeded):
		return Failure{Kind: FailUnavailable, Detail: "no answer within --timeout",
			Next: "Check the network path to GitHub and --github-api-url, or raise --timeout"}
	case errors.Is(err, context.Canceled):
		return Failure{Kind: FailUnavailable, Detail: "interrupted", Next: "Rerun the preflight to completion"}
	case errors.Is(err, ErrWriteRefused):
		// Unreachable by construction; keep the promise loud if it ever is.
		return Failure{Kind: FailUnavailable, Detail: err.Error(), Next: "Report this as a gfenroll bug"}
	}
	return Failure{Kind: FailUnavailable, Detail: err.Error(),
		Next: "Check the network path to GitHub and --github-api-url"}
}

func statusOf(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// HumanDuration renders a duration the way an operator says it: 40s, 12m, 2h5m, 3d4h.
func HumanDuration(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	default:
		d = d.Round(time.Hour)
		days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if h == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, h)
	}
}
