package awsps

import (
	"fmt"
	"strings"

	"github.com/driftless/driftless/driver"
)

// PathOption configures the key source of Path.
type PathOption func(*pathOptions)

type pathOptions struct {
	dashed bool
}

// LowerDashed makes Path look a key up in the lower-case, dashed form that
// Parameter Store hierarchies usually use: MODEL_NAME is read from
// <path>/model-name. The default is the key as written: <path>/MODEL_NAME.
func LowerDashed() PathOption {
	return func(o *pathOptions) { o.dashed = true }
}

// Path returns a key source that looks every config key up as a parameter
// under the hierarchy path: with path "/prod/inference", the key MODEL_NAME
// is read from awsps:///prod/inference/MODEL_NAME (or
// /prod/inference/model-name with LowerDashed). A trailing "/" of path is
// optional, and a path without its leading "/" gets one. A parameter that
// does not exist falls through to the next source. Path maps names only
// and does no I/O; each parameter is fetched with the others of the
// config, 10 per GetParameters call.
//
// Path panics if path is not a valid hierarchy (letters, digits, "_.-" and
// "/"), as regexp.MustCompile does for a bad pattern: the path is part of
// the program.
func Path(path string, opts ...PathOption) driver.KeySource {
	var o pathOptions
	for _, opt := range opts {
		opt(&o)
	}
	base := strings.TrimSuffix(Name("/"+strings.TrimPrefix(path, "/")), "/")
	if base != "" {
		if err := checkName(base); err != nil {
			panic(fmt.Sprintf("awsps.Path: %v", err))
		}
	}
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		if key == "" {
			return driver.Ref{}, false
		}
		if o.dashed {
			key = strings.ReplaceAll(strings.ToLower(key), "_", "-")
		}
		name := base + "/" + key
		if checkName(name) != nil {
			return driver.Ref{}, false
		}
		return driver.Ref{Scheme: Scheme, Name: name}, true
	})
}

// Keys returns a key source with an explicit mapping from config keys to
// parameters. Each value is what follows awsps:// in a reference: a
// parameter name, optionally with ?version=N or ?label=L and a #key, as in
//
//	awsps.Keys(map[string]string{
//		"MODEL_NAME": "/prod/inference/model",
//		"DB_PASSWORD": "/prod/db?label=live#password",
//	})
//
// (an "awsps://" prefix is accepted too). Keys not in the map are left to
// the next source. The map is copied. Keys panics if a value is not a valid
// reference; the panic names the config key, not the value.
func Keys(m map[string]string) driver.KeySource {
	refs := make(map[string]driver.Ref, len(m))
	for k, v := range m {
		s := v
		if !strings.HasPrefix(s, Scheme+"://") {
			s = Scheme + "://" + s
		}
		ref, err := driver.ParseRef(s)
		if err == nil {
			_, err = parse(ref)
		}
		if err != nil {
			panic(fmt.Sprintf("awsps.Keys: the mapping for %q: %v", k, err))
		}
		refs[k] = ref
	}
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		ref, ok := refs[key]
		return ref, ok
	})
}
