// Package gitscan asks git where .env files are: tracked in the index,
// present in any commit of the history, or present in the work tree without
// being ignored. It runs the git command (which must be on PATH) and reads
// only names, never file contents.
package gitscan
