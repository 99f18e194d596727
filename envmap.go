package driftless

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// EnvLoader resolves the references held by environment variables whose
// names are known only at run time, such as the environment of a command
// that `driftless exec` runs, with the engine that Load uses: each key is
// loaded as a Secret field tagged ref:"true" would be, so its references
// are de-duplicated, batched, fetched concurrently within WithConcurrency
// and WithFetchTimeout, checked against WithAllowedRefs and WithFileRoots,
// and every value is sensitive.
//
// Unlike Load, an EnvLoader keeps one cache for all its calls to Load: a
// value is fetched again only when its TTL (WithRefreshInterval)
// has passed, a value whose lease the provider can renew (a Renewer, such
// as Vault's dynamic secrets) is renewed rather than fetched anew while its
// lease lasts, and a reference that failed is retried with backoff. Use it
// as the load function of NewHandleFunc to keep such variables fresh.
//
// An EnvLoader is safe for concurrent use. It does not close its providers.
type EnvLoader struct {
	l    *loader
	keys []string // the variable of field i is keys[i]
	// t and opts made l: Reads plans them again, reading nothing.
	t    reflect.Type
	opts []Option
}

// envField is the name of the field (and the key read through the lookup)
// that holds the i-th variable: variable names need not be Go identifiers
// nor valid keys, and no KEY_FILE variable is consulted.
func envField(i int) string { return "F" + strconv.Itoa(i) }

// NewEnvLoader returns an EnvLoader for the variables named by keys, whose
// values are read with the lookup of WithLookup (WithEnv; the default is
// os.LookupEnv) and must be references. A variable the lookup does not
// have is left unset; one whose value is not a reference fails with an
// error wrapping ErrInvalidRef. KEY_FILE variables are not read.
//
// The options of Load apply, except those that read or write other
// sources: WithEnvFiles, WithRequiredEnvFiles, WithKeySource, WithKeepSet
// and WithExportEnvFiles are errors (merge .env files into the lookup
// instead), and so is WithEnvPrefix (name the variables in full).
func NewEnvLoader(keys []string, opts ...Option) (*EnvLoader, error) {
	seen := make(map[string]bool, len(keys))
	fields := make([]reflect.StructField, len(keys))
	for i, k := range keys {
		if k == "" || seen[k] {
			return nil, fmt.Errorf("driftless: NewEnvLoader: key %d is empty or repeated", i)
		}
		seen[k] = true
		name := envField(i)
		fields[i] = reflect.StructField{Name: name, Type: secretType, Tag: reflect.StructTag(`env:"` + name + `" ref:"true"`)}
	}
	o := newOptions(opts)
	if len(o.envFiles) > 0 || len(o.confFiles) > 0 || len(o.sources) > 0 || o.environ.keepSet || o.environ.presetDefaults || o.environ.export {
		return nil, errors.New("driftless: NewEnvLoader reads its keys through the lookup only: WithEnvFiles, WithRequiredEnvFiles, WithConfigFiles, WithKeySource, WithKeepSet, WithPresetDefaults and WithExportEnvFiles do not apply")
	}
	if o.environ.prefix != "" {
		return nil, errors.New("driftless: NewEnvLoader names its variables in full: WithEnvPrefix does not apply")
	}
	lookup := o.lookup
	t := reflect.StructOf(fields)
	opts = append(slices.Clip(opts), WithLookup(func(name string) (string, bool) {
		i, ok := fieldIndex(name, len(keys))
		if !ok {
			return "", false
		}
		return lookup(keys[i])
	}))
	l, err := newLoader(t, opts)
	if err != nil {
		return nil, err
	}
	return &EnvLoader{l: l, keys: slices.Clone(keys), t: t, opts: opts}, nil
}

// Reads returns every secret that Load would read, as the function Reads
// does for a config, without reading any: each SecretRead's Fields are the
// variables' names. The error is a *LoadError whose field errors name each
// variable whose reference is malformed as its Field and Key; the reads of
// the others are returned even then.
func (e *EnvLoader) Reads(ctx context.Context) ([]SecretRead, error) {
	out, err := Reads(ctx, reflect.New(e.t).Interface(), e.opts...)
	for i := range out {
		for j, f := range out[i].Fields {
			if k, ok := e.key(f); ok {
				out[i].Fields[j] = k
			}
		}
	}
	var le *LoadError
	if errors.As(err, &le) {
		le.Type = "driftless.EnvLoader"
		for _, fe := range le.Fields() {
			if k, ok := e.key(fe.Key); ok {
				fe.Field, fe.Key = k, k
			}
		}
	}
	return out, err
}

// fieldIndex returns i for the name envField(i) with i < n.
func fieldIndex(name string, n int) (int, bool) {
	s, ok := strings.CutPrefix(name, "F")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= n || envField(i) != name {
		return 0, false
	}
	return i, true
}

// Load resolves every variable and returns the values, keyed by variable
// name, and a report of where each came from (the provider and the version
// served), which names the variables by their keys and never holds a
// value. The error is a *LoadError whose field errors name each failing
// variable as its Field and Key. The values of the variables that did
// resolve are returned even then; a variable the lookup does not have is
// absent from them.
func (e *EnvLoader) Load(ctx context.Context) (map[string]Secret, *Report, error) {
	res := e.l.load(ctx, true)
	e.l.cache.evict(res.used)
	const typ = "driftless.EnvLoader"
	rep := res.report
	rep.Type = typ
	for i := range rep.Fields {
		if k, ok := e.key(rep.Fields[i].Key); ok {
			rep.Fields[i].Path, rep.Fields[i].Key = k, k
		}
	}
	vals := make(map[string]Secret, len(e.keys))
	cfg := res.cfg.Elem()
	for i, k := range e.keys {
		if s := cfg.Field(i).Interface().(Secret); s.IsSet() {
			vals[k] = s
		}
	}
	if res.err == nil {
		return vals, rep, nil
	}
	var le *LoadError
	if !errors.As(res.err, &le) {
		return vals, rep, res.err
	}
	le.Type = typ
	for _, fe := range le.Fields() {
		if k, ok := e.key(fe.Key); ok {
			fe.Field, fe.Key = k, k
		}
	}
	return vals, rep, le
}

// key returns the variable that the field named name holds.
func (e *EnvLoader) key(name string) (string, bool) {
	i, ok := fieldIndex(name, len(e.keys))
	if !ok {
		return "", false
	}
	return e.keys[i], true
}
