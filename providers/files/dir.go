package files

import (
	"path/filepath"
	"strings"

	"github.com/driftless/driftless/driver"
)

// Source is a directory of secret files (a Kubernetes Secret volume, a
// Secrets Store CSI driver mount, Docker's /run/secrets) used as a
// key-value source in the driftless chain: a config key is read from the
// file of the same name (or of the name a mapping option gives) in the
// directory, so OPENAI_API_KEY is found without writing a reference.
// Create one with Dir and pass it to driftless.WithKeySource. A Source does
// no I/O itself; it is safe for concurrent use.
type Source struct {
	dir  string
	name func(key string) (string, bool)
}

var _ driver.KeySource = (*Source)(nil)

// DirOption configures a Source. The mapping options (WithDashedNames,
// WithLowerNames, WithNames, WithNameFunc) replace one another: the last
// one given wins.
type DirOption func(*Source)

// Dir returns a key source that reads each config key from a file in dir.
// By default the file name is the key itself: OPENAI_API_KEY is read from
// dir/OPENAI_API_KEY. A relative dir is made absolute once, here, against
// the working directory.
//
// The returned references are file:// references (Ref.Scheme "file",
// Ref.Name the file's absolute path), read by the provider registered for
// "file": the watching Provider of this package when registered with
// driftless.WithProvider("file", files.New()), otherwise the core's
// built-in reader, which reads the same files but does not watch them. A
// file that does not exist falls through to the next source (the default
// tag); once it appears, a watching Handle picks it up.
func Dir(dir string, opts ...DirOption) *Source {
	if !filepath.IsAbs(dir) {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	s := &Source{dir: filepath.Clean(dir), name: func(key string) (string, bool) { return key, true }}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// WithDashedNames maps a key to its lower-case, dashed file name, the way
// Kubernetes Secret keys are usually written: OPENAI_API_KEY is read from
// openai-api-key, DB_PASSWORD from db-password.
func WithDashedNames() DirOption {
	return WithNameFunc(func(key string) (string, bool) {
		return strings.ReplaceAll(strings.ToLower(key), "_", "-"), true
	})
}

// WithLowerNames maps a key to its lower-case file name, the way Docker
// Compose secrets are usually named: DB_PASSWORD is read from db_password.
func WithLowerNames() DirOption {
	return WithNameFunc(func(key string) (string, bool) { return strings.ToLower(key), true })
}

// WithNames maps config keys to file names explicitly; keys not in m are
// left to the next source. A name may be a relative path below the
// directory ("db/password", a Kubernetes item path). The map is copied.
func WithNames(m map[string]string) DirOption {
	names := make(map[string]string, len(m))
	for k, v := range m {
		names[k] = v
	}
	return WithNameFunc(func(key string) (string, bool) {
		name, ok := names[key]
		return name, ok
	})
}

// WithNameFunc maps config keys to file names with fn; fn returns false
// for a key the directory does not serve. fn must be cheap, do no I/O and
// be safe for concurrent use.
func WithNameFunc(fn func(key string) (name string, ok bool)) DirOption {
	return func(s *Source) { s.name = fn }
}

// RefFor returns the file:// reference of the file that holds key. It
// returns false when the mapping has no file for key, or maps it to a name
// that is not a path below the directory: empty, ".", absolute, escaping
// with "..", or one of the kubelet's own "..data" and "..<timestamp>" entries.
func (s *Source) RefFor(key string) (driver.Ref, bool) {
	if key == "" {
		return driver.Ref{}, false
	}
	name, ok := s.name(key)
	if !ok || !filepath.IsLocal(name) {
		return driver.Ref{}, false
	}
	name = filepath.Clean(name)
	if name == "." || strings.HasPrefix(name, "..") {
		return driver.Ref{}, false
	}
	return driver.Ref{Scheme: Scheme, Name: filepath.Join(s.dir, name)}, true
}

// Path returns the directory's absolute path.
func (s *Source) Path() string { return s.dir }

// String describes the source: its directory, which is not secret.
func (s *Source) String() string { return "files.Dir(" + s.dir + ")" }
