package driftless

// WithEnvPrefix: one prefix on every key read from the process environment
// and the .env files, without a lookup wrapper that would build the
// prefixed name (an allocation) at every lookup.

import (
	"reflect"
	"strings"
	"sync"
)

// prefixKey names a plan whose keys carry an environment prefix.
type prefixKey struct {
	typ    reflect.Type
	prefix string
}

// prefixedPlans holds the prefixed form of the plans that planCache holds,
// by type and prefix, so that a Load with WithEnvPrefix costs what a Load
// without it does. It grows with the (type, prefix) pairs a program uses,
// as planCache grows with its types.
var prefixedPlans sync.Map // prefixKey -> *plan

// withEnvPrefix returns p with prefix on every key: the key and KEY_FILE
// read from the environment and the .env files, and every name a report,
// an error or a hook gives a field by key. Key-value sources are asked for
// the key without it (sourceKey). Everything else (paths, flags, defaults)
// is p's.
func (p *plan) withEnvPrefix(prefix string) *plan {
	if prefix == "" {
		return p
	}
	// Only a plan that planCache holds is the plan of its type; one made
	// with custom decoders is the loader's own and is prefixed for it.
	cached, ok := planCache.Load(p.typ)
	shared := ok && cached == p
	k := prefixKey{typ: p.typ, prefix: prefix}
	if shared {
		if q, ok := prefixedPlans.Load(k); ok {
			return q.(*plan)
		}
	}
	q := plan{hasPtrs: p.hasPtrs, typ: p.typ, flagDups: p.flagDups,
		fields: make([]field, len(p.fields)), byKey: make(map[string]int, len(p.fields))}
	for i, f := range p.fields {
		if f.key != "" {
			f.key = prefix + f.key
			f.keyFile = f.key + "_FILE"
			q.byKey[f.key] = i
		}
		q.fields[i] = f
	}
	if shared {
		got, _ := prefixedPlans.LoadOrStore(k, &q)
		return got.(*plan)
	}
	return &q
}

// sourceKey is the key a key-value source is asked for: the field's key
// without the WithEnvPrefix prefix.
func (l *loader) sourceKey(f *field) string {
	return strings.TrimPrefix(f.key, l.o.environ.prefix)
}
