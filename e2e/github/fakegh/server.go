package fakegh

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Supported X-GitHub-Api-Version values (GitHub answers 400 for any other).
var supportedAPIVersions = map[string]bool{"2022-11-28": true, "2026-03-10": true}

// Rate-limit bookkeeping: the primary limit of a token, as GitHub advertises it.
const rateLimit = 5000

// Request is one recorded request. It never holds the credential itself: only its scheme
// and whether it matched, so a test can dump the log without leaking anything.
type Request struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	RawQuery   string    `json:"query,omitempty"`
	Route      Route     `json:"route"`
	AuthScheme string    `json:"auth_scheme,omitempty"` // "Bearer", "token", or "" when absent
	Authorized bool      `json:"authorized"`
	APIVersion string    `json:"api_version,omitempty"`
	Status     int       `json:"status"`
	RequestID  string    `json:"request_id"`
	Fault      string    `json:"fault,omitempty"`
}

// Options tunes a server.
type Options struct {
	// Latency is added to every request before it is answered (benchmarks).
	Latency time.Duration
	// Now is the server's clock (run ages are relative to it). Default time.Now.
	Now func() time.Time
	// PathPrefix serves the API under a prefix, as GitHub Enterprise Server does
	// ("/api/v3"). Default: the root, as api.github.com.
	PathPrefix string
	// Faults are armed at start; more can be added with Server.AddFault.
	Faults []Fault
}

// Server is a running stand-in (or just its handler, for the standalone main).
type Server struct {
	sc   *Scenario
	opts Options
	ts   *httptest.Server
	done chan struct{} // closed on Close so hanging handlers return

	mu        sync.Mutex
	faults    []*armedFault
	log       []Request
	remaining int
	resetAt   time.Time
	nextID    int
}

// NewHandler builds a server without listening (serve Handler() yourself).
func NewHandler(sc *Scenario, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.PathPrefix = strings.TrimRight(opts.PathPrefix, "/")
	s := &Server{
		sc:        sc,
		opts:      opts,
		done:      make(chan struct{}),
		remaining: rateLimit,
		resetAt:   opts.Now().Add(time.Hour).Truncate(time.Second),
	}
	for _, f := range append(append([]Fault(nil), opts.Faults...), sc.Faults...) {
		s.AddFault(f)
	}
	return s
}

// Start builds a server listening on a loopback port.
func Start(sc *Scenario, opts Options) *Server {
	s := NewHandler(sc, opts)
	s.ts = httptest.NewServer(s)
	return s
}

// URL is the API base URL with a trailing slash (what go-github's BaseURL wants).
func (s *Server) URL() string {
	return s.ts.URL + s.opts.PathPrefix + "/"
}

// Token is the credential the server accepts.
func (s *Server) Token() string { return s.sc.token() }

// Close releases hanging handlers and stops the listener.
func (s *Server) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	if s.ts != nil {
		s.ts.Close()
	}
}

// AddFault arms a fault; faults are tried in the order added, first match wins.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &armedFault{Fault: f})
}

// Requests returns a copy of the request log, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ServeHTTP answers one request: log, latency, method, auth, version, rate headers,
// faults, then the route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, s.opts.PathPrefix)
	if s.opts.PathPrefix != "" && path == r.URL.Path {
		path = "/\x00unprefixed" // never matches a route
	}
	route, params := match(path)
	scheme, authorized := s.checkAuth(r.Header.Get("Authorization"))

	s.mu.Lock()
	s.nextID++
	reqID := fmt.Sprintf("FA4E:%04X:%06X:%06X:%08X", s.nextID, s.nextID*7919, s.nextID*104729, s.opts.Now().Unix())
	idx := len(s.log)
	s.log = append(s.log, Request{
		Time: s.opts.Now(), Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Route: route, AuthScheme: scheme, Authorized: authorized,
		APIVersion: r.Header.Get("X-GitHub-Api-Version"), RequestID: reqID,
	})
	s.mu.Unlock()

	rec := &statusRecorder{ResponseWriter: w}
	faultName := s.serve(rec, r, route, params, authorized, reqID)

	s.mu.Lock()
	s.log[idx].Status = rec.status
	s.log[idx].Fault = faultName
	s.mu.Unlock()
}

