package driftless

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/driftless/driftless/driver"
)

// SecretRead is one secret that a config reads.
type SecretRead struct {
	// Ref names the secret and its version selector; its Key is empty
	// (the fields that read keys of one JSON secret share one read).
	Ref driver.Ref
	// Previous is set when the previous version is read too (a Rotating
	// field): some backends grant that separately (Vault KV v2 metadata).
	Previous bool
	// Fields lists the paths of the fields that read it, in field order.
	Fields []string
	// Fallback is set when every field reads it only as a key-value source
	// or a default that a higher source may make unneeded; a policy still
	// grants it, since the service reads it whenever that source is unset.
	Fallback bool
}

// Reads returns every secret that Load with the same options would read
// (from the flags, the environment, the .env files, the config files, the
// defaults and the key-value sources), without reading any: the input of a least-privilege policy
// (see driftless policy). Each provider checks its references' grammar as
// in a Load, but a scheme with no provider registered is listed all the
// same. The result is sorted by reference. Errors of the plan (a bad tag,
// a malformed .env file or reference, an allow-list) are returned in a
// *LoadError, with the reads of the fields that have none. ctx bounds the
// reading of the config files.
func Reads(ctx context.Context, cfg any, opts ...Option) ([]SecretRead, error) {
	t := reflect.TypeOf(cfg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("driftless: Reads needs a struct, got %T", cfg)
	}
	l, err := newLoader(t, append(slices.Clip(opts), func(o *options) { o.planOnly = true }))
	if err != nil {
		return nil, err
	}
	p := pass{l: l, cfg: reflect.New(t), reads: &readSet{by: map[cacheKey]*SecretRead{}}}
	// Every field keeps its state: nothing is applied.
	p.states = make([]fieldState, len(l.plan.fields))
	p.pending = make([]int, 0, len(l.plan.fields))
	p.collect(ctx)
	for _, i := range p.pending {
		f, st := &l.plan.fields[i], &p.states[i]
		if st.err != nil {
			p.ferrs = append(p.ferrs, fieldErr{i: i, err: &FieldError{Field: f.path, Key: f.key, Source: st.origin.String(), Err: st.err}})
		}
	}
	for _, fe := range p.ferrs {
		p.errs = append(p.errs, fe.err)
	}
	out := p.reads.list()
	if len(p.errs) > 0 {
		return out, &LoadError{Type: t.String(), Errors: p.errs}
	}
	return out, nil
}

// readSet gathers the secrets a plan reads.
type readSet struct {
	by map[cacheKey]*SecretRead
}

// add notes that field f reads r.
func (s *readSet) add(f *field, r driver.Ref) {
	k := cacheKey{ref: r.Secret()}
	sr := s.by[k]
	if sr == nil {
		sr = &SecretRead{Ref: k.ref, Fallback: true}
		s.by[k] = sr
	}
	sr.Previous = sr.Previous || f.kind == leafRotating
	if !slices.Contains(sr.Fields, f.path) {
		sr.Fields = append(sr.Fields, f.path)
	}
}

// list returns the reads sorted by reference.
func (s *readSet) list() []SecretRead {
	out := make([]SecretRead, 0, len(s.by))
	for _, sr := range s.by {
		out = append(out, *sr)
	}
	slices.SortFunc(out, func(a, b SecretRead) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
	return out
}
