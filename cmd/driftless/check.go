package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/driftless/driftless/cmd/driftless/internal/gitscan"
	"github.com/driftless/driftless/envfile"
)

const checkText = `The Level 1 guard: finds .env mistakes before they ship. It reports
  tracked      a .env file tracked by git
  decrypted    a tracked decrypted copy of a SOPS-encrypted file: a file that a
               .sops.yaml creation rule's path_regex covers but that is not
               encrypted, or a plaintext sibling of an encrypted file
               (secrets.yaml or secrets.dec.yaml next to secrets.enc.yaml,
               .env.prod next to .env.prod.enc)
  history      a .env file, or such a decrypted copy, added by any commit of
               the history (git log --all)
  not-ignored  a .env file in the work tree that .gitignore does not ignore
  missing      a key of the example set in none of the env files
  unknown      a key of an env file the example does not declare
  empty        a key the example marks "# required" set to the empty string
  duplicate    a key set twice in one file (the later value wins)
  permissions  a .env file readable or writable by group or others (not on
               Windows, where ACLs rather than mode bits decide access)
  parse        a malformed line (file:line:col), an unquoted multi-line PEM
               value, or a value whose expansion exceeds the size limits
.env files are ".env" and ".env.*" except .env.example, .env.sample,
.env.template and .env.dist. A SOPS-encrypted file (a "sops" member with
an encrypted mac in YAML or JSON, a sops_mac=ENC[...] line in a dotenv
file) is safe to commit and never reported. ENVFILE defaults to DIR/.env when it exists;
the example defaults to DIR/.env.example when it exists. Findings name
files, lines and keys, never values; a key the example does not declare is
shown only when it looks like a variable name (it may be a line of a
value). Git checks are skipped (with a note) outside a git work tree.

Exit codes: 0 clean, 1 findings, 2 usage or I/O error.

Pre-commit hook (.git/hooks/pre-commit):  exec driftless check
CI step:                                   driftless check --json > driftless-check.json
`

