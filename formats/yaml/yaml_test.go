package driftlessyaml_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
)

func parse(t *testing.T, doc string) *configfile.Node {
	t.Helper()
	n, err := driftlessyaml.Format.Parse([]byte(doc))
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
	assert.Equal(t, "YAML", driftlessyaml.Format.Name())
	assert.Equal(t, []string{".yaml", ".yml"}, driftlessyaml.Format.Extensions())
}

func TestParsePositions(t *testing.T) {
	t.Parallel()
	doc := "# the service\nmodel_name: small\ndb:\n  port: 5432\n  hosts:\n    - a\n    - \"b\"\n  tls: {on: true}\n"
	n := parse(t, doc)
	require.Len(t, n.Members, 2)
	m := n.Members[0]
	assert.Equal(t, "model_name", m.Key)
	assert.Equal(t, pos(2, 1), pos(m.Line, m.Column))
	assert.Equal(t, pos(2, 13), pos(m.Value.Line, m.Value.Column))
	db := n.Members[1]
	assert.Equal(t, pos(3, 1), pos(db.Line, db.Column))
	assert.Equal(t, pos(4, 3), pos(db.Value.Line, db.Value.Column))
	port := db.Value.Members[0]
	assert.Equal(t, pos(4, 3), pos(port.Line, port.Column))
	assert.Equal(t, pos(4, 9), pos(port.Value.Line, port.Value.Column))
	hosts := member(t, db.Value, "hosts")
	require.Equal(t, configfile.List, hosts.Kind)
	require.Len(t, hosts.Items, 2)
	assert.Equal(t, pos(6, 5), pos(hosts.Line, hosts.Column))
	assert.Equal(t, pos(7, 7), pos(hosts.Items[1].Line, hosts.Items[1].Column))
	assert.Equal(t, "b", hosts.Items[1].Text)
	tls := db.Value.Members[2]
	assert.Equal(t, pos(8, 3), pos(tls.Line, tls.Column))
	on := tls.Value.Members[0]
	assert.Equal(t, pos(8, 9), pos(on.Line, on.Column))
	assert.Equal(t, pos(8, 13), pos(on.Value.Line, on.Value.Column))
	assert.JSONEq(t, `{"model_name":"small","db":{"port":5432,"hosts":["a","b"],"tls":{"on":true}}}`, string(configfile.ToJSON(n)))
}

func TestParseKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		kind  configfile.Kind
		text  string
	}{
		{"abc", configfile.String, "abc"},
		{"'true'", configfile.String, "true"},
		{`"8080"`, configfile.String, "8080"},
		{"yes", configfile.String, "yes"}, // YAML 1.2: yes is a string
		{"2001-12-14", configfile.String, "2001-12-14"},
		{"2001-12-14T21:59:43.10-05:00", configfile.String, "2001-12-14T21:59:43.10-05:00"},
		{"!!str 12", configfile.String, "12"},
		{"!!binary aGVsbG8=", configfile.String, "aGVsbG8="},
		{"|\n  two\n  lines\n", configfile.String, "two\nlines\n"},
		{"12", configfile.Number, "12"},
		{"-7", configfile.Number, "-7"},
		{"0x1F", configfile.Number, "0x1F"},
		{"0o17", configfile.Number, "0o17"},
		{"1_000", configfile.Number, "1_000"},
		{"1.5e3", configfile.Number, "1.5e3"},
		{".inf", configfile.Number, "+Inf"}, // as strconv reads it
		{"-.Inf", configfile.Number, "-Inf"},
		{".NaN", configfile.Number, "NaN"},
		{"!!int '12'", configfile.Number, "12"},
		{"!!float 1", configfile.Number, "1"},
		{"true", configfile.Bool, "true"},
		{"False", configfile.Bool, "False"},
		{"~", configfile.Null, ""},
		{"null", configfile.Null, ""},
		{"", configfile.Null, ""},
		{"<<", configfile.String, "<<"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			n := parse(t, "v: "+tc.value+"\n")
			require.Len(t, n.Members, 1)
			v := n.Members[0].Value
			assert.Equal(t, tc.kind, v.Kind)
			assert.Equal(t, tc.text, v.Text)
		})
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	n := parse(t, "a: 1\n'quoted key': 2\n3: 3\ntrue: 4\n\"<<\": 5\na: 6\n")
	// Keys are given as written, duplicates included: driftless reports
	// them.
	assert.Equal(t, []string{"a", "quoted key", "3", "true", "<<", "a"}, keys(n))
}

