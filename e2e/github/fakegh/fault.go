package fakegh

import (
	"fmt"
	"time"
)

// Route names the endpoints the server implements; faults select them by name.
type Route string

const (
	RouteRepo         Route = "repo"          // GET /repos/{o}/{r}
	RouteSecrets      Route = "secrets"       // GET /repos/{o}/{r}/actions/secrets
	RouteOrgSecrets   Route = "org-secrets"   // GET /repos/{o}/{r}/actions/organization-secrets
	RouteRuns         Route = "runs"          // GET /repos/{o}/{r}/actions/runs
	RouteWorkflowRuns Route = "workflow-runs" // GET /repos/{o}/{r}/actions/workflows/{id}/runs
	RouteJobs         Route = "jobs"          // GET /repos/{o}/{r}/actions/runs/{id}/jobs
	RouteCommit       Route = "commit"        // GET /repos/{o}/{r}/commits/{ref}
	RouteRateLimit    Route = "rate_limit"    // GET /rate_limit
	// GET /orgs/{org}/actions/runner-groups
	RouteRunnerGroups Route = "runner-groups"
	// GET /orgs/{org}/actions/runner-groups/{id}/repositories
	RouteRunnerGroupRepos Route = "runner-group-repos"
	// GET /orgs/{org}/installations
	RouteInstallations Route = "installations"
	RouteAny           Route = "*" // every route (faults only)
	RouteUnknown       Route = ""  // no route matched
)

// FaultKind is what goes wrong.
type FaultKind string

const (
	// FaultStatus answers Status (default 500) with GitHub's error body.
	FaultStatus FaultKind = "status"
	// FaultLatency delays the answer by Delay, then serves it normally.
	FaultLatency FaultKind = "latency"
	// FaultHang never answers: the handler waits until the client goes away or the server
	// closes. It proves a client's deadline, not the server's, ends the call.
	FaultHang FaultKind = "hang"
	// FaultRetryAfter answers 429 with Retry-After: RetryAfter (whole seconds, default 1).
	FaultRetryAfter FaultKind = "retry-after"
	// FaultSecondary answers 403 with GitHub's secondary-rate-limit message and
	// documentation_url, with Retry-After when RetryAfter > 0.
	FaultSecondary FaultKind = "secondary"
	// FaultPrimary answers 403 with x-ratelimit-remaining: 0 and x-ratelimit-reset
	// ResetIn from now (primary rate limit exhausted).
	FaultPrimary FaultKind = "primary"
	// FaultTruncate answers 200 with the JSON body cut in half (a connection that dropped
	// mid-body behind a proxy, or a buggy intermediary).
	FaultTruncate FaultKind = "truncate"
)

// Fault is one injected failure.
type Fault struct {
	Route Route     `json:"route"`
	Kind  FaultKind `json:"kind"`
	// Status for FaultStatus (default 500).
	Status int `json:"status,omitempty"`
	// Delay for FaultLatency.
	Delay Duration `json:"delay,omitempty"`
	// RetryAfter for FaultRetryAfter / FaultSecondary, rounded up to whole seconds.
	RetryAfter Duration `json:"retry_after,omitempty"`
	// ResetIn for FaultPrimary (default 1h).
	ResetIn Duration `json:"reset_in,omitempty"`
	// Times limits the fault to the first N matching requests; 0 means every request.
	Times int `json:"times,omitempty"`
}

func (f Fault) String() string {
	s := fmt.Sprintf("%s on %s", f.Kind, f.Route)
	if f.Times > 0 {
		s += fmt.Sprintf(" (first %d)", f.Times)
	}
	return s
}

// retryAfterSeconds renders d as GitHub does: whole seconds, at least 1.
func retryAfterSeconds(d Duration) int {
	s := int((time.Duration(d) + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

// armedFault is a Fault with its remaining budget.
type armedFault struct {
	Fault
	used int
}

// take reports whether the fault applies to one more request on route, consuming budget.
func (a *armedFault) take(route Route) bool {
	if a.Route != RouteAny && a.Route != route {
		return false
	}
	if a.Times > 0 && a.used >= a.Times {
		return false
	}
	a.used++
	return true
}
