package envfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/envfile"
)

func TestParseEntries(t *testing.T) {
	t.Parallel()
	src := "# header\n" +
		"export A=1 # one\n" +
		"  B = 'two' #two\n" +
		"C=\"x\ny\" # required, secret\n" +
		"D=\n" +
		"A=again\n"
	f, err := envfile.Parse(strings.NewReader(src), "x.env")
	require.NoError(t, err)
	assert.Equal(t, "x.env", f.Name)
	want := []envfile.Entry{
		{Key: "A", Value: "1", File: "x.env", Line: 2, Col: 8, Comment: "one"},
		{Key: "B", Value: "two", File: "x.env", Line: 3, Col: 3, Quote: '\'', Comment: "two"},
		{Key: "C", Value: "x\ny", File: "x.env", Line: 4, Col: 1, Quote: '"', Comment: "required, secret"},
		{Key: "D", Value: "", File: "x.env", Line: 6, Col: 1},
		{Key: "A", Value: "again", File: "x.env", Line: 7, Col: 1},
	}
	assert.Equal(t, want, entries(f))

	e, ok := f.Lookup("A")
	require.True(t, ok)
	assert.Equal(t, "again", e.Value, "the last occurrence wins")
	_, ok = f.Lookup("NOPE")
	assert.False(t, ok)
	assert.Equal(t, map[string]string{"A": "again", "B": "two", "C": "x\ny", "D": ""}, f.Map())
	assert.Equal(t, []envfile.Entry{want[4]}, f.Duplicates())
	assert.True(t, f.Entry(2).Required())
	assert.True(t, f.Entry(2).Secret())
	assert.False(t, f.Entry(0).Required())
}

