package driftlesstoml_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
	driftlesstoml "github.com/driftless/driftless/formats/toml"
)

func parse(t *testing.T, doc string) *configfile.Node {
	t.Helper()
	n, err := driftlesstoml.Format.Parse([]byte(doc))
	require.NoError(t, err)
	require.Equal(t, configfile.Map, n.Kind)
	return n
}

// member returns the value of the member key of the map n.
func member(t *testing.T, n *configfile.Node, key string) *configfile.Node {
	t.Helper()
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	require.Failf(t, "no member", "no member %q", key)
	return nil
}

func keys(n *configfile.Node) []string {
	var ks []string
	for _, m := range n.Members {
		ks = append(ks, m.Key)
	}
	return ks
}

func pos(line, col int) [2]int { return [2]int{line, col} }

func TestFormat(t *testing.T) {
	assert.Equal(t, "TOML", driftlesstoml.Format.Name())
	assert.Equal(t, []string{".toml"}, driftlesstoml.Format.Extensions())
}

func TestParsePositions(t *testing.T) {
	t.Parallel()
	doc := `# the service
model_name = "small"
hosts = [ "a",
  [1, 2], { x = 1 } ]

[db]
port = 5432
tls.on = true

[[replica]]
host = "r1"
`
	n := parse(t, doc)
	assert.Equal(t, []string{"model_name", "hosts", "db", "replica"}, keys(n))
	m := n.Members[0]
	assert.Equal(t, pos(2, 1), pos(m.Line, m.Column))
	assert.Equal(t, pos(2, 14), pos(m.Value.Line, m.Value.Column))
	hosts := n.Members[1].Value
	require.Equal(t, configfile.List, hosts.Kind)
	assert.Equal(t, pos(3, 9), pos(hosts.Line, hosts.Column))
	require.Len(t, hosts.Items, 3)
	assert.Equal(t, pos(3, 11), pos(hosts.Items[0].Line, hosts.Items[0].Column))
	assert.Equal(t, pos(4, 3), pos(hosts.Items[1].Line, hosts.Items[1].Column))
	assert.Equal(t, pos(4, 7), pos(hosts.Items[1].Items[1].Line, hosts.Items[1].Items[1].Column))
	assert.Equal(t, pos(4, 11), pos(hosts.Items[2].Line, hosts.Items[2].Column))
	x := hosts.Items[2].Members[0]
	assert.Equal(t, pos(4, 13), pos(x.Line, x.Column))
	assert.Equal(t, pos(4, 17), pos(x.Value.Line, x.Value.Column))
	db := n.Members[2]
	assert.Equal(t, pos(6, 2), pos(db.Line, db.Column))
	port := db.Value.Members[0]
	assert.Equal(t, pos(7, 1), pos(port.Line, port.Column))
	assert.Equal(t, pos(7, 8), pos(port.Value.Line, port.Value.Column))
	tls := db.Value.Members[1]
	assert.Equal(t, pos(8, 1), pos(tls.Line, tls.Column))
	on := tls.Value.Members[0]
	assert.Equal(t, pos(8, 5), pos(on.Line, on.Column))
	assert.Equal(t, pos(8, 10), pos(on.Value.Line, on.Value.Column))
	host := n.Members[3].Value.Items[0].Members[0]
	assert.Equal(t, pos(11, 1), pos(host.Line, host.Column))
	assert.JSONEq(t, `{"model_name":"small","hosts":["a",[1,2],{"x":1}],"db":{"port":5432,"tls":{"on":true}},"replica":[{"host":"r1"}]}`, string(configfile.ToJSON(n)))
}

func TestParseKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		kind  configfile.Kind
		text  string
	}{
		{`"abc"`, configfile.String, "abc"},
		{`"tab\there \u00e9"`, configfile.String, "tab\there é"},
		{`'C:\path'`, configfile.String, `C:\path`},
		{"\"\"\"\ntwo\nlines\"\"\"", configfile.String, "two\nlines"},
		{"'''\nraw \\n'''", configfile.String, `raw \n`},
		{`"true"`, configfile.String, "true"},
		{"12", configfile.Number, "12"},
		{"-7", configfile.Number, "-7"},
		{"+7", configfile.Number, "+7"},
		{"0x1F", configfile.Number, "0x1F"},
		{"0o17", configfile.Number, "0o17"},
		{"0b101", configfile.Number, "0b101"},
		{"1_000", configfile.Number, "1_000"},
		{"1.5e3", configfile.Number, "1.5e3"},
		{"inf", configfile.Number, "inf"},
		{"-inf", configfile.Number, "-inf"},
		{"nan", configfile.Number, "nan"},
		{"true", configfile.Bool, "true"},
		{"false", configfile.Bool, "false"},
		{"1979-05-27T07:32:00Z", configfile.String, "1979-05-27T07:32:00Z"},
		{"1979-05-27 07:32:00-07:00", configfile.String, "1979-05-27 07:32:00-07:00"},
		{"1979-05-27T00:32:00.999999", configfile.String, "1979-05-27T00:32:00.999999"},
		{"1979-05-27", configfile.String, "1979-05-27"},
		{"07:32:00", configfile.String, "07:32:00"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			n := parse(t, "v = "+tc.value+"\n")
			require.Len(t, n.Members, 1)
			v := n.Members[0].Value
			assert.Equal(t, tc.kind, v.Kind)
			assert.Equal(t, tc.text, v.Text)
		})
	}
}

func TestParseTables(t *testing.T) {
	t.Parallel()
	doc := `name = "svc"
a.b.c = 1
a.b.d = 2
"quoted key" = 3
site."google.com" = true

[db.primary]
host = "p"

[db]
user = "me"

[[servers]]
name = "alpha"
[servers.tls]
on = true

[[servers]]
name = "beta"

[inline]
point = { x = 1, y.z = 2 }
empty = {}
list = []
`
	n := parse(t, doc)
	assert.Equal(t, []string{"name", "a", "quoted key", "site", "db", "servers", "inline"}, keys(n))
	assert.JSONEq(t, `{
		"name": "svc",
		"a": {"b": {"c": 1, "d": 2}},
		"quoted key": 3,
		"site": {"google.com": true},
		"db": {"primary": {"host": "p"}, "user": "me"},
		"servers": [{"name": "alpha", "tls": {"on": true}}, {"name": "beta"}],
		"inline": {"point": {"x": 1, "y": {"z": 2}}, "empty": {}, "list": []}
	}`, string(configfile.ToJSON(n)))
	servers := member(t, n, "servers")
	require.Equal(t, configfile.List, servers.Kind)
	assert.Equal(t, 13, servers.Items[0].Line)
	assert.Equal(t, 18, servers.Items[1].Line)
}

func TestParseEmptyDocument(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "\n\n", "# only a comment\n"} {
		n := parse(t, doc)
		assert.Empty(t, n.Members, "%q", doc)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	deep := "a = " + strings.Repeat("[", configfile.MaxDepth+1) + strings.Repeat("]", configfile.MaxDepth+1) + "\n"
	deepKey := strings.TrimSuffix(strings.Repeat("k.", configfile.MaxDepth+1), ".") + " = 1\n"
	for _, tc := range []struct {
		name, doc string
		line, col int
		reason    string
	}{
		{"duplicate key", "a = 1\nb = 2\na = 3\n", 3, 1, "a key is defined twice"},
		{"duplicate quoted key", "a = 1\n\"a\" = 3\n", 2, 1, "a key is defined twice"},
		{"duplicate in an inline table", "t = {a = 1, a = 2}\n", 1, 1, "a key is defined twice"},
		{"table twice", "[a]\nx = 1\n[a]\ny = 2\n", 3, 2, "a table is defined twice"},
		{"table after dotted keys", "[a]\nb.c = 1\n[a.b]\n", 3, 2, "a table header names a table that dotted keys defined"},
		{"value then table", "a = 1\n[a]\n", 2, 2, "a key is used as a table but holds a value"},
		{"value then dotted key", "a = 1\na.b = 2\n", 2, 1, "a key is defined twice"},
		{"array of tables then table", "[[a]]\n[a]\n", 2, 2, "a table header names an array of tables"},
		{"array then array of tables", "a = [1]\n[[a]]\n", 2, 3, "an array of tables has the name of another key"},
		{"no equals", "a = 1\nb 2\n", 2, 3, "expected '=' after key"},
		{"two values", "a = 1 2\n", 1, 7, "expected the end of the line"},
		{"bad value", "a = $x\n", 1, 5, "unexpected character at the start of a value"},
		{"unquoted string", "a = hello\n", 1, 5, "unexpected character at the start of a value"},
		{"impossible date", "a = 2021-13-01\n", 1, 10, "impossible date"},
		{"too large", "a = 99999999999999999999\n", 1, 5, "decimal number is too large to fit in a 64-bit signed integer"},
		{"leading zero", "a = 012\n", 1, 5, "integers cannot have leading zeroes"},
		{"unterminated string", "a = 1\nb = \"x\n", 2, 7, "basic strings cannot have new lines"},
		{"bad escape", `a = "\q"` + "\n", 1, 6, "invalid escape character"},
		{"unclosed table", "[a\n", 1, 3, "expected ']' to close table name"},
		{"unclosed array", "a = [1, 2\n", 1, 10, "array is incomplete"},
		{"too deep", deep, 1, 5 + configfile.MaxDepth, "nested deeper than 64 levels"},
		{"too deep by dotted keys", deepKey, 1, 2*(configfile.MaxDepth+1) + 3, "nested deeper than 64 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := driftlesstoml.Format.Parse([]byte(tc.doc))
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.reason, se.Reason)
			assert.Equal(t, pos(tc.line, tc.col), pos(se.Line, se.Column))
		})
	}
}

