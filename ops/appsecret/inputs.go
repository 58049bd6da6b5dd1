// Package appsecret writes the owner's ARC GitHub App secret into both ARC namespaces
// (step 2 of the enrollment credential sequence): the secret name and cluster context
// come from config/organization.yaml, the namespaces from the ARC runner tfvars, the App
// credentials from GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and
// GITHUB_APP_PRIVATE_KEY_PATH.
//
// Every input is validated before anything touches a cluster, and any problem refuses the
// whole run. The private key is read into memory, sent only as the Secret's data, and
// never printed, logged or put in an error message, in any encoding: what people see is
// the SHA-256 fingerprint of its public half (the form GitHub's App settings page shows).
package appsecret

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Environment variables the App credentials come from (the names the core's recipes export).
const (
	EnvAppID          = "GITHUB_APP_ID"
	EnvInstallationID = "GITHUB_APP_INSTALLATION_ID"
	EnvPrivateKeyPath = "GITHUB_APP_PRIVATE_KEY_PATH"
)

// Secret data keys ARC's gha-runner-scale-set reads for GitHub App authentication.
const (
	KeyAppID          = "github_app_id"
	KeyInstallationID = "github_app_installation_id"
	KeyPrivateKey     = "github_app_private_key"
)

// Input error kinds specific to this command (printed as input/<kind>).
const (
	KindPermissions = "permissions" // key file mode or owner
	KindLocation    = "location"    // key file inside the overlay repository
	KindKey         = "key"         // not a usable RSA private key
	KindMismatch    = "mismatch"    // organization.yaml and tfvars disagree
	KindContext     = "context"     // kube context not in the kubeconfig
)

// maxKeyBytes bounds the key file read: a 4096-bit RSA PEM is about 3.3 KiB.
const maxKeyBytes = 64 << 10

// Credentials are the validated App inputs. Key holds the private key file's bytes
// exactly as read; it must never be formatted into any output.
type Credentials struct {
	AppID          string
	InstallationID string
	// KeyPath is GITHUB_APP_PRIVATE_KEY_PATH as given; KeyTarget the file it resolves to
	// when it is a symlink ("" otherwise).
	KeyPath   string
	KeyTarget string
	Key       []byte
	// KeyFormat is "PKCS#1" or "PKCS#8"; KeyBits the RSA modulus size.
	KeyFormat string
	KeyBits   int
	// Fingerprint is "SHA256:" + base64 of the SHA-256 of the DER public key, as GitHub's
	// App settings page shows it.
	Fingerprint string
}

// refusal builds one input error. where is what the operator must look at: an
// environment variable name, or a file position.
func refusal(where finding.Position, kind, format string, args ...any) *finding.InputError {
	return &finding.InputError{Pos: where, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func envPos(name string) finding.Position { return finding.Position{File: name} }

// ReadCredentials validates the three App inputs. repoRoot is the overlay repository
// (the key must live outside it); uid is the caller's user id (the key must be theirs).
// Every problem is returned at once.
func ReadCredentials(getenv func(string) string, repoRoot string, uid int) (*Credentials, finding.InputErrors) {
	var errs finding.InputErrors
	c := &Credentials{}
	for _, v := range []struct {
		env, what string
		dst       *string
	}{
		{EnvAppID, "the numeric App ID from the App's settings page (About: App ID)", &c.AppID},
		{EnvInstallationID, "the installation ID (the number at the end of the installation's settings URL)", &c.InstallationID},
	} {
		val, err := positiveDecimal(getenv(v.env))
		if err != nil {
			errs = append(errs, refusal(envPos(v.env), kindFor(getenv(v.env)), "%s %v; export it as %s", v.env, err, v.what))
			continue
		}
		*v.dst = val
	}

	c.KeyPath = getenv(EnvPrivateKeyPath)
	if c.KeyPath == "" {
		errs = append(errs, refusal(envPos(EnvPrivateKeyPath), finding.KindMissing,
			"%s is not set; export the path of the App's private key (.pem downloaded from the App settings, kept outside any repository, mode 0600)", EnvPrivateKeyPath))
		return c, errs
	}
	if ie := c.readKey(repoRoot, uid); ie != nil {
		errs = append(errs, ie)
	}
	return c, errs
}

func kindFor(v string) string {
	if v == "" {
		return finding.KindMissing
	}
	return finding.KindType
}

// positiveDecimal accepts 1..MaxInt64 written in decimal without sign, leading zero or
// blanks: the forms GitHub shows, and the only ones ARC's int64 parse and GitHub agree on.
func positiveDecimal(v string) (string, error) {
	switch {
	case v == "":
		return "", errors.New("is not set")
	case strings.TrimSpace(v) != v:
		return "", fmt.Errorf("%q has leading or trailing blanks", v)
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%q is not a positive decimal number", v)
		}
	}
	switch {
	case v[0] == '0' && len(v) > 1:
		return "", fmt.Errorf("%q has a leading zero", v)
	case v == "0":
		return "", errors.New("is 0; it must be positive")
	}
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return "", fmt.Errorf("%q does not fit a 64-bit integer", v)
	}
	return v, nil
}

// readKey checks the key file and parses it. A symlink is followed and its target is
// what is checked (mode, owner, location): that is the file whose secrecy matters.
func (c *Credentials) readKey(repoRoot string, uid int) *finding.InputError {
	at := envPos(EnvPrivateKeyPath)
	name := fmt.Sprintf("%s=%s", EnvPrivateKeyPath, c.KeyPath)
	resolved, err := filepath.EvalSymlinks(c.KeyPath)
	if err != nil {
		kind := finding.KindRead
		if errors.Is(err, os.ErrNotExist) {
			kind = finding.KindMissing
		}
		return refusal(at, kind, "%s: %v; point it at the App's private key file", name, unwrapPath(err))
	}
	abs, err := filepath.Abs(resolved)
	if err != nil {
		return refusal(at, finding.KindRead, "%s: %v", name, err)
	}
	if li, err := os.Lstat(c.KeyPath); err == nil && li.Mode()&os.ModeSymlink != 0 {
		c.KeyTarget = resolved
		name += " (symlink to " + resolved + ")"
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return refusal(at, finding.KindRead, "%s: %v", name, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return refusal(at, finding.KindRead, "%s is %s, not a regular file; point it at the .pem file itself", name, finding.DescribeMode(fi.Mode()))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		return refusal(at, KindPermissions, "%s is owned by uid %d, not by you (uid %d); copy it to a file you own: install -m 0600 %s ~/.config/gfenroll/app.pem", name, st.Uid, uid, c.KeyPath)
	}
	if perm := fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky); perm != 0o600 && perm != 0o400 {
		return refusal(at, KindPermissions, "%s has mode %04o; a private key must be readable by you alone: chmod 600 %s", name, uint32(perm.Perm())|specialBits(perm), c.KeyPath)
	}
	if repoRoot != "" {
		if inside, root := within(abs, repoRoot); inside {
			return refusal(at, KindLocation, "%s is inside the overlay repository (%s), where it could be committed; move it outside, e.g. ~/.config/gfenroll/, and point %s there", name, root, EnvPrivateKeyPath)
		}
	}

	data, ie := readRegular(abs, fi, name, at)
	if ie != nil {
		return ie
	}
	if ie := c.parseKey(data, name, at); ie != nil {
		return ie
	}
	c.Key = data
	return nil
}

// readRegular opens the file without following a symlink and without blocking (a FIFO
// swapped in after the Lstat would hang a plain open), then checks the opened file is the
// one inspected, closing the window between check and use.
func readRegular(path string, checked os.FileInfo, name string, at finding.Position) ([]byte, *finding.InputError) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, refusal(at, finding.KindRead, "%s: %v", name, unwrapPath(err))
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil || !opened.Mode().IsRegular() || !os.SameFile(opened, checked) {
		return nil, refusal(at, finding.KindRead, "%s changed while it was being checked; run the command again", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyBytes+1))
	if err != nil {
		return nil, refusal(at, finding.KindRead, "%s: %v", name, unwrapPath(err))
	}
	if len(data) > maxKeyBytes {
		return nil, refusal(at, KindKey, "%s is larger than %d KiB; it is not a GitHub App private key", name, maxKeyBytes>>10)
	}
	return data, nil
}

