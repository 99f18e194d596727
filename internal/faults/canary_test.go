package faults_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providers/files"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
)

// verbs are the fmt verbs (with flags) every value is printed with.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.40s", "%-50v", "% x", "%#x", "%T"}

// printAll formats v with every verb and returns the outputs, named.
func printAll(name string, v any) map[string]string {
	out := map[string]string{}
	for _, verb := range verbs {
		out[name+" "+verb] = fmt.Sprintf(verb, v)
	}
	return out
}

// printError prints err with every verb, and its Error text.
func printError(name string, err error) map[string]string {
	out := printAll(name, err)
	if err != nil {
		out[name+" Error()"] = err.Error()
		b, _ := json.Marshal(err)
		out[name+" json"] = string(b)
	}
	return out
}

// loadOutputs runs Load and Explain for T with opts and returns everything
// either can print: the error in every verb, the explain table and JSON,
// and the slog audit lines of both (JSON and text handlers).
func loadOutputs[T any](t *testing.T, opts ...driftless.Option) (error, map[string]string) {
	t.Helper()
	var jsonLog, textLog bytes.Buffer
	jl := slog.New(slog.NewJSONHandler(&jsonLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tl := slog.New(slog.NewTextHandler(&textLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var dst T
	err := driftless.Load(t.Context(), &dst, append(opts, driftless.WithLogger(jl))...)
	var dst2 T
	rep, xerr := driftless.Explain(t.Context(), &dst2, append(opts, driftless.WithLogger(tl))...)
	out := printError("Load error", err)
	for k, v := range printError("Explain error", xerr) {
		out[k] = v
	}
	for k, v := range printAll("config", dst) {
		out[k] = v
	}
	if rep != nil {
		var table bytes.Buffer
		require.NoError(t, rep.WriteTable(&table))
		out["explain table"] = table.String()
		out["explain String"] = rep.String()
		b, jerr := json.Marshal(rep)
		require.NoError(t, jerr)
		out["explain JSON"] = string(b)
		out["explain %+v"] = fmt.Sprintf("%+v", *rep)
	}
	out["slog JSON audit"] = jsonLog.String()
	out["slog text audit"] = textLog.String()
	return err, out
}

// checkOutputs asserts that no output holds secret in any form.
func checkOutputs(t *testing.T, secret string, outs map[string]string) {
	t.Helper()
	for path, s := range outs {
		assertNoLeakString(t, secret, path, s)
	}
}

// chain returns every error reachable from err by Unwrap, as error
// reporters (Sentry, OpenTelemetry's exception events) walk it.
func chain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

type upperText string

func (u *upperText) UnmarshalText(b []byte) error {
	return fmt.Errorf("upperText: %q is not upper case", b) // a careless decoder that echoes its input
}

type hostPort struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// errorCase is one way to make a load fail with the canary in the way.
type errorCase struct {
	name    string
	run     func(t *testing.T) (error, map[string]string)
	wantErr bool
	// plainField marks a case whose canary is in a field not marked
	// secret: Explain shows such values by design, so only the error and
	// the audit log are checked.
	plainField bool
}

func withMem(t *testing.T, secrets map[string]string) *drifttest.Provider {
	t.Helper()
	p := drifttest.NewProvider()
	for k, v := range secrets {
		p.Set(k, v)
	}
	return p
}

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), mode))
	return p
}

