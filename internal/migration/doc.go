// Package migration checks MIGRATING.md: every line of its mapping tables
// loads the same environment through driftless and through the library it
// maps from (caarlos0/env, sethvargo/go-envconfig, joho/godotenv) and
// compares the results. It is a test-only module.
package migration
