// Package gitscan asks git where .env files are: tracked in the index,
// present in any commit of the history, or present in the work tree without
// being ignored. It runs the git command (which must be on PATH). It reads
// names, and file contents only through Blobs, for the caller to tell a
// SOPS-encrypted file from a plaintext one; it never prints them.
package gitscan
