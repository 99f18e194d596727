package driftless_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// canary is a value with every character that quoting, escaping or
// trimming would change.
const canary = ` "q'uo\te\\d" %v 100% <&> ünï 🔑 {"k":[1]} 	tab`

// assertNoLeak checks that s holds no form of value a reader could
// recover: as is, trimmed, quoted, JSON-escaped, URL-escaped, base64 or
// hex, or any 8-byte run of those.
func assertNoLeak(t *testing.T, s, value string) {
	t.Helper()
	q := strconv.Quote(value)
	j, _ := json.Marshal(value)
	forms := []string{value, strings.TrimSpace(value), q[1 : len(q)-1], string(j[1 : len(j)-1]),
		url.QueryEscape(value), base64.StdEncoding.EncodeToString([]byte(value)), hex.EncodeToString([]byte(value))}
	for _, f := range forms {
		for i := 0; i+8 <= len(f); i++ {
			if strings.Contains(s, f[i:i+8]) { // assert.NotContains would print the value
				assert.Failf(t, "output shows part of the value", "a form at byte %d", i)
				return
			}
		}
	}
}

func TestJSONMemberErrorsShowNoValue(t *testing.T) {
	t.Parallel()
	type member struct {
		T   time.Time  `json:"t"`
		IP  net.IP     `json:"ip"`
		A   netip.Addr `json:"a"`
		N   int        `json:"n,string"`
		I8  int8       `json:"i8"`
		Str string     `json:"s"`
	}
	cases := map[string]string{
		"time":     `{"t":"` + canaryJSON() + `"}`,
		"ip":       `{"ip":"` + canaryJSON() + `"}`,
		"netip":    `{"a":"` + canaryJSON() + `"}`,
		",string":  `{"n":"` + canaryJSON() + `"}`,
		"overflow": `{"i8":987654321987654321}`,
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			type plain struct {
				M member `env:"M"`
			}
			type secret struct {
				M member `env:"M" secret:"true"`
			}
			for _, err := range []error{
				drifttest.LoadErr[plain](t, map[string]string{"M": raw}),
				drifttest.LoadErr[secret](t, map[string]string{"M": raw}),
			} {
				require.Error(t, err)
				assert.ErrorIs(t, err, driftless.ErrDecode)
				assertNoLeak(t, err.Error(), canary)
				assert.NotContains(t, err.Error(), "987654321987654321")
			}
		})
	}
}

func canaryJSON() string {
	j, _ := json.Marshal(canary)
	return string(j[1 : len(j)-1])
}

// quoter is a TextUnmarshaler whose error quotes (and trims) its input, as
// url.Parse and many parsers do.
type quoter struct{ s string }

func (q *quoter) UnmarshalText(b []byte) error {
	return fmt.Errorf("parse %q: bad (trimmed: %s)", b, strings.TrimSpace(string(b)[2:]))
}

func TestDecoderErrorsShowNoEncodingOfValue(t *testing.T) {
	t.Parallel()
	type C struct {
		Q quoter `env:"Q"`
		D string `env:"D"`
		S quoter `env:"S" secret:"true"`
	}
	dec := driftless.WithDecoder(func(s string) (string, error) {
		j, _ := json.Marshal(s)
		return "", fmt.Errorf("cannot use %s (prefix %.10s)", j, s)
	})
	p := drifttest.NewProvider()
	p.Set("dsn", canary)
	err := drifttest.LoadErr[C](t, map[string]string{"Q": canary, "D": canary, "S": "test://dsn"}, dec, driftless.WithProvider("test", p))
	require.Error(t, err)
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	assert.Len(t, le.Fields(), 3)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		assertNoLeak(t, s, canary)
	}
	// errors.As cannot reach the original error, which holds the value.
	var unwrapped []error
	var walk func(error)
	walk = func(e error) {
		unwrapped = append(unwrapped, e)
		switch x := e.(type) {
		case interface{ Unwrap() error }:
			if u := x.Unwrap(); u != nil {
				walk(u)
			}
		case interface{ Unwrap() []error }:
			for _, u := range x.Unwrap() {
				walk(u)
			}
		}
	}
	walk(err)
	for _, e := range unwrapped {
		assertNoLeak(t, e.Error(), canary)
	}
}

// dsn is a user type that keeps its password in a Secret.
type dsn struct {
	User string
	pass driftless.Secret
}

func (d *dsn) UnmarshalText(b []byte) error {
	u, p, _ := strings.Cut(string(b), ":")
	d.User, d.pass = u, driftless.NewSecret(p)
	return nil
}

func (d dsn) MarshalText() ([]byte, error) { return []byte(d.User + ":" + d.pass.Value()), nil }

type bearer struct{ driftless.Secret }

