package driftlessyaml_test

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
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func str(text, comment string) *configfile.Node {
	return &configfile.Node{Kind: configfile.String, Text: text, Comment: comment}
}

func scalar(kind configfile.Kind, text string) *configfile.Node {
	return &configfile.Node{Kind: kind, Text: text}
}

// exampleDoc is a document such as driftless.WriteConfigExample builds,
// with the values that are hard to write.
func exampleDoc() *configfile.Node {
	return &configfile.Node{Kind: configfile.Map, Comment: "Configuration of the inference service.", Members: []*configfile.Member{
		{Key: "model_name", Value: str("gpt-4-turbo", "model to serve")},
		{Key: "timeout", Value: str("30s", "how long a request may take\n(a Go duration)")},
		{Key: "hosts", Value: &configfile.Node{Kind: configfile.List, Comment: "hosts to call", Items: []*configfile.Node{str("a.example", ""), str("b.example", "the backup")}}},
		{Key: "quoted", Value: &configfile.Node{Kind: configfile.Map, Comment: "strings that YAML would read as something else", Members: []*configfile.Member{
			{Key: "bool", Value: str("true", "")},
			{Key: "number", Value: str("8080", "")},
			{Key: "null", Value: str("~", "")},
			{Key: "mapping", Value: str("a: b", "")},
			{Key: "comment", Value: str("# not a comment", "")},
			{Key: "empty", Value: str("", "")},
			{Key: "spaces", Value: str("  padded  ", "")},
			{Key: "lines", Value: str("two\nlines", "")},
			{Key: "alias", Value: str("*x", "")},
			{Key: "dash", Value: str("- item", "")},
		}}},
		{Key: "numbers", Value: &configfile.Node{Kind: configfile.Map, Members: []*configfile.Member{
			{Key: "port", Value: scalar(configfile.Number, "5432")},
			{Key: "ratio", Value: scalar(configfile.Number, "0.25")},
			{Key: "hex", Value: scalar(configfile.Number, "0x1F")},
			{Key: "grouped", Value: scalar(configfile.Number, "1_000")},
		}}},
		{Key: "tls", Value: &configfile.Node{Kind: configfile.Bool, Text: "false", Comment: "turn TLS on"}},
		{Key: "password", Value: &configfile.Node{Kind: configfile.Null, Comment: "set in config.prod.yaml"}},
		{Key: "db", Value: &configfile.Node{Kind: configfile.Map, Comment: "the database", Members: []*configfile.Member{
			{Key: "host", Value: str("localhost", "")},
			{Key: "replicas", Value: &configfile.Node{Kind: configfile.List, Items: []*configfile.Node{
				{Kind: configfile.Map, Members: []*configfile.Member{{Key: "host", Value: str("r1", "")}}},
			}}},
			{Key: "options", Value: &configfile.Node{Kind: configfile.Map}},
			{Key: "tags", Value: &configfile.Node{Kind: configfile.List}},
		}}},
		{Key: "key with spaces: and a colon", Value: str("v", "an unusual key\n---\ninjected: true")},
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
	require.NoError(t, driftlessyaml.Format.WriteExample(&b, doc))
	n, err := driftlessyaml.Format.Parse(b.Bytes())
	require.NoError(t, err, b.String())
	same(t, doc, n, "")
}

func TestWriteExampleComments(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, driftlessyaml.Format.WriteExample(&b, exampleDoc()))
	out := b.String()
	assert.True(t, strings.HasPrefix(out, "# Configuration of the inference service.\n"), out)
	assert.Contains(t, out, "# model to serve\nmodel_name: gpt-4-turbo\n")
	assert.Contains(t, out, "# how long a request may take\n# (a Go duration)\ntimeout: 30s\n")
	assert.Contains(t, out, "  # the backup\n  - b.example\n")
	// A comment cannot end the comment: each of its lines is one.
	assert.Contains(t, out, "# an unusual key\n# ---\n# injected: true\n")
}

func TestWriteExampleGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, driftlessyaml.Format.WriteExample(&b, exampleDoc()))
	golden := filepath.Join("testdata", "example.yaml")
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
	assert.Error(t, driftlessyaml.Format.WriteExample(&b, &configfile.Node{Kind: configfile.List}))
	deep := &configfile.Node{Kind: configfile.Map}
	for range configfile.MaxDepth + 1 {
		deep = &configfile.Node{Kind: configfile.Map, Members: []*configfile.Member{{Key: "a", Value: deep}}}
	}
	assert.Error(t, driftlessyaml.Format.WriteExample(&b, deep))
	assert.Zero(t, b.Len(), "nothing is written on an error")
}

func TestWriteExampleEmpty(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, driftlessyaml.Format.WriteExample(&b, &configfile.Node{Kind: configfile.Map}))
	n, err := driftlessyaml.Format.Parse(b.Bytes())
	require.NoError(t, err)
	assert.Empty(t, n.Members)
}
