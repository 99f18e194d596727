package faults_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/envfile"
	"github.com/driftless/driftless/providers/files"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rows of this file are the cases of the "Trust" review: each is a
// way a secret value was, or could have been, recovered or a boot wedged,
// kept as a regression test.

// bound is how long a call that must return is given before the test
// calls it stuck. It is a bound on a hang, not a timing assertion.
const bound = 30 * time.Second

// returns runs fn and fails the test if it has not returned within bound.
// A stuck fn is left running: the test has failed, and its goroutine ends
// with the test binary.
func returns(t *testing.T, what string, fn func()) bool {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
		return true
	case <-time.After(bound):
		t.Errorf("STUCK: %s has not returned after %v", what, bound)
		return false
	}
}

// hexDumpLine matches a line of the hex dumps go-spew (and so testify's
// failure diff) prints for byte slices and arrays.
var hexDumpLine = regexp.MustCompile(`([0-9a-f]{8})  ((?:[0-9a-f]{2} {1,2})*[0-9a-f]{2})\s+\|`)

// dumpedBytes returns the byte blocks a hex dump in msg shows, one per
// dumped slice or array (a block starts at offset 00000000).
func dumpedBytes(t *testing.T, msg string) [][]byte {
	t.Helper()
	var blocks [][]byte
	for _, line := range strings.Split(msg, "\n") {
		m := hexDumpLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b, err := hex.DecodeString(strings.Join(strings.Fields(m[2]), ""))
		require.NoError(t, err)
		if m[1] == "00000000" || len(blocks) == 0 {
			blocks = append(blocks, nil)
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], b...)
	}
	return blocks
}

func xorInto(dst, a, b []byte) {
	for i := range dst {
		dst[i] = a[i] ^ b[i]
	}
}

// sharedPadAttack tries what recovers a value masked with a pad shared by
// every value: block a ^ block b ^ the known plaintext of a. It returns
// what d finds in any such guess.
func sharedPadAttack(blocks [][]byte, known []byte, d *leakDetector) []string {
	var found []string
	for i, a := range blocks {
		for j, b := range blocks {
			n := min(len(a), len(b), len(known))
			if i == j || n < window {
				continue
			}
			guess := make([]byte, n)
			xorInto(guess, a[:n], b[:n])
			xorInto(guess, guess, known[:n])
			if form, ok := d.find(guess); ok {
				found = append(found, fmt.Sprintf("block %d ^ block %d ^ the known text: %s", i, j, form))
			}
		}
	}
	return found
}

// periodAttack tries what recovers a value masked with a repeating pad
// (or keystream) of any period: the pad at each residue is derived from
// the known plaintext bytes, then applied to the other bytes of ct. It
// returns what d finds in any such guess.
func periodAttack(ct []byte, known map[int]byte, d *leakDetector) []string {
	var found []string
	guess := make([]byte, len(ct))
	for period := 1; period < len(ct); period++ {
		ks := make(map[int]byte, period)
		for i, p := range known {
			ks[i%period] = ct[i] ^ p
		}
		clear(guess)
		for i := range ct {
			if _, isKnown := known[i]; isKnown {
				continue
			}
			if k, ok := ks[i%period]; ok {
				guess[i] = ct[i] ^ k
			}
		}
		if form, ok := d.find(guess); ok {
			found = append(found, fmt.Sprintf("a pad of period %d: %s", period, form))
		}
	}
	return found
}

// pemKnownBytes returns the bytes of pemText an attacker knows: its
// header, its footer and every line break.
func pemKnownBytes(pemText, header, footer string) map[int]byte {
	known := map[int]byte{}
	for i := range len(header) {
		known[i] = header[i]
	}
	for i := range len(footer) {
		known[len(pemText)-len(footer)+i] = footer[i]
	}
	for i := len(header); i < len(pemText)-len(footer); i++ {
		if pemText[i] == '\n' {
			known[i] = '\n'
		}
	}
	return known
}

