package main

import (
	"testing"

	"filippo.io/age"
	"github.com/driftless/driftless/providers/sops/sopstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every format sops writes is recognised as encrypted, and its decrypted
// form is not.
func TestSOPSEncrypted(t *testing.T) {
	t.Parallel()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	for _, tc := range []struct{ format, plain string }{
		{"yaml", "db:\n  password: p\nsops_like: x\n"},
		{"json", `{"db": {"password": "p"}}`},
		{"dotenv", "A=1\nB=2\n"},
		{"ini", "[db]\npassword = p\n"},
		{"binary", "-----BEGIN KEY-----\n"},
	} {
		enc, err := sopstest.Encrypt([]byte(tc.plain), tc.format, id.Recipient())
		require.NoError(t, err)
		assert.True(t, sopsEncrypted(enc), "%s encrypted:\n%s", tc.format, enc)
		assert.False(t, sopsEncrypted([]byte(tc.plain)), "%s plaintext", tc.format)
	}
	for _, plain := range []string{
		"",
		"sops:\n  version: 3\n",         // metadata without a MAC
		"sops:\n  mac: not-encrypted\n", // a MAC that is not a sops value
		"other:\n  mac: ENC[AES256_GCM,data:x]\n",      // a mac outside the sops member
		"sops:\n  a: 1\nnext:\n  mac: ENC[AES256_GCM,", // the sops mapping ended before the mac
		"sops_mac=\n",
		`{"sops": {"version": "3"}}`,
		"[other]\nmac = ENC[AES256_GCM,data:x]\n",
	} {
		assert.False(t, sopsEncrypted([]byte(plain)), "%q", plain)
	}
}

func TestPlainNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"secrets.enc.yaml":        {"secrets.yaml", "secrets.dec.yaml"},
		"dir/app.sops.json":       {"dir/app.json"},
		".env.enc":                {".env", ".env.dec"},
		"svc/.env.production.enc": {"svc/.env.production", "svc/.env.production.dec"},
		"secrets.yaml":            nil,
		"enc.yaml":                nil,
	} {
		assert.Equal(t, want, plainNames(in), in)
	}
}

func TestParseSOPSConfig(t *testing.T) {
	t.Parallel()
	c, err := parseSOPSConfig("deploy/.sops.yaml", []byte(`
creation_rules:
  - path_regex: secrets/.*\.yaml$
    age: age1xyz
  - path_regex: .*
    age: age1abc
  - age: age1def
`))
	require.NoError(t, err)
	assert.Equal(t, "deploy/", c.dir)
	require.Len(t, c.rules, 1, "catch-all rules are left out")
	assert.True(t, c.rules[0].MatchString("secrets/db.yaml"))

	_, err = parseSOPSConfig(".sops.yaml", []byte("creation_rules:\n  - path_regex: '(['\n"))
	assert.ErrorContains(t, err, "creation rule 1")
	_, err = parseSOPSConfig(".sops.yaml", []byte("creation_rules: [\n"))
	assert.ErrorContains(t, err, "not valid YAML")
}
