package sops

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/driftless/driftless/providers/files"
)

// Defaults of the options.
const (
	// DefaultMaxSize is the largest encrypted file Fetch reads, 1 MiB, the
	// same as the files provider's.
	DefaultMaxSize = files.DefaultMaxSize
	// DefaultPollInterval is how often a watch reads every watched file
	// again, whatever the file-system events said (see files.WithPollInterval).
	DefaultPollInterval = files.DefaultPollInterval
	// maxKeyFileSize bounds an age key file.
	maxKeyFileSize = 64 << 10
)

// The SOPS environment variables that WithSOPSEnvironment reads.
const (
	// EnvAgeKey holds age identities inline (AGE-SECRET-KEY-1..., one per
	// line), as sops reads it.
	EnvAgeKey = "SOPS_AGE_KEY"
	// EnvAgeKeyFile names a file of age identities, as sops reads it.
	EnvAgeKeyFile = "SOPS_AGE_KEY_FILE"
)

// Option configures a Provider.
type Option func(*options)

type options struct {
	ids      []age.Identity
	keyFiles []keyFile
	errs     []error
	given    bool // an identity source was given
	fromEnv  bool // WithSOPSEnvironment was given
	maxSize  int64
	poll     time.Duration
}

// keyFile is an age key file read at each Fetch.
type keyFile struct {
	path     string
	origin   string // the option or variable that named it
	optional bool   // skipped when it does not exist
}

// WithAgeIdentities adds age identities that can decrypt files: values from
// age.GenerateX25519Identity, age.ParseIdentities, or another package's
// age.Identity (agessh for SSH keys, a plugin). There is no default: a
// Provider decrypts with the identities its options give and nothing else.
func WithAgeIdentities(ids ...age.Identity) Option {
	return func(o *options) {
		o.given = true
		for _, id := range ids {
			if id == nil {
				o.errs = append(o.errs, errors.New("sops: WithAgeIdentities: nil identity"))
				continue
			}
			o.ids = append(o.ids, id)
		}
	}
}

// WithAgeKeys adds the identities of an age key file's content: one
// AGE-SECRET-KEY-1... per line, blank lines and "#" comments ignored (the
// format of age-keygen's output and of SOPS_AGE_KEY). New fails if a line
// is not an identity; the error gives the line number, never its text.
func WithAgeKeys(keyFileContent []byte) Option {
	return func(o *options) {
		o.given = true
		ids, err := parseIdentities(keyFileContent)
		if err != nil {
			o.errs = append(o.errs, fmt.Errorf("sops: WithAgeKeys: %w", err))
			return
		}
		o.ids = append(o.ids, ids...)
	}
}

// WithAgeKeyFile adds the identities of the age key file at path. The file
// is read at each Fetch, bounded as secret files are, so a key mounted from
// a Kubernetes Secret can rotate; New reads nothing. A key file that
// cannot be read or parsed makes Fetch fail with driftless.ErrPermission.
func WithAgeKeyFile(path string) Option {
	return func(o *options) {
		o.given = true
		if path == "" {
			o.errs = append(o.errs, errors.New("sops: WithAgeKeyFile: empty path"))
			return
		}
		o.keyFiles = append(o.keyFiles, keyFile{path: path, origin: "WithAgeKeyFile"})
	}
}

// WithSOPSEnvironment adds the age identities that the sops command would
// find, looked up through lookup (pass os.LookupEnv): the keys of
// SOPS_AGE_KEY, the key file named by SOPS_AGE_KEY_FILE, and the user's
// default key file, $XDG_CONFIG_HOME/sops/age/keys.txt (else
// $HOME/.config/sops/age/keys.txt, or $HOME/Library/Application
// Support/sops/age/keys.txt on macOS) when it exists. The variables are
// looked up when New applies the option; the files are read at each Fetch.
// SOPS_AGE_KEY_CMD and SSH keys are not used (pass an agessh identity with
// WithAgeIdentities for the latter). The process environment is read only
// through lookup: nothing is read unless this option is given.
func WithSOPSEnvironment(lookup func(string) (string, bool)) Option {
	return func(o *options) {
		o.given, o.fromEnv = true, true
		if lookup == nil {
			o.errs = append(o.errs, errors.New("sops: WithSOPSEnvironment: nil lookup"))
			return
		}
		if v, ok := lookup(EnvAgeKey); ok && strings.TrimSpace(v) != "" {
			ids, err := parseIdentities([]byte(v))
			if err != nil {
				o.errs = append(o.errs, fmt.Errorf("sops: %s: %w", EnvAgeKey, err))
			} else {
				o.ids = append(o.ids, ids...)
			}
		}
		if v, ok := lookup(EnvAgeKeyFile); ok && v != "" {
			o.keyFiles = append(o.keyFiles, keyFile{path: v, origin: EnvAgeKeyFile})
		}
		if p := defaultKeyFile(lookup); p != "" {
			o.keyFiles = append(o.keyFiles, keyFile{path: p, origin: "the default sops key file", optional: true})
		}
	}
}

// defaultKeyFile is where sops looks for the user's age keys.
func defaultKeyFile(lookup func(string) (string, bool)) string {
	if dir, ok := lookup("XDG_CONFIG_HOME"); ok && dir != "" {
		return filepath.Join(dir, "sops", "age", "keys.txt")
	}
	home, ok := lookup("HOME")
	if !ok || home == "" {
		return ""
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support", "sops", "age", "keys.txt")
	}
	return filepath.Join(home, ".config", "sops", "age", "keys.txt")
}

// WithMaxSize sets the largest encrypted file, in bytes, that Fetch reads;
// a larger file is an error wrapping driftless.ErrInvalidRef. The default
// is DefaultMaxSize (1 MiB); n <= 0 keeps the default.
func WithMaxSize(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

// WithPollInterval sets how often a watch reads every watched file again,
// whatever the file-system events said. The default is
// DefaultPollInterval (30 seconds); d <= 0 keeps the default.
func WithPollInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.poll = d
		}
	}
}

// parseIdentities parses an age key file. Its errors give a line number,
// never a line's text: age's own messages may quote part of a key.
func parseIdentities(data []byte) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err == nil {
		return ids, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := age.ParseIdentities(strings.NewReader(line)); err != nil {
			return nil, fmt.Errorf("line %d is not an age identity (want AGE-SECRET-KEY-1...)", n)
		}
	}
	return nil, errors.New("no age identity found (want lines of AGE-SECRET-KEY-1...)")
}