func (s *Server) serve(w *statusRecorder, r *http.Request, route Route, params map[string]string, authorized bool, reqID string) (faultName string) {
	h := w.Header()
	h.Set("X-GitHub-Request-Id", reqID)
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("Server", "github.com")

	if s.opts.Latency > 0 && !s.sleep(r.Context(), s.opts.Latency) {
		return ""
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// GitHub answers 404 for a method a read endpoint does not take.
		s.writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return ""
	}
	if !authorized {
		msg := "Bad credentials"
		if r.Header.Get("Authorization") == "" {
			msg = "Requires authentication"
		}
		s.writeError(w, http.StatusUnauthorized, msg, "https://docs.github.com/rest")
		return ""
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "" && !supportedAPIVersions[v] {
		s.writeError(w, http.StatusBadRequest, fmt.Sprintf("API version '%s' is not supported.", v),
			"https://docs.github.com/rest/about-the-rest-api/api-versions")
		return ""
	}

	fault := s.takeFault(route)
	if fault != nil && fault.Kind == FaultPrimary {
		s.setRateHeaders(h, true, time.Duration(fault.ResetIn))
	} else {
		s.setRateHeaders(h, false, 0)
	}
	if fault != nil {
		faultName = fault.String()
		if done := s.applyFault(w, r, route, *fault); done {
			return faultName
		}
	}
	if route == RouteUnknown {
		s.writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return faultName
	}

	resp := s.handle(r, route, params)
	if fault != nil && fault.Kind == FaultTruncate && resp.status == http.StatusOK {
		resp.truncate = true
	}
	s.write(w, r, resp)
	return faultName
}

func (s *Server) checkAuth(header string) (scheme string, ok bool) {
	if header == "" {
		return "", false
	}
	scheme, cred, found := strings.Cut(header, " ")
	if !found {
		return "", false
	}
	switch strings.ToLower(scheme) {
	case "bearer", "token":
	default:
		return scheme, false
	}
	return scheme, cred == s.sc.token()
}

func (s *Server) takeFault(route Route) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.take(route) {
			c := f.Fault
			return &c
		}
	}
	return nil
}

// setRateHeaders decrements the token's budget and advertises it like GitHub.
func (s *Server) setRateHeaders(h http.Header, exhausted bool, resetIn time.Duration) {
	s.mu.Lock()
	if s.remaining > 0 {
		s.remaining--
	}
	remaining, reset := s.remaining, s.resetAt
	s.mu.Unlock()
	if exhausted {
		remaining = 0
		if resetIn <= 0 {
			resetIn = time.Hour
		}
		reset = s.opts.Now().Add(resetIn)
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(rateLimit-remaining))
	// Reset is epoch seconds; round up so "wait until reset" never wakes early.
	h.Set("X-RateLimit-Reset", strconv.FormatInt((reset.UnixNano()+int64(time.Second)-1)/int64(time.Second), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// applyFault answers the request per the fault; it returns false for faults that let the
// route answer afterwards (latency, truncate).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, route Route, f Fault) bool {
	switch f.Kind {
	case FaultLatency:
		return !s.sleep(r.Context(), time.Duration(f.Delay))
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return true
	case FaultRetryAfter:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.RetryAfter)))
		s.writeError(w, http.StatusTooManyRequests, "Too Many Requests",
			"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api")
		return true
	case FaultSecondary:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.RetryAfter)))
		}
		s.writeError(w, http.StatusForbidden,
			"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "+
				"If you reach out to GitHub Support for help, please include the request ID "+w.Header().Get("X-GitHub-Request-Id")+".",
			"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
		return true
	case FaultPrimary:
		s.writeError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.",
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit")
		return true
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		msg := http.StatusText(status)
		switch status {
		case http.StatusForbidden:
			msg = "Resource not accessible by personal access token"
			w.Header().Set("X-Accepted-GitHub-Permissions", acceptedPermissions(route))
			if scopes := acceptedScopes(route); scopes != "" {
				w.Header().Set("X-Accepted-OAuth-Scopes", scopes)
			}
		case http.StatusInternalServerError:
			msg = "Server Error"
		}
		s.writeError(w, status, msg, "https://docs.github.com/rest")
		return true
	case FaultTruncate:
		return false
	}
	s.writeError(w, http.StatusInternalServerError, "unknown fault kind "+string(f.Kind), "")
	return true
}

