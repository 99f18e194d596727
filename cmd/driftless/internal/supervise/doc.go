// Package supervise runs the child process of driftless exec: it forwards
// signals to it, restarts it gracefully (SIGTERM, a grace period, then
// SIGKILL) when its environment changes, and reports its exit status the
// way a shell does.
//
// # Concurrency
//
// Run blocks until the child has exited for good; it owns the child and
// the signal channel it is given.
package supervise
