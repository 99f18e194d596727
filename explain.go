package driftless

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/driftless/driftless/configfile"
)

// Report says, for every field, where its value came from. It never holds
// a secret value: secrets are shown as "[REDACTED] hmac:…", a fingerprint
// keyed with a random per-process key, so a short secret cannot be guessed
// from it offline. Values that came through a reference or a NAME_FILE file
// are treated as secrets whatever the field's type.
type Report struct {
	Type   string        `json:"type"`
	Files  []FileStatus  `json:"files,omitempty"`
	Fields []FieldReport `json:"fields"`
	// Snapshot is, when providers were unreachable and values came from
	// the snapshot of WithSnapshot, when that snapshot was written; zero
	// when every value is live.
	Snapshot time.Time `json:"snapshot,omitzero"`
}

// FileStatus describes one .env file or config file of the chain.
type FileStatus struct {
	Path    string `json:"path"`
	Missing bool   `json:"missing,omitempty"` // the file does not exist and was skipped
	Keys    int    `json:"keys"`
}

// FieldReport describes one field.
type FieldReport struct {
	Path     string    `json:"path"`               // "DB.Password"
	Key      string    `json:"key"`                // "DB_PASSWORD"
	Source   string    `json:"source"`             // "env", ".env:3", "env KEY_FILE (file /run/secrets/x)", "default", "unset"
	Ref      string    `json:"ref,omitempty"`      // the reference resolved, if any
	Provider string    `json:"provider,omitempty"` // its scheme
	Version  string    `json:"version,omitempty"`  // the version served
	Expires  time.Time `json:"expires,omitzero"`   // lease or expiry reported by the provider
	Secret   bool      `json:"secret"`
	FromFile bool      `json:"from_file,omitempty"` // read through NAME_FILE
	Display  string    `json:"display"`             // the value, or a redaction with a fingerprint
	Desc     string    `json:"desc,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Explain loads the config like Load and reports where each value came
// from. The report covers every field even when some fail, and err is the
// *LoadError Load would return. dst is filled only when err is nil.
func Explain(ctx context.Context, dst any, opts ...Option) (*Report, error) {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("driftless: Explain needs a non-nil pointer to a struct, got %T", dst)
	}
	l, err := newLoader(rv.Elem().Type(), opts)
	if err != nil {
		return nil, err
	}
	l.preset = rv.Elem()
	res := l.load(ctx, true)
	if res.err == nil {
		rv.Elem().Set(res.cfg.Elem())
	}
	return res.report, res.err
}

// WriteTable writes the report as an aligned, human-readable table.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tKEY\tSOURCE\tVALUE\tVERSION")
	for _, f := range r.Fields {
		src := f.Source
		if f.Ref != "" {
			src += " → " + f.Ref
		}
		val := f.Display
		if f.Error != "" {
			val = "ERROR: " + f.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Path, f.Key, src, oneLine(val), f.Version)
	}
	for _, f := range r.Files {
		if f.Missing {
			fmt.Fprintf(tw, "# %s: not found, skipped\n", f.Path)
		}
	}
	return tw.Flush()
}

// String returns the table form.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteTable(&b)
	return b.String()
}

// oneLine fits s in a table cell: at most 60 bytes, or else cut to 57 at
// a rune boundary and "...", with its line breaks and tabs escaped.
func oneLine(s string) string {
	if len(s) > 60 {
		i := 57
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "..."
	}
	return cellEscaper.Replace(s)
}

var cellEscaper = strings.NewReplacer("\n", `\n`, "\t", `\t`, "\r", `\r`)

// display renders a value for explain output: the value itself for plain
// fields, a redaction with a keyed fingerprint for secrets.
func display(raw string, secret bool) string {
	if !secret {
		return raw
	}
	if raw == "" {
		return Redacted + " (empty)"
	}
	return Redacted + " " + fingerprint(processKey, []byte(raw))
}

// report describes every field from its final state; withReport kept
// the state of every field.
func (p *pass) report() *Report {
	fields := p.l.plan.fields
	rep := &Report{Type: p.l.typ.String(), Files: p.status, Fields: make([]FieldReport, len(fields))}
	for i := range fields {
		rep.Fields[i] = p.fieldReport(&fields[i], &p.states[i])
	}
	return rep
}

// fieldReport describes one field: where its value came from, the
// reference and version resolved, the value (redacted when sensitive) if
// it reached decoding, and the error if it failed.
func (p *pass) fieldReport(f *field, st *fieldState) FieldReport {
	fr := FieldReport{Path: f.path, Key: f.key, Secret: f.secret, Desc: f.desc, Source: st.origin.String()}
	switch {
	case st.absent:
		fr.Source, fr.Display = "unset", "(nil "+f.ptrs[len(f.ptrs)-1]+")"
		return fr
	case st.origin.kind == fromPreset:
		v, _ := fieldAt(p.l.preset, f.index)
		fr.Display = display(presetText(v), f.secret)
	}
	if st.isRef {
		fr.Provider, fr.FromFile = st.ref.Scheme, st.origin.path != ""
		if !fr.FromFile {
			fr.Ref = st.ref.String()
		}
	}
	fr.Version, fr.Expires = st.version, st.expires
	if st.decoded {
		fr.Secret = st.sensitive(f)
		text := st.text
		if st.origin.node != nil {
			text = string(configfile.ToJSON(st.origin.node)) // a list or a map of a config file
		}
		fr.Display = display(text, fr.Secret)
	}
	if st.err != nil {
		fr.Error = st.err.Error()
	}
	return fr
}
