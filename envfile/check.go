package envfile

import "strconv"

// FindingKind classifies a Finding.
type FindingKind int

// Kinds of findings, in the order Check reports them for one key.
const (
	// Missing: a key of the example is set neither in the environment nor
	// in any of the files. The position is the example's line.
	Missing FindingKind = iota + 1
	// Empty: a key the example marks required is set, but to the empty
	// string. The position is where the winning empty value is set (no
	// position when it came from the environment).
	Empty
	// Unknown: a file sets a key the example does not declare (often a
	// typo, or a key the code no longer reads). The position is the file's
	// first line with that key.
	Unknown
	// Duplicate: a file sets a key again; the later value wins. The
	// position is the later occurrence.
	Duplicate
)

// String returns the kind's name in lower case ("missing", "empty", ...).
func (k FindingKind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Empty:
		return "empty"
	case Unknown:
		return "unknown"
	case Duplicate:
		return "duplicate"
	}
	return "FindingKind(" + strconv.Itoa(int(k)) + ")"
}

// Finding is one problem found by Check. It names a key and a position,
// never a value.
type Finding struct {
	Kind FindingKind
	// Key is the variable name.
	Key string
	// File, Line and Col locate the entry the finding is about; File is
	// empty when the finding concerns the process environment.
	File      string
	Line, Col int
}

// String renders the finding as "file:line:col: KEY: kind: explanation".
func (f Finding) String() string {
	var s string
	if f.File != "" {
		s = f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Col) + ": "
	} else {
		s = "environment: "
	}
	s += f.Key + ": " + f.Kind.String() + ": "
	switch f.Kind {
	case Missing:
		s += "declared in the example but not set"
	case Empty:
		s += "required by the example but set to the empty string"
	case Unknown:
		s += "not declared in the example"
	case Duplicate:
		s += "set again; this later value wins"
	}
	return s
}

// Check compares the environment and .env files with a .env.example.
//
// lookup (typically os.LookupEnv; nil for none) is consulted first, as the
// process environment always wins over .env files; then files in the
// order given, the first file that sets a key winning. Check reports:
//
//   - Missing: every key of example that neither lookup nor any file sets;
//   - Empty: every key the example marks required whose winning value is
//     the empty string;
//   - Unknown: every key a file sets that the example does not declare
//     (keys of the environment are not checked: it holds many unrelated
//     variables);
//   - Duplicate: every repeated key within one file (and in example).
//
// A key is marked required in the example by an inline comment that starts
// with the word "required":
//
//	OPENAI_API_KEY= # required
//	DB_PASSWORD= # required, secret
//
// Findings come in the example's order for Missing and Empty, then in file
// order for Unknown and Duplicate.
func Check(example *File, lookup func(key string) (string, bool), files ...*File) []Finding {
	var out []Finding
	declared := make(map[string]bool)
	for _, e := range example.All() {
		if declared[e.Key] {
			continue
		}
		declared[e.Key] = true
		if lookup != nil {
			if v, ok := lookup(e.Key); ok {
				if v == "" && requiredIn(example, e.Key) {
					out = append(out, Finding{Kind: Empty, Key: e.Key})
				}
				continue
			}
		}
		found := false
		for _, f := range files {
			if w, ok := f.Lookup(e.Key); ok {
				found = true
				if w.Value == "" && requiredIn(example, e.Key) {
					out = append(out, Finding{Kind: Empty, Key: e.Key, File: w.File, Line: w.Line, Col: w.Col})
				}
				break
			}
		}
		if !found {
			out = append(out, Finding{Kind: Missing, Key: e.Key, File: e.File, Line: e.Line, Col: e.Col})
		}
	}
	for _, f := range append([]*File{example}, files...) {
		seen := make(map[string]bool)
		for _, e := range f.All() {
			switch {
			case seen[e.Key]:
				out = append(out, Finding{Kind: Duplicate, Key: e.Key, File: e.File, Line: e.Line, Col: e.Col})
			case f != example && !declared[e.Key]:
				out = append(out, Finding{Kind: Unknown, Key: e.Key, File: e.File, Line: e.Line, Col: e.Col})
			}
			seen[e.Key] = true
		}
	}
	return out
}

// requiredIn reports whether any occurrence of key in the example carries
// the required marker.
func requiredIn(example *File, key string) bool {
	for _, e := range example.All() {
		if e.Key == key && e.Required() {
			return true
		}
	}
	return false
}
