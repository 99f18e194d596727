package migration

import (
	"bufio"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	env "github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// outcome is what one library made of one environment: the struct value
// (not a pointer) or an error.
type outcome struct {
	v   any
	err error
}

// loadFunc loads env through one library.
type loadFunc func(t *testing.T, m map[string]string) outcome

// dl loads with driftless into a T holding preset.
func dl[T any](preset T, opts ...driftless.Option) loadFunc {
	return func(t *testing.T, m map[string]string) outcome {
		v := preset
		err := driftless.Load(context.Background(), &v, append([]driftless.Option{driftless.WithEnv(m)}, opts...)...)
		return outcome{v, err}
	}
}

// ca loads with caarlos0/env into a T holding preset.
func ca[T any](preset T, o env.Options) loadFunc {
	return func(t *testing.T, m map[string]string) outcome {
		v := preset
		o.Environment = m
		if o.Environment == nil {
			o.Environment = map[string]string{} // nil would read the real environment
		}
		err := env.ParseWithOptions(&v, o)
		return outcome{v, err}
	}
}

// ge loads with go-envconfig into a T holding preset.
func ge[T any](preset T) loadFunc {
	return func(t *testing.T, m map[string]string) outcome {
		v := preset
		err := envconfig.ProcessWith(context.Background(), &envconfig.Config{Target: &v, Lookuper: envconfig.MapLookuper(m)})
		return outcome{v, err}
	}
}

// row is one line of a mapping table of MIGRATING.md.
type row struct {
	env      map[string]string
	otherEnv map[string]string // what the other library reads, when it differs from env
	dl       loadFunc
	other    loadFunc
	same     bool                                    // the same struct (or both an error)
	check    func(t *testing.T, d, o outcome)        // when not the same: the documented difference
	extra    func(t *testing.T, m map[string]string) // more assertions (side effects)
}

// assertSame asserts that two outcomes agree: both failed, or both loaded
// equal values (the structs differ only in their tags).
func assertSame(t *testing.T, d, o outcome) {
	t.Helper()
	if d.err != nil || o.err != nil {
		assert.Error(t, d.err, "driftless")
		assert.Error(t, o.err, "other library")
		return
	}
	got := reflect.ValueOf(o.v).Convert(reflect.TypeOf(d.v)).Interface()
	assert.Equal(t, d.v, got)
}

type strs = []string

func ptr[T any](v T) *T { return &v }

// rows holds one row per id of MIGRATING.md's mapping tables: c for
// caarlos0/env, g for go-envconfig, d for godotenv.
func rows(t *testing.T) map[string]row {
	dir := t.TempDir()
	certPath := filepath.Join(dir, "cert.pem")
	require.NoError(t, os.WriteFile(certPath, []byte("CERT"), 0o600))

	return map[string]row{
		// ---- caarlos0/env ----
		"c1": {env: map[string]string{"PORT": "8080", "NAME": "api"}, same: true,
			dl: dl(struct {
				Port int    `env:"PORT"`
				Name string `env:"NAME"`
			}{}),
			other: ca(struct {
				Port int    `env:"PORT"`
				Name string `env:"NAME"`
			}{}, env.Options{})},
		"c2": {env: nil, same: true,
			dl: dl(struct {
				Port int `env:"PORT" default:"8080"`
			}{}),
			other: ca(struct {
				Port int `env:"PORT" envDefault:"8080"`
			}{}, env.Options{})},
		"c3": {env: nil, same: true,
			dl: dl(struct {
				Key string `env:"KEY" required:"true"`
			}{}),
			other: ca(struct {
				Key string `env:"KEY,required"`
			}{}, env.Options{})},
		"c4": {env: map[string]string{"KEY": ""},
			dl: dl(struct {
				Key string `env:"KEY" required:"true"`
			}{}),
			other: ca(struct {
				Key string `env:"KEY,required"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				assert.ErrorIs(t, d.err, driftless.ErrRequired)
				require.NoError(t, o.err)
			}},
		"c5": {env: map[string]string{"KEY": ""}, same: true,
			dl: dl(struct {
				Key string `env:"KEY" notempty:"true"`
			}{}),
			other: ca(struct {
				Key string `env:"KEY,notEmpty"`
			}{}, env.Options{})},
		"c6": {env: map[string]string{"NAME": ""},
			dl: dl(struct {
				Name string `env:"NAME" default:"anon"`
			}{}),
			other: ca(struct {
				Name string `env:"NAME" envDefault:"anon"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Equal(t, "", reflect.ValueOf(d.v).Field(0).String())
				assert.Equal(t, "anon", reflect.ValueOf(o.v).Field(0).String())
			}},
		"c7": {env: map[string]string{"NAME": "", "PORT": ""}, same: true,
			dl: dl(struct {
				Name string `env:"NAME" default:"anon"`
				Port int    `env:"PORT" default:"8080"`
			}{}, driftless.WithEmptyAsUnset()),
			other: ca(struct {
				Name string `env:"NAME" envDefault:"anon"`
				Port int    `env:"PORT" envDefault:"8080"`
			}{}, env.Options{})},
		"c8": {env: map[string]string{"PORT": ""},
			dl: dl(struct {
				Port int `env:"PORT"`
			}{}),
			other: ca(struct {
				Port int `env:"PORT"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				assert.ErrorIs(t, d.err, driftless.ErrDecode)
				require.NoError(t, o.err)
				assert.Zero(t, o.v)
			}},
		"c9": {env: map[string]string{"PORT": ""}, same: true,
			dl: dl(struct {
				Port int `env:"PORT"`
			}{}, driftless.WithEmptyAsUnset()),
			other: ca(struct {
				Port int `env:"PORT"`
			}{}, env.Options{})},
		"c10": {env: map[string]string{"DB_HOST": "db", "DB_PORT": "5432"}, same: true,
			dl: dl(struct {
				DB struct {
					Host string `env:"HOST"`
					Port int    `env:"PORT"`
				} `prefix:"DB_"`
			}{}),
			other: ca(struct {
				DB struct {
					Host string `env:"HOST"`
					Port int    `env:"PORT"`
				} `envPrefix:"DB_"`
			}{}, env.Options{})},
		"c11": {env: map[string]string{"HOSTS": "a;b;c"}, same: true,
			dl: dl(struct {
				Hosts []string `env:"HOSTS" sep:";"`
			}{}),
			other: ca(struct {
				Hosts []string `env:"HOSTS" envSeparator:";"`
			}{}, env.Options{})},
		"c12": {env: map[string]string{"HOSTS": "a, b"},
			dl: dl(struct {
				Hosts []string `env:"HOSTS"`
			}{}),
			other: ca(struct {
				Hosts []string `env:"HOSTS"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Equal(t, strs{"a", "b"}, reflect.ValueOf(d.v).Field(0).Interface())
				assert.Equal(t, strs{"a", " b"}, reflect.ValueOf(o.v).Field(0).Interface())
			}},
		"c13": {env: map[string]string{"LIMITS": "a:1,b:2"}, same: true,
			dl: dl(struct {
				Limits map[string]int `env:"LIMITS" kvsep:":"`
			}{}),
			other: ca(struct {
				Limits map[string]int `env:"LIMITS"`
			}{}, env.Options{})},
		"c14": {env: map[string]string{"LIMITS": "a:1,b:2"},
			dl: dl(struct {
				Limits map[string]int `env:"LIMITS"`
			}{}),
			other: ca(struct {
				Limits map[string]int `env:"LIMITS"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				assert.ErrorIs(t, d.err, driftless.ErrDecode)
				require.NoError(t, o.err)
			}},
		"c15": {env: map[string]string{"TIMEOUT": "1m30s"}, same: true,
			dl: dl(struct {
				Timeout time.Duration `env:"TIMEOUT" default:"30s"`
			}{}),
			other: ca(struct {
				Timeout time.Duration `env:"TIMEOUT" envDefault:"30s"`
			}{}, env.Options{})},
		"c16": {env: map[string]string{"SET": "1"}, same: true,
			dl: dl(struct {
				Set   *int `env:"SET"`
				Unset *int `env:"UNSET"`
			}{}),
			other: ca(struct {
				Set   *int `env:"SET"`
				Unset *int `env:"UNSET"`
			}{}, env.Options{})},
		"c17": {env: map[string]string{"DB_HOST": "db"},
			dl: dl(struct {
				DB *struct {
					Host string `env:"HOST"`
				} `prefix:"DB_"`
			}{}),
			other: ca(struct {
				DB *struct {
					Host string `env:"HOST"`
				} `envPrefix:"DB_"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.False(t, reflect.ValueOf(d.v).Field(0).IsNil(), "driftless allocates it: a source set a field")
				assert.True(t, reflect.ValueOf(o.v).Field(0).IsNil(), "caarlos0/env skips a nil pointer without init")
			}},
		"c18": {env: map[string]string{"ADDR": "${HOST}:${PORT}", "HOST": "db", "PORT": "5432", "HOME": "/home/me"}, same: true,
			dl: dl(struct {
				Addr  string `env:"ADDR" expand:"true"`
				Cache string `env:"CACHE" default:"${HOME}/.cache" expand:"true"`
			}{}),
			other: ca(struct {
				Addr  string `env:"ADDR,expand"`
				Cache string `env:"CACHE,expand" envDefault:"${HOME}/.cache"`
			}{}, env.Options{})},
		"c19": {env: map[string]string{"DRIFTLESS_MIGRATION_UNSET_KEY": "k"}, same: true,
			dl: func(t *testing.T, m map[string]string) outcome {
				type cfg struct {
					Key string `env:"DRIFTLESS_MIGRATION_UNSET_KEY" unset:"true"`
				}
				// The fake environment the writer changes is m itself.
				return dl(cfg{}, driftless.WithEnvWriter(nil, func(k string) error { delete(m, k); return nil }))(t, m)
			},
			other: func(t *testing.T, m map[string]string) outcome {
				// caarlos0/env calls os.Unsetenv on the real environment:
				// harmless for a variable that is not there.
				_, inReal := os.LookupEnv("DRIFTLESS_MIGRATION_UNSET_KEY")
				require.False(t, inReal)
				return ca(struct {
					Key string `env:"DRIFTLESS_MIGRATION_UNSET_KEY,unset"`
				}{}, env.Options{})(t, map[string]string{"DRIFTLESS_MIGRATION_UNSET_KEY": "k"})
			},
			extra: func(t *testing.T, m map[string]string) {
				assert.NotContains(t, m, "DRIFTLESS_MIGRATION_UNSET_KEY", "driftless removed it after the load")
			}},
		"c20": {env: map[string]string{"CERT_FILE": certPath}, otherEnv: map[string]string{"CERT": certPath}, same: true,
			dl: dl(struct {
				Cert string `env:"CERT"`
			}{}),
			other: ca(struct {
				Cert string `env:"CERT,file"`
			}{}, env.Options{})},
		"c21": {env: nil, same: true,
			dl: dl(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, driftless.WithKeepSet()),
			other: ca(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, env.Options{})},
		"c22": {env: nil,
			dl: dl(struct {
				Port int `env:"PORT"`
			}{Port: 8080}),
			other: ca(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Zero(t, d.v, "driftless rebuilds the struct from the sources")
				assert.Equal(t, int64(8080), reflect.ValueOf(o.v).Field(0).Int())
			}},
		"c23": {env: map[string]string{"PORT": "9090"},
			dl: dl(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, driftless.WithKeepSet()),
			other: ca(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Equal(t, int64(8080), reflect.ValueOf(d.v).Field(0).Int())
				assert.Equal(t, int64(9090), reflect.ValueOf(o.v).Field(0).Int())
			}},
		"c24": {env: nil,
			dl: dl(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, driftless.WithKeepSet()),
			other: ca(struct {
				Port int `env:"PORT" envDefault:"80"`
			}{Port: 8080}, env.Options{SetDefaultsForZeroValuesOnly: true}),
			same: true},
		"c25": {env: map[string]string{"DEBUG": "yes", "N": "0x10"},
			dl: dl(struct {
				Debug bool `env:"DEBUG"`
				N     int  `env:"N"`
			}{}),
			other: ca(struct {
				Debug bool `env:"DEBUG"`
				N     int  `env:"N"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				assert.Equal(t, struct {
					Debug bool `env:"DEBUG"`
					N     int  `env:"N"`
				}{true, 16}, d.v)
				assert.Error(t, o.err)
			}},
		"c26": {env: map[string]string{"KEY": "aGk="},
			dl: dl(struct {
				Key []byte `env:"KEY"`
			}{}),
			other: ca(struct {
				Key []byte `env:"KEY"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				assert.Equal(t, []byte("hi"), reflect.ValueOf(d.v).Field(0).Bytes())
				assert.Error(t, o.err, "caarlos0/env parses []byte as a list of uint8")
			}},
		"c27": {env: nil,
			dl: dl(struct {
				Key string `env:"KEY" required:"true" default:"x"`
			}{}),
			other: ca(struct {
				Key string `env:"KEY,required" envDefault:"x"`
			}{}, env.Options{}),
			check: func(t *testing.T, d, o outcome) {
				assert.ErrorIs(t, d.err, driftless.ErrBadTag)
				require.NoError(t, o.err)
			}},
		"c28": {env: map[string]string{"URL": "https://example.com/x", "AT": "2026-01-02T15:04:05Z"}, same: true,
			dl: dl(struct {
				URL url.URL   `env:"URL"`
				At  time.Time `env:"AT"`
			}{}),
			other: ca(struct {
				URL url.URL   `env:"URL"`
				At  time.Time `env:"AT"`
			}{}, env.Options{})},

		// ---- sethvargo/go-envconfig ----
		"g1": {env: map[string]string{"PORT": "8080", "NAME": "api"}, same: true,
			dl: dl(struct {
				Port int    `env:"PORT"`
				Name string `env:"NAME"`
			}{}),
			other: ge(struct {
				Port int    `env:"PORT"`
				Name string `env:"NAME"`
			}{})},
		"g2": {env: nil, same: true,
			dl: dl(struct {
				Port int `env:"PORT" default:"8080"`
			}{}),
			other: ge(struct {
				Port int `env:"PORT, default=8080"`
			}{})},
		"g3": {env: nil, same: true,
			dl: dl(struct {
				Key string `env:"KEY" required:"true"`
			}{}),
			other: ge(struct {
				Key string `env:"KEY, required"`
			}{})},
		"g4": {env: map[string]string{"KEY": ""},
			dl: dl(struct {
				Key string `env:"KEY" required:"true"`
			}{}),
			other: ge(struct {
				Key string `env:"KEY, required"`
			}{}),
			check: func(t *testing.T, d, o outcome) {
				assert.ErrorIs(t, d.err, driftless.ErrRequired)
				require.NoError(t, o.err)
			}},
		"g5": {env: map[string]string{"NAME": ""}, same: true,
			dl: dl(struct {
				Name string `env:"NAME" default:"anon"`
			}{}),
			other: ge(struct {
				Name string `env:"NAME, default=anon"`
			}{})},
		"g6": {env: map[string]string{"PORT": ""},
			dl: dl(struct {
				Port int `env:"PORT" default:"8080"`
			}{}),
			other: ge(struct {
				Port int `env:"PORT, default=8080"`
			}{}),
			check: func(t *testing.T, d, o outcome) {
				assert.ErrorIs(t, d.err, driftless.ErrDecode)
				require.NoError(t, o.err)
				assert.Zero(t, o.v)
			}},
		"g7": {env: map[string]string{"DB_HOST": "db"}, same: true,
			dl: dl(struct {
				DB struct {
					Host string `env:"HOST"`
				} `prefix:"DB_"`
			}{}),
			other: ge(struct {
				DB struct {
					Host string `env:"HOST"`
				} `env:", prefix=DB_"`
			}{})},
		"g8": {env: map[string]string{"HOSTS": "a; b", "LIMITS": "a:1, b:2"}, same: true,
			dl: dl(struct {
				Hosts  []string       `env:"HOSTS" sep:";"`
				Limits map[string]int `env:"LIMITS" kvsep:":"`
			}{}),
			other: ge(struct {
				Hosts  []string       `env:"HOSTS, delimiter=;"`
				Limits map[string]int `env:"LIMITS"`
			}{})},
		"g9": {env: map[string]string{"CURRENT_USER": "me"}, same: true,
			dl: dl(struct {
				User string `env:"USER_NAME" default:"${CURRENT_USER}" expand:"true"`
			}{}),
			other: ge(struct {
				User string `env:"USER_NAME, default=$CURRENT_USER"`
			}{})},
		"g10": {env: map[string]string{"USER_NAME": "$HOME", "HOME": "/home/me"},
			dl: dl(struct {
				User string `env:"USER_NAME" default:"${CURRENT_USER}" expand:"true"`
			}{}),
			other: ge(struct {
				User string `env:"USER_NAME, default=$CURRENT_USER"`
			}{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Equal(t, "/home/me", reflect.ValueOf(d.v).Field(0).String())
				assert.Equal(t, "$HOME", reflect.ValueOf(o.v).Field(0).String())
			}},
		"g11": {env: map[string]string{"PORT": "9090"}, same: true,
			dl: dl(struct {
				Port int `env:"PORT"`
			}{Port: 8080}, driftless.WithKeepSet()),
			other: ge(struct {
				Port int `env:"PORT"`
			}{Port: 8080})},
		"g12": {env: nil, same: true,
			dl: dl(struct {
				Port int `env:"PORT" default:"80"`
			}{Port: 8080}, driftless.WithKeepSet()),
			other: ge(struct {
				Port int `env:"PORT, default=80"`
			}{Port: 8080})},
		"g13": {env: map[string]string{"PORT": "9090"}, same: true,
			dl: dl(struct {
				Port int `env:"PORT"`
			}{Port: 8080}),
			other: ge(struct {
				Port int `env:"PORT, overwrite"`
			}{Port: 8080})},
		"g14": {env: nil,
			dl: dl(struct {
				Port int `env:"PORT" default:"80"`
			}{Port: 8080}),
			other: ge(struct {
				Port int `env:"PORT, overwrite, default=80"`
			}{Port: 8080}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Equal(t, int64(80), reflect.ValueOf(d.v).Field(0).Int())
				assert.Equal(t, int64(8080), reflect.ValueOf(o.v).Field(0).Int())
			}},
		"g15": {env: nil,
			dl: dl(struct {
				N  *int `env:"N"`
				DB *struct {
					Host string `env:"HOST"`
				} `prefix:"DB_"`
			}{}),
			other: ge(struct {
				N  *int `env:"N"`
				DB *struct {
					Host string `env:"HOST"`
				} `env:", prefix=DB_"`
			}{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				require.NoError(t, o.err)
				assert.Zero(t, d.v, "driftless leaves both nil")
				ov := reflect.ValueOf(o.v)
				assert.False(t, ov.Field(0).IsNil(), "go-envconfig allocates *int")
				assert.False(t, ov.Field(1).IsNil(), "go-envconfig allocates the nested struct")
			}},
		"g16": {env: nil, same: true,
			dl: dl(struct {
				N *int `env:"N"`
			}{}),
			other: ge(struct {
				N *int `env:"N, noinit"`
			}{})},
		"g17": {env: map[string]string{"KEY": "aGk=", "DEBUG": "yes"},
			dl: dl(struct {
				Key   []byte `env:"KEY"`
				Debug bool   `env:"DEBUG"`
			}{}),
			other: ge(struct {
				Key   []byte `env:"KEY"`
				Debug bool   `env:"DEBUG"`
			}{}),
			check: func(t *testing.T, d, o outcome) {
				require.NoError(t, d.err)
				assert.Equal(t, []byte("hi"), reflect.ValueOf(d.v).Field(0).Bytes())
				assert.True(t, reflect.ValueOf(d.v).Field(1).Bool())
				assert.Error(t, o.err, "go-envconfig: yes is not a bool")
				var bytesOnly struct {
					Key []byte `env:"KEY"`
				}
				o = ge(bytesOnly)(t, map[string]string{"KEY": "aGk="})
				require.NoError(t, o.err)
				assert.Equal(t, []byte("aGk="), reflect.ValueOf(o.v).Field(0).Bytes(), "go-envconfig keeps the raw bytes")
			}},
		"g18": {env: map[string]string{"N": "0x10", "TIMEOUT": "1m"}, same: true,
			dl: dl(struct {
				N       int           `env:"N"`
				Timeout time.Duration `env:"TIMEOUT"`
			}{}),
			other: ge(struct {
				N       int           `env:"N"`
				Timeout time.Duration `env:"TIMEOUT"`
			}{})},
		"g19": {env: nil, same: true,
			dl: dl(struct {
				Key string `env:"KEY" required:"true" default:"x"`
			}{}),
			other: ge(struct {
				Key string `env:"KEY, required, default=x"`
			}{})},
	}
}

// dotenvRows are the godotenv lines: a .env file loaded by godotenv.Load
// into a process environment, against driftless's WithExportEnvFiles, both
// over a fake environment.
func dotenvRows() map[string]struct {
	files []string // contents, highest precedence first
	env   map[string]string
	same  bool
	check func(t *testing.T, d, o map[string]string)
} {
	type r = struct {
		files []string
		env   map[string]string
		same  bool
		check func(t *testing.T, d, o map[string]string)
	}
	return map[string]r{
		"d1": {files: []string{"# comment\nexport A=1\nB=\"two words\"\nC='lit $A'\nD=${A}x\nE=\nF=1 # inline\n"}, same: true},
		"d2": {files: []string{"A=from-file\nB=from-file\n"}, env: map[string]string{"A": "from-env"}, same: true},
		"d3": {files: []string{"A=first\n", "A=second\nB=second\n"}, same: true},
		"d4": {files: []string{"TOKEN=file:///run/secrets/token\nA=1\n"},
			check: func(t *testing.T, d, o map[string]string) {
				assert.Equal(t, map[string]string{"A": "1"}, d, "a reference is not exported")
				assert.Equal(t, "file:///run/secrets/token", o["TOKEN"])
			}},
	}
}

// godotenvLoad is godotenv.Load over a fake environment: each file in turn,
// a key already set (by the environment or an earlier file) is kept.
func godotenvLoad(t *testing.T, m map[string]string, files ...string) {
	for _, f := range files {
		vals, err := godotenv.Read(f)
		require.NoError(t, err)
		for k, v := range vals {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
	}
}

// docRows reads the ids and the "same" or "differs" verdicts of the mapping
// tables of MIGRATING.md.
func docRows(t *testing.T) map[string]bool {
	f, err := os.Open(filepath.Join("..", "..", "MIGRATING.md"))
	require.NoError(t, err)
	defer f.Close()
	id := regexp.MustCompile(`^\|\s*([cgd][0-9]+)\s*\|`)
	out := map[string]bool{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		m := id.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), "|")
		verdict := strings.TrimSpace(cells[len(cells)-1])
		same := strings.HasPrefix(verdict, "same")
		require.True(t, same || strings.HasPrefix(verdict, "**differs**"), "row %s: the last cell says neither same nor **differs**", m[1])
		require.NotContains(t, out, m[1], "id used twice")
		out[m[1]] = same
	}
	require.NoError(t, s.Err())
	return out
}

func TestMigratingTablesAreChecked(t *testing.T) {
	t.Parallel()
	doc := docRows(t)
	var ids []string
	for id := range rows(t) {
		ids = append(ids, id)
	}
	for id := range dotenvRows() {
		ids = append(ids, id)
	}
	var docIDs []string
	for id := range doc {
		docIDs = append(docIDs, id)
	}
	slices.Sort(ids)
	slices.Sort(docIDs)
	assert.Equal(t, docIDs, ids, "every mapping line of MIGRATING.md has a test row, and every row a line")
}

func TestMigratingEnvLibraries(t *testing.T) {
	t.Parallel()
	doc := docRows(t)
	for id, r := range rows(t) {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			same, ok := doc[id]
			require.True(t, ok, "row %s is not in MIGRATING.md", id)
			require.Equal(t, same, r.same, "MIGRATING.md says same=%v", same)
			require.True(t, r.same || r.check != nil, "a difference needs its check")
			m := clone(r.env)
			om := clone(r.env)
			if r.otherEnv != nil {
				om = clone(r.otherEnv)
			}
			d := r.dl(t, m)
			o := r.other(t, om)
			if r.same {
				assertSame(t, d, o)
			} else {
				r.check(t, d, o)
			}
			if r.extra != nil {
				r.extra(t, m)
			}
		})
	}
}

func TestMigratingGodotenv(t *testing.T) {
	t.Parallel()
	doc := docRows(t)
	for id, r := range dotenvRows() {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			same, ok := doc[id]
			require.True(t, ok, "row %s is not in MIGRATING.md", id)
			require.Equal(t, same, r.same, "MIGRATING.md says same=%v", same)
			dir := t.TempDir()
			var paths []string
			for i, content := range r.files {
				p := filepath.Join(dir, ".env"+strings.Repeat(".x", i))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
				paths = append(paths, p)
			}
			o := clone(r.env)
			godotenvLoad(t, o, paths...)

			d := clone(r.env)
			var empty struct{}
			require.NoError(t, driftless.Load(context.Background(), &empty,
				driftless.WithEnv(d), driftless.WithEnvFiles(paths...), driftless.WithExportEnvFiles(),
				driftless.WithEnvWriter(func(k, v string) error { d[k] = v; return nil }, nil)))
			if r.same {
				assert.Equal(t, o, d)
			} else {
				r.check(t, d, o)
			}
		})
	}
}

// clone copies m (never nil), so that each library gets its own.
func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
