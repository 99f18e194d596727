// Package mask replaces secret values in a byte stream as it passes, for
// the output of a child process.
//
// A value split across two writes is still replaced: the Writer holds
// back, between writes, the shortest tail of the stream that could be the
// start of a value (never more than the longest value less one byte), and
// writes it out on Close. Bytes that cannot start a value are passed on at
// once, so a line-oriented log sees no delay.
//
// A Writer is safe for concurrent use; writes are serialized.
package mask
