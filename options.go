package driftless

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/internal/fileread"
)

// Option configures Load, LoadAs, Explain and NewHandle.
type Option func(*options)

type options struct {
	lookup   func(string) (string, bool)
	flags    func(visit func(name, value string)) // WithFlagValues (flags.go)
	envFiles []string
	// Config files (configfiles.go) and the order of the chain (precedence.go).
	confFiles  []confFile
	confIgnore []string
	order      []Source
	watchEvery time.Duration // WithFileWatchInterval; < 0 turns it off
	// requiredEnvFiles holds the files of WithRequiredEnvFiles.
	requiredEnvFiles map[string]bool
	readFile         func(context.Context, string) ([]byte, error) // nil: the bounded reader
	providers        map[string]driver.Provider                    // nil until WithProvider
	ttl              map[string]time.Duration                      // nil until WithRefreshInterval names a scheme
	defaultTTL       time.Duration
	sources          []driver.KeySource
	decoders         map[reflect.Type]decodeFunc
	logger           *slog.Logger
	metrics          func(Event)
	fetchTimeout     time.Duration
	concurrency      int
	validators       []func(any) error
	backoffMin       time.Duration
	backoffMax       time.Duration
	forceEvery       time.Duration
	staleAfter       time.Duration  // health.go: WithStaleAfter; 0 means 3 refresh periods
	failAfter        time.Duration  // health.go: WithStaleAfter; 0 means never
	environ          environOptions // environ.go: the process-environment behaviours
	maxFileSize      int64
	snapshot         *snapshotStore // WithSnapshot (snapshot.go)
	gates            []gate         // gate.go: Gate, in order
	gateTimeout      time.Duration  // gate.go: WithGateTimeout; 0 means defaultGateTimeout

	// Allow-lists (trust.go) and errors of options themselves.
	allowRefs    []refPattern
	allowRefsSet bool
	fileRoots    []string
	fileRootsSet bool
	optErrs      []error
	// planOnly is set by Reads: a scheme with no provider is not an error
	// (a policy is planned where the providers may not be configured).
	planOnly bool
}