func TestParseEmptyDocument(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "\n\n", "# only a comment\n", "---\n", "--- ~\n", "null\n", "---\n...\n"} {
		n, err := driftlessyaml.Format.Parse([]byte(doc))
		require.NoError(t, err, "%q", doc)
		assert.Equal(t, configfile.Map, n.Kind, "%q", doc)
		assert.Empty(t, n.Members, "%q", doc)
	}
	n := parse(t, "---\na: 1\n...\n")
	assert.Equal(t, []string{"a"}, keys(n))
}

func TestParseAliases(t *testing.T) {
	t.Parallel()
	doc := "hosts: &h\n  - a\n  - b\nmore: *h\nname: &n x\nalso: *n\n*n : key from an alias\n"
	n := parse(t, doc)
	more := member(t, n, "more")
	require.Equal(t, configfile.List, more.Kind)
	require.Len(t, more.Items, 2)
	// A value reached through an alias is located at the text it repeats.
	assert.Equal(t, pos(3, 5), pos(more.Items[1].Line, more.Items[1].Column))
	assert.Equal(t, "x", member(t, n, "also").Text)
	assert.Equal(t, "key from an alias", member(t, n, "x").Text)
	// An expansion is a copy, not the anchored node itself.
	assert.NotSame(t, member(t, n, "hosts"), more)
}

func TestParseMergeKeys(t *testing.T) {
	t.Parallel()
	doc := `base: &base
  host: localhost
  port: 5432
other: &other
  port: 1
  tls: true
db:
  name: app
  <<: [*base, *other]
  port: 6543
single:
  <<: *base
inline:
  <<: {x: 1}
  y: 2
nested: &nested
  <<: *base
  user: me
top:
  <<: *nested
quoted:
  "<<": not a merge
`
	n := parse(t, doc)
	db := member(t, n, "db")
	// The mapping's own keys win; an earlier merged map wins over a later
	// one; merged members take the place of the merge key.
	assert.Equal(t, []string{"name", "host", "tls", "port"}, keys(db))
	assert.Equal(t, "6543", member(t, db, "port").Text)
	host := db.Members[1]
	assert.Equal(t, pos(2, 3), pos(host.Line, host.Column), "a merged member is located at its key in the merged map")
	assert.Equal(t, []string{"host", "port"}, keys(member(t, n, "single")))
	assert.Equal(t, []string{"x", "y"}, keys(member(t, n, "inline")))
	assert.Equal(t, []string{"host", "port", "user"}, keys(member(t, n, "top")))
	assert.Equal(t, []string{"<<"}, keys(member(t, n, "quoted")))
	assert.JSONEq(t, `{"host":"localhost","port":5432,"user":"me"}`, string(configfile.ToJSON(member(t, n, "top"))))
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	deep := "a: " + strings.Repeat("[", configfile.MaxDepth+1) + strings.Repeat("]", configfile.MaxDepth+1) + "\n"
	// An anchored value 40 levels deep, repeated 40 levels deep: 80 levels.
	deepAlias := "a: &a " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\nb: " + strings.Repeat("[", 39) + "*a" + strings.Repeat("]", 39) + "\n"
	for _, tc := range []struct {
		name, doc string
		line, col int
		reason    string
	}{
		{"mapping values", "x: 1\na: b: c\n", 2, 0, "mapping values are not allowed in this context"},
		{"on the first line", "a: b: c\n", 1, 0, "mapping values are not allowed in this context"},
		{"no colon", "a: 1\nb\n", 2, 0, "could not find expected ':'"},
		{"tab", "a:\n\tb: 1\n", 2, 0, "found character that cannot start any token"},
		{"unclosed flow", "x: 1\ny: [1, 2\n", 2, 0, "did not find expected ',' or ']'"},
		{"parser error on line 1", "x: {a: 1", 1, 0, "did not find expected ',' or '}'"},
		{"block sequence", "x: 1\ny:\n  - a\n  b: 1\n", 3, 0, "did not find expected '-' indicator"},
		{"control character", "a: 1\nb: x\x01y\n", 2, 5, "control characters are not allowed"},
		{"invalid UTF-8", "a: 1\nb: \xe2\x82x\n", 2, 4, "invalid trailing UTF-8 octet"},
		{"two documents", "a: 1\n---\nb: 2\n", 2, 1, "more than one document in the file"},
		{"bad second document", "a: 1\n---\nb: c: d\n", 3, 0, "mapping values are not allowed in this context"},
		{"root list", "- a\n- b\n", 1, 1, "the document is a list, not a map"},
		{"root string", "hello\n", 1, 1, "the document is a string, not a map"},
		{"root number", "--- 12\n", 1, 5, "the document is a number, not a map"},
		{"map key", "? {a: 1}\n: x\n", 1, 3, "a key is a map, not a scalar"},
		{"list key", "k: 1\n[a]: x\n", 2, 1, "a key is a list, not a scalar"},
		{"unknown tag", "a: !Ref x\n", 1, 4, "unsupported tag on a scalar"},
		{"unknown collection tag", "a: !!set {x: null}\n", 1, 4, "unsupported tag on a mapping"},
		{"unknown anchor", "a: 1\nb: [x, *nope]\n", 2, 8, "an alias names an anchor that is not defined before it"},
		{"alias cycle", "a: &x [1, *x]\n", 1, 11, "an alias refers to a value that contains it"},
		{"merge cycle", "a: &x {b: 1, <<: *x}\n", 1, 4, "a merge key refers to the map that holds it"},
		{"merge of a scalar", "a:\n  <<: 1\n", 2, 7, "the value of a merge key (<<) is not a map or a list of maps"},
		{"merge of a list of scalars", "a:\n  <<: [{x: 1}, 2]\n", 2, 16, "the value of a merge key (<<) is not a map or a list of maps"},
		{"too deep", deep, 1, 3 + configfile.MaxDepth + 1, "nested deeper than 64 levels"},
		{"too deep through an alias", deepAlias, 2, 3 + 39 + 1, "nested deeper than 64 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := driftlessyaml.Format.Parse([]byte(tc.doc))
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.reason, se.Reason)
			assert.Equal(t, tc.line, se.Line, "line")
			if tc.col > 0 {
				assert.Equal(t, tc.col, se.Column, "column")
			}
		})
	}
}

