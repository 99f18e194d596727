package driftless

import (
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/driftless/driftless/envfile"
)

// WriteExample writes a .env.example for the config struct that cfg points
// to (or is): every key with its default, its desc tag as a comment, and
// the required and secret markers that envfile.Check reads. Secret fields
// are left empty whatever their default. Commit the result as the schema of
// your .env files; never commit a .env.
func WriteExample(w io.Writer, cfg any) error {
	t := reflect.TypeOf(cfg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return fmt.Errorf("driftless: WriteExample needs a struct, got %T", cfg)
	}
	p, errs := planFor(t, nil)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	entries := make([]envfile.ExampleEntry, 0, len(p.fields))
	for _, f := range p.fields {
		entries = append(entries, envfile.ExampleEntry{
			Key:      f.key,
			Default:  f.def,
			Desc:     f.desc,
			Required: f.required,
			Secret:   f.secret,
		})
	}
	return envfile.Write(w, entries)
}
