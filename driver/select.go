package driver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Select returns the part of data that key names: data itself for "", the
// value of a top-level member for "name", or the value a JSON pointer
// (RFC 6901) names for "/a/b". A selected JSON string is returned unquoted;
// any other JSON value is returned as compact JSON text. A missing member
// yields an error wrapping ErrNotFound; errors never contain data.
func Select(data []byte, key string) ([]byte, error) {
	if key == "" {
		return data, nil
	}
	var path []string
	if key[0] == '/' {
		for _, p := range strings.Split(key[1:], "/") {
			p = strings.ReplaceAll(p, "~1", "/")
			path = append(path, strings.ReplaceAll(p, "~0", "~"))
		}
	} else {
		path = []string{key}
	}
	cur := json.RawMessage(bytes.TrimSpace(data))
	for _, p := range path {
		switch {
		case len(cur) > 0 && cur[0] == '{':
			var m map[string]json.RawMessage
			if err := json.Unmarshal(cur, &m); err != nil {
				return nil, &KeyError{Key: key, Reason: "secret is not valid JSON"}
			}
			v, ok := m[p]
			if !ok {
				return nil, fmt.Errorf("%w: %w", ErrNotFound, &KeyError{Key: key, Reason: fmt.Sprintf("no member %q", p)})
			}
			cur = v
		case len(cur) > 0 && cur[0] == '[':
			var a []json.RawMessage
			if err := json.Unmarshal(cur, &a); err != nil {
				return nil, &KeyError{Key: key, Reason: "secret is not valid JSON"}
			}
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(a) || (len(p) > 1 && p[0] == '0') {
				return nil, fmt.Errorf("%w: %w", ErrNotFound, &KeyError{Key: key, Reason: fmt.Sprintf("no array element %q", p)})
			}
			cur = a[i]
		default:
			if !json.Valid(cur) {
				return nil, &KeyError{Key: key, Reason: "secret is not valid JSON"}
			}
			return nil, &KeyError{Key: key, Reason: "secret is a JSON scalar, not an object"}
		}
	}
	cur = bytes.TrimSpace(cur)
	if len(cur) > 0 && cur[0] == '"' {
		var s string
		if err := json.Unmarshal(cur, &s); err != nil {
			return nil, &KeyError{Key: key, Reason: "secret is not valid JSON"}
		}
		return []byte(s), nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, cur); err != nil {
		return nil, &KeyError{Key: key, Reason: "secret is not valid JSON"}
	}
	return b.Bytes(), nil
}