// TestTrustSecretReflectionDump is the row "A Secret cannot be recovered
// from a reflection dump": testify's failure diff dumps a Secret's
// internals with go-spew. With a known plaintext in the same dump, the
// XOR of any two dumped blocks with the known text (what recovers a value
// masked with a shared pad or keystream) shows nothing of the canary; a
// long PEM dumped alone, whose header, footer and line breaks are known,
// gives no pad of any period that decrypts 8 bytes of its body. Each
// attack is first shown to work on values masked with a shared pad.
func TestTrustSecretReflectionDump(t *testing.T) {
	t.Parallel()
	known := strings.Repeat("known-plaintext-0123456789/", 4)
	pad := make([]byte, 256)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range pad {
		pad[i] = byte(rng.Uint32())
	}
	masked := func(v string) []byte {
		b := []byte(v)
		for i := range b {
			b[i] ^= pad[i%len(pad)]
		}
		return b
	}
	t.Run("known literal in the same diff", func(t *testing.T) {
		t.Parallel()
		forEachCanary(t, func(t *testing.T, canary string) {
			d := detectorFor(canary)
			// Control: the attack recovers a value masked with a shared pad.
			require.NotEmpty(t, sharedPadAttack([][]byte{masked(known), masked(canary)}, []byte(known), d))

			type pair struct{ Known, Canary driftless.Secret }
			rec := &recordingT{}
			assert.Equal(rec, pair{driftless.NewSecret(known), driftless.NewSecret(canary)},
				pair{driftless.NewSecret("x"), driftless.NewSecret("y")})
			msg := rec.buf.String()
			require.NotEmpty(t, msg, "the assertion must fail")
			assertNoLeakString(t, canary, "testify failure message", msg)
			blocks := dumpedBytes(t, msg)
			require.GreaterOrEqual(t, len(blocks), 4, "the diff dumps both Secrets' bytes")
			for _, f := range sharedPadAttack(blocks, []byte(known), d) {
				t.Errorf("LEAK of the canary from the dumped bytes: %s", f)
			}
		})
	})
	t.Run("long PEM alone", func(t *testing.T) {
		t.Parallel()
		der := make([]byte, 1190)
		for i := range der {
			der[i] = byte(rng.Uint32())
		}
		pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		header, footer := "-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n"
		body := strings.TrimSuffix(strings.TrimPrefix(pemText, header), footer)
		require.Greater(t, len(body), 1500)
		d := newLeakDetector(strings.Split(strings.TrimSpace(body), "\n")...)
		known := pemKnownBytes(pemText, header, footer)
		// Control: the attack recovers a PEM masked with a repeating pad.
		require.NotEmpty(t, periodAttack(masked(pemText), known, d))

		type cfg struct{ Key driftless.Secret }
		rec := &recordingT{}
		assert.Equal(rec, cfg{driftless.NewSecret(pemText)}, cfg{driftless.NewSecret("x")})
		msg := rec.buf.String()
		require.NotEmpty(t, msg, "the assertion must fail")
		if form, ok := d.find([]byte(msg)); ok {
			t.Errorf("LEAK: %s of a line of the PEM appears in the failure message", form)
		}
		var ct []byte
		for _, b := range dumpedBytes(t, msg) {
			if len(b) == len(pemText) {
				ct = b
			}
		}
		require.NotNil(t, ct, "the diff dumps the PEM's bytes")
		for _, f := range periodAttack(ct, known, d) {
			t.Errorf("LEAK of a line of the PEM body from the dumped bytes: %s", f)
		}
	})
}

// jsonMembers is a struct filled from a whole JSON secret whose members
// decode through UnmarshalJSON or UnmarshalText methods that quote their
// input, a ",string" member and a small integer.
type jsonMembers struct {
	T     time.Time  `json:"t"`
	IP    net.IP     `json:"ip"`
	Addr  netip.Addr `json:"addr"`
	Port  int        `json:"port,string"`
	Small int8       `json:"small"`
}

