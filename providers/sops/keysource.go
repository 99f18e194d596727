package sops

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/driftless/driftless/driver"
)

// FileOption configures the key source of File.
type FileOption func(*fileOptions)

type fileOptions struct {
	format string
}

// WithFormat sets the format of File's file (yaml, json, dotenv or ini),
// for a file whose name does not tell it. The default is the format sops
// gives the name: .yaml/.yml, .json, .env, .ini.
func WithFormat(format string) FileOption {
	return func(o *fileOptions) { o.format = format }
}

// File returns a key source that reads config keys from the top-level
// members of the SOPS-encrypted file at path (a dotenv, YAML, JSON or INI
// file): with a secrets.enc.env holding MODEL_NAME=..., the field with
// env:"MODEL_NAME" reads sops:///abs/secrets.enc.env#MODEL_NAME. Register a
// Provider for the scheme "sops" to decrypt it; the file is fetched and
// decrypted once per load (or refresh), whatever the number of keys. A key
// that the file does not hold falls through to the next source, and so do
// all keys when the file does not exist (a developer's checkout without
// the encrypted file); a file that cannot be decrypted fails the load. A
// relative path is made absolute against the working directory when File
// is called. File maps names only and does no I/O of the file.
//
// File panics if the format given with WithFormat is not one of yaml,
// json, dotenv or ini, or if path cannot be made absolute, as
// regexp.MustCompile does for a bad pattern: both are part of the program.
func File(path string, opts ...FileOption) driver.KeySource {
	var o fileOptions
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		panic(fmt.Sprintf("sops.File: %v", err))
	}
	base := driver.Ref{Scheme: Scheme, Name: filepath.ToSlash(abs)}
	if o.format != "" {
		if f, ok := knownFormat(o.format); !ok || f == formatBinary {
			panic(fmt.Sprintf("sops.File: format %q: want yaml, json, dotenv or ini", o.format))
		}
		base.Query = url.Values{formatParam: {o.format}}.Encode()
	} else if formatForPath(base.Name) == formatBinary {
		panic("sops.File: " + abs + ": the name does not tell the format (.yaml, .yml, .json, .env, .ini): use WithFormat")
	}
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		// "/" would make the key a JSON pointer, "~" an escape in one.
		if key == "" || strings.HasPrefix(key, "/") {
			return driver.Ref{}, false
		}
		r := base
		r.Key = key
		return r, true
	})
}
