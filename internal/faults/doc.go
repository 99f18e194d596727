// Package faults is driftless's fault matrix and canary suite: tests only,
// in a module of their own so that no published module lists the SDKs and
// fakes they drive.
//
// Each test case is named after a row of RELIABILITY.md at the root of the
// repository, which lists what the case asserts and its last result. The
// cases inject failures through the fakes the providers export
// (drifttest.Provider, awssmtest, gcpsmtest, azkvtest, a kubelet-style
// volume for providers/files) and check what a service would see: the
// error Load returns, the snapshot a Handle keeps, the hooks it calls.
//
// The canary suite sends seven secret values (one plain, the others with
// quotes, backslashes, newlines and blanks, % verbs, non-ASCII letters,
// and JSON metacharacters) through every path that can print (errors and
// their Unwrap chains, slog audit lines, explain, reports, fmt verbs,
// JSON, panics, test failure messages, the CLI) and fails if the output
// holds a value as is, trimmed, %q-quoted, JSON-escaped, URL-escaped, in
// hex or base64, or any 8-byte run of one of those forms. A leak is always
// a failure, never a skip.
//
// The trust rows (trust_test.go, trust_cli_test.go) keep each case of the
// trust review as a regression test: reflection dumps, decode errors,
// reports of types holding a Secret, keyed file versions, unbounded files,
// panicking hooks, allow-lists, expansion bombs, exec --mask and check.
//
// Run it with "cd internal/faults && go test -race ./..." or "make test".
package faults
