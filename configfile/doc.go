// Package configfile is the document model of config files (YAML, TOML,
// JSON) for driftless.WithConfigFiles: the tree of nodes a Format parses a
// file into, with the line and column of every value, and the Format
// interface a format implements.
//
// JSON is built in (standard library only). YAML and TOML are modules of
// their own, so that their parsers are pulled in only by the services
// that use them:
//
//	github.com/driftless/driftless/formats/yaml   (driftlessyaml.Format)
//	github.com/driftless/driftless/formats/toml   (driftlesstoml.Format)
//
// # The contract of a format
//
// A Format turns a document into a tree (Parse) and writes an example
// document (WriteExample). Parse never puts text of the document in an
// error: a *SyntaxError gives the line, the column and the kind of
// problem. Parse bounds what it builds (Budget, MaxDepth), so that a small
// file with a YAML alias bomb cannot exhaust memory. Keys are matched to
// fields by driftless, not by the format: a format gives every key as
// written, duplicates included, so that driftless can report them.
package configfile