// TestTrustJSONMemberErrors is the row "Decode errors of JSON-filled
// struct fields": a member that does not decode (time.Time, net.IP,
// netip.Addr, a ",string" member, a number that overflows) never shows its
// value in Load's or Explain's error, its Unwrap chain, the audit log, or a
// Handle's OnError and refresh-failed log line; from a reference, from a
// NAME_FILE file and from a plain environment variable.
func TestTrustJSONMemberErrors(t *testing.T) {
	t.Parallel()
	const number = "9182736450918273645091827364"
	members := []struct {
		name, member string
		value        func(canary string) (json, secret string)
	}{
		{"time.Time", "t", func(c string) (string, string) { return js(c), c }},
		{"net.IP", "ip", func(c string) (string, string) { return js(c), c }},
		{"netip.Addr", "addr", func(c string) (string, string) { return js(c), c }},
		{",string int", "port", func(c string) (string, string) { return js(c), c }},
		{",string int that overflows", "port", func(string) (string, string) { return js(number), number }},
		{"int8 overflow", "small", func(string) (string, string) { return number, number }},
		{"int8 given a string", "small", func(c string) (string, string) { return js(c), c }},
	}
	good := `{"t":"2026-01-02T03:04:05Z","ip":"10.0.0.1","addr":"10.0.0.2","port":"5432","small":1}`
	withMember := func(member, value string) string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(good), &m); err != nil {
			panic(err)
		}
		m[member] = json.RawMessage(value)
		b, err := json.Marshal(m)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	forEachCanary(t, func(t *testing.T, canary string) {
		for _, mb := range members {
			raw, secret := mb.value(canary)
			doc := withMember(mb.member, raw)
			t.Run(mb.name+"/reference", func(t *testing.T) {
				t.Parallel()
				p := withMem(t, map[string]string{"db": doc})
				err, outs := loadOutputs[struct {
					DB jsonMembers `env:"DB" default:"mem://db"`
				}](t, driftless.WithEnv(nil), driftless.WithProvider("mem", p))
				require.Error(t, err)
				checkOutputs(t, secret, outs)
				checkChain(t, secret, err)
			})
			t.Run(mb.name+"/NAME_FILE", func(t *testing.T) {
				t.Parallel()
				f := writeFile(t, t.TempDir(), "db.json", doc, 0o600)
				err, outs := loadOutputs[struct {
					DB jsonMembers `env:"DB"`
				}](t, driftless.WithEnv(map[string]string{"DB_FILE": f}))
				require.Error(t, err)
				checkOutputs(t, secret, outs)
				checkChain(t, secret, err)
			})
			t.Run(mb.name+"/plain environment variable", func(t *testing.T) {
				t.Parallel()
				err, outs := loadOutputs[struct {
					DB jsonMembers `env:"DB"`
				}](t, driftless.WithEnv(map[string]string{"DB": doc}))
				require.Error(t, err)
				for k := range outs {
					if strings.HasPrefix(k, "explain") {
						delete(outs, k) // Explain shows a plain value by design
					}
				}
				checkOutputs(t, secret, outs)
				checkChain(t, secret, err)
			})
			t.Run(mb.name+"/Handle refresh", func(t *testing.T) {
				t.Parallel()
				var logBuf bytes.Buffer
				logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
				p := withMem(t, map[string]string{"db": good})
				h, err := driftless.NewHandle[struct {
					DB jsonMembers `env:"DB" default:"mem://db"`
				}](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", p), driftless.WithLogger(logger),
					driftless.WithForceRefreshLimit(0))
				require.NoError(t, err)
				defer h.Close()
				outs := map[string]string{}
				var hookErr error
				h.OnError(func(err error) {
					hookErr = err
					for k, v := range printError("OnError", err) {
						outs[k] = v
					}
				})
				p.Set("db", doc)
				err = h.ForceRefresh(t.Context())
				require.Error(t, err)
				require.Error(t, hookErr, "OnError was told")
				for k, v := range printError("ForceRefresh", err) {
					outs[k] = v
				}
				outs["slog"] = logBuf.String()
				require.Contains(t, outs["slog"], "refresh failed")
				b, jerr := json.Marshal(h.Report())
				require.NoError(t, jerr)
				outs["Report JSON"] = string(b)
				checkOutputs(t, secret, outs)
				checkChain(t, secret, hookErr)
			})
		}
	})
}

// Text types whose UnmarshalText echoes its input carelessly.
type (
	quotingText string // %q of the input
	jsonText    string // the input as a JSON string
	trimText    string // the input trimmed
	prefixText  string // the first 10 bytes of the input
)

func (*quotingText) UnmarshalText(b []byte) error { return fmt.Errorf("quotingText: bad %q", b) }
func (*jsonText) UnmarshalText(b []byte) error {
	j, _ := json.Marshal(string(b))
	return errors.New("jsonText: bad " + string(j))
}
func (*trimText) UnmarshalText(b []byte) error {
	return fmt.Errorf("trimText: bad [%s]", strings.TrimSpace(string(b)))
}
func (*prefixText) UnmarshalText(b []byte) error {
	return fmt.Errorf("prefixText: bad value starting %s", b[:min(10, len(b))])
}

// Types decoded by careless WithDecoder functions.
type (
	quotingDec float64
	jsonDec    float64
	trimDec    float64
	dsnDec     struct{ u *url.URL }
)

// carelessDecoders return errors that quote, JSON-escape or trim their
// input, or pass on url.Parse's error (which quotes the URL).
func carelessDecoders() []driftless.Option {
	return []driftless.Option{
		driftless.WithDecoder(func(s string) (quotingDec, error) { return 0, fmt.Errorf("quotingDec: %q", s) }),
		driftless.WithDecoder(func(s string) (jsonDec, error) {
			j, _ := json.Marshal(s)
			return 0, fmt.Errorf("jsonDec: %s", j)
		}),
		driftless.WithDecoder(func(s string) (trimDec, error) {
			return 0, fmt.Errorf("trimDec: %s", strings.TrimSpace(s))
		}),
		driftless.WithDecoder(func(s string) (dsnDec, error) {
			u, err := url.Parse(s)
			if err == nil {
				err = fmt.Errorf("dsnDec: %s is not a DSN I know", u.Redacted())
			}
			return dsnDec{u}, err
		}),
	}
}

