package sops_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/sops"
	"github.com/driftless/driftless/providers/sops/sopstest"
	"github.com/driftless/driftless/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canary is a secret value that no error may contain, in part or whole.
const canary = providertest.Canary

func newIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	return id
}

func newProvider(t testing.TB, opts ...sops.Option) *sops.Provider {
	t.Helper()
	p, err := sops.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// writeEncrypted encrypts plaintext for the recipients and writes it to
// path, atomically (a new file renamed over the old one).
func writeEncrypted(t testing.TB, path, plaintext, format string, recipients ...*age.X25519Recipient) {
	t.Helper()
	enc, err := sopstest.Encrypt([]byte(plaintext), format, recipients...)
	require.NoError(t, err)
	require.NotContains(t, string(enc), canary, "the encrypted file holds the plaintext")
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, enc, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

func ref(path string) driver.Ref { return driver.Ref{Scheme: sops.Scheme, Name: path} }

// assertNoPlaintext checks that err holds no part of the canary.
func assertNoPlaintext(t *testing.T, err error) {
	t.Helper()
	for _, part := range []string{canary, canary[:12], canary[7:20], canary[len(canary)-12:]} {
		assert.NotContains(t, err.Error(), part, "an error shows a secret value")
	}
}

// TestConformance runs the shared suite: each Put encrypts the value in
// sops's binary format for the provider's key and renames it into place.
func TestConformance(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		dir := t.TempDir()
		id := newIdentity(t)
		p := newProvider(t, sops.WithAgeIdentities(id))
		return providertest.Backend{
			Provider: p,
			Put: func(_ context.Context, name string, data []byte) error {
				writeEncrypted(t, filepath.Join(dir, name), string(data), "binary", id.Recipient())
				return nil
			},
			Ref: func(name string) driver.Ref { return ref(filepath.Join(dir, name)) },
			// Re-encrypted for another key only: the provider's identity no
			// longer opens it.
			Unservable: func(_ context.Context, name string) error {
				path := filepath.Join(dir, name)
				writeEncrypted(t, path, "rekeyed", "binary", newIdentity(t).Recipient())
				return nil
			},
		}
	})
}

func TestFetchFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	tests := []struct {
		name, file, format, plaintext string
		key                           string // "#key" to select, "" for the whole value
		want                          string
	}{
		{"yaml top-level", "secrets.enc.yaml", "yaml", "db:\n  password: " + canary + "\n  port: 5432\nmodel: gpt\n# a comment\n", "model", "gpt"},
		{"yaml pointer", "pointer.enc.yaml", "yaml", "db:\n  password: " + canary + "\n  port: 5432\n", "/db/password", canary},
		{"yaml number", "number.enc.yml", "yaml", "db:\n  port: 5432\n", "/db/port", "5432"},
		{"yaml whole document is JSON", "whole.enc.yaml", "yaml", "a: 1\nb: [x, true]\n", "", `{"a":1,"b":["x",true]}`},
		{"yaml documents", "docs.enc.yaml", "yaml", "a: 1\n---\na: 2\n", "/1/a", "2"},
		{"json", "secrets.enc.json", "json", `{"api": {"key": "` + canary + `"}}`, "/api/key", canary},
		{"dotenv", "secrets.enc.env", "dotenv", "MODEL_NAME=gpt\nOPENAI_API_KEY=" + canary + "\n", "OPENAI_API_KEY", canary},
		{"ini", "secrets.enc.ini", "ini", "[db]\npassword = " + canary + "\n", "/db/password", canary},
		{"binary", "tls.key", "binary", "-----BEGIN KEY-----\n" + canary + "\n", "", "-----BEGIN KEY-----\n" + canary + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tt.file)
			writeEncrypted(t, path, tt.plaintext, tt.format, id.Recipient())
			v, err := p.Fetch(t.Context(), ref(path))
			require.NoError(t, err)
			got, err := driver.Select(v.Data, tt.key)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.NotEmpty(t, v.Version)
			assert.False(t, v.Created.IsZero(), "Created is the file's sops lastmodified")
			assert.NotContains(t, v.Version, canary)
		})
	}
}

