package driftless_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/configfile"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

type route struct {
	Model  string  `json:"model"`
	Weight float64 `json:"weight"`
}

type servingConfig struct {
	ModelName string            `env:"MODEL_NAME" default:"small" desc:"the model to serve"`
	Port      int               `env:"PORT" default:"8080"`
	Timeout   time.Duration     `env:"TIMEOUT" default:"30s"`
	Hosts     []string          `env:"HOSTS"`
	Limits    map[string]int    `env:"LIMITS"`
	Backoffs  []time.Duration   `env:"BACKOFFS"`
	Labels    map[string]string `env:"LABELS"`
	Routing   struct {
		Routes []route `json:"routes"`
	} `env:"ROUTING"`
	DB struct {
		Host     string           `env:"HOST" default:"localhost"`
		Password driftless.Secret `env:"PASSWORD"`
	} `prefix:"DB_"`
	Batching struct {
		MaxSize int `env:"BATCH_MAX_SIZE" default:"8"`
	}
}

// writeFiles writes each name -> text into a new directory and returns the
// path of each, by name.
func writeFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, text := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		paths[name] = p
	}
	return paths
}

const baseJSON = `{
  "model_name": "base-model",
  "port": 9000,
  "hosts": ["a", "b"],
  "limits": {"gpu": 2, "cpu": 8},
  "backoffs": ["1s", "2s"],
  "routing": {"routes": [{"model": "m1", "weight": 0.5}]},
  "db": {"host": "db.internal", "password": "mem://prod/db#password"},
  "batching": {"batch_max_size": 16}
}
`

const prodJSON = `{
  "ModelName": "prod-model",
  "DB": {"Host": "db.prod"}
}
`

func TestConfigFilesLayering(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("prod/db", `{"password":"pw-1"}`)
	p := writeFiles(t, map[string]string{"config.json": baseJSON, "config.prod.json": prodJSON, ".env": "PORT=9100\n"})
	var cfg servingConfig
	rep, err := driftless.Explain(t.Context(), &cfg,
		driftless.WithEnv(map[string]string{"HOSTS": "x,y,z"}),
		driftless.WithEnvFiles(p[".env"]),
		driftless.WithConfigFiles(configfile.JSON, p["config.json"], p["config.prod.json"]),
		driftless.WithProvider("mem", mem))
	require.NoError(t, err)
	assert.Equal(t, "prod-model", cfg.ModelName, "the later file wins, Go field names match")
	assert.Equal(t, 9100, cfg.Port, ".env wins over config files")
	assert.Equal(t, []string{"x", "y", "z"}, cfg.Hosts, "env wins over config files")
	assert.Equal(t, 30*time.Second, cfg.Timeout, "a key no file sets keeps its default")
	assert.Equal(t, map[string]int{"gpu": 2, "cpu": 8}, cfg.Limits, "maps are native")
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, cfg.Backoffs, "list items decode as values")
	assert.Equal(t, []route{{Model: "m1", Weight: 0.5}}, cfg.Routing.Routes, "a struct filled from a JSON value takes a map")
	assert.Equal(t, "db.prod", cfg.DB.Host, "a prefix group is a nested map, overridden key by key")
	assert.Equal(t, "pw-1", cfg.DB.Password.Value(), "a reference in a file is resolved")
	assert.Equal(t, 16, cfg.Batching.MaxSize, "a group without a prefix is named by its field")

	sources := map[string]string{}
	for _, f := range rep.Fields {
		sources[f.Path] = f.Source
	}
	assert.Equal(t, p["config.prod.json"]+":2", sources["ModelName"])
	assert.Equal(t, p["config.json"]+":5", sources["Limits"])
	assert.Equal(t, p["config.prod.json"]+":3", sources["DB.Host"])
	assert.Equal(t, p["config.json"]+":8", sources["DB.Password"])
	assert.Equal(t, "default", sources["Timeout"])
	assert.NotContains(t, rep.String(), "pw-1")
	require.Len(t, rep.Files, 3)
	assert.Equal(t, 9, rep.Files[1].Keys, "keys set by config.json")
}

func TestConfigFilesUnderFlags(t *testing.T) {
	t.Parallel()
	p := writeFiles(t, map[string]string{"c.json": `{"model_name": "from-file", "port": 1}`})
	fs := flag.NewFlagSet("svc", flag.ContinueOnError)
	var cfg servingConfig
	require.NoError(t, driftless.BindFlags(fs, &cfg))
	require.NoError(t, fs.Parse([]string{"--model-name=from-flag"}))
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithFlags(fs),
		driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	require.NoError(t, err)
	assert.Equal(t, "from-flag", cfg.ModelName)
	assert.Equal(t, 1, cfg.Port)
	assert.Contains(t, rep.String(), "flag --model-name")
}

