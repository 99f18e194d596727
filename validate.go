package driftless

import (
	"errors"
	"fmt"
	"reflect"
)

// validate runs the config's Derive method, then its Validate method and
// the WithValidator hooks. A panic in one is recovered and reported as a
// *PanicError (wrapped with ErrValidation) naming the method or validator,
// never the panic value. A Derive error stops there.
func (l *loader) validate(cfg reflect.Value) []error {
	// A validator's message is user text: withheld, as a gate's is, when
	// it shows the value of a sensitive field of the candidate.
	var secrets []string
	scrub := func(err error) error {
		if _, ok := err.(*PanicError); ok {
			return err
		}
		if secrets == nil {
			secrets = secretValues(l.plan, cfg.Interface())
		}
		return scrubAll(err, secrets)
	}
	if d, ok := cfg.Interface().(interface{ Derive() error }); ok {
		in := func() string { return "the Derive method of " + cfg.Type().String() }
		if err := callValidator(in, d.Derive); err != nil {
			return l.validationErrs(err, scrub)
		}
	}
	var errs []error
	if v, ok := cfg.Interface().(interface{ Validate() error }); ok {
		in := func() string { return "the Validate method of " + cfg.Type().String() }
		if err := callValidator(in, v.Validate); err != nil {
			errs = append(errs, l.validationErrs(err, scrub)...)
		}
	}
	for i, fn := range l.o.validators {
		in := func() string { return validatorName(i, len(l.o.validators), fn) }
		if err := callValidator(in, func() error { return fn(cfg.Interface()) }); err != nil {
			errs = append(errs, l.validationErrs(err, scrub)...)
		}
	}
	return errs
}

// validationErrs turns a validator's error into the Load's errors: each
// *FieldError in it (alone, or joined with errors.Join at any depth) names
// its field by path or key and becomes a field error with both filled in;
// anything else is a whole-config error. All wrap ErrValidation.
func (l *loader) validationErrs(err error, scrub func(error) error) []error {
	parts := joined(err)
	out := make([]error, 0, len(parts))
	for _, e := range parts {
		var fe *FieldError
		if !errors.As(e, &fe) || fe.Field == "" && fe.Key == "" {
			out = append(out, fmt.Errorf("%w: %w", ErrValidation, scrub(e)))
			continue
		}
		i, ok := l.plan.byName(fe.Field, fe.Key)
		if !ok {
			out = append(out, fmt.Errorf("%w: %w: a validator named %q: %w", ErrValidation, ErrUnknownName, fe.Field+fe.Key, scrub(fe.Err)))
			continue
		}
		f := &l.plan.fields[i]
		out = append(out, &FieldError{Field: f.path, Key: f.key, Source: "validation", Err: fmt.Errorf("%w: %w", ErrValidation, scrub(fe.Err))})
	}
	return out
}

// joined returns the errors joined in err (by errors.Join, or a
// fmt.Errorf with several %w), at any depth, or else err alone.
func joined(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, joined(e)...)
	}
	return out
}