// TestTrustCarelessDecoders is the row "A decoder that quotes, JSON-escapes
// or trims its input; a url-typed DSN with a quote or a backslash": the
// error of a TextUnmarshaler or a WithDecoder function that echoes its
// input in any of those forms, and of a URL that does not parse, never
// shows the value, for a plain field, a secret:"true" field and a value
// from a reference.
func TestTrustCarelessDecoders(t *testing.T) {
	t.Parallel()
	type plainCfg struct {
		Q   quotingText `env:"Q"`
		J   jsonText    `env:"J"`
		T   trimText    `env:"T"`
		P   prefixText  `env:"P"`
		QD  quotingDec  `env:"QD"`
		JD  jsonDec     `env:"JD"`
		TD  trimDec     `env:"TD"`
		DD  dsnDec      `env:"DD"`
		U   url.URL     `env:"U"`
		UP  *url.URL    `env:"UP"`
		Str string      `env:"STR"`
	}
	type secretCfg struct {
		Q  quotingText `env:"Q" secret:"true"`
		J  jsonText    `env:"J" secret:"true"`
		T  trimText    `env:"T" secret:"true"`
		P  prefixText  `env:"P" secret:"true"`
		QD quotingDec  `env:"QD" secret:"true"`
		JD jsonDec     `env:"JD" secret:"true"`
		TD trimDec     `env:"TD" secret:"true"`
		DD dsnDec      `env:"DD" secret:"true"`
		U  url.URL     `env:"U" secret:"true"`
		UP *url.URL    `env:"UP" secret:"true"`
	}
	forEachCanary(t, func(t *testing.T, canary string) {
		dsn := "postgres://app:" + canary + "@db:5432/app?sslmode=require"
		values := map[string]string{
			"Q": canary, "J": canary, "T": canary, "P": canary, "QD": canary, "JD": canary, "TD": canary,
			"DD": dsn, "U": dsn, "UP": dsn,
		}
		t.Run("plain fields", func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"STR": "ok"}
			for k, v := range values {
				env[k] = v
			}
			err, outs := loadOutputs[plainCfg](t, append(carelessDecoders(), driftless.WithEnv(env))...)
			require.Error(t, err)
			for k := range outs {
				if strings.HasPrefix(k, "explain") || strings.HasPrefix(k, "config") {
					delete(outs, k) // plain values are shown by design
				}
			}
			checkOutputs(t, canary, outs)
			checkChain(t, canary, err)
		})
		t.Run("secret fields", func(t *testing.T) {
			t.Parallel()
			err, outs := loadOutputs[secretCfg](t, append(carelessDecoders(), driftless.WithEnv(values))...)
			require.Error(t, err)
			checkOutputs(t, canary, outs)
			checkChain(t, canary, err)
		})
		t.Run("values from references", func(t *testing.T) {
			t.Parallel()
			p := withMem(t, values)
			env := map[string]string{"STR": "ok"}
			for k := range values {
				env[k] = "mem://" + k
			}
			err, outs := loadOutputs[plainCfg](t, append(carelessDecoders(), driftless.WithEnv(env), driftless.WithProvider("mem", p))...)
			require.Error(t, err)
			checkOutputs(t, canary, outs)
			checkChain(t, canary, err)
		})
	})
}

// Types that hold a Secret inside a struct.
type (
	userPass struct {
		User     string           `json:"user"`
		Password driftless.Secret `json:"password"`
	}
	// BearerToken embeds a Secret (its methods, UnmarshalText included,
	// are promoted).
	BearerToken struct{ driftless.Secret }
	// secretDSN parses a URL and keeps its password in a Secret.
	secretDSN struct {
		Host     string
		Password driftless.Secret
	}
)

func (d *secretDSN) UnmarshalText(b []byte) error {
	u, err := url.Parse(string(b))
	if err != nil {
		return errors.New("secretDSN: not a URL")
	}
	p, _ := u.User.Password()
	d.Host, d.Password = u.Host, driftless.NewSecret(p)
	return nil
}

