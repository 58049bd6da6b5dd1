// Package kubeconfig loads a kubeconfig the way kubectl finds it — an explicit path, else
// the $KUBECONFIG list (merged, first file wins per key), else ~/.kube/config — and resolves
// one context to a rest.Config, exec credential plugins and token files included. Nothing
// is contacted.
//
// Errors name the file the way the user named it: the explicit path as given, "$KUBECONFIG",
// or "~/.kube/config", never the absolute path of the home directory (outputs are shared
// and cached across machines).
package kubeconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// DefaultDisplay is how messages name the default kubeconfig.
const DefaultDisplay = "~/.kube/config"

// Source says where the kubeconfig is.
type Source struct {
	// Path is an explicit kubeconfig (--kubeconfig); it alone is read.
	Path string
	// Env is the value of $KUBECONFIG, a list separated by the OS path-list separator; used
	// when Path is "".
	Env string
	// Home is the home directory for ~/.kube/config ("" = the current user's).
	Home string
}

// Where names the kubeconfig for messages: "--kubeconfig <path as given>" (the home
// directory written as "~", so a report reads the same on every machine), "$KUBECONFIG" or
// "~/.kube/config".
func (s Source) Where() string {
	switch {
	case s.Path != "":
		home := s.Home
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if len(home) >= 2 {
			return "--kubeconfig " + strings.ReplaceAll(s.Path, home, "~")
		}
		return "--kubeconfig " + s.Path
	case s.Env != "":
		return "$KUBECONFIG"
	default:
		return DefaultDisplay
	}
}

// Error is a kubeconfig that cannot be loaded, or a context it does not define or cannot
// turn into a client configuration.
type Error struct {
	Where   string // Source.Where
	Context string // the context asked for ("" = the current context)
	// Undefined is set when the kubeconfig does not define Context; Defined then lists the
	// contexts it does define, sorted.
	Undefined bool
	Defined   []string
	// Unreadable is set when the file(s) could not be read or parsed at all.
	Unreadable bool
	Err        error // the cause, with the home directory's path replaced by "~"
}

func (e *Error) Error() string {
	switch {
	case e.Undefined && len(e.Defined) == 0:
		return fmt.Sprintf("context %q is not in %s (it defines no context)", e.Context, e.Where)
	case e.Undefined:
		return fmt.Sprintf("context %q is not in %s (it defines %s)", e.Context, e.Where, strings.Join(e.Defined, ", "))
	case e.Unreadable:
		return fmt.Sprintf("cannot load %s: %v", e.Where, e.Err)
	case e.Context == "":
		return fmt.Sprintf("cannot use %s: %v", e.Where, e.Err)
	default:
		return fmt.Sprintf("context %q in %s is unusable: %v", e.Context, e.Where, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Load resolves context ("" = the kubeconfig's current context) from src and returns its
// client configuration and the context's name. The error, when not nil, is *Error.
func Load(src Source, context string) (*rest.Config, string, error) {
	home := src.Home
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	defaultFile := ""
	if home != "" {
		defaultFile = filepath.Join(home, ".kube", "config")
	}
	fail := func(err error) *Error {
		return &Error{Where: src.Where(), Context: context, Err: hideHome(err, home)}
	}
	rules := &clientcmd.ClientConfigLoadingRules{}
	switch {
	case src.Path != "":
		rules.ExplicitPath = src.Path
	case src.Env != "":
		rules.Precedence = filepath.SplitList(src.Env)
	case defaultFile != "":
		rules.Precedence = []string{defaultFile}
	}
	raw, err := rules.Load()
	if err != nil {
		e := fail(err)
		e.Unreadable = true
		return nil, context, e
	}
	name := context
	if name == "" {
		name = raw.CurrentContext
	}
	if name != "" {
		if _, ok := raw.Contexts[name]; !ok {
			defined := make([]string, 0, len(raw.Contexts))
			for n := range raw.Contexts {
				defined = append(defined, n)
			}
			sort.Strings(defined)
			return nil, name, &Error{Where: src.Where(), Context: name, Undefined: true, Defined: defined}
		}
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		e := fail(err)
		e.Context = name
		return nil, name, e
	}
	return cfg, name, nil
}

// hideHome replaces the home directory's absolute path in err's message with "~".
func hideHome(err error, home string) error {
	if err == nil || len(home) < 2 || !strings.Contains(err.Error(), home) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), home, "~"))
}

// HideHome writes the home directory's absolute path in msg as "~", for messages about
// client setup that client-go builds from kubeconfig paths (certificate and key files):
// a report must read the same on every machine.
func HideHome(msg string) string {
	home, err := os.UserHomeDir()
	if err != nil || len(home) < 2 {
		return msg
	}
	return strings.ReplaceAll(msg, home, "~")
}
