// Package driftlessyaml is the YAML format of config files for driftless
// (driftless.WithConfigFiles and driftless.WriteConfigExample):
//
//	h, err := driftless.NewHandle[Config](ctx,
//		driftless.WithConfigFiles(driftlessyaml.Format, "config.yaml", "config.prod.yaml"))
//
// It parses YAML 1.2 with go.yaml.in/yaml/v3 (the maintained fork of
// gopkg.in/yaml.v3) and gives driftless a configfile.Node tree with the
// line and column of every key and value.
//
// # What a document may hold
//
// One document (a second "---" document is an error) whose root is a
// mapping; an empty document, or one that holds only comments or null, is
// an empty map. Keys are scalars. Anchors, aliases and merge keys
// ("<<: *base", or a list of them: "<<: [*a, *b]", where an earlier map
// wins over a later one and the mapping's own keys win over all) are
// resolved. Standard tags (!!str, !!int, !!float, !!bool, !!null,
// !!timestamp, !!binary, !!map, !!seq) are honoured; any other tag is an
// error, so that a CloudFormation-style !Ref is not read as a plain
// string by mistake.
//
// A scalar's kind comes from its resolved tag: a string, a timestamp and
// binary data are configfile.String, an integer or a float is Number, a
// boolean Bool and null (~, null or nothing) Null. The text is kept as
// written ("0x1F", "1_000", "2001-12-14"; YAML's .inf, -.inf and .nan become
// "+Inf", "-Inf" and "NaN", as Go reads them): driftless decodes it
// into the field's type as it decodes an environment variable.
//
// A value reached through an alias has the line and column of the text it
// repeats (the anchored node); a member merged in has those of its key in
// the merged map.
//
// # Limits
//
// The tree Parse returns holds at most configfile.Budget(len(data)) nodes,
// every expansion of an alias counted, and nests at most
// configfile.MaxDepth levels. Parse measures the expansion before it
// builds anything, so that an alias bomb ("billion laughs") is refused in
// microseconds without allocating its expansion. A merged key that the
// mapping overrides counts too: the count is a bound, computed without
// comparing keys.
//
// # Errors
//
// A document that does not parse is a *configfile.SyntaxError with the
// line (yaml.v3 gives no column for a syntax error) and the kind of
// problem. The reason is one of yaml.v3's fixed messages ("mapping values
// are not allowed in this context", "did not find expected key"), or a
// message of this package; never text of the document, which may hold
// secrets: a message that could quote the document (an unknown anchor's
// name, a tag) is replaced by a fixed one, and any message not known to
// be fixed is "malformed YAML".
//
// Format is safe for concurrent use.
package driftlessyaml
