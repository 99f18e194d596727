// Package driftless fills one tagged config struct from a chain of sources:
// the process environment, .env files, mounted secret files and secrets
// managers (AWS Secrets Manager, Google Cloud Secret Manager, Azure Key
// Vault, HashiCorp Vault). It caches what it fetched, refreshes it so that
// rotated keys reach the running service, and tells the service what
// changed. Call it from main:
//
//	type Config struct {
//		ModelName string           `env:"MODEL_NAME" default:"gpt-4-turbo" desc:"model to serve"`
//		OpenAIKey driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
//		Timeout   time.Duration    `env:"TIMEOUT" default:"30s"`
//		Hosts     []string         `env:"HOSTS" sep:","`
//		DB        struct {
//			Host     string           `env:"HOST" default:"localhost"`
//			Password driftless.Secret `env:"PASSWORD" default:"awssm://prod/database#password"`
//		} `prefix:"DB_"`
//	}
//
//	var cfg Config
//	err := driftless.Load(ctx, &cfg, driftless.WithEnvFiles(".env"), driftless.WithProvider("awssm", p))
//
// # Tags
//
//	env:"KEY"            the key looked up in every source (the key only: options are tags of their own)
//	default:"v"          used when no source has the key; may be a reference
//	required:"true"      no source and no default, or an empty value, is an error (not with default)
//	notempty:"true"      a value that is set must not be empty (unset still takes the default)
//	prefix:"DB_"         on a nested struct (or pointer to struct): prefixes its fields' keys
//	sep:","              separator of slice elements and map entries (default ",")
//	kvsep:"="            separator of a map entry's key and value (default "=")
//	desc:"text"          documentation: explain output and the generated .env.example
//	secret:"true"        redact a plain field everywhere; secret:"false" shows a value from a reference or file
//	ref:"true"           the value must be a reference; ref:"false": always literal, never resolved
//	expand:"true"        expand $VAR, ${VAR} in the env value and the default
//	unset:"true"         Load removes KEY and KEY_FILE from the environment
//
// MIGRATING.md maps the tags and options of caarlos0/env, go-envconfig,
// godotenv and viper onto these, with WithExportEnvFiles, WithKeepSet and
// WithEmptyAsUnset for their behaviours that driftless does not have by
// default.
//
// Types: every basic kind, pointers, time.Duration, time.Time (RFC 3339),
// url.URL, net.IP, []byte (base64), slices, arrays, maps,
// encoding.TextUnmarshaler, Secret, Rotating, types with a decoder
// registered with WithDecoder, and structs with an env tag, filled from a
// whole JSON value (a JSON secret). A nested struct without an env tag is a
// group of fields. A bad tag fails before any source is read. WriteExample
// writes a .env.example of the struct, and WriteSchema (the environment) and
// WriteNestedSchema (a config file) a JSON Schema of it for editors and CI.
//
// # Config files
//
// WithConfigFiles adds YAML, TOML or JSON files (package configfile; JSON
// is built in, YAML and TOML are the modules formats/yaml and formats/toml)
// as a layer of the chain, mapped onto the struct by field path:
//
//	model_name: large            # ModelName, env:"MODEL_NAME"
//	hosts: [a, b]                # a list fills a slice
//	db:                          # the group with prefix:"DB_"
//	  host: db.internal
//	  password: awssm://prod/db#password   # a reference, resolved as anywhere
//
// A key names a leaf by its env tag in lower case (or its Go field name:
// case, "_" and "-" do not matter) and a group by its prefix. A key that
// names no field is an error with the file, the line and the nearest field;
// errors and Explain show config.yaml:12, never a value. A started Handle
// reloads when a file changes (WithFileWatchInterval).
// WriteConfigExample writes a commented example file in any format.
//
// # Resolution
//
// For each field the first source that has the key wins: the flags set on
// the command line (WithFlags), the process environment, then the .env
// files (the file listed first wins), then the config files
// (WithConfigFiles: YAML, TOML or JSON, the file listed last wins), then the
// key-value sources (WithKeySource), then the default tag. WithPrecedence
// changes that order for the whole struct. In the environment
// and in .env files, KEY_FILE=/path reads the value from a file (Docker and
// Kubernetes convention; one trailing newline is trimmed; setting both KEY
// and KEY_FILE is an error).
//
// Unset and empty differ: an unset key falls through to the next source
// and then the default; a key set to the empty string is set: it wins over
// later sources and the default. An empty value gives an empty string,
// slice, map, []byte or Secret; for numbers, booleans, durations, times and
// IPs it is an error (unset the variable to use the default); for a
// required or notempty field it is an error.
//
// Any value found, even a default, may be a reference to a secret:
//
//	awssm://<name or ARN>[?version-stage=AWSPREVIOUS | ?version-id=ID][#key]
//	gcpsm://projects/<p>/secrets/<s>[/versions/<v>][#key]  or  gcpsm://<p>/<s>
//	azkv://<vault-name>/<secret>[/<version>][#key]
//	vault://<mount>/<path>[?version=N][#key]
//	file:///run/secrets/db_password[#key]
//
// "#key" selects a top-level member of a JSON secret and "#/a/b" a JSON
// pointer. Only these five schemes and schemes registered with WithProvider
// are references (schemes are case-insensitive), so ordinary URLs are left
// alone; a value whose scheme is close to one of them ("awsm://"), or any
// unknown scheme in a secret field, is an error rather than a literal. Before anything is
// fetched, every reference in the struct is collected, de-duplicated (ten
// fields reading ten keys of one JSON secret cost one fetch), grouped by
// provider and fetched concurrently, in batches where the provider has a
// batch call: a cold start costs about one round trip per provider.
//
// # Errors
//
// Load reports every failing field at once in a *LoadError, whose Unwrap
// returns one *FieldError per field (path, key, source, cause). Errors wrap
// the sentinels ErrRequired, ErrDecode, ErrNotFound, ErrPermission,
// ErrUnavailable, ErrNoCredentials, ErrInvalidRef, ErrNoProvider,
// ErrUnknownScheme, ErrNotAllowed, ErrBadTag and ErrValidation, so
// errors.Is and errors.As work. The fields one provider could not serve in
// an outage are reported once, as a *ProviderError; LoadError.Fields
// returns every *FieldError, grouped or not. A bad struct tag fails before
// any source is read, with a *TagError per bad tag in the *LoadError. No
// error, log line, explain output or diff ever contains a secret value; a
// malformed .env line is reported with file, line and column instead of its
// text. On error the destination is unchanged.
//
// # Sensitive values
//
// A field is sensitive when its type holds a Secret anywhere (a struct
// member, an embedded Secret, a user type that keeps one), when it is
// tagged secret:"true", when its value came from a reference or a file
// (unless tagged secret:"false"), or when its .env value interpolated a
// secret field's key. A sensitive value is never shown; an error decoding
// it names the field, key, source and the kind of failure only. Whoever
// controls the environment and .env files chooses what the service reads;
// WithAllowedRefs and WithFileRoots limit that (see SECURITY.md).
//
// # Refresh and concurrency
//
// NewHandle returns a Handle whose Current method returns an immutable *T
// with one atomic load. Start runs a background refresh: each secret is
// re-fetched when its provider's TTL passes (spread over the interval so a
// fleet started together does not fetch in step), before a lease reported
// by the provider expires, and at once when a watched file changes. A
// refresh rebuilds and validates the whole config and swaps it atomically,
// then calls the OnChange hooks with the changed field paths; any failure
// keeps the last good snapshot, calls the OnError hooks and is retried with
// exponential backoff. ForceRefresh (for example after an upstream 401) is
// coalesced and rate-limited. Nothing runs in the background before Start,
// and everything stops with the context or Close, which waits for it.
//
// Load, LoadAs, Explain and every Handle method are safe for concurrent use.
//
// # Providers
//
// A provider fetches values by name from one backend. What a provider
// implements is in package driver (as database/sql/driver is to
// database/sql): the Provider interface, and optional abilities found by
// type assertion: RefChecker (its own reference grammar, checked before
// any fetch), BatchFetcher, PreviousFetcher, Renewer, Watcher and Closer.
// Register one with WithProvider. Each backend lives in its own module
// under providers/, so importing driftless pulls only the standard library.
// Package providertest is the conformance suite every provider passes, and
// package drifttest has an in-memory provider and helpers for unit tests.
package driftless