func TestExplainHidesTypesHoldingASecret(t *testing.T) {
	t.Parallel()
	type creds struct {
		User     string           `json:"user"`
		Password driftless.Secret `json:"password"`
	}
	type C struct {
		Creds  creds  `env:"CREDS"`
		Token  bearer `env:"TOKEN"`
		DSN    dsn    `env:"DSN"`
		Banner string `env:"BANNER"`
		Path   string `env:"PATH_REF" secret:"false"`
	}
	p := drifttest.NewProvider()
	p.Set("banner", "banner-"+canary)
	p.Set("path", "/var/lib/app")
	env := map[string]string{
		"CREDS":    `{"user":"app","password":"` + canaryJSON() + `"}`,
		"TOKEN":    "tok-" + canary,
		"DSN":      "app:" + canary,
		"BANNER":   "test://banner",
		"PATH_REF": "test://path",
	}
	var cfg C
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(env), driftless.WithProvider("test", p))
	require.NoError(t, err)
	var js bytes.Buffer
	require.NoError(t, json.NewEncoder(&js).Encode(rep))
	for _, s := range []string{rep.String(), js.String()} {
		assertNoLeak(t, s, canary)
	}
	byPath := map[string]driftless.FieldReport{}
	for _, f := range rep.Fields {
		byPath[f.Path] = f
	}
	for _, p := range []string{"Creds", "Token", "DSN", "Banner"} {
		assert.True(t, byPath[p].Secret, p)
	}
	assert.False(t, byPath["Path"].Secret, `secret:"false" shows a value from a reference`)
	assert.Equal(t, "/var/lib/app", byPath["Path"].Display)
	assert.Equal(t, canary, cfg.Creds.Password.Value())
}

func TestSecretFalseOnSecretTypeIsATagError(t *testing.T) {
	t.Parallel()
	type C struct {
		K driftless.Secret `env:"K" secret:"false"`
	}
	err := drifttest.LoadErr[C](t, nil)
	assert.ErrorIs(t, err, driftless.ErrBadTag)
}

func TestUnexportedFieldWithTagIsATagError(t *testing.T) {
	t.Parallel()
	type C struct {
		Port int    `env:"PORT"`
		key  string `env:"KEY"` //nolint:unused // the mistake under test
	}
	err := drifttest.LoadErr[C](t, map[string]string{"KEY": "x"})
	require.ErrorIs(t, err, driftless.ErrBadTag)
	assert.Contains(t, err.Error(), "key")
	_ = C{}.key
}

// TestHandleErrorsShowNoValue checks the paths a refresh error takes: the
// slog audit line and OnError.
func TestHandleErrorsShowNoValue(t *testing.T) {
	t.Parallel()
	type member struct {
		T time.Time `json:"t"`
	}
	type C struct {
		M member `env:"M"`
	}
	p := drifttest.NewProvider()
	p.Set("m", `{"t":"2026-01-02T15:04:05Z"}`)
	var logs bytes.Buffer
	h, err := driftless.NewHandle[C](t.Context(), driftless.WithEnv(map[string]string{"M": "test://m"}),
		driftless.WithProvider("test", p), driftless.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	defer h.Close()
	var hookErr error
	h.OnError(func(err error) { hookErr = err })
	p.Set("m", `{"t":"`+canaryJSON()+`"}`)
	err = h.ForceRefresh(t.Context())
	require.Error(t, err)
	require.Error(t, hookErr)
	for _, s := range []string{err.Error(), hookErr.Error(), logs.String()} {
		assertNoLeak(t, s, canary)
	}
	assert.True(t, errors.Is(err, driftless.ErrDecode))
}

type leakyValidate struct {
	Password driftless.Secret `env:"PASSWORD"`
	Port     int              `env:"PORT" default:"80"`
}

// Validate reports what it checked the careless way: quoting the value.
func (c *leakyValidate) Validate() error {
	return errors.Join(
		fmt.Errorf("password %q is too short", c.Password.Value()),
		&driftless.FieldError{Field: "Password", Err: fmt.Errorf("must not be %s", strings.TrimSpace(c.Password.Value()))},
		fmt.Errorf("port %d is privileged", c.Port),
	)
}

// TestValidatorMessagesShowNoSecret: a validator's message that shows a
// sensitive field's value is withheld, as a gate's is; others are kept.
func TestValidatorMessagesShowNoSecret(t *testing.T) {
	t.Parallel()
	err := drifttest.LoadErr[leakyValidate](t, map[string]string{"PASSWORD": canary})
	require.ErrorIs(t, err, driftless.ErrValidation)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err)} {
		assertNoLeak(t, s, canary)
	}
	assert.Contains(t, err.Error(), "port 80 is privileged")
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Fields(), 1)
	assert.Equal(t, "Password", le.Fields()[0].Field)
}
