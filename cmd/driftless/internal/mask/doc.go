// Package mask replaces secret values in a byte stream as it passes, for
// the output of a child process.
//
// # What is masked
//
// Patterns expands the values given: each value, each string member (at
// any depth) of a value that is a JSON object or array, and each line of
// any of these that spans several lines, together with the forms in which
// programs print them (Forms): JSON-escaped in the common dialects,
// base64 (standard and URL, padded and raw), hex (lower and upper case)
// and URL-encoded (query, path, and every reserved byte). Texts shorter
// than MinLen bytes, or only white space, are not masked: they would
// occur everywhere in the output and hide nothing.
//
// Every occurrence of a pattern is replaced by Replacement, matches chosen
// leftmost first, then longest, without overlap, by one Aho-Corasick
// automaton over all the patterns: each byte is scanned once, so the cost
// is linear in the output plus the number of matches, whatever the number
// of patterns.
//
// # Streaming
//
// A value split across writes is still replaced: the Writer holds back the
// shortest tail of the stream that could be the start of a pattern (never
// more than the longest pattern less one byte). Bytes that cannot start a
// pattern are passed on at once, so a line-oriented log sees no delay.
// Once the input has been quiet for the flush delay (DefaultFlushDelay),
// the held tail is written out too (a complete match masked), so that a
// prompt ending with the first bytes of a value is not held forever; the
// scan keeps its place, so when the rest of such a value arrives later it
// is masked, and only the bytes already written out were shown.
//
// # What cannot be masked
//
// Masking is by substring: other encodings (base32, gzip, a value base64
// encoded together with other text such as an HTTP Basic header,
// double-encoded forms), any transformation the child applies (a
// substring, reversed, upper-cased, split by other output), values shorter
// than MinLen, and a value whose writes are further apart in time than
// the flush delay (its first bytes go out) all reach the output.
//
// A Writer is safe for concurrent use; writes are serialized.
package mask
