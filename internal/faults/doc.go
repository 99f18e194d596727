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
// The canary suite sends one secret value through every path that can
// print (errors, slog audit lines, explain, reports, fmt verbs, JSON,
// panics, the CLI) and fails if the value, a 12-byte piece of it, or its
// hex or base64 form appears in the output.
//
// Run it with "cd internal/faults && go test -race ./..." or "make test".
package faults