// TestParseErrorsShowNoText puts a canary in every position that makes
// Parse fail, and checks that no error shows any 6 bytes of it.
func TestParseErrorsShowNoText(t *testing.T) {
	t.Parallel()
	const c = "Zq9xK7vR2mPw"
	for name, doc := range map[string]string{
		"value after mapping value": "a: b: " + c + "\n",
		"key of a bad mapping":      c + ": x: y\n",
		"no colon":                  "a: 1\n" + c + "\n",
		"unknown alias":             "a: *" + c + "\n",
		"unknown alias in a list":   "a: [*" + c + ", 1]\n",
		"unknown tag":               "a: !" + c + " x\n",
		"unknown secondary tag":     "a: !!" + c + " x\n",
		"tagged map":                "a: !" + c + " {x: 1}\n",
		"tag handle":                "a: !" + c + "!x y\n",
		"tag directive":             "%TAG !" + c + "\n---\na: 1\n",
		"yaml directive":            "%YAML " + c + "\n---\na: 1\n",
		"unknown directive":         "%" + c + " x\n---\na: 1\n",
		"bad escape":                "a: \"" + c + "\\q" + c + "\"\n",
		"bad unicode escape":        "a: \"\\u" + c + "\"\n",
		"unterminated single":       "a: '" + c + "\n",
		"unterminated double":       "a: \"" + c + "\n",
		"unclosed flow sequence":    "a: [" + c + "\n",
		"unclosed flow mapping":     "a: {" + c + "\n",
		"tab indent":                "a:\n\t" + c + ": 1\n",
		"block scalar indicator":    "a: |" + c + "\n  x\n",
		"root string":               c + "\n",
		"root list":                 "- " + c + "\n",
		"second document":           "a: 1\n---\nb: " + c + "\n",
		"bad second document":       "a: 1\n---\n" + c + ": b: c\n",
		"list key":                  "? [" + c + "]\n: x\n",
		"map key":                   "? {" + c + ": 1}\n: x\n",
		"alias cycle":               "a: &" + c + " [*" + c + "]\n",
		"merge of a scalar":         "a: {<<: " + c + "}\n",
		"control character":         "a: " + c + "\x01" + c + "\n",
		"invalid UTF-8":             "a: " + c + "\xff" + c + "\n",
		"anchor on a key and value": "a: &" + c + " &" + c + " x\n",
		"document indicator":        "a: '" + c + "\n---\n'\n",
		"deep":                      "a: " + strings.Repeat("[", 70) + c + strings.Repeat("]", 70) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := driftlessyaml.Format.Parse([]byte(doc))
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

func TestParseErrorMessages(t *testing.T) {
	t.Parallel()
	_, err := driftlessyaml.Format.Parse([]byte("a: 1\nb: c: d\n"))
	require.Error(t, err)
	assert.Equal(t, "line 2: mapping values are not allowed in this context", err.Error())
}

func ExampleFormat() {
	doc, err := driftlessyaml.Format.Parse([]byte("base: &base\n  host: localhost\ndb:\n  <<: *base\n  port: 5432\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(configfile.ToJSON(doc)))
	_, err = driftlessyaml.Format.Parse([]byte("db:\n  password: hunter2: x\n"))
	fmt.Println(err)
	// Output:
	// {"base":{"host":"localhost"},"db":{"host":"localhost","port":5432}}
	// line 2: mapping values are not allowed in this context
}
