package driftlesstoml_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
	driftlesstoml "github.com/driftless/driftless/formats/toml"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func str(text, comment string) *configfile.Node {
	return &configfile.Node{Kind: configfile.String, Text: text, Comment: comment}
}

func scalar(kind configfile.Kind, text string) *configfile.Node {
	return &configfile.Node{Kind: kind, Text: text}
}

func mapOf(comment string, members ...*configfile.Member) *configfile.Node {
	return &configfile.Node{Kind: configfile.Map, Comment: comment, Members: members}
}

// exampleDoc is a document such as driftless.WriteConfigExample builds,
// with the values that are hard to write. Its maps come after its other
// members at every level, as TOML writes them.
func exampleDoc() *configfile.Node {
	return &configfile.Node{Kind: configfile.Map, Comment: "Configuration of the inference service.", Members: []*configfile.Member{
		{Key: "model_name", Value: str("gpt-4-turbo", "model to serve")},
		{Key: "timeout", Value: str("30s", "how long a request may take\n(a Go duration)")},
		{Key: "hosts", Value: &configfile.Node{Kind: configfile.List, Comment: "hosts to call", Items: []*configfile.Node{str("a.example", ""), str("b.example", "")}}},
		{Key: "tls", Value: &configfile.Node{Kind: configfile.Bool, Text: "false", Comment: "turn TLS on"}},
		{Key: "key with spaces.and dots", Value: str("v", "an unusual key\n[injected]\nx = 1")},
		{Key: "quoted", Value: mapOf("strings that need escapes",
			&configfile.Member{Key: "quote", Value: str(`say "hi"`, "")},
			&configfile.Member{Key: "backslash", Value: str(`C:\path`, "")},
			&configfile.Member{Key: "lines", Value: str("two\nlines\r\n", "")},
			&configfile.Member{Key: "control", Value: str("bell\x07 del\x7f tab\t", "")},
			&configfile.Member{Key: "unicode", Value: str("héllo ✓", "")},
			&configfile.Member{Key: "empty", Value: str("", "")},
		)},
		{Key: "numbers", Value: mapOf("",
			&configfile.Member{Key: "port", Value: scalar(configfile.Number, "5432")},
			&configfile.Member{Key: "ratio", Value: scalar(configfile.Number, "0.25")},
			&configfile.Member{Key: "hex", Value: scalar(configfile.Number, "0x1F")},
			&configfile.Member{Key: "grouped", Value: scalar(configfile.Number, "1_000")},
			&configfile.Member{Key: "infinite", Value: scalar(configfile.Number, "inf")},
		)},
		{Key: "db", Value: mapOf("the database",
			&configfile.Member{Key: "host", Value: str("localhost", "")},
			&configfile.Member{Key: "replicas", Value: &configfile.Node{Kind: configfile.List, Items: []*configfile.Node{
				mapOf("", &configfile.Member{Key: "host", Value: str("r1", "")}, &configfile.Member{Key: "ports", Value: &configfile.Node{Kind: configfile.List, Items: []*configfile.Node{scalar(configfile.Number, "1")}}}),
			}}},
			&configfile.Member{Key: "tags", Value: &configfile.Node{Kind: configfile.List}},
			&configfile.Member{Key: "options", Value: mapOf("")},
			&configfile.Member{Key: "pool", Value: mapOf("the connection pool",
				&configfile.Member{Key: "size", Value: scalar(configfile.Number, "10")},
				&configfile.Member{Key: "a.b", Value: mapOf("", &configfile.Member{Key: "c", Value: str("deep", "")})},
			)},
		)},
	}}
}

// same asserts that got has the kinds, keys and texts of want.
func same(t *testing.T, want, got *configfile.Node, path string) {
	t.Helper()
	require.Equal(t, want.Kind, got.Kind, path)
	assert.Equal(t, want.Text, got.Text, path)
	require.Len(t, got.Members, len(want.Members), path)
	for i, m := range want.Members {
		assert.Equal(t, m.Key, got.Members[i].Key, path)
		same(t, m.Value, got.Members[i].Value, path+"."+m.Key)
	}
	require.Len(t, got.Items, len(want.Items), path)
	for i, it := range want.Items {
		same(t, it, got.Items[i], path+"[]")
	}
}

func TestWriteExampleRoundTrips(t *testing.T) {
	t.Parallel()
	doc := exampleDoc()
	var b bytes.Buffer
	require.NoError(t, driftlesstoml.Format.WriteExample(&b, doc))
	n, err := driftlesstoml.Format.Parse(b.Bytes())
	require.NoError(t, err, b.String())
	same(t, doc, n, "")
}