func TestMarkers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		comment          string
		required, secret bool
	}{
		{"", false, false},
		{"required", true, false},
		{"REQUIRED: the API key", true, false},
		{"required, secret", true, true},
		{"secret required", true, true},
		{"secret", false, true},
		{"this is required", false, false},
		{"requiredness", false, false},
	} {
		e := envfile.Entry{Comment: tc.comment}
		assert.Equal(t, tc.required, e.Required(), "Required(%q)", tc.comment)
		assert.Equal(t, tc.secret, e.Secret(), "Secret(%q)", tc.comment)
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOME": "/home/u", "EMPTY": "", "A": "from-env"}
	for _, tc := range []struct {
		name, src string
		want      map[string]string
		opts      []envfile.Option
	}{
		{"dollar name stops at dot", "H=$HOME.local", map[string]string{"H": "/home/u.local"}, nil},
		{"braced name with dot", "a.b=1\nX=${a.b}", map[string]string{"a.b": "1", "X": "1"}, nil},
		{"dash default unset", "X=${NOPE-d}", map[string]string{"X": "d"}, nil},
		{"dash default empty keeps empty", "X=${EMPTY-d}", map[string]string{"X": ""}, nil},
		{"colon default empty", "X=${EMPTY:-d}", map[string]string{"X": "d"}, nil},
		{"nested default", "X=${N1:-${N2:-${HOME}}}", map[string]string{"X": "/home/u"}, nil},
		{"default in double quotes with escapes", `X="${NOPE:-a\"b\}c}"`, map[string]string{"X": `a"b}c`}, nil},
		{"escaped dollar", `X="\$HOME"`, map[string]string{"X": "$HOME"}, nil},
		{"no lookup by default", "X=${HOME}", map[string]string{"X": ""}, []envfile.Option{}},
		{"earlier key first", "A=file\nX=${A}", map[string]string{"A": "file", "X": "file"}, nil},
		{"lookup first", "A=file\nX=${A}", map[string]string{"A": "file", "X": "from-env"},
			[]envfile.Option{envfile.WithLookup(mapLookup(env)), envfile.WithLookupFirst()}},
		{"crlf in double quotes", "X=\"a\r\nb\rc\"\r\nY=1", map[string]string{"X": "a\nb\nc", "Y": "1"}, nil},
		{"escaped cr kept", `X="a\rb"`, map[string]string{"X": "a\rb"}, nil},
		{"backslash newline kept", "X=\"a\\\nb\"", map[string]string{"X": "a\\\nb"}, nil},
		{"trailing dollar", "X=a$\nY=\"b$\"", map[string]string{"X": "a$", "Y": "b$"}, nil},
		{"bom", "\ufeffX=1", map[string]string{"X": "1"}, nil},
		{"hash after spaces after equals", "X= #c\nY=#v", map[string]string{"X": "", "Y": "#v"}, nil},
		{"eof after equals", "X=", map[string]string{"X": ""}, nil},
		{"eof after spaces", "X=  ", map[string]string{"X": ""}, nil},
		{"invalid utf8 kept", "X=\xff\xfe", map[string]string{"X": "\xff\xfe"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			if opts == nil {
				opts = []envfile.Option{envfile.WithLookup(mapLookup(env))}
			}
			f, err := envfile.Parse(strings.NewReader(tc.src), "t.env", opts...)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.Map())
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src string
		want      []string // "line:col: reason"
	}{
		{"key start", "9=x", []string{"1:1: key must start with a letter or underscore"}},
		{"key char", "A@B=x", []string{"1:2: invalid character in key"}},
		{"missing eq", "A B", []string{"1:3: missing '=' after key"}},
		{"missing eq at eof", "\n\nABC", []string{"3:4: missing '=' after key"}},
		{"missing key", "  = x", []string{"1:3: missing key before '='"}},
		{"unterminated dq after multiline", "A=1\nB=\"x\ny", []string{"2:3: unterminated double-quoted value"}},
		{"unterminated sq", "A='x", []string{"1:3: unterminated single-quoted value"}},
		{"after quote", "A='x'y", []string{"1:6: unexpected character after closing quote"}},
		{"after multiline quote", "A=\"x\nyz\" w", []string{"2:5: unexpected character after closing quote"}},
		{"expansion error inside multiline", "A=\"x\ny${}\"", []string{"2:2: empty variable name in ${}"}},
		{"expansion error crlf", "A=\"x\r\n\r\nab${1}\"", []string{"3:5: invalid variable name in ${}"}},
		{"bad name char", "A=${B!}", []string{"1:6: invalid variable name in ${}"}},
		{"unsupported operator", "A=${B:?x}", []string{"1:6: unsupported ${} operator (only ${VAR}, ${VAR-default} and ${VAR:-default})"}},
		{"unterminated default", "A=${B:-x", []string{"1:3: unterminated ${ expansion"}},
		{"error then valid line", "A=${B\nC=1\nD", []string{"1:3: unterminated ${ expansion", "3:2: missing '=' after key"}},
		{"too deep", "A=" + strings.Repeat("${X:-", 20) + strings.Repeat("}", 20), []string{"1:88: ${} defaults nested too deeply"}},
		{"col after bom", "\ufeff A", []string{"1:3: missing '=' after key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := envfile.Parse(strings.NewReader(tc.src), "e.env")
			require.Error(t, err)
			assert.ErrorIs(t, err, envfile.ErrSyntax)
			var got []string
			for _, e := range flatten(err) {
				var pe *envfile.ParseError
				require.ErrorAs(t, e, &pe)
				assert.Equal(t, "e.env", pe.File)
				assert.Equal(t, pe.File+":", pe.Error()[:len(pe.File)+1])
				got = append(got, strings.TrimPrefix(pe.Error(), "e.env:"))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// flatten returns the errors joined in err, or err itself.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestParseErrorNeverHoldsInput(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-s3cr3t"
	for _, src := range []string{
		"PASSWORD=\"" + secret,
		"PASSWORD='" + secret,
		"PASSWORD=\"" + secret + "\"" + secret,
		"PASSWORD " + secret,
		"-" + secret + "=x",
		"P@" + secret + "=x",
		"PASSWORD=${" + secret,
		"PASSWORD=\"${X:=" + secret + "}\"",
	} {
		_, err := envfile.Parse(strings.NewReader(src), "s.env")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "hunter2")
		assert.NotContains(t, err.Error(), "PASSWORD")
	}
}

func TestParseMaxErrors(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("bad line\n", envfile.MaxErrors+50) + "OK=1\n"
	f, err := envfile.Parse(strings.NewReader(src), "m.env")
	require.Error(t, err)
	errs := flatten(err)
	require.Len(t, errs, envfile.MaxErrors+1)
	assert.Equal(t, "m.env:1:5: missing '=' after key", errs[0].Error())
	assert.Equal(t, "m.env:"+strconv.Itoa(envfile.MaxErrors+1)+":1: too many errors; parsing stopped",
		errs[envfile.MaxErrors].Error(), "the last error says where parsing stopped")
	assert.Zero(t, f.Len(), "parsing stops after MaxErrors errors")

	// Exactly MaxErrors errors and nothing after them: no extra error.
	_, err = envfile.Parse(strings.NewReader(strings.Repeat("bad line\n", envfile.MaxErrors)+"\n# end\n"), "m.env")
	assert.Len(t, flatten(err), envfile.MaxErrors)
}

func TestParseFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.env")
	require.NoError(t, os.WriteFile(path, []byte("A=1\nB\n"), 0o600))
	f, err := envfile.ParseFile(path)
	require.Error(t, err)
	assert.Equal(t, path+":2:2: missing '=' after key", err.Error())
	require.NotNil(t, f)
	assert.Equal(t, path, f.Entry(0).File)

	_, err = envfile.ParseFile(filepath.Join(dir, "missing.env"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, envfile.ErrSyntax)
}

func TestParseReaderError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := envfile.Parse(io.MultiReader(strings.NewReader("A=1\n"), iotest.ErrReader(boom)), "r.env")
	assert.ErrorIs(t, err, boom)
}

func TestParseErrorWithoutFile(t *testing.T) {
	t.Parallel()
	_, err := envfile.Parse(strings.NewReader("1=2"), "")
	require.Error(t, err)
	assert.Equal(t, "1:1: key must start with a letter or underscore", err.Error())
}

// TestParseLargeFileExpansion covers files with more entries than the
// backward scan handles, where earlier keys are found through a hash index.
func TestParseLargeFileExpansion(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	want := map[string]string{}
	for i := range 500 {
		k, v := "K"+strconv.Itoa(i), "v"+strconv.Itoa(i)
		b.WriteString(k + "=" + v + "\n")
		want[k] = v
		if i%10 == 0 {
			b.WriteString("A=${" + k + "}\n")
			want["A"] = v
		}
		if i%7 == 0 {
			b.WriteString("B=\"${B:-start}+" + strconv.Itoa(i) + "\"\n")
			if _, ok := want["B"]; !ok {
				want["B"] = "start"
			}
			want["B"] += "+" + strconv.Itoa(i)
		}
	}
	b.WriteString("LAST=$A-${K5}-${NOPE}-$HOME\n")
	want["LAST"] = "v490-v5--/h"
	f, err := envfile.Parse(strings.NewReader(b.String()), "big.env",
		envfile.WithLookup(mapLookup(map[string]string{"HOME": "/h", "K5": "env"})))
	require.NoError(t, err)
	assert.Equal(t, want, f.Map())
}

// TestParseLargeFileLoneCR has more entries than the input-based estimate
// (lone CR line ends are not counted), so the hash index must grow.
func TestParseLargeFileLoneCR(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 1000 {
		b.WriteString("K" + strconv.Itoa(i) + "=${K" + strconv.Itoa(max(i-1, 0)) + ":-x}" + strconv.Itoa(i%10) + "\r")
	}
	f, err := envfile.Parse(strings.NewReader(b.String()), "cr.env")
	require.NoError(t, err)
	require.Equal(t, 1000, f.Len())
	want := "x"
	for i := range 1000 {
		want += strconv.Itoa(i % 10)
	}
	assert.Equal(t, want, f.Map()["K999"])
	assert.Equal(t, 1000, f.Entry(999).Line)
}

// entries returns the entries of f in file order.
func entries(f *envfile.File) []envfile.Entry {
	var out []envfile.Entry
	for _, e := range f.All() {
		out = append(out, e)
	}
	return out
}

func TestEntryVars(t *testing.T) {
	src := "PW=s3cret\nHOST=db\nURL=postgres://app:${PW}@${HOST}/app?x=${PW}\nPLAIN=x\nMISSING=${NOPE}\nFROMENV=$OUTER\n"
	f, err := envfile.Parse(strings.NewReader(src), ".env", envfile.WithLookup(func(k string) (string, bool) {
		if k == "OUTER" {
			return "o", true
		}
		return "", false
	}))
	require.NoError(t, err)
	want := map[string][]string{"URL": {"PW", "HOST"}, "FROMENV": {"OUTER"}}
	for _, e := range f.All() {
		assert.Equal(t, want[e.Key], e.Vars, e.Key)
	}
}
