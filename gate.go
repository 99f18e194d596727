package driftless

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// VersionChange is the old and new version of one changed field whose
// value came from a provider that reports versions (a secret, usually).
// Versions are metadata, never values. Old is empty at boot and when the
// old value came from no provider or from one without versions.
type VersionChange struct {
	Old, New string
}

// defaultGateTimeout bounds a gate that WithGateTimeout did not bound.
const defaultGateTimeout = 10 * time.Second

// gate is one Gate option: fn, typed by the config type typ.
type gate struct {
	typ  reflect.Type
	in   string // "Gate registered at main.go:42"
	call func(ctx context.Context, old, nu any, paths []string, versions map[string]VersionChange, names *nameCheck) error
}

// Gate returns an option that admits each candidate config before it is
// served: fn receives the candidate as a Change (Old is the config served,
// New the candidate, Paths the fields that changed and Versions the old and
// new versions of the changed secrets) and returns an error to refuse it.
// Use it to prove that a rotated database password logs in, or that a new
// API key answers, before Current returns it.
//
// The gates run in the order given, on every candidate that differs from
// the config served: at boot (Old is nil and Paths lists every field:
// LoadAs, Load and the first load of NewHandle and NewHandleFunc fail with
// the gate's error) and on every refresh (the last good config is kept,
// the error, wrapping ErrRejected, goes to the OnError hooks, to the
// Handle's Health as a degraded reason, and to the metrics hook as an
// EventRejected; the refresh is retried with WithBackoff, with the same
// candidate until the next fetch). They run after the Derive method and
// the validators, and before the change hooks.
//
// Each call is bounded by WithGateTimeout (10s by default): ctx ends then,
// and a gate that does not return is abandoned and counts as a refusal. A
// gate that panics refuses the candidate (the error wraps ErrPanic too). A
// gate's error is reported with its message withheld when it shows the
// value of a secret field.
//
// T must be the config type of the Load or Handle the option is given to;
// another type is an error before anything is read.
func Gate[T any](fn func(ctx context.Context, c Change[T]) error) Option {
	in := "Gate registered at " + caller()
	return func(o *options) {
		if fn == nil {
			o.optErrs = append(o.optErrs, fmt.Errorf("driftless: %s: a nil function", in))
			return
		}
		o.gates = append(o.gates, gate{typ: reflect.TypeFor[T](), in: in,
			call: func(ctx context.Context, old, nu any, paths []string, versions map[string]VersionChange, names *nameCheck) error {
				c := Change[T]{New: nu.(*T), Paths: paths, Versions: versions, names: names}
				if old != nil {
					c.Old = old.(*T)
				}
				return fn(ctx, c)
			}})
	}
}

// WithGateTimeout bounds each call of a Gate function (10s by default).
func WithGateTimeout(d time.Duration) Option {
	return func(o *options) {
		if d <= 0 {
			o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithGateTimeout(%s): the timeout must be positive", d))
			return
		}
		o.gateTimeout = d
	}
}

// checkGates reports the gates typed for another config type than t.
func checkGates(t reflect.Type, gates []gate) error {
	for _, g := range gates {
		if g.typ != t {
			return fmt.Errorf("driftless: %s checks a %s, but the config type is %s", g.in, g.typ, t)
		}
	}
	return nil
}

// runGates runs the gates over the candidate nu (a *T; old is the *T served,
// or nil at boot), and returns the first refusal. It returns ctx's error
// when ctx ends first.
func (l *loader) runGates(ctx context.Context, old, nu any, paths []string, versions map[string]VersionChange, names *nameCheck) error {
	if len(l.o.gates) == 0 {
		return nil
	}
	timeout := l.o.gateTimeout
	if timeout <= 0 {
		timeout = defaultGateTimeout
	}
	var secrets []string
	for _, g := range l.o.gates {
		gctx, cancel := context.WithTimeout(ctx, timeout)
		done := make(chan error, 1) // buffered: an abandoned gate does not leak a blocked goroutine
		go func() {
			var err error
			if perr := callHook(g.in, func() { err = g.call(gctx, old, nu, slices.Clone(paths), versions, names) }); perr != nil {
				err = perr
			}
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-gctx.Done():
			if ctx.Err() != nil {
				cancel()
				return ctx.Err()
			}
			err = fmt.Errorf("no answer within %s (WithGateTimeout): %w", timeout, context.DeadlineExceeded)
		}
		cancel()
		if err == nil {
			continue
		}
		if _, ok := err.(*PanicError); !ok {
			if secrets == nil {
				secrets = secretValues(l.plan, old, nu)
			}
			err = scrubAll(err, secrets)
		}
		return &GateError{In: g.in, Err: err}
	}
	return nil
}

// scrubAll is scrub against several values.
func scrubAll(err error, values []string) error {
	msg := err.Error()
	for _, v := range values {
		if leaks(msg, v) {
			msg = withheld
			break
		}
	}
	return &scrubbed{msg: msg, err: err}
}

// secretValues returns the values of the sensitive fields of the configs
// (each a *T or nil), for scrubAll.
func secretValues(p *plan, cfgs ...any) []string {
	var out []string
	for _, c := range cfgs {
		if c == nil {
			continue
		}
		v := reflect.ValueOf(c)
		if v.IsNil() {
			continue
		}
		v = v.Elem()
		for i := range p.fields {
			f := &p.fields[i]
			fv, ok := fieldAt(v, f.index)
			if !ok {
				continue
			}
			switch {
			case f.typ == secretType:
				out = append(out, fv.Interface().(Secret).Value())
			case f.typ == rotatingType:
				r := fv.Interface().(Rotating)
				out = append(out, r.Current().Value(), r.Previous().Value())
			case f.secret && fv.Kind() == reflect.String:
				out = append(out, fv.String())
			}
		}
	}
	return out
}

// runBootGates runs the gates over a boot candidate nu, whose Paths are
// every field; without gates it allocates nothing.
func (l *loader) runBootGates(ctx context.Context, nu any) error {
	if len(l.o.gates) == 0 {
		return nil
	}
	return l.runGates(ctx, nil, nu, allPaths(l.plan), nil, nil)
}

// allPaths lists every field path of the plan: the Paths of a boot
// candidate.
func allPaths(p *plan) []string {
	out := make([]string, len(p.fields))
	for i := range p.fields {
		out[i] = p.fields[i].path
	}
	return out
}

// versionChanges returns the old and new versions of the changed fields
// that have one, from the reports of the old and new configs (old may be
// nil at boot); nil when there are none.
func versionChanges(old, nu *Report, paths []string) map[string]VersionChange {
	if nu == nil {
		return nil
	}
	var out map[string]VersionChange
	for _, f := range nu.Fields {
		if !slices.Contains(paths, f.Path) {
			continue
		}
		vc := VersionChange{New: f.Version}
		if old != nil {
			if i := slices.IndexFunc(old.Fields, func(o FieldReport) bool { return o.Path == f.Path }); i >= 0 {
				vc.Old = old.Fields[i].Version
			}
		}
		if vc.Old == "" && vc.New == "" || vc.Old == vc.New {
			continue
		}
		if out == nil {
			out = map[string]VersionChange{}
		}
		out[f.Path] = vc
	}
	return out
}
