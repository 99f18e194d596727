package driftless_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/envfile"
)

var updateSchema = flag.Bool("update", false, "rewrite the golden files under testdata/schema")

// color lists its values with Values: its schema has an enum.
type color string

func (color) Values() []string { return []string{"red", "green"} }

func (c *color) UnmarshalText(b []byte) error {
	switch string(b) {
	case "red", "green":
		*c = color(b)
		return nil
	}
	return fmt.Errorf("unknown color")
}

// opaque is a TextUnmarshaler with no value set.
type opaque struct{ s string }

func (o *opaque) UnmarshalText(b []byte) error { o.s = string(b); return nil }

// allTypes has a field of every supported type and every schema-relevant tag.
type allTypes struct {
	S     string             `env:"S" default:"x" desc:"a string"`
	B     bool               `env:"B" default:"true"`
	I     int                `env:"I" default:"8"`
	I8    int8               `env:"I8"`
	U16   uint16             `env:"U16" default:"7"`
	F     float64            `env:"F" default:"1.5"`
	C     complex128         `env:"C"`
	D     time.Duration      `env:"D" default:"1m30s"`
	T     time.Time          `env:"T"`
	URL   url.URL            `env:"URL"`
	IP    net.IP             `env:"IP" default:"127.0.0.1"`
	Bytes []byte             `env:"BYTES"`
	Ints  []int              `env:"INTS" sep:";" default:"1;2"`
	Arr   [2]int             `env:"ARR"`
	Map   map[string]int     `env:"MAP" kvsep:":" default:"a: 1, b:2"`
	PI    *int               `env:"PI"`
	Level slog.Level         `env:"LEVEL" default:"INFO"`
	Color color              `env:"COLOR" default:"red"`
	Op    opaque             `env:"OPAQUE"`
	Key   driftless.Secret   `env:"KEY" required:"true" desc:"API key"`
	Rot   driftless.Rotating `env:"ROT"`
	Lit   driftless.Secret   `env:"LIT" default:"hunter2-literal"`
	DSN   string             `env:"DSN" secret:"true" default:"postgres://u:pw@h/db"`
	Ref   string             `env:"REF_ONLY" ref:"true"`
	NoRef int                `env:"NO_REF" ref:"false"`
	Exp   int                `env:"EXP" expand:"true"`
	NE    string             `env:"NE" notempty:"true"`
	JSON  struct {
		A string `json:"a"`
	} `env:"JSON"`
	DB struct {
		Host     string           `env:"HOST" default:"localhost"`
		Port     uint             `env:"PORT" default:"5432"`
		Password driftless.Secret `env:"PASSWORD" default:"awssm://prod/db#password"`
	} `prefix:"DB_"`
	Cache *struct {
		TTL time.Duration `env:"TTL" required:"true"`
	} `prefix:"CACHE_"`
}

type schemaDoc struct {
	Properties           map[string]map[string]any `json:"properties"`
	AllOf                []any                     `json:"allOf"`
	Required             []string                  `json:"x-driftless-required"`
	AdditionalProperties any                       `json:"additionalProperties"`
	Schema               string                    `json:"$schema"`
	Type                 string                    `json:"type"`
}

func writeSchema(t *testing.T, cfg any) (string, schemaDoc) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, driftless.WriteSchema(&buf, cfg))
	var doc schemaDoc
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc), "the schema is valid JSON")
	return buf.String(), doc
}

// valueBranch returns the part of a property's schema that checks the
// value, and whether a reference is also accepted.
func valueBranch(t *testing.T, prop map[string]any) (map[string]any, bool) {
	t.Helper()
	alts, ok := prop["anyOf"].([]any)
	if !ok {
		return prop, false
	}
	require.Len(t, alts, 2)
	return alts[0].(map[string]any), true
}

func TestWriteSchemaGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  any
	}{
		{"all", allTypes{}},
		{"example", &schemaExample{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range []struct {
				suffix string
				write  func(*bytes.Buffer, any) error
			}{
				{".env.json", func(b *bytes.Buffer, c any) error { return driftless.WriteSchema(b, c) }},
				{".nested.json", func(b *bytes.Buffer, c any) error { return driftless.WriteNestedSchema(b, c) }},
			} {
				var buf bytes.Buffer
				require.NoError(t, w.write(&buf, tc.cfg))
				assert.True(t, json.Valid(buf.Bytes()))
				golden := filepath.Join("testdata", "schema", tc.name+w.suffix)
				if *updateSchema {
					require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
					require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err, "run go test -run TestWriteSchemaGolden -update")
				assert.Equal(t, string(want), buf.String(), golden)
				// Deterministic: a second run writes the same bytes.
				var again bytes.Buffer
				require.NoError(t, w.write(&again, tc.cfg))
				assert.Equal(t, buf.String(), again.String())
			}
		})
	}
}

func TestWriteSchemaStructure(t *testing.T) {
	out, doc := writeSchema(t, &allTypes{})
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc.Schema)
	assert.Equal(t, "object", doc.Type)
	assert.Equal(t, true, doc.AdditionalProperties, "the environment holds other keys")
	assert.Equal(t, []string{"KEY", "CACHE_TTL"}, doc.Required)
	assert.Len(t, doc.AllOf, 2)
	assert.Contains(t, out, `"KEY_FILE"`, "a required key may be given as KEY_FILE")

	for _, tc := range []struct {
		key     string
		goType  string
		pattern bool   // a pattern checks the value
		format  string // the value's format
		ref     bool   // a reference is accepted beside the value
	}{
		{key: "S", goType: "string"},
		{key: "B", goType: "bool", pattern: true, ref: true},
		{key: "I", goType: "int", pattern: true, ref: true},
		{key: "I8", goType: "int8", pattern: true, ref: true},
		{key: "U16", goType: "uint16", pattern: true, ref: true},
		{key: "F", goType: "float64", pattern: true, ref: true},
		{key: "C", goType: "complex128"},
		{key: "D", goType: "time.Duration", pattern: true, ref: true},
		{key: "T", goType: "time.Time", format: "date-time", ref: true},
		{key: "URL", goType: "url.URL", format: "uri-reference", ref: true},
		{key: "IP", goType: "net.IP", pattern: true, ref: true},
		{key: "BYTES", goType: "[]uint8", pattern: true, ref: true},
		{key: "INTS", goType: "[]int"},
		{key: "ARR", goType: "[2]int"},
		{key: "MAP", goType: "map[string]int"},
		{key: "PI", goType: "*int", pattern: true, ref: true},
		{key: "LEVEL", goType: "slog.Level"},
		{key: "COLOR", goType: "driftless_test.color", ref: true},
		{key: "OPAQUE", goType: "driftless_test.opaque"},
		{key: "KEY", goType: "driftless.Secret"},
		{key: "ROT", goType: "driftless.Rotating"},
		{key: "REF_ONLY", goType: "string", pattern: true},
		{key: "NO_REF", goType: "int", pattern: true},
		{key: "EXP", goType: "int"},
		{key: "JSON", goType: "struct { A string \"json:\\\"a\\\"\" }"},
		{key: "DB_PORT", goType: "uint", pattern: true, ref: true},
		{key: "CACHE_TTL", goType: "time.Duration", pattern: true, ref: true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			prop, ok := doc.Properties[tc.key]
			require.True(t, ok)
			assert.Equal(t, "string", prop["type"], "every env value is a string")
			assert.Equal(t, tc.goType, prop["x-driftless-type"])
			v, ref := valueBranch(t, prop)
			assert.Equal(t, tc.ref, ref, "a reference alternative")
			assert.Equal(t, tc.pattern, v["pattern"] != nil, "pattern")
			if tc.pattern {
				_, err := regexp.Compile(v["pattern"].(string))
				assert.NoError(t, err)
			}
			if tc.format != "" {
				assert.Equal(t, tc.format, v["format"])
			}
		})
	}

	assert.Equal(t, []any{"red", "green"}, doc.Properties["COLOR"]["anyOf"].([]any)[0].(map[string]any)["enum"], "Values() gives an enum")
	assert.Equal(t, []any{"DEBUG", "INFO", "WARN", "ERROR"}, doc.Properties["LEVEL"]["examples"], "a Stringer gives examples")
	assert.Nil(t, doc.Properties["LEVEL"]["enum"], "slog.Level accepts more than its names")
	assert.Equal(t, ";", doc.Properties["INTS"]["x-driftless-sep"])
	assert.Equal(t, ":", doc.Properties["MAP"]["x-driftless-kvsep"])
	assert.Equal(t, "application/json", doc.Properties["JSON"]["contentMediaType"])
	assert.Equal(t, "base64", doc.Properties["BYTES"]["anyOf"].([]any)[0].(map[string]any)["contentEncoding"])
	assert.Equal(t, "a string", doc.Properties["S"]["description"])
	assert.Equal(t, "DB.Password", doc.Properties["DB_PASSWORD"]["x-driftless-path"])
	assert.EqualValues(t, 1, doc.Properties["NE"]["minLength"])

	// Secrets: marked, and never a literal default.
	for _, key := range []string{"KEY", "ROT", "LIT", "DSN", "DB_PASSWORD"} {
		assert.Equal(t, true, doc.Properties[key]["x-driftless-secret"], key)
		assert.Equal(t, true, doc.Properties[key]["writeOnly"], key)
	}
	assert.Nil(t, doc.Properties["LIT"]["default"])
	assert.Nil(t, doc.Properties["DSN"]["default"], "a DSN may hold a password")
	assert.Equal(t, "awssm://prod/db#password", doc.Properties["DB_PASSWORD"]["default"])
	assert.NotContains(t, out, "hunter2")
	assert.NotContains(t, out, "u:pw@")
	assert.Nil(t, doc.Properties["S"]["x-driftless-secret"])
}

