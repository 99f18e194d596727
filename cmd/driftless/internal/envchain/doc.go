// Package envchain merges .env files under the process environment, the way
// driftless.Load does, and remembers where each variable came from (the
// process environment, or a file and line) so that the CLI can name the
// source of every key without ever showing a value.
//
// Precedence: the process environment wins over every file; among files,
// the one listed first wins (as driftless.WithEnvFiles). Within one file
// the last occurrence of a key wins.
package envchain
