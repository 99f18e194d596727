package envfile_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/envfile"
)

func mustParse(t *testing.T, name, src string) *envfile.File {
	t.Helper()
	f, err := envfile.Parse(strings.NewReader(src), name)
	require.NoError(t, err)
	return f
}

func TestCheck(t *testing.T) {
	t.Parallel()
	example := mustParse(t, ".env.example", ""+
		"# model to serve\n"+
		"MODEL=gpt\n"+ // 2
		"API_KEY= # required, secret\n"+ // 3
		"DB_HOST=localhost\n"+ // 4
		"DB_PASSWORD= # required\n"+ // 5
		"TIMEOUT=30s\n"+ // 6
		"FROM_ENV= # required\n") // 7
	local := mustParse(t, ".env.local", ""+
		"DB_PASSWORD=\n"+ // empty, wins over .env
		"DB_HOSTT=typo\n")
	dotenv := mustParse(t, ".env", ""+
		"MODEL=llama\n"+
		"DB_PASSWORD=pw\n"+
		"MODEL=mistral\n"+
		"API_KEY=k\n")
	env := map[string]string{"FROM_ENV": "", "API_KEY": "", "PATH": "/bin"}
	// API_KEY is empty in the environment, which wins over .env.
	got := envfile.Check(example, mapLookup(env), local, dotenv)
	want := []envfile.Finding{
		{Kind: envfile.Empty, Key: "API_KEY"},
		{Kind: envfile.Missing, Key: "DB_HOST", File: ".env.example", Line: 4, Col: 1},
		{Kind: envfile.Empty, Key: "DB_PASSWORD", File: ".env.local", Line: 1, Col: 1},
		{Kind: envfile.Missing, Key: "TIMEOUT", File: ".env.example", Line: 6, Col: 1},
		{Kind: envfile.Empty, Key: "FROM_ENV"},
		{Kind: envfile.Unknown, Key: "DB_HOSTT", File: ".env.local", Line: 2, Col: 1},
		{Kind: envfile.Duplicate, Key: "MODEL", File: ".env", Line: 3, Col: 1},
	}
	assert.Equal(t, want, got)

	var lines []string
	for _, f := range got {
		lines = append(lines, f.String())
	}
	assert.Equal(t, []string{
		"environment: API_KEY: empty: required by the example but set to the empty string",
		".env.example:4:1: DB_HOST: missing: declared in the example but not set",
		".env.local:1:1: DB_PASSWORD: empty: required by the example but set to the empty string",
		".env.example:6:1: TIMEOUT: missing: declared in the example but not set",
		"environment: FROM_ENV: empty: required by the example but set to the empty string",
		".env.local:2:1: DB_HOSTT: unknown: not declared in the example",
		".env:3:1: MODEL: duplicate: set again; this later value wins",
	}, lines)
}

func TestCheckClean(t *testing.T) {
	t.Parallel()
	example := mustParse(t, ".env.example", "A= # required\nB=default\n")
	dotenv := mustParse(t, ".env", "A=1\nB=\n")
	assert.Empty(t, envfile.Check(example, nil, dotenv), "an empty value is fine for a key that is not required")
	assert.Empty(t, envfile.Check(example, mapLookup(map[string]string{"A": "x", "B": "y"})))
}

func TestCheckDuplicateInExample(t *testing.T) {
	t.Parallel()
	example := mustParse(t, ".env.example", "A=1\nA= # required\n")
	got := envfile.Check(example, mapLookup(map[string]string{"A": ""}))
	assert.Equal(t, []envfile.Finding{
		{Kind: envfile.Empty, Key: "A"},
		{Kind: envfile.Duplicate, Key: "A", File: ".env.example", Line: 2, Col: 1},
	}, got)
}

func TestFindingKindString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "missing", envfile.Missing.String())
	assert.Equal(t, "empty", envfile.Empty.String())
	assert.Equal(t, "unknown", envfile.Unknown.String())
	assert.Equal(t, "duplicate", envfile.Duplicate.String())
	assert.Equal(t, "FindingKind(0)", envfile.FindingKind(0).String())
}