func TestConfigFileErrorsNameFileLineAndNearestField(t *testing.T) {
	t.Parallel()
	const canary = "Canary-s3cr3t-value"
	for name, tc := range map[string]struct {
		doc   string
		is    error
		wants []string
	}{
		"misspelt key":   {`{"modle_name": "x"}`, driftless.ErrUnknownKey, []string{":1:2", "key modle_name", "did you mean model_name (field ModelName)"}},
		"wrong level":    {"{\n\"host\": \"x\"}", driftless.ErrUnknownKey, []string{":2:1", "did you mean db.host (field DB.Host)"}},
		"misspelt group": {`{"dbb": {"host": "x"}}`, driftless.ErrUnknownKey, []string{"key dbb", "did you mean db"}},
		"nested typo":    {`{"db": {"pasword": "` + canary + `"}}`, driftless.ErrUnknownKey, []string{"key db.pasword", "did you mean db.password (field DB.Password)"}},
		"duplicate":      {"{\"model_name\": \"a\",\n \"ModelName\": \"" + canary + "\"}", nil, []string{":2:2", "given twice", "line 1"}},
		"group scalar":   {`{"db": "` + canary + `"}`, nil, []string{"key db", "a string where a map (the group db) is expected"}},
		"syntax":         {"{\n  \"model_name\": " + canary + "\n}", nil, []string{":2:17", "malformed JSON"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFiles(t, map[string]string{"c.json": tc.doc})
			err := drifttest.LoadErr[servingConfig](t, nil, driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
			require.Error(t, err)
			var ce *driftless.ConfigFileError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, p["c.json"], ce.File)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			for _, w := range tc.wants {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

func TestConfigFileValueErrorsShowNoValue(t *testing.T) {
	t.Parallel()
	const canary = "Canary-s3cr3t-value"
	for name, tc := range map[string]struct {
		doc   string
		wants []string
	}{
		"list for a string":  {`{"model_name": ["` + canary + `"]}`, []string{"ModelName", "c.json:1)", "a list where a scalar (string) is expected"}},
		"map for a list":     {`{"hosts": {"a": "` + canary + `"}}`, []string{"Hosts", "a map where a list is expected"}},
		"bad item":           {"{\"backoffs\": [\"1s\",\n \"" + canary + "\"]}", []string{"Backoffs", "item 1 (line 2)", "duration"}},
		"bad map value":      {"{\"limits\": {\"gpu\":\n \"" + canary + "\"}}", []string{"Limits", "value at line 2"}},
		"reference in list":  {`{"hosts": ["mem://prod/` + canary + `"]}`, []string{"Hosts", "item 0 (line 1) is a reference"}},
		"reference in map":   {"{\"labels\": {\"" + canary + "\":\n \"mem://prod/x\"}}", []string{"Labels", "the member at line 1 is a reference"}},
		"JSON struct member": {`{"routing": {"routes": [{"weight": "` + canary + `"}]}}`, []string{"Routing", "does not fit"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFiles(t, map[string]string{"c.json": tc.doc})
			err := drifttest.LoadErr[servingConfig](t, nil, driftless.WithConfigFiles(configfile.JSON, p["c.json"]),
				driftless.WithProvider("mem", drifttest.NewProvider()))
			require.Error(t, err)
			var fe *driftless.FieldError
			require.ErrorAs(t, err, &fe)
			for _, w := range tc.wants {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

func TestConfigFilesMissingOrWrongFormat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := drifttest.LoadErr[servingConfig](t, nil, driftless.WithConfigFiles(configfile.JSON, filepath.Join(dir, "config.prod.json")))
	assert.ErrorIs(t, err, fs.ErrNotExist, "a file the user listed must exist")
	assert.Contains(t, err.Error(), "config.prod.json")

	p := writeFiles(t, map[string]string{"config.yaml": "model_name: x\n"})
	err = drifttest.LoadErr[servingConfig](t, nil, driftless.WithConfigFiles(configfile.JSON, p["config.yaml"]))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a YAML file given with the JSON format")
}

func TestConfigFilesBounded(t *testing.T) {
	t.Parallel()
	big := `{"model_name": "` + string(make([]byte, 2<<20)) + `"}`
	p := writeFiles(t, map[string]string{"c.json": big})
	err := drifttest.LoadErr[servingConfig](t, nil, driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "c.json")
}

func TestIgnoredConfigKeys(t *testing.T) {
	t.Parallel()
	p := writeFiles(t, map[string]string{"c.json": `{"model_name": "m", "metrics": {"port": 1}, "db": {"pool": {"size": 3}}}`})
	cfg := drifttest.Load[servingConfig](t, nil, driftless.WithConfigFiles(configfile.JSON, p["c.json"]),
		driftless.WithIgnoredConfigKeys("metrics", "DB.Pool"))
	assert.Equal(t, "m", cfg.ModelName)
}

func TestPrecedenceOption(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("prod/MODEL_NAME", "from-source")
	src := driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		return driver.Ref{Scheme: "mem", Name: "prod/" + key}, true
	})
	p := writeFiles(t, map[string]string{"c.json": `{"model_name": "from-file", "port": 7}`})
	opts := []driftless.Option{driftless.WithProvider("mem", mem), driftless.WithKeySource(src),
		driftless.WithConfigFiles(configfile.JSON, p["c.json"])}

	cfg := drifttest.Load[servingConfig](t, map[string]string{"MODEL_NAME": "from-env"}, opts...)
	assert.Equal(t, "from-env", cfg.ModelName, "default order: env first")
	cfg = drifttest.Load[servingConfig](t, nil, opts...)
	assert.Equal(t, "from-file", cfg.ModelName, "default order: config files above key sources")

	sourcesFirst := driftless.WithPrecedence(driftless.FromKeySources, driftless.FromFlags, driftless.FromEnv, driftless.FromEnvFiles, driftless.FromConfigFiles)
	cfg = drifttest.Load[servingConfig](t, map[string]string{"MODEL_NAME": "from-env"}, append(opts, sourcesFirst)...)
	assert.Equal(t, "from-source", cfg.ModelName, "key sources first")
	assert.Equal(t, 7, cfg.Port, "a key no source has falls to the file")

	filesFirst := driftless.WithPrecedence(driftless.FromConfigFiles, driftless.FromFlags, driftless.FromEnv, driftless.FromEnvFiles, driftless.FromKeySources)
	cfg = drifttest.Load[servingConfig](t, map[string]string{"MODEL_NAME": "from-env", "PORT": "8"}, append(opts, filesFirst)...)
	assert.Equal(t, "from-file", cfg.ModelName)
	assert.Equal(t, 7, cfg.Port)

	err := drifttest.LoadErr[servingConfig](t, nil, driftless.WithPrecedence(driftless.FromEnv, driftless.FromEnv))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "each of the five layers once")
}

func TestConfigFileShapeConflicts(t *testing.T) {
	t.Parallel()
	type C struct {
		Key   string `env:"TOKEN"`
		Token string `env:"KEY"`
	}
	p := writeFiles(t, map[string]string{"c.json": `{}`})
	err := drifttest.LoadErr[C](t, nil, driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	require.Error(t, err)
	assert.True(t, errors.Is(err, driftless.ErrBadTag))
	assert.Contains(t, err.Error(), "would name both")
	// Without config files the struct loads.
	drifttest.Load[C](t, map[string]string{"TOKEN": "a", "KEY": "b"})
}

func TestWriteConfigExampleLoadsAsIs(t *testing.T) {
	t.Parallel()
	type C struct {
		servingConfig
		APIKey driftless.Secret `env:"API_KEY" default:"literal-s3cr3t"`
		Token  driftless.Secret `env:"TOKEN" default:"mem://prod/token"`
		Sizes  []int            `env:"SIZES" default:"1,2,3"`
		Flags  map[string]bool  `env:"FLAGS" default:"a=true,b=false"`
	}
	var buf bytes.Buffer
	require.NoError(t, driftless.WriteConfigExample(&buf, &C{}, configfile.JSON))
	assert.NotContains(t, buf.String(), "s3cr3t", "a literal secret default is never written")
	assert.Contains(t, buf.String(), `"token": "mem://prod/token"`, "a reference default is")
	p := writeFiles(t, map[string]string{"example.json": buf.String()})
	mem := drifttest.NewProvider()
	mem.Set("prod/token", "t")
	fromFile := drifttest.Load[C](t, nil, driftless.WithConfigFiles(configfile.JSON, p["example.json"]), driftless.WithProvider("mem", mem))
	fromDefaults := drifttest.Load[C](t, nil, driftless.WithProvider("mem", mem))
	fromFile.APIKey, fromDefaults.APIKey = driftless.Secret{}, driftless.Secret{}
	assert.Equal(t, fromDefaults.Sizes, fromFile.Sizes)
	assert.Equal(t, fromDefaults.Flags, fromFile.Flags)
	assert.Equal(t, fromDefaults.ModelName, fromFile.ModelName)
	assert.Equal(t, fromDefaults.Timeout, fromFile.Timeout)
	assert.Equal(t, fromDefaults.DB.Host, fromFile.DB.Host)
	assert.Equal(t, fromDefaults.Batching, fromFile.Batching)

	// The nested schema names the same keys.
	var schema bytes.Buffer
	require.NoError(t, driftless.WriteNestedSchema(&schema, &C{}))
	var doc struct {
		Properties map[string]any `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(schema.Bytes(), &doc))
	var example map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &example))
	assert.ElementsMatch(t, slices.Collect(maps.Keys(doc.Properties)), slices.Collect(maps.Keys(example)))
}

func ExampleWriteConfigExample() {
	type Config struct {
		ModelName string           `env:"MODEL_NAME" default:"small" desc:"the model to serve"`
		Hosts     []string         `env:"HOSTS" default:"a,b"`
		Password  driftless.Secret `env:"DB_PASSWORD"`
		Batch     struct {
			Size int `env:"SIZE" default:"8"`
		} `prefix:"BATCH_"`
	}
	_ = driftless.WriteConfigExample(os.Stdout, Config{}, configfile.JSON)
	// Output:
	// {
	//   "model_name": "small",
	//   "hosts": [
	//     "a",
	//     "b"
	//   ],
	//   "db_password": null,
	//   "batch": {
	//     "size": 8
	//   }
	// }
}

func TestReadsIncludeConfigFileReferences(t *testing.T) {
	t.Parallel()
	p := writeFiles(t, map[string]string{"c.json": `{"db": {"password": "awssm://prod/db#password"}, "model_name": "m"}`})
	reads, err := driftless.Reads(t.Context(), &servingConfig{}, driftless.WithEnv(nil), driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	require.NoError(t, err)
	require.Len(t, reads, 1, "the policy of a service covers the references of its config files")
	assert.Equal(t, "awssm://prod/db", reads[0].Ref.String())
	assert.Equal(t, []string{"DB.Password"}, reads[0].Fields)
}

func FuzzConfigFileLoad(f *testing.F) {
	f.Add([]byte(baseJSON))
	f.Add([]byte(`{"hosts": {"a": [1, {"b": null}]}, "db": [], "limits": {"x": "y"}}`))
	f.Add([]byte(`{"CANARY": 1, "db": {"CANARY": "CANARY"}, "model_name": ["CANARY"]}`))
	f.Add([]byte(`{"routing": {"routes": "zz"}, "backoffs": [[]], "batching": {"batch_max_size": 1e99}}`))
	const canary = "Zq9-canary-Zq9"
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := bytes.ReplaceAll(data, []byte("CANARY"), []byte(canary))
		dir := t.TempDir()
		path := filepath.Join(dir, "c.json")
		require.NoError(t, os.WriteFile(path, doc, 0o600))
		var cfg servingConfig
		err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithConfigFiles(configfile.JSON, path),
			driftless.WithProvider("mem", drifttest.NewProvider()))
		if err != nil && !keyHolds(doc, canary) {
			require.NotContains(t, err.Error(), "canary", "an error never shows a value of the file (keys are names, and shown)")
		}
	})
}

// keyHolds reports whether a key of the JSON document doc contains s.
func keyHolds(doc []byte, s string) bool {
	n, err := configfile.JSON.Parse(doc)
	if err != nil {
		return false
	}
	var walk func(n *configfile.Node) bool
	walk = func(n *configfile.Node) bool {
		for _, m := range n.Members {
			if strings.Contains(m.Key, s) || walk(m.Value) {
				return true
			}
		}
		for _, it := range n.Items {
			if walk(it) {
				return true
			}
		}
		return false
	}
	return walk(n)
}

func TestLiteralSecretInConfigFileIsLogged(t *testing.T) {
	t.Parallel()
	p := writeFiles(t, map[string]string{"c.json": `{"db": {"password": "Zq9-literal-Zq9"}, "model_name": "m"}`})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h, err := driftless.NewHandle[servingConfig](t.Context(), driftless.WithEnv(nil), driftless.WithLogger(logger),
		driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	require.NoError(t, err)
	require.NoError(t, h.Refresh(t.Context()))
	assert.Equal(t, "Zq9-literal-Zq9", h.Current().DB.Password.Value(), "a literal still loads")
	assert.Equal(t, 1, strings.Count(logs.String(), "holds a secret's value"), "warned once, not at every refresh")
	assert.Contains(t, logs.String(), "DB.Password")
	assert.Contains(t, logs.String(), "c.json:1")
	assert.NotContains(t, logs.String(), "Zq9")
}

func TestConfigFilesEdgeCases(t *testing.T) {
	t.Parallel()
	type C struct {
		Name  string `env:"NAME" required:"true"`
		Cache *struct {
			TTL time.Duration `env:"TTL" default:"1m"`
		} `prefix:"CACHE_"`
		Other *struct {
			X int `env:"X" default:"1"`
		} `prefix:"OTHER_"`
	}
	p := writeFiles(t, map[string]string{"c.json": `{"name": "n", "cache": {"ttl": "5s"}}`})
	cfg := drifttest.Load[C](t, nil, driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	require.NotNil(t, cfg.Cache, "an optional group a config file sets exists")
	assert.Equal(t, 5*time.Second, cfg.Cache.TTL)
	assert.Nil(t, cfg.Other, "one it does not set stays nil")

	// The env prefix applies to the environment, not to config keys.
	cfg = drifttest.Load[C](t, map[string]string{"APP_NAME": "from-env"}, driftless.WithEnvPrefix("APP_"),
		driftless.WithConfigFiles(configfile.JSON, p["c.json"]))
	assert.Equal(t, "from-env", cfg.Name)
	assert.Equal(t, 5*time.Second, cfg.Cache.TTL)

	// null sets nothing: a required field stays missing.
	q := writeFiles(t, map[string]string{"c.json": `{"name": null}`})
	err := drifttest.LoadErr[C](t, nil, driftless.WithConfigFiles(configfile.JSON, q["c.json"]))
	assert.ErrorIs(t, err, driftless.ErrRequired)

	// WithKeepSet: a value the caller set is kept where no source sets it.
	var kept C
	kept.Name = "preset"
	require.NoError(t, driftless.Load(t.Context(), &kept, driftless.WithEnv(nil), driftless.WithKeepSet(),
		driftless.WithConfigFiles(configfile.JSON, q["c.json"])))
	assert.Equal(t, "preset", kept.Name)
}

func TestPresetDefaultsLayerUnderTheChain(t *testing.T) {
	t.Parallel()
	type C struct {
		ModelName string         `env:"MODEL_NAME" default:"tag-default"`
		Port      int            `env:"PORT" default:"80"`
		Routes    []string       `env:"ROUTES"`
		Timeout   time.Duration  `env:"TIMEOUT" default:"1s"`
		Limits    map[string]int `env:"LIMITS"`
	}
	p := writeFiles(t, map[string]string{"c.json": `{"routes": ["from-file"]}`})
	// What another library (viper, a test) filled in.
	cfg := C{ModelName: "from-caller", Port: 9000, Routes: []string{"from-caller"}, Limits: map[string]int{"a": 1}}
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(map[string]string{"PORT": "9100"}),
		driftless.WithConfigFiles(configfile.JSON, p["c.json"]), driftless.WithPresetDefaults())
	require.NoError(t, err)
	assert.Equal(t, "from-caller", cfg.ModelName, "no source sets it: the caller's value wins over the default tag")
	assert.Equal(t, 9100, cfg.Port, "a source that sets the key wins over the caller's value")
	assert.Equal(t, []string{"from-file"}, cfg.Routes, "a config file too")
	assert.Equal(t, time.Second, cfg.Timeout, "a field the caller left zero takes its default")
	assert.Equal(t, map[string]int{"a": 1}, cfg.Limits)
	sources := map[string]string{}
	for _, f := range rep.Fields {
		sources[f.Path] = f.Source
	}
	assert.Equal(t, "preset", sources["ModelName"])
	assert.Equal(t, "env", sources["Port"])
	assert.Equal(t, "default", sources["Timeout"])

	err = driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithKeepSet(), driftless.WithPresetDefaults())
	assert.ErrorContains(t, err, "not both")
	_, err = driftless.NewHandle[C](t.Context(), driftless.WithEnv(nil), driftless.WithPresetDefaults())
	assert.ErrorContains(t, err, "Load only")
}