// TestParseErrorsShowNoText puts a canary in every position that makes
// Parse fail, and checks that no error shows any 6 bytes of it.
func TestParseErrorsShowNoText(t *testing.T) {
	t.Parallel()
	const c = "Zq9xK7vR2mPw"
	for name, doc := range map[string]string{
		"duplicate key":            c + " = 1\n" + c + " = 2\n",
		"duplicate quoted key":     "\"" + c + "\" = 1\n'" + c + "' = 2\n",
		"duplicate dotted key":     "a." + c + " = 1\na." + c + " = 2\n",
		"table twice":              "[" + c + "]\n[" + c + "]\n",
		"table after dotted keys":  "[a]\n" + c + ".x = 1\n[a." + c + "]\n",
		"value then table":         c + " = 1\n[" + c + "]\n",
		"value then dotted key":    c + " = 1\n" + c + ".b = 2\n",
		"array of tables as table": "[[" + c + "]]\n[" + c + "]\n",
		"array as array of tables": c + " = [1]\n[[" + c + "]]\n",
		"inline table extended":    c + " = {a = 1}\n[" + c + ".b]\n",
		"unquoted string":          "a = " + c + "\n",
		"bare word key":            c + "\n",
		"no equals":                c + " " + c + "\n",
		"two values":               "a = 1 " + c + "\n",
		"bad key character":        "$" + c + " = 1\n",
		"bad value character":      "a = @" + c + "\n",
		"keyword":                  "a = t" + c + "\n",
		"number":                   "a = 1" + c + "\n",
		"float":                    "a = 1.5" + c + "\n",
		"inf":                      "a = i" + c + "\n",
		"bad escape":               "a = \"" + c + "\\q" + c + "\"\n",
		"bad unicode escape":       "a = \"\\u" + c + "\"\n",
		"unterminated string":      "a = \"" + c + "\n",
		"unterminated literal":     "a = '" + c + "\n",
		"unterminated multiline":   "a = \"\"\"" + c + "\n",
		"control character":        "a = \"" + c + "\x01" + c + "\"\n",
		"invalid UTF-8":            "a = \"" + c + "\xff" + c + "\"\n",
		"comment control":          "# " + c + "\x01" + c + "\n",
		"date":                     "a = 2021-13-01" + c + "\n",
		"datetime":                 "a = 2021-01-01T" + c + "\n",
		"unclosed table":           "[" + c + "\n",
		"unclosed array":           "a = [" + c + "\n",
		"unclosed inline table":    "a = {" + c + "\n",
		"array value":              "a = [1 " + c + "]\n",
		"deep":                     "a = " + strings.Repeat("[", 70) + "\"" + c + "\"" + strings.Repeat("]", 70) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := driftlesstoml.Format.Parse([]byte(doc))
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			msg := err.Error()
			for i := 0; i+6 <= len(c); i++ {
				if strings.Contains(msg, c[i:i+6]) {
					assert.Failf(t, "the error shows text of the document", "bytes %d to %d of the canary", i, i+6)
				}
			}
			assert.Positive(t, se.Line)
		})
	}
}

func ExampleFormat() {
	doc, err := driftlesstoml.Format.Parse([]byte("model_name = \"small\"\n\n[db]\nport = 5432\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(configfile.ToJSON(doc)))
	_, err = driftlesstoml.Format.Parse([]byte("[db]\npassword = hunter2\n"))
	fmt.Println(err)
	// Output:
	// {"model_name":"small","db":{"port":5432}}
	// line 2, column 12: unexpected character at the start of a value
}
