package github

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/e2e/github/fakegh"
	"github.com/tinyland-inc/gf-enrollment/internal/ghapi"
)

// TestShortTokenNeverMangles: a token too short to be a plausible secret (one character,
// say) is not searched for, so messages keep every SHA, label and word; a real token is
// still redacted as a whole word only.
func TestShortTokenNeverMangles(t *testing.T) {
	const sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
	for _, token := range []string{"x", "1", "e"} {
		c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: "https://api.github.com/", Token: token})
		if err != nil {
			t.Fatal(err)
		}
		in := "core ref main is " + sha + "; label tinyland-x-large, 1 run queued"
		if got := c.Scrub(in); got != in {
			t.Errorf("token %q mangled the message:\n got %q\nwant %q", token, got, in)
		}
	}

	// The same GitHub answers give the same report whether the token is one character or
	// forty: nothing in the report is redacted.
	reports := map[string]string{}
	for _, token := range []string{"e", fakegh.DefaultToken} {
		srv := fakegh.Start(&fakegh.Scenario{Token: token, Repos: []*fakegh.Repo{enrolled()}}, fakegh.Options{})
		c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: srv.URL(), Token: token, Backoff: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r := Probe(ctx, c, Config{Sequential: true}, expectations())
		cancel()
		srv.Close()
		r.Finalize()
		reports[token] = dump(r)
		if strings.Contains(reports[token], "REDACTED") {
			t.Errorf("token %q: the report redacts something: %s", token, reports[token])
		}
	}
	if reports["e"] != reports[fakegh.DefaultToken] {
		t.Errorf("the report depends on the token's length:\n%s\nvs\n%s", reports["e"], reports[fakegh.DefaultToken])
	}

	c, err := ghapi.NewClient(ghapi.ClientConfig{APIURL: "https://api.github.com/", Token: "ghp_wholeWordToken0123"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Scrub(`Bad credentials for "ghp_wholeWordToken0123", not xghp_wholeWordToken0123`); got != `Bad credentials for "[REDACTED]", not xghp_wholeWordToken0123` {
		t.Errorf("Scrub = %q", got)
	}
}