// TestWriteSchemaPatterns checks that no pattern refuses a value that Load
// decodes and that, but for the loose hints of IP addresses and base64,
// each refuses the values Load refuses.
func TestWriteSchemaPatterns(t *testing.T) {
	type cfg struct {
		B     bool          `env:"B" ref:"false"`
		I     int64         `env:"I" ref:"false"`
		U     uint32        `env:"U" ref:"false"`
		F     float64       `env:"F" ref:"false"`
		D     time.Duration `env:"D" ref:"false"`
		IP    net.IP        `env:"IP" ref:"false"`
		Bytes []byte        `env:"BYTES" ref:"false"`
		Ref   string        `env:"REF" ref:"true"`
	}
	_, doc := writeSchema(t, cfg{})
	samples := []string{"", " ", "0", "00", "-0", "+0", "1", "-1", "+1", "42", " 42 ", "0x1F", "0b101", "0o17", "1_000",
		"1.5", ".5", "1e3", "-2.5E-3", "inf", "-Inf", "NaN", "0x1p4",
		"true", "false", "TRUE", "True", "t", "F", "yes", "No", "ON", "off", "y", "N", "tRuE", "maybe",
		"30s", "1h30m", "1.5h", "-2m", "300ms", "1µs", "2us", "10ns", "1d", "5", "s",
		"127.0.0.1", "::1", "2001:db8::1", "fe80::1%eth0", "1.2.3", "host",
		"aGVsbG8=", "aGVsbG8", "aGV-_w", "a b", "!!",
		"awssm://x", "mem://p#k", "x", "1x://", "http:/x"}
	for _, key := range []string{"B", "I", "U", "F", "D", "IP", "BYTES", "REF"} {
		pattern := doc.Properties[key]["pattern"]
		require.NotNil(t, pattern, key)
		re := regexp.MustCompile(pattern.(string))
		for _, s := range samples {
			err := driftless.Load(context.Background(), &cfg{}, driftless.WithEnv(map[string]string{key: s}))
			if err == nil && s != "" || key == "REF" && driver.Scheme(s) != "" {
				assert.True(t, re.MatchString(s), "%s: Load takes %q, the pattern refuses it", key, s)
			}
			if err != nil && key != "REF" && key != "IP" && key != "BYTES" {
				assert.False(t, re.MatchString(s), "%s: Load refuses %q, the pattern takes it", key, s)
			}
		}
	}
}