// TestTrustReportOfSecretHolders is the row "Explain and Report of fields
// whose type holds a Secret": a struct with a Secret member filled from
// JSON, a type embedding a Secret, and a TextUnmarshaler DSN type holding
// a Secret, all set from plain environment variables, are reported as
// secret and redacted; so is a .env value that interpolates a Secret's key
// (DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app), whether
// DB_PASSWORD is set in the same .env file or in the environment.
func TestTrustReportOfSecretHolders(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Creds       userPass         `env:"CREDS"`
		Bearer      BearerToken      `env:"BEARER"`
		DSN         secretDSN        `env:"DSN"`
		DBPassword  driftless.Secret `env:"DB_PASSWORD"`
		DatabaseURL string           `env:"DATABASE_URL"`
	}
	forEachCanary(t, func(t *testing.T, canary string) {
		for _, inEnvFile := range []bool{true, false} {
			name := "DB_PASSWORD in the .env file"
			if !inEnvFile {
				name = "DB_PASSWORD in the environment"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				env := map[string]string{
					"CREDS":  `{"user":"app","password":` + js(canary) + `}`,
					"BEARER": canary,
					"DSN":    (&url.URL{Scheme: "postgres", User: url.UserPassword("app", canary), Host: "db", Path: "/app"}).String(),
				}
				dotenv := "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\n"
				if inEnvFile {
					dotenv = "DB_PASSWORD=" + envQuote(canary) + "\n" + dotenv
				} else {
					env["DB_PASSWORD"] = canary
				}
				path := writeFile(t, t.TempDir(), ".env", dotenv, 0o600)
				opts := []driftless.Option{driftless.WithEnv(env), driftless.WithEnvFiles(path)}
				c, err := driftless.LoadAs[cfg](t.Context(), opts...)
				require.NoError(t, err)
				require.Equal(t, canary, c.Creds.Password.Value())
				require.Equal(t, canary, c.Bearer.Value())
				require.Equal(t, canary, c.DSN.Password.Value())
				require.Equal(t, canary, c.DBPassword.Value())
				require.Contains(t, c.DatabaseURL, strings.TrimSpace(canary)[:window], "the .env value interpolated the password")

				outs := map[string]string{}
				var dst cfg
				rep, err := driftless.Explain(t.Context(), &dst, opts...)
				require.NoError(t, err)
				for _, f := range rep.Fields {
					assert.True(t, f.Secret, "%s is reported as a secret", f.Path)
					outs["Explain field "+f.Path] = f.Display
				}
				outs["Explain String"] = rep.String()
				b, err := json.Marshal(rep)
				require.NoError(t, err)
				outs["Explain JSON"] = string(b)
				h, err := driftless.NewHandle[cfg](t.Context(), opts...)
				require.NoError(t, err)
				defer h.Close()
				outs["Report String"] = h.Report().String()
				b, err = json.Marshal(h.Report())
				require.NoError(t, err)
				outs["Report JSON"] = string(b)
				for _, f := range h.Report().Fields {
					assert.True(t, f.Secret, "Report: %s is reported as a secret", f.Path)
				}
				checkOutputs(t, canary, outs)
			})
		}
	})
}

// TestTrustFileVersionIsKeyed is the row "File versions are not an
// unkeyed digest": the version Explain and a Handle's Report show for a
// file holding a 6-digit PIN (through NAME_FILE, the built-in file://
// reader and providers/files) matches no prefix of the SHA-256 of any PIN,
// with or without a trailing newline, and does not hold the PIN.
func TestTrustFileVersionIsKeyed(t *testing.T) {
	t.Parallel()
	const pin = "493817"
	dir := t.TempDir()
	withNL := writeFile(t, dir, "pin", pin+"\n", 0o600)
	bare := writeFile(t, dir, "pin-bare", pin, 0o600)
	type cfg struct {
		A driftless.Secret `env:"A"`
		B driftless.Secret `env:"B"`
		C driftless.Secret `env:"C"`
		D driftless.Secret `env:"D"`
	}
	fp := files.New()
	t.Cleanup(func() { _ = fp.Close() })
	env := driftless.WithEnv(map[string]string{"A_FILE": withNL, "B": "file://" + bare, "C_FILE": bare})
	var versions []string
	var c cfg
	rep, err := driftless.Explain(t.Context(), &c, env)
	require.NoError(t, err)
	require.Equal(t, pin, c.A.Value())
	for _, f := range rep.Fields {
		if f.Path != "D" {
			require.NotEmpty(t, f.Version, "%s has a version", f.Path)
			versions = append(versions, f.Version)
		}
	}
	h, err := driftless.NewHandle[cfg](t.Context(), driftless.WithEnv(map[string]string{"D": "file://" + withNL}),
		driftless.WithProvider("file", fp))
	require.NoError(t, err)
	defer h.Close()
	for _, f := range h.Report().Fields {
		if f.Path == "D" {
			require.NotEmpty(t, f.Version)
			versions = append(versions, f.Version)
		}
	}
	require.Len(t, versions, 4)
	hexRun := regexp.MustCompile(`[0-9a-fA-F]{8,}`)
	var runs [][]byte // the hex runs of the versions, decoded
	for _, v := range versions {
		assert.NotContains(t, v, pin, "a version holds the PIN")
		for _, r := range hexRun.FindAllString(v, -1) {
			b, err := hex.DecodeString(r[:len(r)&^1])
			require.NoError(t, err)
			runs = append(runs, b)
		}
	}
	require.NotEmpty(t, runs)
	// The control: an unkeyed version (16 hex digits of SHA-256) is found.
	unkeyed := sha256.Sum256([]byte(pin + "\n"))
	control := unkeyed[:8]
	matches, controlMatches := 0, 0
	content := []byte("000000\n")
	for n := range 1_000_000 {
		for i, m := 5, n; i >= 0; i, m = i-1, m/10 {
			content[i] = byte('0' + m%10)
		}
		for _, c := range [][]byte{content[:6], content} {
			sum := sha256.Sum256(c)
			for _, r := range runs {
				// The version is a prefix of the digest, or holds 4 bytes of it.
				if bytes.HasPrefix(sum[:], r) || bytes.Contains(r, sum[:4]) {
					matches++
				}
			}
			if bytes.HasPrefix(sum[:], control) {
				controlMatches++
			}
		}
	}
	require.Equal(t, 1, controlMatches, "the search finds the PIN behind an unkeyed version")
	assert.Zero(t, matches, "a file version is (a prefix of) the SHA-256 of a PIN: %d matches", matches)
}

