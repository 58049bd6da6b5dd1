// Command fakegh runs the loopback GitHub API stand-in outside Go tests (shell smoke tests,
// the Bazel preflight target, demos):
//
//	fakegh --scenario e2e/github/scenarios/tinyland-org.json [--addr 127.0.0.1:0] \
//	       [--latency 50ms] [--prefix /api/v3] [--log requests.jsonl] [--url-file url.txt]
//
// It prints "FAKEGH_URL=<api base url>" on stdout once it listens (and writes the URL to
// --url-file when given), serves until SIGINT/SIGTERM, then writes the request log as JSON
// lines to --log. The accepted token is the scenario's "token" (default fakegh.DefaultToken).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	stop := make(chan struct{})
	go func() { <-sig; close(stop) }()
	if err := run(os.Args[1:], os.Stdout, stop); err != nil {
		fmt.Fprintln(os.Stderr, "fakegh:", err)
		os.Exit(2)
	}
}

// run serves until stop is closed (main closes it on SIGINT/SIGTERM).
func run(args []string, stdout io.Writer, stop <-chan struct{}) error {
	fs := flag.NewFlagSet("fakegh", flag.ContinueOnError)
	scenarioPath := fs.String("scenario", "", "scenario JSON file (required)")
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	latency := fs.Duration("latency", 0, "latency added to every request")
	prefix := fs.String("prefix", "", "API path prefix, e.g. /api/v3 for a GitHub Enterprise shape")
	logPath := fs.String("log", "", "write the request log here (JSON lines) on shutdown")
	urlFile := fs.String("url-file", "", "write the API base URL here once listening")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scenarioPath == "" {
		return errors.New("--scenario is required")
	}
	data, err := os.ReadFile(*scenarioPath)
	if err != nil {
		return err
	}
	sc, err := fakegh.LoadScenario(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *scenarioPath, err)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--addr %s: the stand-in only listens on loopback", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := fakegh.NewHandler(sc, fakegh.Options{Latency: *latency, PathPrefix: *prefix})
	url := fmt.Sprintf("http://%s%s/", ln.Addr(), *prefix)
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "FAKEGH_URL=%s\n", url)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-stop:
	case err := <-errc:
		return err
	}
	srv.Close() // release hanging handlers first, so Close below does not wait on them
	_ = hs.Close()
	if *logPath != "" {
		return writeLog(*logPath, srv.Requests())
	}
	return nil
}

func writeLog(path string, reqs []fakegh.Request) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, r := range reqs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