// schemaExample is several of the shapes a service has.
type schemaExample struct {
	Name    string            `env:"NAME" default:"svc" desc:"service name"`
	Port    int               `env:"PORT" default:"8080"`
	Debug   bool              `env:"DEBUG"`
	Tags    []string          `env:"TAGS" default:"a,b"`
	APIKey  driftless.Secret  `env:"API_KEY" required:"true" desc:"the key"`
	Token   string            `env:"TOKEN" secret:"true" default:"literal-token"`
	Limits  map[string]int    `env:"LIMITS" default:"a=1"`
	Level   slog.Level        `env:"LOG_LEVEL" default:"WARN"`
	Remote  driftless.Secret  `env:"REMOTE" default:"vault://kv/app#remote"`
	Headers map[string]string `env:"HEADERS"`
	Store   struct {
		URL  string `env:"URL" required:"true"`
		Pool int    `env:"POOL" default:"4" desc:"pool size"`
	} `prefix:"STORE_"`
}

// TestWriteSchemaAgreesWithExample checks that WriteSchema and
// WriteExample give the same keys, defaults, and required and secret
// markers.
func TestWriteSchemaAgreesWithExample(t *testing.T) {
	for _, cfg := range []any{allTypes{}, schemaExample{}, exampleConfig{}, struct {
		A string `env:"A" required:"true"`
		B string `env:"B" default:"b" secret:"true"`
	}{}} {
		t.Run(reflect.TypeOf(cfg).String(), func(t *testing.T) {
			var ex bytes.Buffer
			require.NoError(t, driftless.WriteExample(&ex, cfg))
			f, err := envfile.Parse(&ex, ".env.example")
			require.NoError(t, err)
			_, doc := writeSchema(t, cfg)

			var keys, required []string
			for _, e := range f.All() {
				keys = append(keys, e.Key)
				prop, ok := doc.Properties[e.Key]
				if !assert.True(t, ok, "%s is in the schema", e.Key) {
					continue
				}
				secret := prop["x-driftless-secret"] == true
				assert.Equal(t, e.Secret(), secret, "%s secret", e.Key)
				if e.Required() {
					required = append(required, e.Key)
				}
				def, hasDef := prop["default"].(string)
				switch {
				case secret:
					assert.Empty(t, e.Value, "%s: the example leaves a secret empty", e.Key)
					if hasDef {
						assert.Regexp(t, `^(awssm|vault|mem)://`, def, "%s: a secret shows only a reference default", e.Key)
					}
				case hasDef:
					assert.Equal(t, e.Value, def, "%s default", e.Key)
				default:
					assert.Empty(t, e.Value, "%s has no default", e.Key)
				}
			}
			assert.ElementsMatch(t, keys, slices.Collect(maps.Keys(doc.Properties)), "the same keys")
			assert.Equal(t, required, doc.Required, "the same required keys")
		})
	}
}

