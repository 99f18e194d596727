package driftless_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

func TestRelativeNameFileCannotLeaveEnvFileDir(t *testing.T) {
	t.Parallel()
	type C struct {
		MOTD string `env:"MOTD"`
	}
	root := t.TempDir()
	dir := filepath.Join(root, "app")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(root, "outside"), []byte("outside-secret"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "motd"), []byte("hello"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(root, "outside"), filepath.Join(dir, "link")))

	for name, tc := range map[string]struct {
		line string
		ok   bool
	}{
		"inside":         {"MOTD_FILE=motd", true},
		"dot-dot":        {"MOTD_FILE=../outside", false},
		"proc environ":   {"MOTD_FILE=../../../../../../proc/self/environ", false},
		"symlink out":    {"MOTD_FILE=link", false},
		"dot-dot inside": {"MOTD_FILE=../app/motd", true},
	} {
		t.Run(name, func(t *testing.T) {
			envPath := filepath.Join(dir, name+".env")
			require.NoError(t, os.WriteFile(envPath, []byte(tc.line+"\n"), 0o600))
			var cfg C
			err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithEnvFiles(envPath))
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, "hello", cfg.MOTD)
				return
			}
			require.ErrorIs(t, err, driftless.ErrNotAllowed)
			assert.Empty(t, cfg.MOTD)
			assert.NotContains(t, err.Error(), "outside-secret")
		})
	}
}

func TestAllowedRefs(t *testing.T) {
	t.Parallel()
	type C struct {
		Banner string           `env:"STATUS_BANNER"`
		Key    driftless.Secret `env:"KEY"`
		Deep   driftless.Secret `env:"DEEP" default:"test://shared/other"`
	}
	p := drifttest.NewProvider()
	p.Set("prod/payments-db", `{"password":"pw"}`)
	p.Set("prod/inference/key", "k")
	p.Set("vault/inference/a/b/c", "deep")
	p.Set("shared/other", "d")
	opts := []driftless.Option{driftless.WithProvider("test", p),
		driftless.WithAllowedRefs("test://prod/inference/*", "TEST://vault/inference/**")}

	err := drifttest.LoadErr[C](t, map[string]string{
		"STATUS_BANNER": "test://prod/payments-db#password",
		"KEY":           "test://prod/inference/key",
	}, opts...)
	require.ErrorIs(t, err, driftless.ErrNotAllowed)
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Fields(), 1)
	assert.Equal(t, "Banner", le.Fields()[0].Field)
	assert.Equal(t, 2, p.Calls(), "only KEY and the default of DEEP are fetched, not the refused reference")

	cfg := drifttest.Load[C](t, map[string]string{
		"KEY":  "test://vault/inference/a/b/c",
		"DEEP": "test://prod/inference/key",
	}, opts...)
	assert.Equal(t, "deep", cfg.Key.Value())
	assert.Equal(t, "k", cfg.Deep.Value())

	// A default written in code is not checked.
	cfg = drifttest.Load[C](t, map[string]string{"KEY": "test://prod/inference/key"}, opts...)
	assert.Equal(t, "d", cfg.Deep.Value())
}

func TestAllowedRefsBadPattern(t *testing.T) {
	t.Parallel()
	type C struct {
		A string `env:"A"`
	}
	assert.Error(t, drifttest.LoadErr[C](t, nil, driftless.WithAllowedRefs("no-scheme")))
	assert.Error(t, drifttest.LoadErr[C](t, nil, driftless.WithAllowedRefs("awssm://[")))
}

func TestFileRoots(t *testing.T) {
	t.Parallel()
	type C struct {
		Token driftless.Secret `env:"TOKEN"`
	}
	root, other := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "token"), []byte("t1\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(other, "token"), []byte("t2\n"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(other, "token"), filepath.Join(root, "escape")))
	opt := driftless.WithFileRoots(root)

	cfg := drifttest.Load[C](t, map[string]string{"TOKEN_FILE": filepath.Join(root, "token")}, opt)
	assert.Equal(t, "t1", cfg.Token.Value())
	for _, env := range []map[string]string{
		{"TOKEN_FILE": filepath.Join(other, "token")},
		{"TOKEN": "file://" + filepath.Join(other, "token")},
		{"TOKEN_FILE": filepath.Join(root, "escape")},
		{"TOKEN_FILE": filepath.Join(root, "..", filepath.Base(other), "token")},
	} {
		assert.ErrorIs(t, drifttest.LoadErr[C](t, env, opt), driftless.ErrNotAllowed, "%v", env)
	}
}
