package ghapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds what one response may carry; the endpoints the preflight reads answer a
// few hundred kilobytes at most per page.
const maxBody = 16 << 20

// transport is the only way the probes reach GitHub. It is where the preflight's promises
// are kept, whatever go-github does above it:
//
//   - read-only: any method but GET/HEAD is refused before it leaves the process;
//   - the token is attached here, and only to the configured API host (never on a
//     redirect elsewhere), so no other layer ever holds it;
//   - every attempt has its own deadline (callTimeout) inside the caller's overall one;
//   - 5xx, dropped connections, per-attempt timeouts and truncated JSON are retried with
//     jittered exponential backoff; primary limits (x-ratelimit-remaining: 0) wait for
//     x-ratelimit-reset and 403/429 with Retry-After wait that long — but only when the
//     wait ends before the caller's deadline, else the answer is handed up as it is and
//     becomes a blocker;
//   - bodies are read fully and checked for well-formed JSON, so a truncated answer is
//     retried instead of half-decoded.
type transport struct {
	base        http.RoundTripper
	token       string
	host        string // the API host the token may be sent to
	callTimeout time.Duration
	maxAttempts int
	backoff     time.Duration
	// sleep waits d or until ctx ends (tests shorten it).
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// ErrWriteRefused is returned for any request that is not a read. The preflight never
// sends one; this makes that a property of the client rather than of every call site.
var ErrWriteRefused = errors.New("refused: the preflight is read-only and sends only GET requests")

// CallError is a request that got no usable answer.
type CallError struct {
	Method, Path string
	// Kind: "timeout" (no answer within the per-call deadline, after retries),
	// "network" (connection failed), "malformed" (a 2xx body that is not valid JSON).
	Kind     string
	Attempts int
	Err      error
}

func (e *CallError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.describe())
}

// describe is the failure without the request, for messages that name the call otherwise.
func (e *CallError) describe() string {
	what := map[string]string{
		"timeout":   "no answer in time",
		"network":   "connection failed",
		"malformed": "malformed (truncated or invalid) JSON answer",
	}[e.Kind]
	if what == "" {
		what = e.Kind
	}
	s := what
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Err != nil && e.Kind != "timeout" {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CallError) Unwrap() error { return e.Err }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, ErrWriteRefused)
	}
	ctx := req.Context()
	rateWaits := 0
	var last *CallError
	for attempt := 1; ; attempt++ {
		resp, cerr := t.attempt(req, attempt)
		if resp != nil {
			wait, retry := t.retryAfter(resp, attempt, &rateWaits)
			if !retry {
				return resp, nil
			}
			if !t.fits(ctx, wait) {
				return resp, nil // hand the answer up; it becomes a blocker
			}
			if err := t.sleep(ctx, wait); err != nil {
				return resp, nil
			}
			continue
		}
		last = cerr
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt >= t.maxAttempts {
			return nil, last
		}
		wait := t.backoffFor(attempt)
		if !t.fits(ctx, wait) {
			return nil, outOfTime(req, last)
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, outOfTime(req, last)
		}
	}
}

// outOfTime is the failure of a call whose retries the caller's deadline cut short. A
// server that never answers is then reported the same way whether the deadline fell
// inside an attempt or just before the next one (which depends on scheduling): as the
// deadline, not as a count of attempts.
func outOfTime(req *http.Request, last *CallError) error {
	if last.Kind != "timeout" {
		return last
	}
	return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, context.DeadlineExceeded)
}

// attempt sends one try and reads its whole body under the per-call deadline. It returns
// either a response with a buffered body or a CallError.
func (t *transport) attempt(req *http.Request, n int) (*http.Response, *CallError) {
	ctx, cancel := context.WithTimeout(req.Context(), t.callTimeout)
	defer cancel()
	r := req.Clone(ctx)
	if t.token != "" && strings.EqualFold(r.URL.Host, t.host) {
		r.Header.Set("Authorization", "Bearer "+t.token)
	} else {
		r.Header.Del("Authorization")
	}
	fail := func(kind string, err error) *CallError {
		if ctx.Err() != nil && req.Context().Err() == nil {
			kind, err = "timeout", ctx.Err()
		}
		return &CallError{Method: req.Method, Path: req.URL.Path, Kind: kind, Attempts: n, Err: err}
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, fail("network", netErr(err))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, fail("network", netErr(err))
	}
	if len(body) > maxBody {
		return nil, fail("malformed", fmt.Errorf("answer larger than %d MiB", maxBody>>20))
	}
	if resp.StatusCode/100 == 2 && req.Method == http.MethodGet && isJSON(resp) && !json.Valid(body) {
		return nil, fail("malformed", fmt.Errorf("%d bytes that do not parse", len(body)))
	}
	resp.Body = readSeekNopCloser{bytes.NewReader(body)}
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// retryAfter decides whether an answer is worth another try, and after how long.
func (t *transport) retryAfter(resp *http.Response, attempt int, rateWaits *int) (time.Duration, bool) {
	switch code := resp.StatusCode; {
	case code >= 500:
		if attempt >= t.maxAttempts {
			return 0, false
		}
		return t.backoffFor(attempt), true
	case code == http.StatusForbidden || code == http.StatusTooManyRequests:
		// Rate limits: GitHub says when to come back. Waiting more than a few times means
		// someone else is spending the budget; give up and report it.
		if *rateWaits >= 3 {
			return 0, false
		}
		wait, ok := rateLimitWait(resp, t.now())
		if !ok {
			return 0, false
		}
		*rateWaits++
		return wait, true
	}
	return 0, false
}

// rateLimitWait reads GitHub's rate-limit answer: Retry-After (seconds) first, then a
// primary limit's x-ratelimit-reset. A 403 with neither is a permission answer, not a limit.
func rateLimitWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	if v := resp.Header.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(0, at.Sub(now)), true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(0, time.Unix(s, 0).Sub(now)) + 500*time.Millisecond, true
		}
	}
	// A secondary limit without Retry-After: GitHub asks for at least a minute.
	if isSecondaryLimit(resp) {
		return time.Minute, true
	}
	return 0, false
}

// isSecondaryLimit recognises GitHub's secondary-rate-limit answer by its documentation
// URL (as go-github does) or message. The body is already buffered by attempt.
func isSecondaryLimit(resp *http.Response) bool {
	rs, ok := resp.Body.(interface {
		io.Reader
		io.Seeker
	})
	if !ok {
		return false
	}
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	err := json.NewDecoder(rs).Decode(&e)
	_, _ = rs.Seek(0, io.SeekStart)
	if err != nil {
		return false
	}
	return strings.HasSuffix(e.DocumentationURL, "secondary-rate-limits") ||
		strings.HasSuffix(e.DocumentationURL, "#abuse-rate-limits") ||
		strings.Contains(e.Message, "secondary rate limit")
}

// fits reports whether waiting d still leaves time for one more attempt.
func (t *transport) fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	if !ok {
		return d <= 2*time.Minute
	}
	return t.now().Add(d).Add(50 * time.Millisecond).Before(dl)
}

func (t *transport) backoffFor(attempt int) time.Duration {
	d := t.backoff << (attempt - 1)
	// Full jitter on half the delay keeps concurrent probes from retrying in lockstep.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func isJSON(resp *http.Response) bool {
	return strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json")
}

// netErr drops the request URL that net/http wraps around transport errors (we name the
// path ourselves) and keeps the cause.
func netErr(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readSeekNopCloser is a buffered body that can be peeked at and rewound.
type readSeekNopCloser struct{ *bytes.Reader }

func (readSeekNopCloser) Close() error { return nil }
