package driftless

import (
	"context"
	"encoding"
	"fmt"
	"reflect"
	"runtime"
)

// Every call into code that driftless does not control (change and error
// hooks, the metrics hook, validators, decoders, UnmarshalText methods,
// NewHandleFunc load functions) goes through one of these functions, which
// turn a panic into a *PanicError. The panic value is never formatted: it
// may hold a secret.

func panicError(in string, v any) *PanicError {
	return &PanicError{In: in, ValueType: fmt.Sprintf("%T", v)}
}

// callHook runs fn and returns a *PanicError naming in if it panicked.
func callHook(in string, fn func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError(in, v)
		}
	}()
	fn()
	return nil
}

// callValidator runs fn, a Validate method or a WithValidator function.
func callValidator(in func() string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError(in(), v)
		}
	}()
	return fn()
}

// validatorName names the i-th of n WithValidator functions, fn.
func validatorName(i, n int, fn func(any) error) string {
	name := "?"
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		name = f.Name()
	}
	return fmt.Sprintf("WithValidator function %d of %d (%s)", i+1, n, name)
}

// callDecoder runs a WithDecoder decoder for type t.
func callDecoder(fn decodeFunc, t reflect.Type, s string) (v reflect.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = reflect.Value{}, panicError("the WithDecoder decoder for "+t.String(), p)
		}
	}()
	return fn(s)
}

// scrubUser is scrub for the error of a decoder or UnmarshalText call; a
// *PanicError, which holds no value, is kept as it is.
func scrubUser(err error, value string) error {
	if pe, ok := err.(*PanicError); ok {
		return pe
	}
	return scrub(err, value)
}

// callUnmarshalText runs the UnmarshalText method of u, a *t.
func callUnmarshalText(u encoding.TextUnmarshaler, t reflect.Type, s string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError("UnmarshalText of *"+t.String(), v)
		}
	}()
	return u.UnmarshalText([]byte(s))
}

// callLoadFunc runs a NewHandleFunc load function.
func callLoadFunc[T any](ctx context.Context, fn func(context.Context) (*T, error)) (cfg *T, err error) {
	defer func() {
		if v := recover(); v != nil {
			cfg, err = nil, panicError("the NewHandleFunc load function", v)
		}
	}()
	return fn(ctx)
}