func newOptions(opts []Option) *options {
	o := &options{
		lookup:       os.LookupEnv,
		defaultTTL:   5 * time.Minute,
		fetchTimeout: 30 * time.Second,
		concurrency:  32,
		backoffMin:   time.Second,
		backoffMax:   5 * time.Minute,
		forceEvery:   5 * time.Second,
		maxFileSize:  fileread.DefaultMaxSize,
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithLookup sets the function that reads the process environment. The
// default is os.LookupEnv. For a fixed environment, such as in tests (so
// that no test touches the real one), use WithEnv.
func WithLookup(fn func(key string) (string, bool)) Option {
	return func(o *options) { o.lookup = fn }
}

// WithEnv is WithLookup over a map: the process environment is exactly m.
func WithEnv(m map[string]string) Option {
	return WithLookup(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

// WithEnvFiles adds .env files to the chain, after the process environment.
// Files are listed highest precedence first: when two files set a key, the
// one listed first wins (WithEnvFiles(".env.local", ".env") lets .env.local
// override .env). A .env file never overrides the process environment. A
// missing file is skipped (Explain lists it, and the logger of WithLogger
// warns once); a file that exists but cannot be read or parsed is an error
// (every syntax error is reported). The default is no files.
func WithEnvFiles(paths ...string) Option {
	return func(o *options) { o.envFiles = append(o.envFiles, paths...) }
}

// WithRequiredEnvFiles is WithEnvFiles for files that must exist: a missing
// one fails the Load instead of being skipped. Use it where the .env file
// is the deployment's configuration rather than a developer convenience.
func WithRequiredEnvFiles(paths ...string) Option {
	return func(o *options) {
		o.envFiles = append(o.envFiles, paths...)
		if o.requiredEnvFiles == nil {
			o.requiredEnvFiles = map[string]bool{}
		}
		for _, p := range paths {
			o.requiredEnvFiles[p] = true
		}
	}
}

// WithReadFile sets the function that reads NAME_FILE files and file://
// references made without a files provider (tests use it to serve files
// from memory). fn must return when ctx is done, with an error wrapping
// ctx.Err(); an error wrapping fs.ErrNotExist means the file is not found;
// content larger than WithMaxFileSize is rejected. The default reads
// regular files only (after following symlinks), never a named pipe, a
// device, a socket or a directory, reads at most WithMaxFileSize bytes and
// returns when ctx is done.
func WithReadFile(fn func(ctx context.Context, path string) ([]byte, error)) Option {
	return func(o *options) { o.readFile = fn }
}

// WithProvider registers p for references with the given scheme ("awssm",
// "vault", or a scheme of your own). Schemes are case-insensitive and may
// be written with their "://" ("AWSSM://" is "awssm"); an invalid scheme or
// a nil provider fails the Load. The default is no providers: a
// reference to an unregistered scheme is an error naming the field.
func WithProvider(scheme string, p driver.Provider) Option {
	return func(o *options) {
		s, err := normScheme(scheme)
		switch {
		case err != nil:
			o.optErrs = append(o.optErrs, err)
		case p == nil:
			o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithProvider(%q): nil provider", scheme))
		default:
			if o.providers == nil {
				o.providers = map[string]driver.Provider{}
			}
			o.providers[s] = p
		}
	}
}

// WithKeySource adds a key-value source to the chain, after the .env files and
// before the default tag: a secrets manager consulted by key without a
// reference (see KeySource). Sources are consulted in the order added.
func WithKeySource(s driver.KeySource) Option {
	return func(o *options) { o.sources = append(o.sources, s) }
}

// WithRefreshInterval sets how long fetched values stay fresh, which is
// the interval at which a Handle re-fetches each secret: for the providers
// registered for schemes, or for every other provider when no scheme is
// given. The default is 5 minutes.
//
//	WithRefreshInterval(time.Minute)                 // every provider
//	WithRefreshInterval(10*time.Second, "file")      // mounted files, more often
func WithRefreshInterval(d time.Duration, schemes ...string) Option {
	return func(o *options) {
		if len(schemes) == 0 {
			o.defaultTTL = d
			return
		}
		for _, s := range schemes {
			n, err := normScheme(s)
			if err != nil {
				o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithRefreshInterval: %w", err))
				continue
			}
			if o.ttl == nil {
				o.ttl = map[string]time.Duration{}
			}
			o.ttl[n] = d
		}
	}
}

// WithDecoder registers fn to decode text into values of type T, for types
// driftless does not know or to override how it decodes one.
func WithDecoder[T any](fn func(s string) (T, error)) Option {
	return func(o *options) {
		if o.decoders == nil {
			o.decoders = map[reflect.Type]decodeFunc{}
		}
		o.decoders[reflect.TypeFor[T]()] = func(s string) (reflect.Value, error) {
			v, err := fn(s)
			if err != nil {
				return reflect.Value{}, err
			}
			return reflect.ValueOf(&v).Elem(), nil
		}
	}
}

// WithLogger sets the logger for the audit trail: one line per fetch and per
// swap, with the key, the provider and the version, never a value. The
// default is no logging.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMetrics sets a function called for each Event (fetches with their
// latency and error, cache hits and misses, refreshes, swaps). It is called
// synchronously, from concurrent fetches at once, so it must be safe for
// concurrent use and fast. The default is none.
func WithMetrics(fn func(Event)) Option {
	return func(o *options) { o.metrics = fn }
}

// WithFetchTimeout bounds the time one load (at boot or a refresh) may spend
// fetching, in addition to the caller's context. The default is 30 seconds.
func WithFetchTimeout(d time.Duration) Option {
	return func(o *options) { o.fetchTimeout = d }
}

// WithConcurrency bounds the fetches in flight per provider. The default is 32.
func WithConcurrency(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.concurrency = n
		}
	}
}

// WithValidator adds a check run on every new config (at load and before
// each swap); an error rejects the config (a refresh keeps the last good
// one). The argument is the *T being loaded. A config type with a
// Validate() error method is validated that way too, without this option.
//
// To name the field at fault, return a *FieldError with its Field (a path
// such as "DB.Port", or a key) and Err set, or several joined with
// errors.Join; the Load reports each as that field's error, with its key:
//
//	return &driftless.FieldError{Field: "DB.Port", Err: errors.New("must be below 1024")}
func WithValidator(fn func(cfg any) error) Option {
	return func(o *options) { o.validators = append(o.validators, fn) }
}

// WithBackoff sets the first and the largest delay between retries of a
// failing refresh; each failure doubles the delay. The defaults are 1 second
// and 5 minutes.
func WithBackoff(first, max time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = first, max }
}

// WithForceRefreshLimit sets the least time between two forced refreshes
// that reach the backends; a call in between waits for the interval to pass
// (see Handle.ForceRefresh). The default is 5 seconds.
func WithForceRefreshLimit(d time.Duration) Option {
	return func(o *options) { o.forceEvery = d }
}

// WithMaxFileSize sets the largest file, in bytes, that NAME_FILE
// variables and file:// references made without a files provider may
// name; a larger file is an error naming the path and the limit, so a
// reference to the wrong file (a log, a disk image) cannot exhaust memory.
// The default is 1 MiB, the largest Kubernetes Secret; n <= 0 keeps the
// default. A files provider has its own limit (files.WithMaxSize).
func WithMaxFileSize(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxFileSize = n
		}
	}
}

