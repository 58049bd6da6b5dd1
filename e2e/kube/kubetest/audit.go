package kubetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// AuditEvent is the part of an audit.k8s.io/v1 Event the tests assert on.
type AuditEvent struct {
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	UserAgent  string `json:"userAgent"`
	User       struct {
		Username string   `json:"username"`
		Groups   []string `json:"groups"`
	} `json:"user"`
	ImpersonatedUser *struct {
		Username string `json:"username"`
	} `json:"impersonatedUser"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		APIVersion  string `json:"apiVersion"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	// ResponseObject is the object as served; present at level RequestResponse (core
	// secrets in e2e/kube/audit-policy.yaml).
	ResponseObject json.RawMessage `json:"responseObject"`
}

// Code is the HTTP status of the response (0 when not recorded).
func (a AuditEvent) Code() int {
	if a.ResponseStatus == nil {
		return 0
	}
	return a.ResponseStatus.Code
}

// Resource is objectRef.resource ("" for non-resource URLs).
func (a AuditEvent) Resource() string {
	if a.ObjectRef == nil {
		return ""
	}
	return a.ObjectRef.Resource
}

// Namespace is objectRef.namespace.
func (a AuditEvent) Namespace() string {
	if a.ObjectRef == nil {
		return ""
	}
	return a.ObjectRef.Namespace
}

// ResponseKind is the kind of the served object ("" when not logged).
func (a AuditEvent) ResponseKind() string {
	var o struct {
		Kind string `json:"kind"`
	}
	if len(a.ResponseObject) == 0 || json.Unmarshal(a.ResponseObject, &o) != nil {
		return ""
	}
	return o.Kind
}

// ResponseCarriesData reports whether the served object, or any item of a served list,
// has a data or stringData field: i.e. whether secret values went over the wire.
func (a AuditEvent) ResponseCarriesData() bool {
	if len(a.ResponseObject) == 0 {
		return false
	}
	var o struct {
		Data       json.RawMessage   `json:"data"`
		StringData json.RawMessage   `json:"stringData"`
		Items      []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(a.ResponseObject, &o) != nil {
		return true // unknown shape: assume the worst
	}
	if len(o.Data) > 0 || len(o.StringData) > 0 {
		return true
	}
	for _, it := range o.Items {
		if (AuditEvent{ResponseObject: it}).ResponseCarriesData() {
			return true
		}
	}
	return false
}

func (a AuditEvent) String() string {
	ref := a.RequestURI
	if a.ObjectRef != nil {
		ref = fmt.Sprintf("%s %s/%s", a.ObjectRef.Resource, a.ObjectRef.Namespace, a.ObjectRef.Name)
	}
	return fmt.Sprintf("%s %s %s -> %d %s (ua %q)", a.User.Username, a.Verb, ref, a.Code(), a.ResponseKind(), a.UserAgent)
}

// AuditEvents returns every audit event matching keep. It first sends a sentinel
// request and waits until the sentinel is in the log, so events of requests that
// completed before the call are all present (the audit write trails the response).
func (e *Env) AuditEvents(t testing.TB, keep func(AuditEvent) bool) []AuditEvent {
	t.Helper()
	sentinel := "gfenroll-kubetest-audit-sentinel-" + Suffix(12)
	cfg := e.Admin()
	cfg.UserAgent = sentinel
	c, err := newRESTClient(cfg)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	c2, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Get().AbsPath("/version").Do(c2).Error(); err != nil {
		t.Fatalf("kubetest: audit sentinel request: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, seen, err := readAudit(e.AuditLog, sentinel, keep)
		if err != nil {
			t.Fatalf("kubetest: %v", err)
		}
		if seen {
			return events
		}
		if time.Now().After(deadline) {
			t.Fatalf("kubetest: audit sentinel never reached %s", e.AuditLog)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readAudit(path, sentinel string, keep func(AuditEvent) bool) (events []AuditEvent, sentinelSeen bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for lineNo := 1; ; lineNo++ {
		line, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 && line[len(line)-1] == '\n' {
			var ev AuditEvent
			if err := json.Unmarshal(line, &ev); err != nil {
				return nil, false, fmt.Errorf("%s:%d: %w", path, lineNo, err)
			}
			if ev.UserAgent == sentinel {
				sentinelSeen = true
			} else if keep == nil || keep(ev) {
				events = append(events, ev)
			}
		}
		if rerr != nil {
			break // EOF; a partial last line is still being written
		}
	}
	return events, sentinelSeen, nil
}
