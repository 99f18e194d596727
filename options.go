package driftless

import (
	"log/slog"
	"os"
	"reflect"
	"time"
)

// Option configures Load, LoadAs, Explain and NewHandle.
type Option func(*options)

type options struct {
	lookup      func(string) (string, bool)
	envFiles    []string
	readFile    func(string) ([]byte, error)
	providers   map[string]Provider
	ttl         map[string]time.Duration
	defaultTTL  time.Duration
	sources     []KeySource
	decoders    map[reflect.Type]decodeFunc
	logger      *slog.Logger
	metrics     func(Event)
	bootTimeout time.Duration
	concurrency int
	validators  []func(any) error
	backoffMin  time.Duration
	backoffMax  time.Duration
	forceEvery  time.Duration
}

func newOptions(opts []Option) *options {
	o := &options{
		lookup:      os.LookupEnv,
		readFile:    os.ReadFile,
		providers:   map[string]Provider{},
		ttl:         map[string]time.Duration{},
		defaultTTL:  5 * time.Minute,
		bootTimeout: 30 * time.Second,
		concurrency: 32,
		backoffMin:  time.Second,
		backoffMax:  5 * time.Minute,
		forceEvery:  5 * time.Second,
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithLookup sets the function that reads the process environment. The
// default is os.LookupEnv. Tests pass a map's lookup (see MapLookup) so that
// no test touches the real environment.
func WithLookup(fn func(key string) (string, bool)) Option {
	return func(o *options) { o.lookup = fn }
}

// WithEnv is WithLookup over a map: the process environment is exactly m.
func WithEnv(m map[string]string) Option { return WithLookup(MapLookup(m)) }

// MapLookup returns a lookup function over m.
func MapLookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// WithEnvFiles adds .env files to the chain, after the process environment.
// Files are listed highest precedence first: when two files set a key, the
// one listed first wins (WithEnvFiles(".env.local", ".env") lets .env.local
// override .env). A .env file never overrides the process environment. A
// missing file is skipped (Explain lists it); a file that exists but cannot
// be read or parsed is an error. The default is no files.
func WithEnvFiles(paths ...string) Option {
	return func(o *options) { o.envFiles = append(o.envFiles, paths...) }
}

// WithReadFile sets the function that reads NAME_FILE files and file://
// references made without a files provider. The default is os.ReadFile.
func WithReadFile(fn func(path string) ([]byte, error)) Option {
	return func(o *options) { o.readFile = fn }
}

// WithProvider registers p for references with the given scheme ("awssm",
// "vault", or a scheme of your own). The default is no providers: a
// reference to an unregistered scheme is an error naming the field.
func WithProvider(scheme string, p Provider) Option {
	return func(o *options) { o.providers[scheme] = p }
}

// WithSource adds a key-value source to the chain, after the .env files and
// before the default tag: a secrets manager consulted by key without a
// reference (see KeySource). Sources are consulted in the order added.
func WithSource(s KeySource) Option {
	return func(o *options) { o.sources = append(o.sources, s) }
}

// WithTTL sets how long values fetched from the provider registered for
// scheme stay fresh, which is also that provider's refresh interval in a
// Handle. The default is the WithRefreshInterval value (5 minutes).
func WithTTL(scheme string, d time.Duration) Option {
	return func(o *options) { o.ttl[scheme] = d }
}

// WithRefreshInterval sets the default TTL, the interval at which a Handle
// re-fetches each secret. The default is 5 minutes.
func WithRefreshInterval(d time.Duration) Option {
	return func(o *options) { o.defaultTTL = d }
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

// WithBootTimeout bounds the time one load (at boot or a refresh) may spend
// fetching, in addition to the caller's context. The default is 30 seconds.
func WithBootTimeout(d time.Duration) Option {
	return func(o *options) { o.bootTimeout = d }
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

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	EventFetch     EventKind = iota + 1 // one call to a backend (Err set on failure)
	EventCacheHit                       // a value served from the cache
	EventCacheMiss                      // a value that had to be fetched
	EventRefresh                        // one refresh pass (Err set when it was rejected)
	EventSwap                           // a new snapshot was published (Changed lists the paths)
)

// String returns the kind's name in snake case ("fetch", "cache_hit", ...).
func (k EventKind) String() string {
	switch k {
	case EventFetch:
		return "fetch"
	case EventCacheHit:
		return "cache_hit"
	case EventCacheMiss:
		return "cache_miss"
	case EventRefresh:
		return "refresh"
	case EventSwap:
		return "swap"
	}
	return "unknown"
}

// Event is what the metrics hook receives. It never holds a value.
type Event struct {
	Kind     EventKind
	Scheme   string        // provider scheme, for fetch and cache events
	Refs     int           // references in a fetch (more than 1 for a batch)
	Duration time.Duration // latency of a fetch or a refresh
	Err      error
	Changed  []string // field paths, for swaps
}

// provider returns the provider for scheme: the registered one, or the
// built-in file reader for "file" when none is registered.
func (o *options) provider(scheme string) Provider {
	if p, ok := o.providers[scheme]; ok {
		return p
	}
	if scheme == "file" {
		return fileReader{read: o.readFile}
	}
	return nil
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
