package envchain_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/envfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := write(t, dir, "first.env", "A=first\nB=first\n")
	second := write(t, dir, "second.env", "A=second\nC=second\nC=second-again\nD=${HOME_DIR}/x\n")
	files, err := envchain.ParseFiles([]string{first, second, filepath.Join(dir, "absent.env")},
		func(k string) (string, bool) { return map[string]string{"HOME_DIR": "/home/u"}[k], k == "HOME_DIR" }, true)
	require.NoError(t, err)
	require.Len(t, files, 2)

	tests := []struct {
		name      string
		environ   []string
		onlyFiles bool
		keep      func(k, v string) bool
		want      map[string]string // key -> "value@source"
	}{
		{"files only", nil, false, nil, map[string]string{
			"A": "first@" + first + ":1", "B": "first@" + first + ":2",
			"C": "second-again@" + second + ":3", "D": "/home/u/x@" + second + ":4",
		}},
		{"process wins", []string{"A=env", "PATH=/bin", "BAD"}, false, nil, map[string]string{
			"A": "env@env", "B": "first@" + first + ":2", "C": "second-again@" + second + ":3",
			"D": "/home/u/x@" + second + ":4", "PATH": "/bin@env",
		}},
		{"only file keys, plus kept", []string{"A=env", "PATH=/bin", "REF=vault://x/y"}, true,
			func(_, v string) bool { return v == "vault://x/y" }, map[string]string{
				"A": "env@env", "B": "first@" + first + ":2", "C": "second-again@" + second + ":3",
				"D": "/home/u/x@" + second + ":4", "REF": "vault://x/y@env",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set := envchain.Merge(tt.environ, files, tt.onlyFiles, tt.keep)
			got := map[string]string{}
			for _, v := range set.Vars {
				got[v.Key] = v.Value + "@" + v.Source.String()
			}
			assert.Equal(t, tt.want, got)
		})
	}

	set := envchain.Merge([]string{"A=env"}, files, false, nil)
	a, ok := set.Lookup("A")
	require.True(t, ok)
	assert.Equal(t, []envchain.Source{{File: first, Line: 1, Col: 1}, {File: second, Line: 1, Col: 1}}, a.Shadowed)
	assert.Contains(t, set.Environ(), "A=env")
}

func TestParseFilesErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := write(t, dir, "bad.env", "GOOD=1\nnot a line\n")
	_, err := envchain.ParseFiles([]string{bad}, nil, false)
	require.ErrorIs(t, err, envfile.ErrSyntax)
	assert.Contains(t, err.Error(), bad+":2:")

	_, err = envchain.ParseFiles([]string{filepath.Join(dir, "absent.env")}, nil, false)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "absent.env")
}
