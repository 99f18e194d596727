package envfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allReasons = map[string]bool{
	reasonKeyStart: true, reasonKeyChar: true, reasonMissingKey: true, reasonMissingEq: true,
	reasonUnterminatedSQ: true, reasonUnterminatedDQ: true, reasonAfterQuote: true,
	reasonUnterminatedEx: true, reasonEmptyName: true, reasonBadName: true,
	reasonBadOperator: true, reasonTooDeep: true, reasonValueTooLarge: true,
	reasonExpansionTooLarge: true, reasonUnquotedPEM: true, reasonTooManyErrors: true,
}

// splitLines splits src the way the parser counts lines.
func splitLines(src string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			lines = append(lines, src[start:i])
			start = i + 1
		case '\r':
			lines = append(lines, src[start:i])
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	return append(lines, src[start:])
}

func addCorpus(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	require.NoError(f, err)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(string(data))
	}
}

// FuzzParse checks that Parse never panics, that every error is a
// *ParseError with a fixed reason and a position inside the input (so no
// input text can reach a message), that every entry's position points at
// its key, that expansion stays within its limits, and that Write renders the parsed values so that Parse gives
// them back.
func FuzzParse(f *testing.F) {
	addCorpus(f)
	env := map[string]string{"HOME": "/home/fuzz", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(strings.NewReader(src), "fuzz.env", WithLookup(lookup))
		require.NotNil(t, file)
		lines := splitLines(strings.TrimPrefix(src, "\ufeff"))
		if err != nil {
			require.ErrorIs(t, err, ErrSyntax)
			var list ErrorList
			require.ErrorAs(t, err, &list)
			errs := list.Unwrap()
			require.NotEmpty(t, errs)
			require.LessOrEqual(t, len(errs), MaxErrors+1)
			for _, e := range errs {
				var pe *ParseError
				require.True(t, errors.As(e, &pe))
				require.True(t, allReasons[pe.Reason], "unknown reason")
				require.Equal(t, "fuzz.env", pe.File)
				require.GreaterOrEqual(t, pe.Line, 1)
				require.LessOrEqual(t, pe.Line, len(lines))
				require.GreaterOrEqual(t, pe.Col, 1)
				require.LessOrEqual(t, pe.Col, len(lines[pe.Line-1])+1)
			}
		}
		total := 0
		for _, e := range file.All() {
			total += len(e.Value)
			require.True(t, validKey(e.Key))
			require.GreaterOrEqual(t, e.Line, 1)
			require.LessOrEqual(t, e.Line, len(lines))
			line := lines[e.Line-1]
			require.LessOrEqual(t, e.Col-1+len(e.Key), len(line))
			require.Equal(t, e.Key, line[e.Col-1:e.Col-1+len(e.Key)], "entry position must point at its key")
		}

		// Each byte of the input gives at most one byte of one value;
		// references add at most the per-file expansion limit.
		require.LessOrEqual(t, total, len(src)+defaultMaxExpansionSize)

		// Round trip through Write.
		entries := make([]ExampleEntry, file.Len())
		for i, e := range file.All() {
			entries[i] = ExampleEntry{Key: e.Key, Default: e.Value}
		}
		var sb strings.Builder
		require.NoError(t, Write(&sb, entries))
		back, err := Parse(strings.NewReader(sb.String()), "back.env")
		require.NoError(t, err)
		require.Equal(t, file.Len(), back.Len())
		for i, e := range back.All() {
			require.Equal(t, file.Entry(i).Key, e.Key)
			require.True(t, e.Value == file.Entry(i).Value, "value changed in the round trip")
		}
	})
}

// FuzzWrite checks that any valid entry written by Write parses back to its
// key, default (empty for a secret) and markers.
func FuzzWrite(f *testing.F) {
	f.Add("KEY", "value", "desc", false, false)
	f.Add("A.b-c", "it's $HOME \"x\"\n\\", "line1\r\nline2\rline3", true, false)
	f.Add("S", "secret", "", true, true)
	f.Add("Q", " # x ", "#", false, true)
	f.Fuzz(func(t *testing.T, key, def, desc string, required, secret bool) {
		var sb strings.Builder
		err := Write(&sb, []ExampleEntry{{Key: key, Default: def, Desc: desc, Required: required, Secret: secret}})
		if !validKey(key) {
			require.ErrorIs(t, err, ErrInvalidKey)
			return
		}
		require.NoError(t, err)
		back, err := Parse(strings.NewReader(sb.String()), "w.env")
		require.NoError(t, err)
		require.Equal(t, 1, back.Len())
		e := back.Entry(0)
		assert.Equal(t, key, e.Key)
		want := def
		if secret {
			want = ""
		}
		assert.True(t, want == e.Value, "value changed in the round trip")
		assert.Equal(t, required, e.Required())
		assert.Equal(t, secret, e.Secret())
	})
}