// The format query parameter reads a file whose name does not tell it.
func TestFetchFormatParameter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	path := filepath.Join(dir, "secrets")
	writeEncrypted(t, path, "KEY=value\n", "dotenv", id.Recipient())
	v, err := p.Fetch(t.Context(), driver.Ref{Scheme: sops.Scheme, Name: path, Query: "format=dotenv"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"KEY":"value"}`, string(v.Data))
}

// The version is a keyed hash of the encrypted file: it changes with the
// file, is stable across reads, and is not a digest of the plaintext (two
// encryptions of one plaintext have different versions).
func TestVersionIsOfTheEncryptedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	path := filepath.Join(dir, "s.enc.env")
	writeEncrypted(t, path, "K="+canary+"\n", "dotenv", id.Recipient())
	v1, err := p.Fetch(t.Context(), ref(path))
	require.NoError(t, err)
	again, err := p.Fetch(t.Context(), ref(path))
	require.NoError(t, err)
	assert.Equal(t, v1.Version, again.Version)
	writeEncrypted(t, path, "K="+canary+"\n", "dotenv", id.Recipient())
	v2, err := p.Fetch(t.Context(), ref(path))
	require.NoError(t, err)
	assert.Equal(t, string(v1.Data), string(v2.Data))
	assert.NotEqual(t, v1.Version, v2.Version, "a version must not be a digest of the plaintext")
}

func TestWrongKeyIsPermission(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	owner := newIdentity(t)
	path := filepath.Join(dir, "secrets.enc.yaml")
	writeEncrypted(t, path, "password: "+canary+"\n", "yaml", owner.Recipient())
	p := newProvider(t, sops.WithAgeIdentities(newIdentity(t)))
	_, err := p.Fetch(t.Context(), ref(path))
	require.Error(t, err)
	assert.ErrorIs(t, err, driftless.ErrPermission)
	assert.NotErrorIs(t, err, driftless.ErrNotFound, "a file that cannot be decrypted must not fall through")
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), owner.Recipient().String(), "the error names the recipients to fix the keys")
	assertNoPlaintext(t, err)
	assert.NotContains(t, err.Error(), "AGE-SECRET-KEY")
}

// Any of several recipients opens the file; a file for a second
// recipient too still opens with the first key.
func TestAnyRecipient(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := newIdentity(t), newIdentity(t)
	path := filepath.Join(dir, "s.enc.json")
	writeEncrypted(t, path, `{"k":"v"}`, "json", a.Recipient(), b.Recipient())
	for _, id := range []*age.X25519Identity{a, b} {
		v, err := newProvider(t, sops.WithAgeIdentities(id)).Fetch(t.Context(), ref(path))
		require.NoError(t, err)
		assert.JSONEq(t, `{"k":"v"}`, string(v.Data))
	}
}

func TestTamperedFileFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	plain := "user: admin\npassword: " + canary + "\nport: 5432\n"
	enc, err := sopstest.Encrypt([]byte(plain), "yaml", id.Recipient())
	require.NoError(t, err)
	lines := strings.Split(string(enc), "\n")
	lineOf := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return i
			}
		}
		t.Fatalf("no line %q in the encrypted file", prefix)
		return -1
	}
	edit := func(f func(ls []string) []string) string {
		return strings.Join(f(append([]string(nil), lines...)), "\n")
	}
	tests := []struct {
		name    string
		content string
	}{
		{"a value removed", edit(func(ls []string) []string {
			i := lineOf("port:")
			return append(ls[:i], ls[i+1:]...)
		})},
		{"values swapped", edit(func(ls []string) []string {
			u, pw := lineOf("user:"), lineOf("password:")
			ls[u], ls[pw] = "user:"+strings.TrimPrefix(ls[pw], "password:"), "password:"+strings.TrimPrefix(ls[u], "user:")
			return ls
		})},
		{"a value replaced by plaintext", edit(func(ls []string) []string {
			ls[lineOf("password:")] = "password: " + canary + "-changed"
			return ls
		})},
		{"lastmodified changed", edit(func(ls []string) []string {
			ls[lineOf("lastmodified:")] = "    lastmodified: \"2020-01-01T00:00:00Z\""
			return ls
		})},
		{"mac removed", edit(func(ls []string) []string {
			i := lineOf("mac:")
			return append(ls[:i], ls[i+1:]...)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".enc.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			_, err := p.Fetch(t.Context(), ref(path))
			require.Error(t, err)
			assert.ErrorIs(t, err, sops.ErrTampered)
			assert.NotErrorIs(t, err, driftless.ErrNotFound)
			assert.Contains(t, err.Error(), path)
			assertNoPlaintext(t, err)
		})
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	plain := filepath.Join(dir, "plain.yaml")
	require.NoError(t, os.WriteFile(plain, []byte("password: "+canary+"\n"), 0o600))
	garbage := filepath.Join(dir, "garbage.enc.json")
	require.NoError(t, os.WriteFile(garbage, []byte(`{"password": "`+canary+`"`), 0o600))
	big := filepath.Join(dir, "big.enc.yaml")
	writeEncrypted(t, big, "k: "+strings.Repeat("x", 2048)+"\n", "yaml", id.Recipient())
	small := newProvider(t, sops.WithAgeIdentities(id), sops.WithMaxSize(1024))
	tests := []struct {
		name string
		p    *sops.Provider
		ref  driver.Ref
		want error
	}{
		{"missing file", p, ref(filepath.Join(dir, "absent.enc.yaml")), driftless.ErrNotFound},
		{"missing directory", p, ref(filepath.Join(dir, "absent", "s.enc.yaml")), driftless.ErrNotFound},
		{"not encrypted", p, ref(plain), driftless.ErrInvalidRef},
		{"not valid JSON", p, ref(garbage), driftless.ErrInvalidRef},
		{"a directory", p, ref(dir), driftless.ErrInvalidRef},
		{"too large", small, ref(big), driftless.ErrInvalidRef},
		{"relative path", p, ref("secrets.enc.yaml"), driftless.ErrInvalidRef},
		{"unknown format", p, driver.Ref{Scheme: sops.Scheme, Name: plain, Query: "format=toml"}, driftless.ErrInvalidRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.p.Fetch(t.Context(), tt.ref)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			if tt.want != driftless.ErrNotFound {
				assert.NotErrorIs(t, err, driftless.ErrNotFound)
			}
			assertNoPlaintext(t, err)
		})
	}
}

func TestCheckRef(t *testing.T) {
	t.Parallel()
	p := newProvider(t, sops.WithAgeIdentities(newIdentity(t)))
	abs := filepath.Join(t.TempDir(), "s.enc.yaml")
	for _, r := range []driver.Ref{
		ref(abs),
		{Scheme: sops.Scheme, Name: abs, Key: "/a/b"},
		{Scheme: sops.Scheme, Name: abs, Query: "format=dotenv"},
		{Scheme: sops.Scheme, Name: abs, Query: "format=binary"},
	} {
		assert.NoError(t, p.CheckRef(r), "%v", r)
	}
	for _, r := range []driver.Ref{
		ref("relative/" + canary + ".yaml"),
		{Scheme: sops.Scheme, Name: abs, Query: "format=" + canary},
		{Scheme: sops.Scheme, Name: abs, Query: "version=" + canary},
		{Scheme: "file", Name: abs},
	} {
		err := p.CheckRef(r)
		require.Error(t, err, "%v", r)
		assert.ErrorIs(t, err, driftless.ErrInvalidRef)
		var re *driver.RefError
		assert.ErrorAs(t, err, &re)
		assertNoPlaintext(t, err)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := sops.New()
	require.Error(t, err, "a provider without keys decrypts nothing")
	assert.Contains(t, err.Error(), "no age identities")

	key := newIdentity(t).String()
	_, err = sops.New(sops.WithAgeKeys([]byte("# created: now\n\n" + key + "\nAGE-SECRET-KEY-1" + canary + "\n")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 4")
	assertNoPlaintext(t, err)
	assert.NotContains(t, err.Error(), key)

	_, err = sops.New(sops.WithAgeIdentities(nil))
	assert.Error(t, err)
	_, err = sops.New(sops.WithAgeKeyFile(""))
	assert.Error(t, err)
	_, err = sops.New(sops.WithSOPSEnvironment(nil))
	assert.Error(t, err)
}

func TestKeyMaterial(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	path := filepath.Join(dir, "s.enc.env")
	writeEncrypted(t, path, "K=v\n", "dotenv", id.Recipient())
	keyFile := filepath.Join(dir, "keys.txt")
	require.NoError(t, os.WriteFile(keyFile, []byte("# public key: "+id.Recipient().String()+"\n"+id.String()+"\n"), 0o600))
	badKeyFile := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(badKeyFile, []byte("AGE-SECRET-KEY-1"+canary+"\n"), 0o600))
	xdg := filepath.Join(dir, "xdg")
	require.NoError(t, os.MkdirAll(filepath.Join(xdg, "sops", "age"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(xdg, "sops", "age", "keys.txt"), []byte(id.String()+"\n"), 0o600))
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	tests := []struct {
		name    string
		opt     sops.Option
		wantErr string // "" for success; the error wraps ErrPermission
	}{
		{"inline keys", sops.WithAgeKeys([]byte(id.String() + "\n")), ""},
		{"key file", sops.WithAgeKeyFile(keyFile), ""},
		{"missing key file", sops.WithAgeKeyFile(filepath.Join(dir, "absent.txt")), "WithAgeKeyFile"},
		{"malformed key file", sops.WithAgeKeyFile(badKeyFile), "line 1 is not an age identity"},
		{"SOPS_AGE_KEY", sops.WithSOPSEnvironment(env(map[string]string{"SOPS_AGE_KEY": id.String(), "HOME": filepath.Join(dir, "nohome")})), ""},
		{"SOPS_AGE_KEY_FILE", sops.WithSOPSEnvironment(env(map[string]string{"SOPS_AGE_KEY_FILE": keyFile})), ""},
		{"default key file", sops.WithSOPSEnvironment(env(map[string]string{"XDG_CONFIG_HOME": xdg})), ""},
		{"nothing in the environment", sops.WithSOPSEnvironment(env(map[string]string{"HOME": filepath.Join(dir, "nohome")})), "no SOPS_AGE_KEY or SOPS_AGE_KEY_FILE is set and " + filepath.Join(dir, "nohome")},
		{"no identity given", sops.WithAgeIdentities(), "the options gave none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, tt.opt)
			v, err := p.Fetch(t.Context(), ref(path))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.JSONEq(t, `{"K":"v"}`, string(v.Data))
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, driftless.ErrPermission)
			assert.NotErrorIs(t, err, driftless.ErrNotFound)
			assert.Contains(t, err.Error(), tt.wantErr)
			assertNoPlaintext(t, err)
		})
	}
}

func TestContextIsHonoured(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	path := filepath.Join(dir, "s.enc.env")
	writeEncrypted(t, path, "K=v\n", "dotenv", id.Recipient())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := p.Fetch(ctx, ref(path))
	assert.ErrorIs(t, err, context.Canceled)
	_, err = p.FetchBatch(ctx, []driver.Ref{ref(path)})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFetchBatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	path := filepath.Join(dir, "s.enc.env")
	writeEncrypted(t, path, "K=v\n", "dotenv", id.Recipient())
	res, err := p.FetchBatch(t.Context(), []driver.Ref{
		ref(path), ref("relative"), ref(filepath.Join(dir, "absent.enc.env")),
	})
	require.NoError(t, err)
	require.Len(t, res, 3)
	require.NoError(t, res[0].Err)
	assert.JSONEq(t, `{"K":"v"}`, string(res[0].Value.Data))
	assert.ErrorIs(t, res[1].Err, driftless.ErrInvalidRef)
	assert.ErrorIs(t, res[2].Err, driftless.ErrNotFound)
}

func TestClosed(t *testing.T) {
	t.Parallel()
	p, err := sops.New(sops.WithAgeIdentities(newIdentity(t)))
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	_, err = p.Fetch(t.Context(), ref(filepath.Join(t.TempDir(), "s.enc.env")))
	assert.ErrorIs(t, err, driver.ErrClosed)
	err = p.Watch(t.Context(), nil, func(driver.Ref) {})
	assert.ErrorIs(t, err, driver.ErrClosed)
}

func TestFileKeySource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ks := sops.File(filepath.Join(dir, "secrets.enc.env"))
	r, ok := ks.RefFor("MODEL_NAME")
	require.True(t, ok)
	assert.Equal(t, driver.Ref{Scheme: sops.Scheme, Name: filepath.ToSlash(filepath.Join(dir, "secrets.enc.env")), Key: "MODEL_NAME"}, r)
	_, ok = ks.RefFor("/etc")
	assert.False(t, ok)
	_, ok = ks.RefFor("")
	assert.False(t, ok)

	r, ok = sops.File(filepath.Join(dir, "secrets"), sops.WithFormat("yaml")).RefFor("K")
	require.True(t, ok)
	assert.Equal(t, "format=yaml", r.Query)

	assert.Panics(t, func() { sops.File(filepath.Join(dir, "secrets")) }, "a name without a format")
	assert.Panics(t, func() { sops.File(filepath.Join(dir, "secrets"), sops.WithFormat("toml")) })
	assert.Panics(t, func() { sops.File(filepath.Join(dir, "secrets"), sops.WithFormat("binary")) })
}

// A struct loaded from a SOPS-encrypted dotenv through the key source and
// from a YAML file through references, with the default tag for a key the
// file does not hold.
func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	envPath := filepath.Join(dir, "secrets.enc.env")
	writeEncrypted(t, envPath, "MODEL_NAME=gpt-5\nOPENAI_API_KEY="+canary+"\nDB_PORT=6543\n", "dotenv", id.Recipient())
	yamlPath := filepath.Join(dir, "db.enc.yaml")
	writeEncrypted(t, yamlPath, "db:\n  password: "+canary+"-db\n", "yaml", id.Recipient())

	type Config struct {
		ModelName string           `env:"MODEL_NAME" default:"gpt-4-turbo"`
		OpenAIKey driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
		Region    string           `env:"REGION" default:"eu-west-1"`
		DB        struct {
			Port     int              `env:"PORT"`
			Password driftless.Secret `env:"PASSWORD"`
		} `prefix:"DB_"`
	}
	p := newProvider(t, sops.WithAgeIdentities(id))
	cfg, err := driftless.LoadAs[Config](t.Context(),
		driftless.WithEnv(map[string]string{"DB_PASSWORD": "sops://" + yamlPath + "#/db/password"}),
		driftless.WithProvider(sops.Scheme, p),
		driftless.WithKeySource(sops.File(envPath)),
	)
	require.NoError(t, err)
	assert.Equal(t, "gpt-5", cfg.ModelName)
	assert.Equal(t, canary, cfg.OpenAIKey.Value())
	assert.Equal(t, "eu-west-1", cfg.Region, "a key the file lacks falls through to the default")
	assert.Equal(t, 6543, cfg.DB.Port)
	assert.Equal(t, canary+"-db", cfg.DB.Password.Value())

	// With the wrong key the load fails, names the file and shows no value.
	wrong := newProvider(t, sops.WithAgeIdentities(newIdentity(t)))
	_, err = driftless.LoadAs[Config](t.Context(),
		driftless.WithEnv(nil),
		driftless.WithProvider(sops.Scheme, wrong),
		driftless.WithKeySource(sops.File(envPath)),
	)
	require.Error(t, err)
	assert.ErrorIs(t, err, driftless.ErrPermission)
	assertNoPlaintext(t, err)

	// Without the file at all (a checkout without secrets), every key
	// falls through to its default; the required one fails.
	_, err = driftless.LoadAs[Config](t.Context(),
		driftless.WithEnv(nil),
		driftless.WithProvider(sops.Scheme, p),
		driftless.WithKeySource(sops.File(filepath.Join(dir, "absent.enc.env"))),
	)
	require.Error(t, err)
	assert.ErrorIs(t, err, driftless.ErrRequired)
}

// The watch reports a re-encrypted file, through the files provider's
// watch of its directory.
func TestWatchReportsReencryption(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	p := newProvider(t, sops.WithAgeIdentities(id))
	path := filepath.Join(dir, "s.enc.env")
	writeEncrypted(t, path, "K=v1\n", "dotenv", id.Recipient())
	r := driver.Ref{Scheme: sops.Scheme, Name: path, Key: "K"}
	_, err := p.Fetch(t.Context(), r)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	changed := make(chan driver.Ref, 4)
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx, []driver.Ref{r}, func(c driver.Ref) { changed <- c }) }()
	// A change after the last Fetch is reported, even one made before
	// the watch is established.
	writeEncrypted(t, path, "K=v2\n", "dotenv", id.Recipient())
	select {
	case c := <-changed:
		assert.Equal(t, r, c)
	case err := <-done:
		require.NoError(t, err, "Watch returned before reporting the change")
	case <-time.After(20 * time.Second): // a bound, reached only on failure
		t.Fatal("no change reported within 20s")
	}
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}
