package envfile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/envfile"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	entries := []envfile.ExampleEntry{
		{Key: "MODEL_NAME", Default: "gpt-4-turbo", Desc: "model to serve"},
		{Key: "OPENAI_API_KEY", Required: true, Secret: true, Desc: "API key\r\nfrom the dashboard\n\nkeep it safe"},
		{Key: "DB_PASSWORD", Default: "awssm://prod/database#password", Secret: true},
		{Key: "GREETING", Default: "hello world # not a comment"},
		{Key: "QUOTE", Default: "it's $HOME \"x\"\n\\"},
		{Key: "EMPTY", Required: true},
		{Key: "NOTE", Default: " padded "},
	}
	var sb strings.Builder
	require.NoError(t, envfile.Write(&sb, entries))
	assert.Equal(t, ""+
		"# model to serve\n"+
		"MODEL_NAME=gpt-4-turbo\n"+
		"\n"+
		"# API key\n"+
		"# from the dashboard\n"+
		"#\n"+
		"# keep it safe\n"+
		"OPENAI_API_KEY= # required, secret\n"+
		"\n"+
		"DB_PASSWORD= # secret\n"+
		"\n"+
		"GREETING='hello world # not a comment'\n"+
		"\n"+
		"QUOTE=\"it's \\$HOME \\\"x\\\"\\n\\\\\"\n"+
		"\n"+
		"EMPTY= # required\n"+
		"\n"+
		"NOTE=' padded '\n", sb.String())

	f, err := envfile.Parse(strings.NewReader(sb.String()), ".env.example")
	require.NoError(t, err)
	require.Equal(t, len(entries), f.Len())
	for i, e := range entries {
		got := f.Entry(i)
		assert.Equal(t, e.Key, got.Key)
		if e.Secret {
			assert.Empty(t, got.Value, "a secret is never written")
		} else {
			assert.Equal(t, e.Default, got.Value)
		}
		assert.Equal(t, e.Required, got.Required(), e.Key)
		assert.Equal(t, e.Secret, got.Secret(), e.Key)
	}
}

func TestWriteInvalidKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "1A", "A B", "A=B", "É"} {
		var sb strings.Builder
		err := envfile.Write(&sb, []envfile.ExampleEntry{{Key: "OK"}, {Key: key, Default: "s3cr3t"}})
		require.ErrorIs(t, err, envfile.ErrInvalidKey)
		var we *envfile.WriteError
		require.True(t, errors.As(err, &we))
		assert.Equal(t, 1, we.Index)
		assert.Equal(t, "envfile: entry 1: invalid key", err.Error())
		assert.Empty(t, sb.String(), "nothing is written when a key is invalid")
	}
}
