package main_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftless/driftless"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type explainJSON struct {
	Keys []struct {
		Key, Source, Reference, Provider, Version, Fingerprint, Error string
		Overrides                                                     []string
		Empty                                                         bool
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret, plain := canary("explain-secret"), canary("explain-plain")
	secretPath := writeFile(t, dir, "s", secret)
	writeFile(t, dir, ".env", strings.Join([]string{
		"PLAIN=" + plain,
		"SECRET=file://" + secretPath,
		"EMPTY=",
		"OVERRIDDEN=" + plain,
	}, "\n")+"\n")
	fpKey := "explain-test-key"
	env := baseEnv(t, "OVERRIDDEN=from-env", "ENV_REF=file://"+secretPath, "UNRELATED="+plain, "DRIFTLESS_FINGERPRINT_KEY="+fpKey)

	for _, resolve := range []bool{false, true} {
		args := []string{"explain", "--json"}
		if resolve {
			args = append(args, "--resolve")
		}
		r := runCLI(t, dir, env, args...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.NotContains(t, r.output(), secret)
		assert.NotContains(t, r.output(), plain)
		var rep explainJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		byKey := map[string]int{}
		var keys []string
		for i, k := range rep.Keys {
			byKey[k.Key] = i
			keys = append(keys, k.Key)
		}
		assert.Equal(t, []string{"EMPTY", "ENV_REF", "OVERRIDDEN", "PLAIN", "SECRET"}, keys, "file keys and env references only")
		get := func(k string) struct {
			Key, Source, Reference, Provider, Version, Fingerprint, Error string
			Overrides                                                     []string
			Empty                                                         bool
		} {
			return rep.Keys[byKey[k]]
		}
		assert.Equal(t, ".env:1", get("PLAIN").Source)
		assert.Equal(t, driftless.NewSecret(plain).Fingerprint([]byte(fpKey)), get("PLAIN").Fingerprint)
		assert.True(t, get("EMPTY").Empty)
		assert.Equal(t, "env", get("OVERRIDDEN").Source)
		assert.Equal(t, []string{".env:4"}, get("OVERRIDDEN").Overrides)
		assert.Equal(t, "env", get("ENV_REF").Source)
		s := get("SECRET")
		assert.Equal(t, ".env:2", s.Source)
		assert.Equal(t, "file://"+secretPath, s.Reference)
		assert.Equal(t, "file", s.Provider)
		if resolve {
			assert.Equal(t, driftless.NewSecret(secret).Fingerprint([]byte(fpKey)), s.Fingerprint)
			assert.NotEmpty(t, s.Version)
		} else {
			assert.Empty(t, s.Fingerprint, "not resolved without --resolve")
		}

		// The table says the same, without values.
		textArgs := []string{"explain"}
		if resolve {
			textArgs = append(textArgs, "--resolve")
		}
		tr := runCLI(t, dir, env, textArgs...)
		require.Equal(t, 0, tr.code, tr.stderr)
		assert.Contains(t, tr.stdout, "env (overrides .env:4)")
		assert.Contains(t, tr.stdout, "file://"+secretPath)
		assert.NotContains(t, tr.output(), secret)
		assert.NotContains(t, tr.output(), plain)
	}

	// A reference that fails: exit 1, the error names key and source.
	writeFile(t, dir, "broken.env", "GONE=file://"+filepath.Join(dir, "gone")+"\n")
	r := runCLI(t, dir, env, "explain", "--resolve", "--env-file", "broken.env")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "GONE (broken.env:1)")
	assert.NotContains(t, r.output(), secret)
}

type diffJSON struct {
	Same        int
	Differences []struct {
		Key, Change string
		A, B        *struct{ Source, Reference, Fingerprint string }
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c1, c2 := canary("diff-a"), canary("diff-b")
	sharedPath := writeFile(t, dir, "shared", c1)
	writeFile(t, dir, "a.env", strings.Join([]string{
		"SAME=" + c1, "CHANGED=" + c1, "ONLY_A=" + c1, "VIA_REF=file://" + sharedPath,
	}, "\n")+"\n")
	writeFile(t, dir, "b.env", strings.Join([]string{
		"SAME=" + c1, "CHANGED=" + c2, "ONLY_B=" + c2, "VIA_REF=" + c1,
	}, "\n")+"\n")
	keyFile := writeFile(t, dir, "fp.key", "a fixed key\n")

	r := runCLI(t, dir, baseEnv(t), "diff", "--json", "--key-file", keyFile, "a.env", "b.env")
	assert.Equal(t, 1, r.code, r.stderr)
	assert.NotContains(t, r.output(), c1)
	assert.NotContains(t, r.output(), c2)
	var rep diffJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	changes := map[string]string{}
	for _, d := range rep.Differences {
		changes[d.Key] = d.Change
	}
	assert.Equal(t, map[string]string{"CHANGED": "different", "ONLY_A": "only-a", "ONLY_B": "only-b", "VIA_REF": "different"}, changes)
	assert.Equal(t, 1, rep.Same)
	for _, d := range rep.Differences {
		if d.Key == "CHANGED" {
			assert.Equal(t, driftless.NewSecret(c1).Fingerprint([]byte("a fixed key")), d.A.Fingerprint)
			assert.Equal(t, driftless.NewSecret(c2).Fingerprint([]byte("a fixed key")), d.B.Fingerprint)
			assert.Equal(t, "a.env:2", d.A.Source)
		}
	}

	// With --resolve the reference's secret equals B's plain value.
	r = runCLI(t, dir, baseEnv(t), "diff", "--json", "--resolve", "a.env", "b.env")
	assert.Equal(t, 1, r.code)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	for _, d := range rep.Differences {
		assert.NotEqual(t, "VIA_REF", d.Key)
	}
	assert.Equal(t, 2, rep.Same)

	// Text output, and identical files.
	r = runCLI(t, dir, baseEnv(t), "diff", "a.env", "b.env")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "- ONLY_A\tonly in A (a.env:3)")
	assert.Contains(t, r.stdout, "+ ONLY_B\tonly in B (b.env:3)")
	assert.Contains(t, r.stdout, "~ CHANGED\t")
	assert.NotContains(t, r.output(), c1)
	assert.NotContains(t, r.output(), c2)
	r = runCLI(t, dir, baseEnv(t, "DRIFTLESS_FINGERPRINT_KEY=k"), "diff", "a.env", "a.env")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "keyed with DRIFTLESS_FINGERPRINT_KEY")

	// Errors: a missing file, a failing reference.
	assert.Equal(t, 2, runCLI(t, dir, baseEnv(t), "diff", "a.env", "absent.env").code)
	writeFile(t, dir, "broken.env", "X=file://"+filepath.Join(dir, "gone")+"\n")
	r = runCLI(t, dir, baseEnv(t), "diff", "--resolve", "a.env", "broken.env")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "X (broken.env:1)")
}
