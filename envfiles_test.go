package driftless_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

func TestInterpolatedSecretIsSecret(t *testing.T) {
	t.Parallel()
	type C struct {
		Password driftless.Secret `env:"DB_PASSWORD"`
		URL      string           `env:"DATABASE_URL"`
		Copy     string           `env:"COPY"`
		Host     string           `env:"DB_HOST"`
	}
	env := "DB_PASSWORD=s3cr3t-pw-value\nDB_HOST=db\nDATABASE_URL=postgres://app:${DB_PASSWORD}@${DB_HOST}/app\nCOPY=x${DATABASE_URL}\n"
	var cfg C
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(nil), drifttest.EnvFile(t, env))
	require.NoError(t, err)
	assert.Equal(t, "postgres://app:s3cr3t-pw-value@db/app", cfg.URL)
	for _, f := range rep.Fields {
		assert.Equal(t, f.Path != "Host", f.Secret, f.Path)
	}
	assert.NotContains(t, rep.String(), "s3cr3t-pw-value")
	assert.Contains(t, rep.String(), "db")
}

func TestEverySyntaxErrorCounts(t *testing.T) {
	t.Parallel()
	type C struct {
		A string `env:"A"`
	}
	err := drifttest.LoadErr[C](t, nil, drifttest.EnvFile(t, "1BAD=x\nA=ok\n2BAD=y\n"))
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	assert.Len(t, le.Errors, 2)
	assert.Contains(t, err.Error(), "2 problems")
}

func TestMissingEnvFile(t *testing.T) {
	t.Parallel()
	type C struct {
		A string `env:"A" default:"d"`
	}
	dir := t.TempDir()
	present := filepath.Join(dir, "present.env")
	require.NoError(t, os.WriteFile(present, []byte("A=1\n"), 0o600))
	missing := filepath.Join(dir, "missing.env")

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := drifttest.Load[C](t, nil, driftless.WithEnvFiles(missing, present), driftless.WithLogger(log))
	assert.Equal(t, "1", cfg.A)
	assert.Contains(t, logs.String(), "level=WARN msg=\"driftless: .env file not found; skipped\" file="+missing)
	assert.Contains(t, logs.String(), "driftless: .env file read\" file="+present+" keys=1")

	err := drifttest.LoadErr[C](t, nil, driftless.WithRequiredEnvFiles(missing))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), missing)
}