// errorCases lists every kind of error a load can report, each with the
// canary as the value that failed or as a value nearby.
func errorCases(canary string) []errorCase {
	env := func(kv ...string) driftless.Option {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return driftless.WithEnv(m)
	}
	decode := func(name, key string, run func(t *testing.T, o driftless.Option) (error, map[string]string), value string) errorCase {
		return errorCase{name: "decode/" + name, wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			return run(t, env(key, value, "TOKEN", canary))
		}}
	}
	plainDecode := func(name, key string, run func(t *testing.T, o driftless.Option) (error, map[string]string), value string) errorCase {
		c := decode(name, key, run, value)
		c.name = "decode plain field/" + name
		c.plainField = true
		return c
	}
	type base struct {
		Token driftless.Secret `env:"TOKEN"`
	}
	cases := []errorCase{
		decode("int", "N", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				base
				N int `env:"N" secret:"true"`
			}](t, o)
		}, canary),
		decode("uint8 with a numeric canary", "N", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				N uint8 `env:"N" secret:"true"`
			}](t, o)
		}, canary),
		decode("float", "F", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				F float64 `env:"F" secret:"true"`
			}](t, o)
		}, canary),
		decode("bool", "B", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				B bool `env:"B" secret:"true"`
			}](t, o)
		}, canary),
		decode("duration", "D", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				D time.Duration `env:"D" secret:"true"`
			}](t, o)
		}, canary),
		decode("time", "T", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				T time.Time `env:"T" secret:"true"`
			}](t, o)
		}, canary),
		decode("url", "U", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				U url.URL `env:"U" secret:"true"`
			}](t, o)
		}, "http://["+canary),
		decode("url pointer with a bad escape", "U", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				U *url.URL `env:"U" secret:"true"`
			}](t, o)
		}, "https://h/%zz"+canary),
		decode("ip", "IP", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				IP net.IP `env:"IP" secret:"true"`
			}](t, o)
		}, canary),
		decode("slice element", "L", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				L []int `env:"L" sep:"," secret:"true"`
			}](t, o)
		}, "1,"+canary+",3"),
		decode("map value", "M", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				M map[string]int `env:"M" sep:"," secret:"true"`
			}](t, o)
		}, "a=1,b="+canary),
		decode("map entry without =", "M", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				M map[string]int `env:"M" sep:"," secret:"true"`
			}](t, o)
		}, "a=1,"+canary),
		decode("pointer to int", "P", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				P *int `env:"P" secret:"true"`
			}](t, o)
		}, canary),
		decode("TextUnmarshaler that echoes its input", "X", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				X upperText `env:"X" secret:"true"`
			}](t, o)
		}, canary),
		decode("WithDecoder that echoes its input", "C", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			type celsius float64
			return loadOutputs[struct {
				C celsius `env:"C" secret:"true"`
			}](t, o, driftless.WithDecoder(func(s string) (celsius, error) {
				return 0, fmt.Errorf("not a temperature: %s", s)
			}))
		}, canary),
		plainDecode("int", "N", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				N int `env:"N"`
			}](t, o)
		}, canary),
		plainDecode("duration", "D", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				D time.Duration `env:"D"`
			}](t, o)
		}, canary),
		plainDecode("url", "U", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				U url.URL `env:"U"`
			}](t, o)
		}, "http://["+canary),
		plainDecode("slice element", "L", func(t *testing.T, o driftless.Option) (error, map[string]string) {
			return loadOutputs[struct {
				L []int `env:"L" sep:","`
			}](t, o)
		}, "1,"+canary+",3"),
		{name: "required missing, canary in another field", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			return loadOutputs[struct {
				Token driftless.Secret `env:"TOKEN"`
				Need  string           `env:"NEED" required:"true"`
			}](t, env("TOKEN", canary))
		}},
		{name: "required set but empty", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			return loadOutputs[struct {
				Token driftless.Secret `env:"TOKEN"`
				Need  driftless.Secret `env:"NEED" required:"true"`
			}](t, env("TOKEN", canary, "NEED", ""))
		}},
		{name: "NAME_FILE holding the canary for an int", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := writeFile(t, t.TempDir(), "n", canary+"\n", 0o600)
			return loadOutputs[struct {
				N int `env:"N"`
			}](t, env("N_FILE", p)) // a value read from a file is a secret
		}},
		{name: "both NAME and NAME_FILE set", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := writeFile(t, t.TempDir(), "n", canary, 0o600)
			return loadOutputs[struct {
				N driftless.Secret `env:"N"`
			}](t, env("N", canary, "N_FILE", p))
		}},
		{name: ".env line with an unterminated quote", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := writeFile(t, t.TempDir(), ".env", "A=1\nTOKEN=\""+canary+"\nB=2\n", 0o600)
			return loadOutputs[base](t, env(), driftless.WithEnvFiles(p))
		}},
		{name: ".env line without =", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := writeFile(t, t.TempDir(), ".env", "A=1\n"+canary+"\n", 0o600)
			return loadOutputs[base](t, env(), driftless.WithEnvFiles(p))
		}},
		{name: ".env key with a bad character", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := writeFile(t, t.TempDir(), ".env", "A=1\nTO KEN="+canary+"\n", 0o600)
			return loadOutputs[base](t, env(), driftless.WithEnvFiles(p))
		}},
		{name: "invalid reference whose text holds the canary", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			return loadOutputs[base](t, env("TOKEN", "awssm://x?version-stage=A&version-id="+canary+"#%zz"))
		}},
		{name: "reference to a scheme with no provider", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			return loadOutputs[struct {
				Token driftless.Secret `env:"TOKEN"`
				Other driftless.Secret `env:"OTHER"`
			}](t, env("TOKEN", canary, "OTHER", "vault://secret/app#key"))
		}},
		{name: "secret not found, canary in another secret", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"tok": canary})
			return loadOutputs[struct {
				Token driftless.Secret `env:"TOKEN" default:"mem://tok"`
				Gone  driftless.Secret `env:"GONE" default:"mem://gone"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "#key missing from a JSON secret", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": `{"password":` + js(canary) + `}`})
			return loadOutputs[struct {
				U string `env:"U" default:"mem://db#user"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "#key of a secret that is not JSON", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": canary})
			return loadOutputs[struct {
				U driftless.Secret `env:"U" default:"mem://db#password"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "#key of a JSON string secret", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": js(canary)})
			return loadOutputs[struct {
				U driftless.Secret `env:"U" default:"mem://db#password"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "#key of malformed JSON", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": `{"password":` + js(canary) + `, "user": }`})
			return loadOutputs[struct {
				U driftless.Secret `env:"U" default:"mem://db#password"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "JSON pointer through a string", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": `{"a":` + js(canary) + `}`})
			return loadOutputs[struct {
				U driftless.Secret `env:"U" default:"mem://db#/a/b"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "selected value does not decode", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": `{"port":` + js(canary) + `}`})
			return loadOutputs[struct {
				Port int `env:"PORT" default:"mem://db#port"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "JSON secret of the wrong shape for a struct", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": `{"host":` + js(canary) + `,"port":` + js(canary) + `}`})
			return loadOutputs[struct {
				DB hostPort `env:"DB" default:"mem://db"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "malformed JSON secret for a struct", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": `{"host":` + js(canary) + `,"port":5432`})
			return loadOutputs[struct {
				DB hostPort `env:"DB" default:"mem://db"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "JSON secret that is a bare string for a struct", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"db": canary})
			return loadOutputs[struct {
				DB hostPort `env:"DB" default:"mem://db"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "validation error that prints the config", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			type cfg struct {
				Token driftless.Secret `env:"TOKEN"`
				Pair  driftless.Rotating
			}
			return loadOutputs[cfg](t, env("TOKEN", canary), driftless.WithValidator(func(c any) error {
				return fmt.Errorf("rejected %+v / %#v / %v", c, c, c.(*cfg).Token)
			}))
		}},
		{name: "rotating: previous version fails", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"sig": canary})
			p.Set("sig", canary+"-2")
			return loadOutputs[struct {
				Sig driftless.Rotating `env:"SIG" default:"mem://sig"`
				N   int                `env:"N" default:"mem://sig"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
		{name: "provider failure/drifttest unavailable", wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			p := withMem(t, map[string]string{"tok": canary})
			p.Fail("tok", driftless.ErrUnavailable)
			return loadOutputs[struct {
				Token driftless.Secret `env:"TOKEN" default:"mem://tok"`
			}](t, env(), driftless.WithProvider("mem", p))
		}},
	}
	return cases
}

// providerCases make each provider fake fail in its ways, with the canary
// stored in the secrets it serves.
func providerCases(canary string) []errorCase {
	type awsCfg struct {
		A driftless.Secret `env:"A" default:"awssm://prod/a"`
		B driftless.Secret `env:"B" default:"awssm://prod/b#password"`
		C string           `env:"C" default:"awssm://prod/c#user"`
		D int              `env:"D" default:"awssm://prod/b#password"`
	}
	aws := func(name string, breakIt func(*awssmtest.Server)) errorCase {
		return errorCase{name: "provider failure/awssm " + name, wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			srv, p := newAWS(t, map[string]string{
				"prod/a": canary, "prod/b": `{"password":` + js(canary) + `}`, "prod/c": `{"user":` + js(canary) + `}`,
			})
			breakIt(srv)
			return loadOutputs[awsCfg](t, driftless.WithEnv(nil), driftless.WithProvider("awssm", p))
		}}
	}
	type gcpCfg struct {
		A driftless.Secret `env:"A" default:"gcpsm://test-project/a"`
		B driftless.Secret `env:"B" default:"gcpsm://test-project/b#password"`
		C string           `env:"C" default:"gcpsm://test-project/b#user"`
	}
	gcp := func(name string, breakIt func(*gcpsmtest.Server)) errorCase {
		return errorCase{name: "provider failure/gcpsm " + name, wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			srv := gcpsmtest.NewServer(t)
			require.NoError(t, srv.Put(t.Context(), "a", []byte(canary)))
			require.NoError(t, srv.Put(t.Context(), "b", []byte(`{"password":`+js(canary)+`}`)))
			c, err := srv.Client(t.Context())
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			breakIt(srv)
			return loadOutputs[gcpCfg](t, driftless.WithEnv(nil), driftless.WithProvider("gcpsm", gcpsm.New(c)), driftless.WithFetchTimeout(5*time.Second))
		}}
	}
	type azCfg struct {
		A driftless.Secret `env:"A" default:"azkv://testvault/a"`
		B driftless.Secret `env:"B" default:"azkv://testvault/b#password"`
		C string           `env:"C" default:"azkv://testvault/b#user"`
	}
	az := func(name string, breakIt func(*azkvtest.Server)) errorCase {
		return errorCase{name: "provider failure/azkv " + name, wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			srv := azkvtest.NewServer(t)
			srv.Set("a", canary)
			srv.Set("b", `{"password":`+js(canary)+`}`)
			breakIt(srv)
			p := azkv.New(map[string]azkv.SecretsClient{azkvtest.DefaultVault: srv.Client(azkvtest.DefaultVault)})
			return loadOutputs[azCfg](t, driftless.WithEnv(nil), driftless.WithProvider("azkv", p))
		}}
	}
	type fileCfg struct {
		A driftless.Secret `env:"A"`
		B driftless.Secret `env:"B"`
		C string           `env:"C"`
		D driftless.Secret `env:"D"`
	}
	file := func(name string, provider bool) errorCase {
		return errorCase{name: "provider failure/files " + name, wantErr: true, run: func(t *testing.T) (error, map[string]string) {
			dir := t.TempDir()
			a := writeFile(t, dir, "a", canary, 0o600)
			b := writeFile(t, dir, "b.json", `{"password":`+js(canary)+`}`, 0o600)
			big := writeFile(t, dir, "big", strings.Repeat(canary, 64), 0o600)
			opts := []driftless.Option{driftless.WithEnv(map[string]string{
				"A": "file://" + a, "B": "file://" + b + "#password", "C": "file://" + b + "#user", "D": "file://" + big,
			})}
			if provider {
				p := files.New(files.WithMaxSize(int64(len(canary) * 10)))
				t.Cleanup(func() { _ = p.Close() })
				opts = append(opts, driftless.WithProvider("file", p))
			} else {
				opts[0] = driftless.WithEnv(map[string]string{
					"A": "file://" + a, "B": "file://" + b + "#password", "C": "file://" + b + "#user", "D": "file://" + dir + "/missing",
				})
			}
			return loadOutputs[fileCfg](t, opts...)
		}}
	}
	return []errorCase{
		aws("secret throttled past retries", func(s *awssmtest.Server) { s.Throttle(1000) }),
		aws("server errors past retries", func(s *awssmtest.Server) { s.FailNext(1000) }),
		aws("one secret denied in the batch", func(s *awssmtest.Server) { s.FailSecret("prod/c", "AccessDeniedException") }),
		aws("batch denied, one secret undecryptable", func(s *awssmtest.Server) {
			s.DenyBatch(true)
			s.FailSecret("prod/a", "DecryptionFailure")
		}),
		gcp("permission denied on one secret", func(s *gcpsmtest.Server) { s.SetSecretError("a", codes.PermissionDenied) }),
		gcp("corrupt payload checksum", func(s *gcpsmtest.Server) { s.SetCorruptChecksum(true) }),
		gcp("every access fails internally", func(s *gcpsmtest.Server) { s.SetMethodError("AccessSecretVersion", codes.Internal) }),
		az("403 on every request", func(s *azkvtest.Server) { s.FailNext(1000, 403) }),
		az("500 past retries", func(s *azkvtest.Server) { s.FailNext(1000, 500) }),
		az("#key missing", func(*azkvtest.Server) {}),
		file("#key missing and file over WithMaxSize", true),
		file("built-in reader: #key missing and a missing file", false),
	}
}

// TestCanaryErrors is the row "Canary: errors of every kind": the error,
// in every fmt verb and as JSON, the explain table and JSON, and the slog
// audit lines of each failing load never hold the canary.
func TestCanaryErrors(t *testing.T) {
	t.Parallel()
	forEachCanary(t, func(t *testing.T, canary string) {
		for _, tc := range append(errorCases(canary), providerCases(canary)...) {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				err, outs := tc.run(t)
				if tc.wantErr {
					require.Error(t, err, "the case must exercise an error path")
				}
				if tc.plainField {
					for k := range outs {
						if strings.HasPrefix(k, "explain") {
							delete(outs, k)
						}
					}
				}
				checkOutputs(t, canary, outs)
			})
		}
	})
}

// TestCanaryErrorChains is the row "Canary: errors' Unwrap chains": what an
// error reporter records when it walks the chain (each error's message,
// as Sentry and OpenTelemetry do) holds no canary either. A leak is a
// failure, whatever error in the chain holds it.
func TestCanaryErrorChains(t *testing.T) {
	t.Parallel()
	forEachCanary(t, func(t *testing.T, canary string) {
		for _, tc := range append(errorCases(canary), providerCases(canary)...) {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				err, _ := tc.run(t)
				checkChain(t, canary, err)
			})
		}
	})
}

// checkChain asserts that no error reachable from err through Unwrap
// holds secret in its message or its %+v form.
func checkChain(t *testing.T, secret string, err error) {
	t.Helper()
	for i, e := range chain(err) {
		assertNoLeakString(t, secret, fmt.Sprintf("chain[%d] %T Error()", i, e), e.Error())
		assertNoLeakString(t, secret, fmt.Sprintf("chain[%d] %T %%+v", i, e), fmt.Sprintf("%+v", e))
	}
}

// canaryConfig holds the canary in every shape a config can, including
// plain Go types marked secret:"true" and plain fields filled through a
// reference or a NAME_FILE file, which Explain and Report must redact.
type canaryConfig struct {
	typedConfig
	Plain     string   `env:"PLAIN_SECRET" secret:"true"`
	FromRef   string   `env:"FROM_REF" default:"mem://tok"`
	DB        hostPort `env:"DB_JSON" default:"mem://hostport"`
	ByteToken []byte   `env:"BYTES" secret:"true"`
	FileInt   int      `env:"FILE_INT"`
}

// typedConfig holds the canary only in the types that redact themselves
// everywhere (Secret, Rotating and containers of them): fmt, JSON, XML,
// slog and panics print none of it.
type typedConfig struct {
	Token    driftless.Secret    `env:"TOKEN"`
	TokenPtr *driftless.Secret   `env:"TOKEN_PTR"`
	FromJSON driftless.Secret    `env:"FROM_JSON" default:"mem://db#password"`
	Rot      driftless.Rotating  `env:"ROT" default:"mem://rot"`
	RotPtr   *driftless.Rotating `env:"ROT_PTR" default:"mem://rot"`
	FromFile driftless.Secret    `env:"FILED"`
	Creds    struct {
		User     string           `json:"user"`
		Password driftless.Secret `json:"password"`
	} `env:"CREDS" default:"mem://creds"`
	SecretList []driftless.Secret          `env:"SECRET_LIST" sep:","`
	SecretMap  map[string]driftless.Secret `env:"SECRET_MAP" sep:","`
}

// holder wraps config values the way a service does: exported and
// unexported fields, pointers, interfaces, maps and slices.
type holder struct {
	Cfg       typedConfig
	CfgPtr    *typedConfig
	cfg       typedConfig
	cfgPtr    *typedConfig
	S         driftless.Secret
	s         driftless.Secret
	sp        *driftless.Secret
	R         driftless.Rotating
	r         driftless.Rotating
	Any       any
	anyS      any
	M         map[string]driftless.Secret
	m         map[driftless.Secret]int
	Slice     []driftless.Secret
	Arr       [2]driftless.Secret
	SecretPtr **driftless.Secret
}

// canaryOptions returns options under which every field of canaryConfig
// (and so of typedConfig) holds the canary.
func canaryOptions(t *testing.T, canary string) []driftless.Option {
	t.Helper()
	p := withMem(t, map[string]string{
		"tok":      canary,
		"db":       `{"password":` + js(canary) + `}`,
		"creds":    `{"user":"app","password":` + js(canary) + `}`,
		"rot":      canary + "-previous",
		"hostport": `{"host":` + js(canary) + `,"port":1}`,
	})
	p.Set("rot", canary)
	dir := t.TempDir()
	filed := writeFile(t, dir, "filed", canary, 0o600)
	fileInt := writeFile(t, dir, "int", "12345", 0o600)
	return []driftless.Option{
		driftless.WithEnv(map[string]string{
			"TOKEN": canary, "TOKEN_PTR": canary, "PLAIN_SECRET": canary, "FILED_FILE": filed,
			"BYTES":       base64.StdEncoding.EncodeToString([]byte(canary)),
			"SECRET_LIST": canary + "," + canary, "SECRET_MAP": "a=" + canary + ",b=" + canary, "FILE_INT_FILE": fileInt,
		}),
		driftless.WithProvider("mem", p),
	}
}

// loadCanaryConfig loads typedConfig with the canary in every field.
func loadCanaryConfig(t *testing.T, canary string) *typedConfig {
	t.Helper()
	cfg, err := driftless.LoadAs[typedConfig](t.Context(), canaryOptions(t, canary)...)
	require.NoError(t, err)
	require.Equal(t, canary, cfg.Token.Value(), "the canary is loaded")
	require.Equal(t, canary, cfg.Rot.Current().Value())
	require.Equal(t, canary, cfg.Creds.Password.Value())
	// List and map elements are trimmed.
	require.Equal(t, strings.TrimSpace(canary), cfg.SecretMap["b"].Value())
	return cfg
}

// TestCanaryFormatting is the row "Canary: fmt, JSON, XML, gob, slog and
// Report of Secret, Rotating and structs holding them".
func TestCanaryFormatting(t *testing.T) {
	t.Parallel()
	forEachCanary(t, testCanaryFormatting)
}

func testCanaryFormatting(t *testing.T, canary string) {
	cfg := loadCanaryConfig(t, canary)
	s := driftless.NewSecret(canary)
	sp := &s
	h := holder{
		Cfg: *cfg, CfgPtr: cfg, cfg: *cfg, cfgPtr: cfg,
		S: s, s: s, sp: sp, R: cfg.Rot, r: cfg.Rot,
		Any: s, anyS: s,
		M: map[string]driftless.Secret{"k": s}, m: map[driftless.Secret]int{s: 1},
		Slice: []driftless.Secret{s, s}, Arr: [2]driftless.Secret{s, s}, SecretPtr: &sp,
	}
	values := map[string]any{
		"Secret": s, "*Secret": sp, "Rotating": cfg.Rot, "*Rotating": &cfg.Rot,
		"config": *cfg, "*config": cfg, "holder": h, "*holder": &h,
		"[]any": []any{s, cfg.Rot, cfg}, "map[string]any": map[string]any{"s": s, "cfg": cfg},
	}
	outs := map[string]string{}
	for name, v := range values {
		for k, o := range printAll(name, v) {
			outs[k] = o
		}
		if b, err := json.Marshal(v); err == nil {
			outs[name+" json"] = string(b)
		}
		if b, err := json.MarshalIndent(v, "", " "); err == nil {
			outs[name+" json indent"] = string(b)
		}
		if b, err := xml.Marshal(v); err == nil {
			outs[name+" xml"] = string(b)
		} else {
			outs[name+" xml error"] = err.Error()
		}
		var g bytes.Buffer
		if err := gob.NewEncoder(&g).Encode(v); err == nil {
			outs[name+" gob"] = g.String()
		} else {
			outs[name+" gob error"] = err.Error()
		}
		var jb, tb bytes.Buffer
		slog.New(slog.NewJSONHandler(&jb, nil)).Info("config", "value", v, slog.Group("g", "v", v))
		slog.New(slog.NewTextHandler(&tb, nil)).Info("config", "value", v, slog.Group("g", "v", v))
		outs[name+" slog JSON"] = jb.String()
		outs[name+" slog text"] = tb.String()
	}
	checkOutputs(t, canary, outs)
}

// TestCanaryReport is the row "Canary: Explain and Report": every field
// that holds the canary (Secret types, secret:"true" plain types, values
// from references and NAME_FILE files) is redacted in the report of a
// Handle and of Explain, as a table, a String and JSON.
func TestCanaryReport(t *testing.T) {
	t.Parallel()
	forEachCanary(t, testCanaryReport)
}

func testCanaryReport(t *testing.T, canary string) {
	outs := map[string]string{}
	hd, err := driftless.NewHandle[canaryConfig](t.Context(), canaryOptions(t, canary)...)
	require.NoError(t, err)
	defer hd.Close()
	outs["handle %v"] = fmt.Sprintf("%v %+v %#v", hd, hd, hd)
	outs["handle Report String"] = hd.Report().String()
	b, err := json.Marshal(hd.Report())
	require.NoError(t, err)
	outs["handle Report JSON"] = string(b)
	outs["handle Current typed fields %+v"] = fmt.Sprintf("%+v %#v", hd.Current().typedConfig, hd.Current().typedConfig)
	var c canaryConfig
	rep, err := driftless.Explain(t.Context(), &c, canaryOptions(t, canary)...)
	require.NoError(t, err)
	outs["Explain String"] = rep.String()
	b, err = json.Marshal(rep)
	require.NoError(t, err)
	outs["Explain JSON"] = string(b)
	for _, f := range rep.Fields {
		assertNoLeakString(t, canary, "Explain field "+f.Path, f.Display)
		assert.True(t, f.Secret, "%s is reported as a secret", f.Path)
	}
	checkOutputs(t, canary, outs)
}

// TestCanaryReportSecretContainers is the row "Canary: Explain of
// []Secret and map[string]Secret fields".
func TestCanaryReportSecretContainers(t *testing.T) {
	t.Parallel()
	forEachCanary(t, func(t *testing.T, canary string) {
		var c typedConfig
		rep, err := driftless.Explain(t.Context(), &c, canaryOptions(t, canary)...)
		require.NoError(t, err)
		seen := 0
		for _, f := range rep.Fields {
			if f.Path != "SecretList" && f.Path != "SecretMap" {
				continue
			}
			seen++
			assertNoLeakString(t, canary, "Explain Display of "+f.Path, f.Display)
			assert.True(t, f.Secret, f.Path)
		}
		assert.Equal(t, 2, seen, "both container fields are reported")
	})
}

// TestCanaryHandle is the row "Canary: Handle hooks, audit log and
// change events": a rotation away from the canary, and a failing refresh,
// print nothing of it.
func TestCanaryHandle(t *testing.T) {
	t.Parallel()
	forEachCanary(t, testCanaryHandle)
}

func testCanaryHandle(t *testing.T, canary string) {
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := withMem(t, map[string]string{"tok": canary, "db": `{"password":` + js(canary) + `,"port":"1"}`})
	type cfg struct {
		Token driftless.Secret `env:"TOKEN" default:"mem://tok"`
		Pass  driftless.Secret `env:"PASS" default:"mem://db#password"`
		Port  int              `env:"PORT" default:"mem://db#port"`
	}
	var (
		eventsMu sync.Mutex // the metrics hook is called from concurrent fetches
		events   []driftless.Event
	)
	h, err := driftless.NewHandle[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", p),
		driftless.WithLogger(logger), driftless.WithForceRefreshLimit(0),
		driftless.WithMetrics(func(e driftless.Event) { eventsMu.Lock(); events = append(events, e); eventsMu.Unlock() }))
	require.NoError(t, err)
	defer h.Close()
	outs := map[string]string{}
	h.OnChange(func(c driftless.Change[cfg]) {
		outs["change verbs"] = fmt.Sprintf("%v %+v %#v", c, c, c)
		b, _ := json.Marshal(c)
		outs["change json"] = string(b)
	})
	h.OnError(func(err error) {
		for k, v := range printError("OnError", err) {
			outs[k] = v
		}
	})
	// A refresh rejected because the canary does not decode as a port.
	p.Set("db", `{"password":`+js(canary)+`,"port":`+js(canary)+`}`)
	require.Error(t, h.ForceRefresh(t.Context()))
	// A rotation away from the canary.
	p.Set("db", `{"password":"rotated","port":"2"}`)
	p.Set("tok", "rotated")
	require.NoError(t, h.ForceRefresh(t.Context()))
	require.Contains(t, outs, "change json")
	outs["slog audit"] = logBuf.String()
	eventsMu.Lock()
	outs["events"] = fmt.Sprintf("%+v", events)
	eventsMu.Unlock()
	require.Contains(t, outs["slog audit"], "config swapped")
	require.Contains(t, outs["slog audit"], "refresh failed")
	checkOutputs(t, canary, outs)
}

// TestCanaryPanics is the row "Canary: panics recovered in tests": a panic
// whose value is (or formats) a config holding the canary.
func TestCanaryPanics(t *testing.T) {
	t.Parallel()
	forEachCanary(t, testCanaryPanics)
}

func testCanaryPanics(t *testing.T, canary string) {
	cfg := loadCanaryConfig(t, canary)
	h := holder{Cfg: *cfg, cfg: *cfg, s: cfg.Token, sp: &cfg.Token}
	tests := []struct {
		name  string
		panic func()
	}{
		{"panic(config)", func() { panic(*cfg) }},
		{"panic(*config)", func() { panic(cfg) }},
		{"panic(Secret)", func() { panic(cfg.Token) }},
		{"panic(holder with unexported fields)", func() { panic(h) }},
		{"panic(fmt.Sprintf(%+v, config))", func() { panic(fmt.Sprintf("bad config: %+v", *cfg)) }},
		{"panic(fmt.Errorf(%v, holder))", func() { panic(fmt.Errorf("bad: %v %#v", h, h)) }},
		{"panic(LoadError)", func() {
			_, err := driftless.LoadAs[struct {
				N int `env:"N"`
			}](context.Background(), driftless.WithEnv(map[string]string{"N": canary}))
			panic(err)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var r any
			func() {
				defer func() { r = recover() }()
				tc.panic()
			}()
			require.NotNil(t, r)
			outs := printAll("recovered", r)
			if err, ok := r.(error); ok {
				outs["recovered Error()"] = err.Error()
			}
			checkOutputs(t, canary, outs)
		})
	}
}

// TestCanaryTestifyFailureMessage is the row "Canary: test failure
// messages": testify prints both sides of a failed assertion with spew,
// which does not call String or Format and follows pointers.
func TestCanaryTestifyFailureMessage(t *testing.T) {
	t.Parallel()
	forEachCanary(t, testCanaryTestifyFailureMessage)
}

func testCanaryTestifyFailureMessage(t *testing.T, canary string) {
	cfg := loadCanaryConfig(t, canary)
	other := *cfg
	other.Creds.User = "different"
	tests := []struct {
		name   string
		assert func(tt assert.TestingT)
	}{
		{"assert.Equal of two configs", func(tt assert.TestingT) { assert.Equal(tt, *cfg, other) }},
		{"assert.Equal of two Secrets", func(tt assert.TestingT) { assert.Equal(tt, cfg.Token, driftless.NewSecret("x")) }},
		{"assert.Nil of a config", func(tt assert.TestingT) { assert.Nil(tt, cfg) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingT{}
			tc.assert(rec)
			require.NotEmpty(t, rec.buf.String(), "the assertion must fail")
			assertNoLeakString(t, canary, "testify failure message", rec.buf.String())
		})
	}
}

type recordingT struct{ buf bytes.Buffer }

func (r *recordingT) Errorf(format string, args ...any) { fmt.Fprintf(&r.buf, format, args...) }

// panicChildEnv makes the test binary (see TestMain) panic, unrecovered,
// with the value it names instead of running tests.
const panicChildEnv = "FAULTS_PANIC_CHILD"

// panicCanaryEnv names the canary (its index in canaries) the child
// panics with.
const panicCanaryEnv = "FAULTS_PANIC_CANARY"

// panicChild panics with a value holding the canary, for
// TestCanaryUnrecoveredPanic to read what the runtime prints.
func panicChild() {
	i, _ := strconv.Atoi(os.Getenv(panicCanaryEnv))
	canary := canaries[i].value
	s := driftless.NewSecret(canary)
	cfg := typedConfig{Token: s, TokenPtr: &s, Rot: driftless.NewRotating(s, s), SecretList: []driftless.Secret{s}}
	switch os.Getenv(panicChildEnv) {
	case "secret":
		panic(s)
	case "rotating":
		panic(cfg.Rot)
	case "config":
		panic(cfg)
	case "*config":
		panic(&cfg)
	case "holder":
		panic(holder{cfg: cfg, s: s, sp: &s})
	case "error":
		_, err := driftless.LoadAs[struct {
			N int `env:"N" secret:"true"`
		}](context.Background(), driftless.WithEnv(map[string]string{"N": canary}))
		panic(err)
	case "goroutine":
		done := make(chan struct{})
		go func() {
			defer close(done)
			panic(fmt.Sprintf("%v %+v", cfg, cfg))
		}()
		<-done
	}
}

// TestCanaryUnrecoveredPanic is the row "Canary: unrecovered panics": what
// the Go runtime prints for a panic whose value holds the canary (the
// value and the goroutine traces) holds none of it.
func TestCanaryUnrecoveredPanic(t *testing.T) {
	t.Parallel()
	for i, c := range canaries {
		for _, kind := range []string{"secret", "rotating", "config", "*config", "holder", "error", "goroutine"} {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), panicChildEnv+"="+kind, panicCanaryEnv+"="+strconv.Itoa(i), "GOTRACEBACK=all")
				out, err := cmd.CombinedOutput()
				require.Error(t, err, "the child panicked")
				require.Contains(t, string(out), "panic: ", "the runtime printed the panic")
				assertNoLeak(t, c.value, "unrecovered panic output", out)
			})
		}
	}
}
