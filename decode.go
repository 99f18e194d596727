package driftless

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// decodeFunc decodes text into a value of one type.
type decodeFunc func(s string) (reflect.Value, error)

// withheld replaces a message that may show the value.
const withheld = "details withheld: the message may contain the value"

// scrub wraps err so that its message shows no part of value: when the
// message contains the value in any common encoding (as is, trimmed,
// Go-quoted, JSON-escaped, URL-escaped) or any run of 6 or more of its
// bytes, the whole message is withheld.
func scrub(err error, value string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if leaks(msg, value) {
		msg = withheld
	}
	return &scrubbed{msg: msg, err: err}
}

// leaks reports whether msg holds value, or a part of it, in a form a
// reader could recover.
func leaks(msg, value string) bool {
	if strings.TrimSpace(value) == "" {
		return false
	}
	q := strconv.Quote(value)
	j, _ := json.Marshal(value)
	forms := []string{value, strings.TrimSpace(value), q[1 : len(q)-1], string(j[1 : len(j)-1]),
		url.QueryEscape(value), url.PathEscape(value)}
	const run = 6
	for _, f := range forms {
		if len(f) <= run {
			if strings.Contains(msg, f) {
				return true
			}
			continue
		}
		for i := 0; i+run <= len(f); i++ {
			if strings.Contains(msg, f[i:i+run]) {
				return true
			}
		}
	}
	return false
}

// bare returns the error of decoding a sensitive value: the type and the
// kind of failure of each level, and no message from code that might
// show the value.
func bare(err error) error {
	var de *decodeError
	if !errors.As(err, &de) {
		return &decodeError{reason: "does not decode"}
	}
	out := &decodeError{typ: de.typ, reason: de.reason}
	var inner *decodeError
	if de.err != nil && errors.As(de.err, &inner) {
		out.err = bare(inner)
	}
	return out
}

// decoder decodes strings into values of Go types, with user overrides.
type decoder struct {
	custom map[reflect.Type]decodeFunc
}

// decode converts s into a new value of type t. Errors never contain s.
func (d *decoder) decode(s string, t reflect.Type, f *field) (reflect.Value, error) {
	v := reflect.New(t).Elem()
	if err := d.decodeInto(v, s, f); err != nil {
		return reflect.Value{}, err
	}
	return v, nil
}

// decodeInto decodes s into dst, which must be settable. Errors never
// contain s. It sets scalars in place, without allocating.
func (d *decoder) decodeInto(dst reflect.Value, s string, f *field) error {
	t := dst.Type()
	if len(d.custom) > 0 {
		if fn, ok := d.custom[t]; ok {
			v, err := callDecoder(fn, t, s)
			if err != nil {
				return &decodeError{typ: t, reason: "custom decoder failed", err: scrubUser(err, s)}
			}
			dst.Set(v)
			return nil
		}
	}
	// The special types are structs, slices and Duration (an int64): other
	// kinds skip the comparisons.
	if k := t.Kind(); k == reflect.Struct || k == reflect.Slice || k == reflect.Int64 {
		switch t {
		case secretType:
			dst.Set(reflect.ValueOf(NewSecret(s)))
			return nil
		case durationType:
			dur, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil {
				if n, err2 := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err2 == nil && n == 0 {
					dst.SetInt(0)
					return nil
				}
				return &decodeError{typ: t, reason: `want a duration such as "30s" or "1h30m"`}
			}
			dst.SetInt(int64(dur))
			return nil
		case timeType:
			tm, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
			if err != nil {
				return &decodeError{typ: t, reason: `want an RFC 3339 time such as "2026-01-02T15:04:05Z"`}
			}
			dst.Set(reflect.ValueOf(tm))
			return nil
		case urlType:
			u, err := url.Parse(strings.TrimSpace(s))
			if err != nil {
				return &decodeError{typ: t, reason: "malformed URL"}
			}
			dst.Set(reflect.ValueOf(*u))
			return nil
		case ipType:
			ip := net.ParseIP(strings.TrimSpace(s))
			if ip == nil {
				return &decodeError{typ: t, reason: "want an IPv4 or IPv6 address"}
			}
			dst.Set(reflect.ValueOf(ip))
			return nil
		case bytesType:
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(strings.TrimSpace(s)); err == nil {
					dst.SetBytes(b)
					return nil
				}
			}
			return &decodeError{typ: t, reason: "want base64"}
		}
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshal) {
		if err := callUnmarshalText(dst.Addr().Interface().(encoding.TextUnmarshaler), t, s); err != nil {
			return &decodeError{typ: t, reason: "UnmarshalText failed", err: scrubUser(err, s)}
		}
		return nil
	}
	return d.decodeKind(dst, t, s, f)
}