// provider returns the provider for scheme: the registered one, or the
// built-in file reader for "file" when none is registered.
func (o *options) provider(scheme string) driver.Provider {
	if p, ok := o.providers[scheme]; ok {
		return p
	}
	if scheme == "file" {
		return fileReader{read: o.readFile, maxSize: o.maxFileSize}
	}
	return nil
}

// checkRef has the provider registered for r's scheme check r's grammar
// (driver.RefChecker), before anything is fetched. A scheme with no
// provider is ErrNoProvider. Neither error shows the reference's text: a
// reference nobody could check may be a mistyped secret.
func (o *options) checkRef(r driver.Ref) error {
	p := o.provider(r.Scheme)
	if p == nil {
		if o.planOnly {
			return nil
		}
		return o.noProvider(r.Scheme)
	}
	if c, ok := p.(driver.RefChecker); ok {
		return c.CheckRef(r)
	}
	return nil
}

// noProvider is the error for a reference whose scheme has no provider.
func (o *options) noProvider(scheme string) error {
	return fmt.Errorf("%w %q (register one with WithProvider; registered: %s)", ErrNoProvider, scheme, o.registered())
}

// backoff returns the delay after the n-th consecutive failure (n >= 1):
// backoffMin doubled n-1 times, capped at backoffMax.
func (o *options) backoff(n int) time.Duration {
	d := o.backoffMin << min(n-1, 30)
	if d <= 0 || d > o.backoffMax {
		d = o.backoffMax
	}
	return d
}

// WithExportEnvFiles makes Load copy the keys of the .env files into the
// process environment after a successful load, as godotenv.Load does, so
// that code reading the environment directly (cloud SDKs reading AWS_REGION
// or credentials) sees them. Every key of the files is exported, not only
// the struct's; the file listed first wins. A key already set in the
// environment (as WithLookup sees it, even to the empty string) is never
// overridden. Not exported: a value that is a reference (neither the
// reference's text nor the secret it names), and the keys of fields tagged
// unset. A relative KEY_FILE path is exported made absolute, relative to
// its .env file, as Load read it. Nothing is exported when Load fails;
// Explain never exports; NewHandle rejects the option. This is a
// process-wide side effect: call it once, from main, before starting
// goroutines that read the environment. The default is no export.
func WithExportEnvFiles() Option {
	return func(o *options) { o.environ.export = true }
}