func TestWriteNestedSchema(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, driftless.WriteNestedSchema(&buf, &allTypes{}))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	props := doc["properties"].(map[string]any)
	assert.Equal(t, false, doc["additionalProperties"], "a misspelt field is an error")
	prop := func(path ...string) map[string]any {
		p := props
		for _, name := range path[:len(path)-1] {
			p = p[name].(map[string]any)["properties"].(map[string]any)
		}
		return p[path[len(path)-1]].(map[string]any)
	}
	value := func(path ...string) map[string]any {
		p := prop(path...)
		if alts, ok := p["anyOf"].([]any); ok {
			return alts[0].(map[string]any)
		}
		return p
	}
	assert.Equal(t, "boolean", value("b")["type"])
	assert.Equal(t, true, prop("b")["default"])
	assert.Equal(t, "integer", value("i")["type"])
	assert.EqualValues(t, 8, prop("i")["default"])
	assert.Equal(t, "number", value("f")["type"])
	assert.Equal(t, 1.5, prop("f")["default"])
	assert.Equal(t, "string", value("d")["type"])
	assert.NotNil(t, value("d")["pattern"])
	assert.Equal(t, "array", value("ints")["type"])
	assert.Equal(t, map[string]any{"type": "integer"}, value("ints")["items"])
	assert.Equal(t, []any{1.0, 2.0}, prop("ints")["default"], "split with the sep tag")
	assert.EqualValues(t, 2, value("arr")["maxItems"])
	assert.Equal(t, "object", value("map")["type"])
	assert.Equal(t, map[string]any{"a": 1.0, "b": 2.0}, prop("map")["default"], "split with the sep and kvsep tags")
	assert.Equal(t, "awssm://prod/db#password", prop("db", "password")["default"])
	assert.Equal(t, map[string]any{"type": "integer"}, value("map")["additionalProperties"])
	assert.Equal(t, "object", value("json")["type"])
	assert.Equal(t, []any{"red", "green"}, value("color")["enum"])
	assert.Equal(t, "integer", value("db", "port")["type"])
	assert.EqualValues(t, 0, value("db", "port")["minimum"])
	assert.Equal(t, "object", prop("db")["type"])
	assert.Equal(t, []any{"ttl"}, prop("cache")["x-driftless-required"])
	assert.Equal(t, []any{"key"}, doc["x-driftless-required"])
	assert.Nil(t, doc["required"], "a file is one source among several")
	assert.Equal(t, true, prop("db", "password")["x-driftless-secret"])
	assert.NotContains(t, buf.String(), "hunter2")
}

func TestWriteSchemaErrors(t *testing.T) {
	type bad struct {
		A string `env:"A" required:"true" default:"x"`
	}
	var buf bytes.Buffer
	err := driftless.WriteSchema(&buf, bad{})
	assert.ErrorIs(t, err, driftless.ErrBadTag, "a bad tag fails as in Load")
	assert.Zero(t, buf.Len(), "nothing written")
	loadErr := driftless.Load(context.Background(), &bad{}, driftless.WithEnv(nil))
	require.Error(t, loadErr)
	assert.Contains(t, loadErr.Error(), err.Error(), "the same tag error as Load")
	assert.ErrorIs(t, driftless.WriteNestedSchema(&buf, bad{}), driftless.ErrBadTag)
	assert.ErrorContains(t, driftless.WriteSchema(&buf, 3), "needs a struct")
	assert.ErrorContains(t, driftless.WriteNestedSchema(&buf, nil), "needs a struct")
}

func ExampleWriteSchema() {
	type Config struct {
		Port   int              `env:"PORT" default:"8080" ref:"false" desc:"listen port"`
		APIKey driftless.Secret `env:"API_KEY" default:"awssm://prod/api#key"`
	}
	_ = driftless.WriteSchema(os.Stdout, Config{})
	// Output:
	// {
	//   "$schema": "https://json-schema.org/draft/2020-12/schema",
	//   "additionalProperties": true,
	//   "description": "The environment of driftless_test.Config: env keys, every value a string. A key may instead be given as KEY_FILE, the path of a file holding the value.",
	//   "properties": {
	//     "API_KEY": {
	//       "default": "awssm://prod/api#key",
	//       "type": "string",
	//       "writeOnly": true,
	//       "x-driftless-path": "APIKey",
	//       "x-driftless-secret": true,
	//       "x-driftless-type": "driftless.Secret"
	//     },
	//     "PORT": {
	//       "default": "8080",
	//       "description": "listen port",
	//       "pattern": "^\\s*[-+]?(?:0[xX][0-9A-Fa-f_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\\s*$",
	//       "type": "string",
	//       "x-driftless-path": "Port",
	//       "x-driftless-type": "int"
	//     }
	//   },
	//   "title": "driftless_test.Config",
	//   "type": "object"
	// }
}