// TestTrustUnboundedFiles is the row "A FIFO, /dev/zero or an oversize
// file": named by NAME_FILE, by a file:// reference to the built-in
// reader, or by a file:// reference to providers/files, each fails its
// field with an error, and Load returns (within the 5 s boot timeout; the
// test gives it 30 s before calling it stuck).
func TestTrustUnboundedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, mkfifo(fifo))
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(2<<20)) // 2 MiB, over the 1 MiB default limit
	require.NoError(t, f.Close())
	type cfg struct {
		V driftless.Secret `env:"V"`
	}
	for _, file := range []struct{ name, path string }{{"FIFO", fifo}, {"/dev/zero", "/dev/zero"}, {"2 MiB file", big}} {
		for _, via := range []string{"NAME_FILE", "file:// built-in", "file:// providers/files"} {
			t.Run(file.name+" via "+via, func(t *testing.T) {
				t.Parallel()
				opts := []driftless.Option{driftless.WithFetchTimeout(5 * time.Second)}
				switch via {
				case "NAME_FILE":
					opts = append(opts, driftless.WithEnv(map[string]string{"V_FILE": file.path}))
				case "file:// built-in":
					opts = append(opts, driftless.WithEnv(map[string]string{"V": "file://" + file.path}))
				default:
					p := files.New()
					t.Cleanup(func() { _ = p.Close() })
					opts = append(opts, driftless.WithEnv(map[string]string{"V": "file://" + file.path}), driftless.WithProvider("file", p))
				}
				var loadErr error
				returns(t, "Load", func() { _, loadErr = driftless.LoadAs[cfg](t.Context(), opts...) })
				require.Error(t, loadErr)
				assert.NotNil(t, fieldErr(loadErr, "V"), "the error names the field: %v", loadErr)
				assert.Less(t, len(loadErr.Error()), 2048, "the error is short")
			})
		}
	}
}

// TestTrustPanickingHooks is the row "A panicking OnChange hook or
// validator does not wedge the Handle": a ForceRefresh whose OnChange hook
// panics, or whose validator (a WithValidator function or the config's
// Validate method) panics, returns without the panic reaching the caller;
// afterwards ForceRefresh, Refresh and Close return, the panic value (which
// holds the canary) is printed nowhere, and a failed validation keeps the
// last good snapshot.
func TestTrustPanickingHooks(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"OnChange hook", "WithValidator function", "Validate method"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var logBuf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			p := withMem(t, map[string]string{"tok": "v1", "mode": "ok"})
			check := "method"
			if kind != "Validate method" {
				check = "none"
			}
			opts := []driftless.Option{driftless.WithEnv(map[string]string{"CHECK": check}), driftless.WithProvider("mem", p),
				driftless.WithLogger(logger), driftless.WithForceRefreshLimit(0)}
			if kind == "WithValidator function" {
				opts = append(opts, driftless.WithValidator(func(c any) error {
					if c.(*panicky).Mode.Value() == "panic" {
						panic("validator: " + canary)
					}
					return nil
				}))
			}
			h, err := driftless.NewHandle[panicky](t.Context(), opts...)
			require.NoError(t, err)
			first := h.Current()
			outs := map[string]string{}
			h.OnError(func(err error) {
				for k, v := range printError("OnError", err) {
					outs[k] = v
				}
			})
			if kind == "OnChange hook" {
				h.OnChange(func(driftless.Change[panicky]) { panic(fmt.Errorf("hook: %s", canary)) })
				p.Set("tok", "v2")
			} else {
				p.Set("mode", "panic")
			}
			var escaped any
			returns(t, "ForceRefresh with a panicking "+kind, func() {
				defer func() { escaped = recover() }()
				_ = h.ForceRefresh(t.Context())
			})
			// The panic value holds the canary: only its type is shown.
			assert.True(t, escaped == nil, "a panic (%T) reached ForceRefresh's caller", escaped)
			if kind != "OnChange hook" {
				assert.Same(t, first, h.Current(), "the last good snapshot is kept")
			}
			ctx := t.Context()
			returns(t, "ForceRefresh after the panic", func() {
				defer func() { _ = recover() }()
				_ = h.ForceRefresh(ctx)
			})
			returns(t, "Refresh after the panic", func() {
				defer func() { _ = recover() }()
				_ = h.Refresh(ctx)
			})
			returns(t, "Close after the panic", func() { _ = h.Close() })
			outs["slog"] = logBuf.String()
			checkOutputs(t, canary, outs)
		})
	}
}