func TestWriteExampleComments(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, driftlesstoml.Format.WriteExample(&b, exampleDoc()))
	out := b.String()
	assert.True(t, strings.HasPrefix(out, "# Configuration of the inference service.\n\n"), out)
	assert.Contains(t, out, "# model to serve\nmodel_name = \"gpt-4-turbo\"\n")
	assert.Contains(t, out, "# how long a request may take\n# (a Go duration)\ntimeout = \"30s\"\n")
	assert.Contains(t, out, "# the database\n[db]\n")
	assert.Contains(t, out, "# the connection pool\n[db.pool]\n")
	assert.Contains(t, out, "[db.pool.\"a.b\"]\n")
	// A comment cannot end the comment: each of its lines is one.
	assert.Contains(t, out, "# an unusual key\n# [injected]\n# x = 1\n")
}

func TestWriteExampleNull(t *testing.T) {
	t.Parallel()
	doc := mapOf("", &configfile.Member{Key: "password", Value: &configfile.Node{Kind: configfile.Null, Comment: "set in config.prod.toml"}})
	var b bytes.Buffer
	require.NoError(t, driftlesstoml.Format.WriteExample(&b, doc))
	assert.Equal(t, "# set in config.prod.toml\n# password =\n", b.String())
	n, err := driftlesstoml.Format.Parse(b.Bytes())
	require.NoError(t, err)
	assert.Empty(t, n.Members)

	for _, bad := range []*configfile.Node{
		mapOf("", &configfile.Member{Key: "l", Value: &configfile.Node{Kind: configfile.List, Items: []*configfile.Node{{Kind: configfile.Null}}}}),
		mapOf("", &configfile.Member{Key: "l", Value: &configfile.Node{Kind: configfile.List, Items: []*configfile.Node{mapOf("", &configfile.Member{Key: "x", Value: &configfile.Node{Kind: configfile.Null}})}}}),
	} {
		b.Reset()
		assert.ErrorContains(t, driftlesstoml.Format.WriteExample(&b, bad), "TOML has no null")
		assert.Zero(t, b.Len(), "nothing is written on an error")
	}
}

func TestWriteExampleNotTOMLNumbers(t *testing.T) {
	t.Parallel()
	// A Number or a Bool whose text TOML cannot hold is written as a string:
	// driftless decodes it from the text all the same.
	doc := mapOf("",
		&configfile.Member{Key: "octal", Value: scalar(configfile.Number, "017")},
		&configfile.Member{Key: "yaml_inf", Value: scalar(configfile.Number, ".inf")},
		&configfile.Member{Key: "injection", Value: scalar(configfile.Number, "1\nx = 2")},
		&configfile.Member{Key: "comment", Value: scalar(configfile.Number, "1 # c")},
		&configfile.Member{Key: "yes", Value: scalar(configfile.Bool, "yes")},
		&configfile.Member{Key: "upper", Value: scalar(configfile.Bool, "TRUE")},
	)
	var b bytes.Buffer
	require.NoError(t, driftlesstoml.Format.WriteExample(&b, doc))
	n, err := driftlesstoml.Format.Parse(b.Bytes())
	require.NoError(t, err, b.String())
	assert.JSONEq(t, `{"octal":"017","yaml_inf":".inf","injection":"1\nx = 2","comment":"1 # c","yes":"yes","upper":true}`, string(configfile.ToJSON(n)))
}

func TestWriteExampleGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, driftlesstoml.Format.WriteExample(&b, exampleDoc()))
	golden := filepath.Join("testdata", "example.toml")
	if *update {
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to write the golden file")
	assert.Equal(t, string(want), b.String())
}

func TestWriteExampleRefuses(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	assert.Error(t, driftlesstoml.Format.WriteExample(&b, &configfile.Node{Kind: configfile.List}))
	deep := mapOf("")
	for range configfile.MaxDepth + 1 {
		deep = mapOf("", &configfile.Member{Key: "a", Value: deep})
	}
	assert.Error(t, driftlesstoml.Format.WriteExample(&b, deep))
	assert.Error(t, driftlesstoml.Format.WriteExample(&b, mapOf("", &configfile.Member{Key: "s", Value: str("\xff", "")})))
	assert.Zero(t, b.Len(), "nothing is written on an error")
}

func TestWriteExampleEmpty(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, driftlesstoml.Format.WriteExample(&b, mapOf("")))
	n, err := driftlesstoml.Format.Parse(b.Bytes())
	require.NoError(t, err)
	assert.Empty(t, n.Members)
}
