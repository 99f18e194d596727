package driftless

// Well-known schemes. A value is treated as a reference only when its scheme
// is one of these or one registered with a provider, so ordinary URLs
// (https://, postgres://) are never mistaken for references. The grammar
// of each belongs to its provider (driver.RefChecker).
var knownSchemes = map[string]bool{"awssm": true, "gcpsm": true, "azkv": true, "vault": true, "file": true}