// finding is one problem check reports.
type finding struct {
	Kind    string `json:"kind"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Key     string `json:"key,omitempty"`
	Commit  string `json:"commit,omitempty"`
	Message string `json:"message"`
}

// String renders the finding as one line: "file:line:col: kind: key:
// message", the file quoted when its name holds a control character.
func (f finding) String() string {
	s := displayPath(f.File)
	if f.Line > 0 {
		s += ":" + strconv.Itoa(f.Line)
		if f.Col > 0 {
			s += ":" + strconv.Itoa(f.Col)
		}
	}
	if s != "" {
		s += ": "
	}
	s += f.Kind + ": "
	if f.Key != "" {
		s += f.Key + ": "
	}
	return s + f.Message
}

type checkReport struct {
	Findings []finding `json:"findings"`
	Notes    []string  `json:"notes,omitempty"`
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "[--dir DIR] [--example FILE] [--json] [ENVFILE...]", checkText, stdout, stderr)
	dir := fs.String("dir", ".", "the directory (in a git work tree) to check")
	example := fs.String("example", "", "the schema file (default DIR/.env.example)")
	asJSON := fs.Bool("json", false, "write the report as JSON to stdout")
	envFiles, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	rep, err := check(*dir, *example, envFiles)
	if err != nil {
		fmt.Fprintf(stderr, "driftless check: %v\n", err)
		return exitError
	}
	if rep.Findings == nil {
		rep.Findings = []finding{}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "driftless check: %v\n", err)
			return exitError
		}
	} else {
		for _, f := range rep.Findings {
			fmt.Fprintln(stdout, f)
		}
		for _, n := range rep.Notes {
			fmt.Fprintf(stderr, "driftless check: note: %s\n", n)
		}
		if len(rep.Findings) > 0 {
			fmt.Fprintf(stderr, "driftless check: %d finding(s)\n", len(rep.Findings))
		}
	}
	if len(rep.Findings) > 0 {
		return exitFindings
	}
	return exitOK
}

func check(dir, example string, envFiles []string) (*checkReport, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--dir: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("--dir %s is not a directory", dir)
	}
	rep := &checkReport{}
	add := func(f finding) { rep.Findings = append(rep.Findings, f) }
	join := func(rel string) string { return filepath.Join(dir, rel) }

	found, err := gitscan.Find(dir)
	if err != nil {
		return nil, fmt.Errorf("searching %s for .env files: %w", dir, err)
	}

	repo, err := gitscan.Open(dir)
	switch {
	case errors.Is(err, gitscan.ErrNotRepo), errors.Is(err, gitscan.ErrNoGit):
		rep.Notes = append(rep.Notes, fmt.Sprintf("git checks skipped: %s: %v", dir, err))
	case err != nil:
		return nil, err
	default:
		// SOPS-encrypted files are safe to commit; their decrypted
		// copies are not.
		sc, err := newSOPSScan(repo)
		if err != nil {
			return nil, err
		}
		decrypted := sc.Tracked()
		tracked, err := repo.Tracked()
		if err != nil {
			return nil, err
		}
		for _, p := range tracked {
			if sc.Encrypted(sc.prefix+p) || decrypted[p] != "" {
				continue
			}
			add(finding{Kind: "tracked", File: join(p), Message: "tracked by git: run `git rm --cached -- " + shellArg(join(p)) + "`, ignore it, and rotate every secret it holds"})
		}
		for _, p := range slices.Sorted(maps.Keys(decrypted)) {
			add(finding{Kind: "decrypted", File: join(p), Message: decrypted[p] + ", and tracked by git: run `git rm --cached -- " + shellArg(join(p)) + "`, ignore it, and rotate every secret it holds"})
		}
		hist, err := repo.HistoryMatching(sc.HistoryMatch)
		if err != nil {
			return nil, err
		}
		hist, why, err := sc.History(hist)
		if err != nil {
			return nil, err
		}
		for _, c := range hist {
			msg := "added by commit " + c.Hash
			if c.Count > 1 {
				msg += fmt.Sprintf(" and %d later commit(s)", c.Count-1)
			}
			if why[c.Path] != "" {
				msg = why[c.Path] + ", " + msg
			}
			add(finding{Kind: "history", File: c.Path, Commit: c.Hash,
				Message: msg + " (path from the repository root): its values are in the history; rotate them (and purge the file with git filter-repo)"})
		}
		rep.Notes = append(rep.Notes, sc.Notes()...)
		not, err := repo.NotIgnored(found)
		if err != nil {
			return nil, err
		}
		for _, p := range not {
			if workTreeEncrypted(join(p)) {
				continue // a SOPS-encrypted .env file may be committed
			}
			add(finding{Kind: "not-ignored", File: join(p), Message: "not ignored by .gitignore: add `.env` and `.env.*` (with `!.env.example`)"})
		}
	}

	// The files to check against the schema.
	defaulted := len(envFiles) == 0
	if defaulted {
		if _, err := os.Stat(join(".env")); err == nil {
			envFiles = []string{join(".env")}
		}
	}
	perms := map[string]bool{}
	for _, p := range found {
		perms[join(p)] = true
	}
	for _, p := range envFiles {
		perms[p] = true
	}
	for _, p := range sortedKeys(perms) {
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && !slices.Contains(envFiles, p) {
				continue
			}
			return nil, fmt.Errorf("%s: %w", p, unwrapPathErr(err))
		}
		// On Windows, ACLs decide access and Go reports every writable
		// file as 0666: the mode says nothing, so nothing is reported.
		if m := st.Mode().Perm(); runtime.GOOS != "windows" && m&0o077 != 0 {
			add(finding{Kind: "permissions", File: p, Message: fmt.Sprintf("mode %04o lets group or others read or write it: chmod 600 -- %s", m, shellArg(p))})
		}
	}

	var files []*envfile.File
	for _, p := range envFiles {
		f, err := envfile.ParseFile(p)
		if err != nil && !errors.Is(err, envfile.ErrSyntax) {
			return nil, fmt.Errorf("%s: %w", p, unwrapPathErr(err))
		}
		addParseErrors(err, add)
		files = append(files, f)
	}

	explicitExample := example != ""
	if !explicitExample {
		example = join(".env.example")
	}
	ex, err := envfile.ParseFile(example)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist) && !explicitExample:
		rep.Notes = append(rep.Notes, "no "+example+": schema checks (missing, unknown, empty) skipped")
		ex = nil
	case err != nil && !errors.Is(err, envfile.ErrSyntax):
		return nil, fmt.Errorf("--example %s: %w", example, unwrapPathErr(err))
	default:
		addParseErrors(err, add)
	}

	// A key of the example is printed as is: the example is the committed
	// schema. Any other key comes from a file that holds secrets, and may
	// be a piece of a value that spilled onto its own line (the lines of an
	// unquoted multi-line value): it is printed only when it looks like a
	// variable name.
	declared := map[string]bool{}
	if ex != nil {
		for _, e := range ex.All() {
			declared[e.Key] = true
		}
	}
	keyFinding := func(kind envfile.FindingKind, file string, line, col int, key string) {
		f := finding{Kind: kind.String(), File: file, Line: line, Col: col, Message: findingText(kind)}
		if declared[key] || nameLike(key) {
			f.Key = key
		} else {
			f.Message += " (key not shown: it does not look like a variable name and may be part of a value)"
		}
		add(f)
	}
	switch {
	case ex != nil && len(files) > 0:
		for _, f := range envfile.Check(ex, nil, files...) {
			keyFinding(f.Kind, f.File, f.Line, f.Col, f.Key)
		}
	default:
		if ex != nil && defaulted {
			rep.Notes = append(rep.Notes, "no .env file to check against "+example)
		}
		for _, f := range files {
			for _, e := range f.Duplicates() {
				keyFinding(envfile.Duplicate, e.File, e.Line, e.Col, e.Key)
			}
		}
	}
	return rep, nil
}

// nameLike reports whether key looks like a variable name (DB_HOST,
// app.port) rather than a fragment of a secret (base64, hex, a token): its
// letters are all of one case and it is at most 64 bytes long.
func nameLike(key string) bool {
	if len(key) > 64 {
		return false
	}
	upper := strings.ContainsFunc(key, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	lower := strings.ContainsFunc(key, func(r rune) bool { return 'a' <= r && r <= 'z' })
	return !upper || !lower
}

func findingText(k envfile.FindingKind) string {
	switch k {
	case envfile.Missing:
		return "declared in the example but not set"
	case envfile.Empty:
		return "required by the example but set to the empty string"
	case envfile.Unknown:
		return "not declared in the example"
	case envfile.Duplicate:
		return "set again; this later value wins"
	}
	return k.String()
}

func addParseErrors(err error, add func(finding)) {
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var pe *envfile.ParseError
		if errors.As(e, &pe) {
			add(finding{Kind: "parse", File: pe.File, Line: pe.Line, Col: pe.Col, Message: pe.Reason})
		}
	}
}

// displayPath returns p as is, or quoted in Go syntax when it holds a
// control character (a newline would split a finding over two lines) or
// is not valid UTF-8.
func displayPath(p string) string {
	if utf8.ValidString(p) && !strings.ContainsFunc(p, unicode.IsControl) {
		return p
	}
	return strconv.Quote(p)
}

// shellArg returns p as a word of a POSIX shell command line: as is when
// it holds only safe characters, else in single quotes. A name that holds
// a control character is quoted as displayPath does, so that the message
// stays on one line.
func shellArg(p string) string {
	safe := p != "" && !strings.ContainsFunc(p, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("._-/+,:@%=", r))
	})
	switch {
	case safe:
		return p
	case displayPath(p) != p:
		return displayPath(p)
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