// panicky is a config whose Validate method panics when Mode is "panic"
// and Validate is "method".
type panicky struct {
	Token driftless.Secret `env:"TOKEN" default:"mem://tok"`
	Mode  driftless.Secret `env:"MODE" default:"mem://mode"`
	Check string           `env:"CHECK" default:"method"`
}

// Validate panics with the canary when the mode says so.
func (c *panicky) Validate() error {
	if c.Mode.Value() == "panic" && c.Check == "method" {
		panic("validate: " + canary)
	}
	return nil
}

// TestTrustControls is the row "Trust controls": WithAllowedRefs refuses
// a reference from the environment that matches no pattern, before any
// fetch; WithFileRoots refuses NAME_FILE and file:// paths outside its
// roots, also through a symbolic link inside a root; a relative NAME_FILE
// in a .env file cannot leave the file's directory
// (MOTD_FILE=../../../../proc/self/environ). Each fails with
// driftless.ErrNotAllowed; what is admitted still loads.
func TestTrustControls(t *testing.T) {
	t.Parallel()
	type refCfg struct {
		A driftless.Secret `env:"A"`
	}
	t.Run("WithAllowedRefs", func(t *testing.T) {
		t.Parallel()
		p := withMem(t, map[string]string{"app/a": "ok", "other/a": canary})
		allowed := driftless.WithAllowedRefs("mem://app/*")
		_, err := driftless.LoadAs[refCfg](t.Context(), driftless.WithEnv(map[string]string{"A": "mem://other/a"}),
			driftless.WithProvider("mem", p), allowed)
		require.Error(t, err)
		assert.ErrorIs(t, err, driftless.ErrNotAllowed)
		assert.Zero(t, p.Calls(), "nothing is fetched")
		c, err := driftless.LoadAs[refCfg](t.Context(), driftless.WithEnv(map[string]string{"A": "mem://app/a"}),
			driftless.WithProvider("mem", p), allowed)
		require.NoError(t, err)
		assert.Equal(t, "ok", c.A.Value())
	})
	t.Run("WithFileRoots", func(t *testing.T) {
		t.Parallel()
		root, outside := t.TempDir(), t.TempDir()
		in := writeFile(t, root, "in", "ok", 0o600)
		out := writeFile(t, outside, "out", canary, 0o600)
		link := filepath.Join(root, "link")
		require.NoError(t, os.Symlink(out, link))
		for name, env := range map[string]map[string]string{
			"NAME_FILE outside":            {"A_FILE": out},
			"file:// outside":              {"A": "file://" + out},
			"NAME_FILE through a link":     {"A_FILE": link},
			"file:// through a link":       {"A": "file://" + link},
			"NAME_FILE with .. out of it":  {"A_FILE": filepath.Join(root, "..", filepath.Base(outside), "out")},
			"file:// with .. out of it":    {"A": "file://" + root + "/../" + filepath.Base(outside) + "/out"},
			"NAME_FILE inside (admitted)":  {"A_FILE": in},
			"file:// inside (admitted)":    {"A": "file://" + in},
			"providers/files outside root": {"A": "file://" + out, "PROVIDER": "files"},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := []driftless.Option{driftless.WithEnv(env), driftless.WithFileRoots(root)}
				if env["PROVIDER"] == "files" {
					p := files.New()
					t.Cleanup(func() { _ = p.Close() })
					opts = append(opts, driftless.WithProvider("file", p))
				}
				err, outs := loadOutputs[refCfg](t, opts...)
				checkOutputs(t, canary, outs)
				if strings.Contains(name, "admitted") {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, driftless.ErrNotAllowed)
			})
		}
	})
	t.Run("relative NAME_FILE in a .env file", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "a", "b", "c")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		writeFile(t, dir, "motd", "hello", 0o600)
		type cfg struct {
			MOTD string `env:"MOTD"`
		}
		writeFile(t, filepath.Dir(dir), "motd", canary, 0o600)
		for i, rel := range []string{"../../../../proc/self/environ", "../motd", "./../c/../motd", "motd/../../motd"} {
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				path := writeFile(t, dir, ".env."+strconv.Itoa(i), "MOTD_FILE="+rel+"\n", 0o600)
				err, outs := loadOutputs[cfg](t, driftless.WithEnv(map[string]string{"SECRET_IN_ENV": canary}), driftless.WithEnvFiles(path))
				require.Error(t, err)
				assert.ErrorIs(t, err, driftless.ErrNotAllowed)
				checkOutputs(t, canary, outs)
			})
		}
		ok := writeFile(t, dir, ".env", "MOTD_FILE=motd\n", 0o600)
		c, err := driftless.LoadAs[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithEnvFiles(ok))
		require.NoError(t, err)
		assert.Equal(t, "hello", c.MOTD, "a relative path inside the directory is read")
	})
}