// WithEnvWriter sets the functions that change the process environment
// for WithExportEnvFiles and the unset tag. The defaults are os.Setenv and
// os.Unsetenv; tests pass functions over a map so that no test touches the
// real environment.
func WithEnvWriter(setenv func(key, value string) error, unsetenv func(key string) error) Option {
	return func(o *options) { o.environ.setenv, o.environ.unsetenv = setenv, unsetenv }
}

// WithPresetDefaults makes the values *dst already holds the defaults of
// Load: a field that a source sets (a flag, the environment, a .env file, a
// config file, a key-value source) takes that value, and a field that no
// source sets keeps *dst's value instead of taking its default tag. Fill a
// struct that another library or the caller already filled, and let the
// chain override it. What counts as set is as for WithKeepSet, with which
// it cannot be combined (WithKeepSet keeps *dst's values over every
// source). Explain shows a kept value's source as "preset". NewHandle
// rejects the option (it has no destination). The default is to fill every
// field from the sources and the default tags alone.
func WithPresetDefaults() Option {
	return func(o *options) { o.environ.presetDefaults = true }
}

// WithKeepSet makes Load keep the fields that *dst already holds, as
// go-envconfig does without "overwrite", so that driftless fills a struct on
// top of values from another source. A field is set when it is not its
// type's zero value (so false, 0 and "" are unset: use a pointer to keep an
// explicit zero), a Secret when it holds a non-empty value, a Rotating
// when its current value is non-empty, a slice, map or pointer when it is
// not nil, and a field inside a nil pointer to a nested struct is unset. A
// kept field reads no source (not even KEY_FILE), resolves no reference
// and ignores its default; Explain shows its source as "preset". Validation
// runs on the whole struct as usual. NewHandle rejects the option (it has
// no destination to keep). The default is to fill every field from the
// sources alone.
func WithKeepSet() Option {
	return func(o *options) { o.environ.keepSet = true }
}

// WithEmptyAsUnset makes a key set to the empty string in the process
// environment or a .env file count as unset: it falls through to the next
// source and then to the default, as caarlos0/env does with envDefault on
// "PORT=". An empty KEY_FILE is unset too. Values from key-value sources and
// references are not affected. The default is that an empty value is set
// (it wins over later sources and the default).
func WithEmptyAsUnset() Option {
	return func(o *options) { o.environ.emptyAsUnset = true }
}

// WithEnvPrefix puts prefix before every key read from the process
// environment and the .env files: with WithEnvPrefix("APP_"), the field
// tagged env:"DB_HOST" reads APP_DB_HOST, or APP_DB_HOST_FILE for the
// NAME_FILE convention. The prefixed name is the field's key wherever
// driftless gives or accepts one: errors (FieldError.Key), Explain,
// Change.Changed and OnChangeOf, a validator's FieldError, the unset tag
// and WithExportEnvFiles. The prefix does not apply to the key-value
// sources of WithKeySource (asked for DB_HOST, with their own name
// prefixes), to flag names (--db-host), nor to the ${VAR} names an expand
// field or a .env value refers to, which are written in full. WriteExample,
// WriteSchema and BindFlags take no options and show the keys without it;
// NewEnvLoader, whose variables are named in full, rejects it.
//
// The prefixed keys are computed once per config type and prefix, so a
// Load costs what it costs without a prefix, unlike a WithLookup wrapper
// that builds each name. A prefix must match [A-Za-z_][A-Za-z0-9_]*, or be
// empty for none; another one fails the Load. The last call wins. The
// default is no prefix.
func WithEnvPrefix(prefix string) Option {
	return func(o *options) {
		if prefix != "" && !validKey(prefix) {
			o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithEnvPrefix(%q): a prefix must match [A-Za-z_][A-Za-z0-9_]*", prefix))
			return
		}
		o.environ.prefix = prefix
	}
}
