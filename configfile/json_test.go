package configfile_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
)

func TestJSONPositions(t *testing.T) {
	doc := "{\n  \"model_name\": \"small\",\n  \"db\": {\n    \"port\": 5432,\n    \"hosts\": [\"a\", \"b\"],\n    \"tls\": true,\n    \"x\": null\n  }\n}\n"
	n, err := configfile.JSON.Parse([]byte(doc))
	require.NoError(t, err)
	require.Equal(t, configfile.Map, n.Kind)
	require.Len(t, n.Members, 2)
	m := n.Members[0]
	assert.Equal(t, "model_name", m.Key)
	assert.Equal(t, [2]int{2, 3}, [2]int{m.Line, m.Column})
	assert.Equal(t, configfile.String, m.Value.Kind)
	assert.Equal(t, "small", m.Value.Text)
	assert.Equal(t, [2]int{2, 17}, [2]int{m.Value.Line, m.Value.Column})
	db := n.Members[1].Value
	require.Equal(t, configfile.Map, db.Kind)
	port := db.Members[0].Value
	assert.Equal(t, configfile.Number, port.Kind)
	assert.Equal(t, "5432", port.Text)
	assert.Equal(t, 4, port.Line)
	hosts := db.Members[1].Value
	require.Equal(t, configfile.List, hosts.Kind)
	require.Len(t, hosts.Items, 2)
	assert.Equal(t, [2]int{5, 20}, [2]int{hosts.Items[1].Line, hosts.Items[1].Column})
	assert.Equal(t, configfile.Bool, db.Members[2].Value.Kind)
	assert.Equal(t, configfile.Null, db.Members[3].Value.Kind)
	assert.JSONEq(t, `{"model_name":"small","db":{"port":5432,"hosts":["a","b"],"tls":true,"x":null}}`, string(configfile.ToJSON(n)))
}

func TestJSONErrorsShowNoText(t *testing.T) {
	const canary = "s3cr3t-Canary"
	for name, doc := range map[string]string{
		"bad character":  "{\n \"a\": " + canary + "\n}",
		"unterminated":   "{\n \"a\": \"" + canary,
		"not an object":  "[\"" + canary + "\"]",
		"two values":     "{\"a\": 1}\n{\"b\": \"" + canary + "\"}",
		"trailing comma": "{\"a\": \"" + canary + "\",}",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := configfile.JSON.Parse([]byte(doc))
			require.Error(t, err)
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.NotContains(t, err.Error(), "s3cr3t")
			assert.NotContains(t, err.Error(), "'")
			assert.Positive(t, se.Line)
		})
	}
}

func TestJSONDepthBound(t *testing.T) {
	doc := strings.Repeat(`{"a":`, configfile.MaxDepth+5) + "1" + strings.Repeat("}", configfile.MaxDepth+5)
	_, err := configfile.JSON.Parse([]byte(doc))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested deeper")
}

func TestJSONWriteExampleRoundTrips(t *testing.T) {
	doc := &configfile.Node{Kind: configfile.Map, Members: []*configfile.Member{
		{Key: "model_name", Value: &configfile.Node{Kind: configfile.String, Text: "small", Comment: "the model"}},
		{Key: "db", Value: &configfile.Node{Kind: configfile.Map, Members: []*configfile.Member{
			{Key: "port", Value: &configfile.Node{Kind: configfile.Number, Text: "5432"}},
			{Key: "hosts", Value: &configfile.Node{Kind: configfile.List, Items: []*configfile.Node{{Kind: configfile.String, Text: "a"}}}},
		}}},
	}}
	var b bytes.Buffer
	require.NoError(t, configfile.JSON.WriteExample(&b, doc))
	n, err := configfile.JSON.Parse(b.Bytes())
	require.NoError(t, err)
	assert.JSONEq(t, string(configfile.ToJSON(doc)), string(configfile.ToJSON(n)))
}

func FuzzJSONParse(f *testing.F) {
	f.Add([]byte(`{"a": [1, {"b": null}], "c": "d"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := configfile.JSON.Parse(data)
		if err != nil {
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			return
		}
		require.Equal(t, configfile.Map, n.Kind)
	})
}