// expansionBomb returns a .env file of exactly 549 bytes whose n-th value
// would expand to 2^n copies of the first: V1=${V0}${V0}, V2=${V1}${V1}...
// (V33 would be 2^33 copies of V0: over 100 GiB).
func expansionBomb() string {
	var lines strings.Builder
	for i := 1; ; i++ {
		l := fmt.Sprintf("V%d=${V%d}${V%d}\n", i, i-1, i-1)
		if lines.Len()+len(l)+len("V0=\n")+8 > 549 {
			break
		}
		lines.WriteString(l)
	}
	v0 := strings.Repeat(canary, 2)[:549-lines.Len()-len("V0=\n")]
	return "V0=" + v0 + "\n" + lines.String()
}

// TestTrustExpansionBomb is the row ".env expansion bomb": Load of a
// 549-byte .env file of V_n=${V_n-1}${V_n-1} lines fails with an error
// matching envfile.ErrLimit, of bounded size, and returns (the CLI's check
// is in TestTrustExpansionBombCheck).
func TestTrustExpansionBomb(t *testing.T) {
	t.Parallel()
	bomb := expansionBomb()
	require.Len(t, bomb, 549)
	require.Contains(t, bomb, "V33=${V32}${V32}\n")
	path := writeFile(t, t.TempDir(), ".env", bomb, 0o600)
	type cfg struct {
		V driftless.Secret `env:"V30"`
	}
	var err error
	start := time.Now()
	returns(t, "Load of an expansion bomb", func() {
		_, err = driftless.LoadAs[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithEnvFiles(path))
	})
	require.Error(t, err)
	t.Logf("Load failed after %v with a %d-byte error", time.Since(start), len(err.Error()))
	assert.ErrorIs(t, err, envfile.ErrLimit)
	assert.Less(t, len(err.Error()), 4096, "the error is of bounded size")
	assertNoLeakString(t, canary, "error", err.Error())
}

// TestTrustRefErrorQuery is the row "RefError never shows an unknown query
// parameter": a reference whose query holds the canary as the name or the
// value of an unknown parameter (escaped or not) fails with an error that
// shows neither, for awssm (the SDK provider), a registered drifttest
// provider and the built-in file reader.
func TestTrustRefErrorQuery(t *testing.T) {
	t.Parallel()
	type cfg struct {
		A driftless.Secret `env:"A"`
	}
	forEachCanary(t, func(t *testing.T, canary string) {
		queries := map[string]string{
			"escaped name":    url.QueryEscape(canary) + "=1",
			"escaped value":   "bogus=" + url.QueryEscape(canary),
			"unescaped name":  strings.NewReplacer("#", "", "&", "", "=", "").Replace(canary) + "=1",
			"unescaped value": "bogus=" + strings.NewReplacer("#", "", "&", "").Replace(canary),
			"second of two":   "version-stage=AWSCURRENT&" + url.QueryEscape(canary) + "=x",
		}
		for qname, q := range queries {
			for _, base := range []string{"awssm://prod/api", "file:///run/secrets/x"} {
				t.Run(qname+"/"+base, func(t *testing.T) {
					t.Parallel()
					_, aws := newAWS(t, map[string]string{"prod/api": "v"})
					p := withMem(t, map[string]string{"tok": "v"})
					err, outs := loadOutputs[cfg](t, driftless.WithEnv(map[string]string{"A": base + "?" + q}),
						driftless.WithProvider("awssm", aws), driftless.WithProvider("mem", p))
					require.Error(t, err)
					checkOutputs(t, canary, outs)
					checkChain(t, canary, err)
				})
			}
		}
	})
}