// acceptedPermissions is the fine-grained permission GitHub says an endpoint needs.
func acceptedPermissions(route Route) string {
	switch route {
	case RouteSecrets, RouteOrgSecrets:
		return "secrets=read"
	case RouteRuns, RouteWorkflowRuns, RouteJobs:
		return "actions=read"
	case RouteRunnerGroups, RouteRunnerGroupRepos:
		return "organization_self_hosted_runners=read"
	case RouteInstallations:
		return "organization_administration=read"
	default:
		return "metadata=read"
	}
}

// acceptedScopes are the classic-token scopes GitHub says an organization endpoint accepts
// ("" for the repository endpoints, whose scope depends on the repository's visibility).
func acceptedScopes(route Route) string {
	switch route {
	case RouteRunnerGroups, RouteRunnerGroupRepos:
		return "admin:org"
	case RouteInstallations:
		return "admin:org, read:org, write:org"
	}
	return ""
}

// sleep waits d unless the request or server ends first; it reports whether d elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// response is what a route produces; write turns it into bytes.
type response struct {
	status      int
	body        any    // JSON-encoded unless raw is set
	raw         []byte // pre-rendered body (text/plain sha)
	contentType string
	link        string
	header      http.Header // extra headers
	truncate    bool
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, resp response) {
	for k, v := range resp.header {
		w.Header()[http.CanonicalHeaderKey(k)] = v
	}
	var data []byte
	if resp.raw != nil {
		data = resp.raw
	} else {
		var err error
		data, err = json.MarshalIndent(resp.body, "", "  ")
		if err != nil {
			s.writeError(w, http.StatusInternalServerError, "fakegh: "+err.Error(), "")
			return
		}
	}
	if resp.truncate {
		data = data[:len(data)/2]
	}
	ct := resp.contentType
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	if resp.link != "" {
		w.Header().Set("Link", resp.link)
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// writeError writes GitHub's error body: message, documentation_url and status (a string,
// as GitHub sends it).
func (s *Server) writeError(w http.ResponseWriter, status int, msg, doc string) {
	body := map[string]string{"message": msg, "status": strconv.Itoa(status)}
	if doc != "" {
		body["documentation_url"] = doc
	}
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// match maps a path (without prefix) to a route and its parameters.
func match(path string) (Route, map[string]string) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if len(seg) == 1 && seg[0] == "rate_limit" {
		return RouteRateLimit, nil
	}
	if len(seg) == 3 && seg[0] == "orgs" && seg[1] != "" && seg[2] == "installations" {
		return RouteInstallations, map[string]string{"org": seg[1]}
	}
	if len(seg) >= 4 && seg[0] == "orgs" && seg[1] != "" && seg[2] == "actions" && seg[3] == "runner-groups" {
		p := map[string]string{"org": seg[1]}
		switch {
		case len(seg) == 4:
			return RouteRunnerGroups, p
		case len(seg) == 6 && seg[5] == "repositories":
			p["group_id"] = seg[4]
			return RouteRunnerGroupRepos, p
		}
		return RouteUnknown, nil
	}
	if len(seg) < 3 || seg[0] != "repos" || seg[1] == "" || seg[2] == "" {
		return RouteUnknown, nil
	}
	p := map[string]string{"owner": seg[1], "repo": seg[2]}
	rest := seg[3:]
	switch {
	case len(rest) == 0:
		return RouteRepo, p
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "secrets":
		return RouteSecrets, p
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "organization-secrets":
		return RouteOrgSecrets, p
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "runs":
		return RouteRuns, p
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "runs" && rest[3] == "jobs":
		p["run_id"] = rest[2]
		return RouteJobs, p
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "workflows" && rest[3] == "runs":
		p["workflow_id"] = rest[2]
		return RouteWorkflowRuns, p
	case len(rest) >= 2 && rest[0] == "commits":
		p["ref"] = strings.Join(rest[1:], "/")
		return RouteCommit, p
	}
	return RouteUnknown, nil
}
