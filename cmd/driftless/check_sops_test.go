package main_test

import (
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A repository that commits only SOPS-encrypted files (dotenv, YAML, JSON,
// INI, and a .env.* name) is clean: encrypted files are safe to commit,
// in the index, in the history and in the work tree.
func TestCheckSOPSEncryptedIsSafe(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	secret := canary("sops-safe")
	writeFile(t, dir, ".sops.yaml", "creation_rules:\n  - path_regex: \\.enc\\.(yaml|json|ini)$\n    age: "+id.Recipient().String()+"\n  - path_regex: ^\\.env\\.production$\n    age: "+id.Recipient().String()+"\n")
	writeSOPS(t, dir, ".env.production", "API_KEY="+secret+"\n", "dotenv", id.Recipient())
	writeSOPS(t, dir, "secrets.enc.yaml", "db:\n  password: "+secret+"\n", "yaml", id.Recipient())
	writeSOPS(t, dir, "config/app.enc.json", `{"token": "`+secret+`"}`, "json", id.Recipient())
	writeSOPS(t, dir, "legacy.enc.ini", "[db]\npassword = "+secret+"\n", "ini", id.Recipient())
	writeFile(t, dir, "README.md", "# app\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "encrypted secrets")

	rep, r := runCheck(t, dir)
	assert.Equal(t, 0, r.code, "findings: %v\n%s", kinds(rep), r.stderr)
	assert.Empty(t, rep.Findings)
	assert.NotContains(t, r.output(), secret)
}

// Decrypted copies are findings: a file that a .sops.yaml rule covers but
// that is not encrypted, and plaintext siblings of encrypted files, tracked
// now or added by a commit of the history. A catch-all rule covers
// nothing: README.md is not a finding.
func TestCheckSOPSDecryptedCopies(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	secret := canary("sops-plain")
	writeFile(t, dir, ".gitignore", ".env\n")
	writeFile(t, dir, "deploy/.sops.yaml", "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n  - path_regex: .*\n")
	writeSOPS(t, dir, "deploy/secrets/api.yaml", "key: "+secret+"\n", "yaml", id.Recipient())
	writeFile(t, dir, "deploy/secrets/db.yaml", "password: "+secret+"\n") // the rule covers it
	writeFile(t, dir, "secrets/other.yaml", "password: "+secret+"\n")     // outside deploy/: no rule
	writeSOPS(t, dir, "app.enc.yaml", "token: "+secret+"\n", "yaml", id.Recipient())
	writeFile(t, dir, "app.yaml", "token: "+secret+"\n")
	writeFile(t, dir, "app.dec.yaml", "token: "+secret+"\n")
	writeSOPS(t, dir, ".env.prod.enc", "TOKEN="+secret+"\n", "dotenv", id.Recipient())
	writeFile(t, dir, ".env.prod", "TOKEN="+secret+"\n")
	writeFile(t, dir, "README.md", "# app\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "secrets, some decrypted")

	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code, r.stderr)
	got := kinds(rep)
	for _, want := range []string{
		"decrypted deploy/secrets/db.yaml",
		"decrypted app.yaml",
		"decrypted app.dec.yaml",
		"decrypted .env.prod",
		"history deploy/secrets/db.yaml",
		"history app.yaml",
		"history .env.prod",
	} {
		assert.Contains(t, got, want)
	}
	for _, k := range got {
		for _, clean := range []string{"api.yaml", "app.enc.yaml", ".env.prod.enc", "README.md", "secrets/other.yaml", ".sops.yaml"} {
			assert.NotContains(t, k, clean)
		}
	}
	assert.NotContains(t, got, "tracked .env.prod", "reported once, as a decrypted copy")
	for _, f := range rep.Findings {
		switch f.File {
		case "deploy/secrets/db.yaml", dir + "/deploy/secrets/db.yaml":
			assert.Contains(t, f.Message, "creation rule of deploy/.sops.yaml")
		case "app.yaml", dir + "/app.yaml":
			assert.Contains(t, f.Message, "a decrypted copy of the SOPS-encrypted app.enc.yaml")
		}
	}
	assert.NotContains(t, r.output(), secret)

	// Untracked and committed, the copies stay in the history.
	git(t, dir, "rm", "-q", "--cached", "deploy/secrets/db.yaml", "app.yaml", "app.dec.yaml", ".env.prod")
	git(t, dir, "commit", "-q", "-m", "untrack the copies")
	writeFile(t, dir, ".gitignore", ".env\n.env.prod\napp.yaml\napp.dec.yaml\ndeploy/secrets/db.yaml\n")
	rep, r = runCheck(t, dir)
	assert.Equal(t, 1, r.code, r.stderr)
	got = kinds(rep)
	assert.ElementsMatch(t, []string{
		"history deploy/secrets/db.yaml", "history app.yaml", "history app.dec.yaml", "history .env.prod",
	}, got)
	text := runCLI(t, dir, baseEnv(t), "check")
	assert.Contains(t, text.stdout, "app.yaml: history: a decrypted copy of the SOPS-encrypted app.enc.yaml, added by commit ")
	assert.NotContains(t, text.output(), secret)

	// Re-encrypted in place and committed, a covered file is clean now,
	// and its history still holds the plaintext.
	writeSOPS(t, dir, "deploy/secrets/db.yaml", "password: "+secret+"\n", "yaml", id.Recipient())
	git(t, dir, "add", "-f", "deploy/secrets/db.yaml")
	git(t, dir, "commit", "-q", "-m", "encrypted")
	rep, _ = runCheck(t, dir)
	assert.NotContains(t, kinds(rep), "decrypted deploy/secrets/db.yaml")
	assert.Contains(t, kinds(rep), "history deploy/secrets/db.yaml")
	for _, f := range rep.Findings {
		assert.False(t, strings.Contains(f.Message, secret))
	}
}
