// Package driftlesspflag binds the fields of a driftless config struct to
// github.com/spf13/pflag flags (the flags of cobra commands), as
// driftless.BindFlags does for the standard flag package.
//
//	type Config struct {
//		ModelName string           `env:"MODEL_NAME" default:"small" desc:"the model to serve"` // --model-name
//		Port      int              `env:"PORT" flag:"listen-port"`                               // --listen-port
//		Token     driftless.Secret `env:"TOKEN" flag:"-"`                                       // no flag
//	}
//
//	var cfg Config
//	if err := driftlesspflag.Bind(cmd.Flags(), &cfg); err != nil { ... }
//	// in RunE, once cobra parsed the flags:
//	err := driftless.Load(ctx, &cfg, driftlesspflag.Option(cmd.Flags()))
//
// A flag set on the command line wins over every other source (flags >
// env > .env files > key-value sources > default); a flag not set falls
// through. Explain names it "flag --model-name".
//
// # Errors
//
// Bind returns driftless's *LoadError of *TagError values for a bad tag or
// a flag name of two fields, and an error when the flag set already has a
// flag of one of the names; it then defines nothing.
//
// # Secrets
//
// A secret given as a flag value is visible in the process list: give a
// reference (--db-password=awssm://prod/db#password) or set NAME_FILE.
package driftlesspflag
