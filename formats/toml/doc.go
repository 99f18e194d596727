// Package driftlesstoml is the TOML format of config files for driftless
// (driftless.WithConfigFiles and driftless.WriteConfigExample):
//
//	h, err := driftless.NewHandle[Config](ctx,
//		driftless.WithConfigFiles(driftlesstoml.Format, "config.toml", "config.prod.toml"))
//
// It parses TOML (1.0, and the 1.1 additions that go-toml accepts, such as
// inline tables over several lines) with github.com/pelletier/go-toml/v2
// and gives driftless a configfile.Node tree with the line and column of
// every key and value.
//
// # What a document may hold
//
// Everything TOML has: tables ([db], [db.replica]), arrays of tables
// ([[hosts]]: a list of maps), inline tables, dotted keys (a.b.c = 1 is
// the map a holding the map b holding c), arrays, and every form of
// string (basic, literal, multi-line), integer, float, boolean and date.
// A key or a table defined twice is an error, as TOML requires.
//
// A string is configfile.String with its value (escapes resolved); an
// integer or a float is Number and a boolean Bool, each with its text as
// written ("0x1F", "1_000", "inf"); a date, a time or a date-time is
// String with its text as written ("1979-05-27T07:32:00Z"): driftless
// decodes it into the field's type. Columns count bytes.
//
// # Limits
//
// The tree Parse returns holds at most configfile.Budget(len(data)) nodes
// (TOML has no aliases: a document is always within it) and nests at most
// configfile.MaxDepth levels, counting tables, dotted keys, arrays and
// inline tables alike.
//
// # Errors
//
// A document that does not parse is a *configfile.SyntaxError with the
// line, the column and the kind of problem. The reason is one of
// go-toml's fixed messages ("expected '=' after key", "impossible date"),
// or a fixed reason that replaces a message of go-toml that quotes the
// document ("a key is defined twice" for go-toml's message naming the
// key); never text of the document, which may hold secrets. A message not
// known to be fixed is "malformed TOML".
//
// Format is safe for concurrent use.
package driftlesstoml
