// Package ghapi is the read-only GitHub REST client that the live preflight's probes and
// `gfenroll pin` share: a go-github client over one transport, a resolver of core refs
// through the commits API, and the classification of failed calls into an operator's words.
// It judges nothing; the probes (checks/preflight/github) turn its answers into findings.
//
// Everything here is read-only and token-safe: requests go through one transport that
// refuses anything but GET, attaches the token only for the configured API host, retries
// within the caller's deadline, and every message that leaves the package is scrubbed of
// the token.
package ghapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	gogh "github.com/google/go-github/v89/github"

	"github.com/tinyland-inc/gf-enrollment/internal/redact"
)

// DefaultAPIURL is GitHub.com's REST API root.
const DefaultAPIURL = "https://api.github.com/"

// Defaults applied by NewClient when a ClientConfig field is zero.
const (
	DefaultCallTimeout = 10 * time.Second
	defaultAttempts    = 3
	defaultBackoff     = 250 * time.Millisecond
)

// Token environment variables, in the order they are read (GitHub CLI's order too).
var TokenEnv = []string{"GITHUB_TOKEN", "GH_TOKEN"}

// TokenFromEnv returns the first non-empty token of TokenEnv and the variable it came
// from. The value must never be printed; the name may be.
func TokenFromEnv(getenv func(string) string) (token, from string) {
	for _, k := range TokenEnv {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v, k
		}
	}
	return "", ""
}

// ClientConfig is how to reach GitHub.
type ClientConfig struct {
	// APIURL is the REST API root ("" = https://api.github.com/; GitHub Enterprise Server:
	// https://HOST/api/v3/).
	APIURL string
	// Token authenticates every request (GITHUB_TOKEN / GH_TOKEN). Empty: probes that need
	// it report preflight/github-token-missing instead of calling.
	Token string
	// HTTP is the underlying transport (nil = http.DefaultTransport); tests and the latency
	// benchmark inject theirs.
	HTTP http.RoundTripper
	// CallTimeout bounds one attempt of one call (default 10s); the overall budget is the
	// context's deadline.
	CallTimeout time.Duration
	// Attempts per call for 5xx, timeouts, dropped connections and malformed answers
	// (default 3).
	Attempts int
	// Backoff is the first retry delay, doubled per attempt (default 250ms).
	Backoff time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Client is a read-only GitHub client.
type Client struct {
	gh     *gogh.Client
	token  string
	apiURL *url.URL
	now    func() time.Time
}

// NewClient builds a client. The error (a bad --github-api-url) is a usage error.
func NewClient(cfg ClientConfig) (*Client, error) {
	redact.Register(cfg.Token)
	raw := cfg.APIURL
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--github-api-url %q: want an http(s) URL of the REST API root, e.g. https://api.github.com/ or https://ghe.example.com/api/v3/", redactURL(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("--github-api-url %q: credentials in the URL are not accepted; use GITHUB_TOKEN or GH_TOKEN", redactURL(raw))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	base := cfg.HTTP
	if base == nil {
		base = http.DefaultTransport
	}
	t := &transport{
		base:        base,
		token:       cfg.Token,
		host:        u.Host,
		callTimeout: orDefault(cfg.CallTimeout, DefaultCallTimeout),
		maxAttempts: cfg.Attempts,
		backoff:     orDefault(cfg.Backoff, defaultBackoff),
		sleep:       sleepCtx,
		now:         cfg.Now,
	}
	if t.maxAttempts <= 0 {
		t.maxAttempts = defaultAttempts
	}
	hc := &http.Client{
		Transport: t,
		// Follow GitHub's redirects (renamed repositories answer 301) only on the API host;
		// the transport would not send the token elsewhere anyway.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if !strings.EqualFold(req.URL.Host, u.Host) {
				return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
			}
			return nil
		},
	}
	s := u.String()
	// go-github remembers a rate limit from one answer and then refuses other calls
	// client-side until it resets; with concurrent calls, whether a call was sent or refused
	// would depend on timing, so one GitHub state could give two reports. The transport
	// alone decides, per answer, what to wait out; every call reaches it.
	gh, err := gogh.NewClient(gogh.WithHTTPClient(hc), gogh.WithURLs(&s, &s), gogh.WithUserAgent("gfenroll-preflight"),
		gogh.WithDisableRateLimitCheck())
	if err != nil {
		return nil, fmt.Errorf("github client: %w", err)
	}
	return &Client{gh: gh, token: cfg.Token, apiURL: u, now: cfg.Now}, nil
}

// REST is the go-github client whose every request goes through the read-only transport.
func (c *Client) REST() *gogh.Client { return c.gh }

// Now is the client's clock (ClientConfig.Now).
func (c *Client) Now() time.Time { return c.now() }

// HasToken reports whether the client authenticates.
func (c *Client) HasToken() bool { return c != nil && c.token != "" }

// APIURL is the API root, safe to print.
func (c *Client) APIURL() string { return redactURL(c.apiURL.String()) }

// Scrub removes the token (and every other credential the process registered) from s.
// Every message the package produces goes through it: nothing upstream should ever put the
// token in an error, and this makes sure. Only whole occurrences are replaced, so a short
// token cannot corrupt a SHA or a label.
func (c *Client) Scrub(s string) string {
	return redact.String(s)
}

// redactURL drops userinfo from a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return userinfo.ReplaceAllString(raw, "://REDACTED@")
	}
	if u.User == nil {
		return raw
	}
	u.User = url.User("REDACTED")
	return u.String()
}

var userinfo = regexp.MustCompile(`://[^/@]*@`)

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
