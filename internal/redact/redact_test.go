package redact

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestStringRedactsWholeCredentialsOnly(t *testing.T) {
	const sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
	const token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	for _, tc := range []struct {
		name     string
		register []string
		in, want string
	}{
		{"one-character tokens are not searched", []string{"x", "1", "e"},
			"pin " + sha + " for tinyland-x-large runs 1 job", "pin " + sha + " for tinyland-x-large runs 1 job"},
		{"seven characters are not searched", []string{"e3b0c44"},
			"commit e3b0c44 is pinned", "commit e3b0c44 is pinned"},
		{"a token quoted by a server", []string{token},
			`Unauthorized: token "` + token + `" is invalid`, `Unauthorized: token "` + Placeholder + `" is invalid`},
		{"every occurrence", []string{token},
			token + " and Bearer " + token + ".", Placeholder + " and Bearer " + Placeholder + "."},
		{"not inside a longer word", []string{"deadbeef1234"},
			"sha 00deadbeef1234ff is not the token deadbeef1234", "sha 00deadbeef1234ff is not the token " + Placeholder},
		{"a later whole occurrence after a partial one", []string{"abcdefgh"},
			"xabcdefgh abcdefgh", "xabcdefgh " + Placeholder},
		{"edges that are not word characters bind anywhere", []string{"==secret-value=="},
			"a==secret-value==b", "a" + Placeholder + "b"},
		{"longest first", []string{"password1", "password1234"},
			"password1234 password1", Placeholder + " " + Placeholder},
		{"blanks around a value are not part of it", []string{"  token-with-blanks\n"},
			"got token-with-blanks", "got " + Placeholder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reset()
			t.Cleanup(reset)
			Register(tc.register...)
			if got := String(tc.in); got != tc.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRegisterAuthorization(t *testing.T) {
	reset()
	t.Cleanup(reset)
	RegisterAuthorization("Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig")
	RegisterAuthorization("Basic " + base64.StdEncoding.EncodeToString([]byte("admin:hunter2hunter2")))
	RegisterAuthorization("Basic " + base64.StdEncoding.EncodeToString([]byte("admin:short")))
	in := "token eyJhbGciOiJSUzI1NiJ9.payload.sig, password hunter2hunter2, short password short"
	got := String(in)
	for _, leak := range []string{"eyJhbGciOiJSUzI1NiJ9.payload.sig", "hunter2hunter2"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks %q", got, leak)
		}
	}
	if !strings.HasSuffix(got, "short password short") {
		t.Errorf("short values must not be searched: %q", got)
	}
}

func TestRegisterPEM(t *testing.T) {
	reset()
	t.Cleanup(reset)
	body := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 4) // 140 base64 chars
	pemText := "-----BEGIN PRIVATE KEY-----\n" + body[:64] + "\n" + body[64:128] + "\n" + body[128:] + "\n-----END PRIVATE KEY-----\n"
	RegisterPEM([]byte(pemText))
	for _, quoted := range []string{pemText, body[:64], body[64:128]} {
		if got := String("error: " + quoted); strings.Contains(got, quoted) {
			t.Errorf("PEM material not redacted: %q", got)
		}
	}
}

func TestStringWithoutRegisteredCredentials(t *testing.T) {
	reset()
	if got := String("anything at all"); got != "anything at all" {
		t.Fatalf("got %q", got)
	}
}
