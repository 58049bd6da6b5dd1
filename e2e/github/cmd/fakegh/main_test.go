package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
)

// The standalone server serves a scenario file, prints its URL, and writes the request log
// (without the token) when stopped.
func TestServeScenarioFile(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "requests.jsonl")
	pr, pw := io.Pipe()
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"--scenario", "../../scenarios/tinyland-org.json", "--log", logPath, "--prefix", "/api/v3"}, pw, stop)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(strings.TrimPrefix(line, "FAKEGH_URL="))
	if !strings.HasSuffix(url, "/api/v3/") {
		t.Fatalf("url %q", url)
	}
	req, _ := http.NewRequest("GET", url+"repos/tinyland-inc/tinyland-infra", nil)
	req.Header.Set("Authorization", "Bearer "+fakegh.DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var repo struct {
		DefaultBranch string `json:"default_branch"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&repo); err != nil || repo.DefaultBranch != "main" {
		t.Fatalf("repo: %+v %v", repo, err)
	}
	resp.Body.Close()
	close(stop)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"path":"/api/v3/repos/tinyland-inc/tinyland-infra"`) || strings.Contains(string(data), fakegh.DefaultToken) {
		t.Errorf("log:\n%s", data)
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	err := run([]string{"--scenario", "../../scenarios/tinyland-org.json", "--addr", "0.0.0.0:0"}, io.Discard, make(chan struct{}))
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("got %v", err)
	}
}