// decodeKind decodes s by the kind of t, once the special types are ruled
// out; basic fields (see isBasic) come here directly.
func (d *decoder) decodeKind(dst reflect.Value, t reflect.Type, s string, f *field) error {
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := d.decodeInto(p.Elem(), s, f); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.String:
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "yes", "on", "y":
				b, err = true, nil
			case "no", "off", "n":
				b, err = false, nil
			}
		}
		if err != nil {
			return &decodeError{typ: t, reason: "want true/false, 1/0, yes/no or on/off"}
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 0, t.Bits())
		if err != nil {
			return numError(t, err)
		}
		dst.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 0, t.Bits())
		if err != nil {
			return numError(t, err)
		}
		dst.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(strings.TrimSpace(s), t.Bits())
		if err != nil {
			return numError(t, err)
		}
		dst.SetFloat(n)
		return nil
	case reflect.Complex64, reflect.Complex128:
		n, err := strconv.ParseComplex(strings.TrimSpace(s), t.Bits())
		if err != nil {
			return numError(t, err)
		}
		dst.SetComplex(n)
		return nil
	case reflect.Slice:
		if s == "" {
			dst.Set(reflect.MakeSlice(t, 0, 0))
			return nil
		}
		n := strings.Count(s, f.sep) + 1
		// Grown in place: reflect.MakeSlice would allocate a slice header
		// besides the elements. A new array all the same, never one that
		// dst shares.
		dst.SetZero()
		dst.Grow(n)
		dst.SetLen(n)
		for i := 0; i < n; i++ {
			p, rest, _ := strings.Cut(s, f.sep)
			s = rest
			if err := d.decodeInto(dst.Index(i), strings.TrimSpace(p), f); err != nil {
				return &decodeError{typ: t, reason: fmt.Sprintf("element %d", i), err: err}
			}
		}
		return nil
	case reflect.Array:
		var parts []string
		if s != "" {
			parts = strings.Split(s, f.sep)
		}
		if len(parts) != t.Len() {
			return &decodeError{typ: t, reason: fmt.Sprintf("want %d elements, got %d", t.Len(), len(parts))}
		}
		for i, p := range parts {
			if err := d.decodeInto(dst.Index(i), strings.TrimSpace(p), f); err != nil {
				return &decodeError{typ: t, reason: fmt.Sprintf("element %d", i), err: err}
			}
		}
		return nil
	case reflect.Map:
		out := reflect.MakeMap(t)
		if s != "" {
			for i, p := range strings.Split(s, f.sep) {
				k, v, ok := strings.Cut(p, f.kvSep)
				if !ok {
					return &decodeError{typ: t, reason: fmt.Sprintf("entry %d has no %q between key and value", i, f.kvSep)}
				}
				kv, err := d.decode(strings.TrimSpace(k), t.Key(), f)
				if err != nil {
					return &decodeError{typ: t, reason: fmt.Sprintf("key of entry %d", i), err: err}
				}
				vv, err := d.decode(strings.TrimSpace(v), t.Elem(), f)
				if err != nil {
					return &decodeError{typ: t, reason: fmt.Sprintf("value of entry %d", i), err: err}
				}
				out.SetMapIndex(kv, vv)
			}
		}
		dst.Set(out)
		return nil
	}
	return &decodeError{typ: t, reason: "unsupported type"}
}

func numError(t reflect.Type, err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		if errors.Is(ne.Err, strconv.ErrRange) {
			return &decodeError{typ: t, reason: "out of range"}
		}
	}
	return &decodeError{typ: t, reason: "invalid syntax"}
}

// emptyIsError lists the kinds for which an empty value is an error rather
// than an empty value.
func emptyIsError(t reflect.Type) bool {
	t = indirect(t)
	switch t {
	case secretType, bytesType, urlType:
		return false
	case durationType, timeType, ipType:
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array, reflect.Struct:
		return false
	}
	return !reflect.PointerTo(t).Implements(textUnmarshal)
}

// set decodes raw into the field of root that f names, allocating nil
// pointers on the way.
func (l *loader) set(root reflect.Value, f *field, raw string, prev *string) error {
	v := fieldFor(root, f.index)
	switch f.kind {
	case leafRotating:
		r := NewRotating(NewSecret(raw), Secret{})
		if prev != nil {
			r = NewRotating(NewSecret(raw), NewSecret(*prev))
		}
		if v.Kind() == reflect.Pointer {
			p := reflect.New(rotatingType)
			p.Elem().Set(reflect.ValueOf(r))
			v.Set(p)
		} else {
			v.Set(reflect.ValueOf(r))
		}
		return nil
	case leafJSON:
		target := reflect.New(indirect(f.typ))
		if err := json.Unmarshal([]byte(raw), target.Interface()); err != nil {
			return &decodeError{typ: f.typ, reason: "want a JSON object", err: jsonErr(err)}
		}
		if v.Kind() == reflect.Pointer {
			v.Set(target)
		} else {
			v.Set(target.Elem())
		}
		return nil
	}
	if raw == "" && f.emptyErr {
		return &decodeError{typ: f.typ, reason: "empty value (unset the variable to use the default)"}
	}
	if f.basic {
		return l.dec.decodeKind(v, f.typ, raw, f)
	}
	return l.dec.decodeInto(v, raw, f)
}

// fieldFor returns the field of root at index, allocating nil pointers on
// the way.
func fieldFor(root reflect.Value, index []int) reflect.Value {
	v := root
	for i, x := range index {
		if i > 0 {
			for v.Kind() == reflect.Pointer {
				if v.IsNil() {
					v.Set(reflect.New(v.Type().Elem()))
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v
}

// jsonErr describes a JSON error without any part of the input: a syntax
// error by its offset, a type mismatch by the JSON kind and the member's
// path, and anything else (a member's UnmarshalJSON, such as time.Time's,
// quotes its input) by nothing at all.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		kind, _, _ := strings.Cut(te.Value, " ") // "number 987654321987654321" -> "number"
		if te.Field == "" {
			return fmt.Errorf("JSON %s does not fit Go type %s", kind, te.Type)
		}
		return fmt.Errorf("JSON %s at member %q does not fit Go type %s", kind, te.Field, te.Type)
	}
	return errors.New("a member does not decode (" + withheld + ")")
}
