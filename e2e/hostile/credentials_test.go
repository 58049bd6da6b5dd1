package hostile

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Credentials the preflight holds must never be printed, and redacting them must never
// mangle other text. The servers are loopback stand-ins that quote the credential they
// were sent in their error answers, as some API servers and proxies do.

// quotingGitHub answers every call 401 with the token quoted in the message.
func quotingGitHub(s *scene) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "token ")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"message": "Bad credentials: " + tok,
			"documentation_url": "https://docs.github.com/rest"})
	}))
	s.t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// quotingKube answers every call 403 with a Status quoting the bearer token.
func quotingKube(s *scene) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure",
			"message": "user with token " + tok + " cannot get this", "reason": "Forbidden", "code": 403})
	}))
	s.t.Cleanup(srv.Close)
	return srv.URL
}

const (
	longGitHubToken = "ghp_hostileSuiteTokenNotReal0123456789ab"
	kubeBearer      = "kube-bearer-hostile-suite-not-real-0123456789"
)

func kubeconfigFor(server, token string) string {
	return strings.NewReplacer("https://127.0.0.1:1", server, "hostile-suite-token-not-real-0123456789", token).Replace(kubeconfig)
}

var preflightArgs = []string{"preflight", "--strict", "--overlay-root", "OV", "--github-api-url", "GHURL", "--timeout", "20s"}

func credentialCases() []tcase {
	const class = "credentials"
	var cs []tcase
	// A short token must not be "redacted" inside every word: SHAs, labels and sentences
	// stay intact.
	for _, tok := range []string{"x", "e", "1", "a"} {
		cs = append(cs, tcase{name: "one-character token " + tok, class: class, args: preflightArgs, env: []string{"GITHUB_TOKEN=" + tok}, exits: exit(1),
			prepare: func(s *scene) {
				s.overlay()
				s.write("kubeconfig", []byte(kubeconfig))
				s.vars = map[string]string{"GHURL": "http://127.0.0.1:1/"}
			},
			forbid:  []string{"[REDACTED]"},
			require: []string{"637b7167c400a842cdc7af0709b2251c0542a48a", "heavy-build"}})
	}
	for _, f := range formats {
		cs = append(cs,
			tcase{name: "GitHub quotes the token, " + f, class: class, format: f,
				args: preflightArgs, env: []string{"GITHUB_TOKEN=" + longGitHubToken}, exits: exit(1),
				prepare: func(s *scene) {
					s.overlay()
					s.write("kubeconfig", []byte(kubeconfig))
					s.vars = map[string]string{"GHURL": quotingGitHub(s)}
				},
				forbid: []string{longGitHubToken}},
			tcase{name: "kube API quotes the bearer token, " + f, class: class, format: f,
				args: preflightArgs, env: []string{"GITHUB_TOKEN=" + longGitHubToken}, exits: exit(1),
				prepare: func(s *scene) {
					s.overlay()
					s.write("kubeconfig", []byte(kubeconfigFor(quotingKube(s), kubeBearer)))
					s.vars = map[string]string{"GHURL": "http://127.0.0.1:1/"}
				},
				forbid: []string{kubeBearer}},
		)
	}
	return cs
}