// parseKey accepts exactly one PEM block holding an unencrypted RSA private key in PKCS#1
// ("RSA PRIVATE KEY", what GitHub downloads) or PKCS#8 ("PRIVATE KEY", what openssl pkey
// writes). Messages describe the problem, never the content.
func (c *Credentials) parseKey(data []byte, name string, at finding.Position) *finding.InputError {
	block, rest := pem.Decode(data)
	if block == nil {
		if bytes.Contains(data, []byte("-----BEGIN")) {
			return refusal(at, KindKey, "%s has a damaged PEM block (bad base64 or missing END line); download the key again from the App settings", name)
		}
		return refusal(at, KindKey, "%s is not a PEM file (no -----BEGIN line); it must be the .pem private key GitHub generated for the App", name)
	}
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		return refusal(at, KindKey, "%s holds more than one PEM block; keep only the App's private key in it", name)
	}
	if _, encrypted := block.Headers["DEK-Info"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
		return refusal(at, KindKey, "%s is encrypted with a passphrase; ARC needs the plain key: openssl pkey -in %s -out app-plain.pem (then chmod 600 it)", name, c.KeyPath)
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return refusal(at, KindKey, "%s: the RSA PRIVATE KEY block does not parse as a PKCS#1 key; download the key again from the App settings", name)
		}
		key, c.KeyFormat = k, "PKCS#1"
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return refusal(at, KindKey, "%s: the PRIVATE KEY block does not parse as a PKCS#8 key; download the key again from the App settings", name)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return refusal(at, KindKey, "%s holds a %s private key; GitHub App keys are RSA", name, keyType(k))
		}
		key, c.KeyFormat = rk, "PKCS#8"
	case "OPENSSH PRIVATE KEY":
		return refusal(at, KindKey, "%s is an OpenSSH key, not a GitHub App key; use the .pem generated under the App's settings (Private keys)", name)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return refusal(at, KindKey, "%s holds a %s, not the private key; use the .pem generated under the App's settings (Private keys)", name, strings.ToLower(block.Type))
	default:
		return refusal(at, KindKey, "%s holds a PEM block of type %q; want RSA PRIVATE KEY or PRIVATE KEY", name, block.Type)
	}
	if err := key.Validate(); err != nil {
		return refusal(at, KindKey, "%s: the RSA key is inconsistent (%s); download the key again", name, "validation failed")
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return refusal(at, KindKey, "%s: cannot derive the public key", name)
	}
	sum := sha256.Sum256(der)
	c.Fingerprint = "SHA256:" + base64.StdEncoding.EncodeToString(sum[:])
	c.KeyBits = key.N.BitLen()
	return nil
}

func keyType(k any) string {
	switch k.(type) {
	case *ecdsa.PrivateKey:
		return "ECDSA"
	case ed25519.PrivateKey:
		return "Ed25519"
	case *ecdh.PrivateKey:
		return "ECDH"
	}
	return fmt.Sprintf("%T", k)
}

func specialBits(m os.FileMode) uint32 {
	var b uint32
	if m&os.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// within reports whether path (absolute, symlinks resolved) lies under root once root's
// own symlinks are resolved, and returns the resolved root.
func within(path, root string) (bool, string) {
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		r = root
	}
	r, _ = filepath.Abs(r)
	rel, err := filepath.Rel(r, path)
	if err != nil {
		return false, r
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))), r
}

// RepoRoot is the repository the overlay lives in: the nearest directory at or above the
// overlay root holding .git (a directory, or a file for worktrees and submodules), else
// the overlay root itself. Symlinks are resolved.
func RepoRoot(overlayRoot string) string {
	dir, err := filepath.EvalSymlinks(overlayRoot)
	if err != nil {
		dir = overlayRoot
	}
	dir, _ = filepath.Abs(dir)
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
