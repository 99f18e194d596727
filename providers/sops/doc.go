// Package sops is the driftless provider for SOPS-encrypted files
// (https://getsops.io) decrypted with age keys: a secrets.enc.yaml or
// secrets.enc.env that is safe to commit, because every value in it is
// encrypted, and that the service decrypts at startup (and on every
// refresh) with a key that is not in git.
//
// # References and key sources
//
// The provider serves sops:// references, with an absolute path and an
// optional key or JSON pointer:
//
//	sops:///etc/app/secrets.enc.yaml#openai_api_key
//	sops:///etc/app/secrets.enc.yaml#/db/password
//	sops:///etc/app/secrets.enc.env#OPENAI_API_KEY
//	sops:///etc/app/tls.key.enc                       (binary: the whole plaintext)
//	sops:///etc/app/secrets?format=dotenv#KEY        (a name that does not tell the format)
//
// The format is the one sops gives the file's name (.yaml/.yml, .json,
// .env, .ini, anything else binary) unless the format query parameter sets
// it. A YAML, JSON, dotenv or INI file is served as its decrypted document
// in JSON, so that "#key" picks a top-level member and "#/a/b" a nested
// one; a binary file is served as its plaintext, exactly.
//
// File makes a whole encrypted dotenv, YAML, JSON or INI file a key-value
// source: each field is read from the top-level member its env key names,
// and the file is decrypted once per load, whatever the number of fields:
//
//	p, err := sops.New(sops.WithAgeKeyFile("/run/secrets/age-key.txt"))
//	...
//	cfg, err := driftless.LoadAs[Config](ctx,
//		driftless.WithProvider(sops.Scheme, p),
//		driftless.WithKeySource(sops.File("secrets.enc.env")),
//	)
//
// # Keys
//
// A Provider decrypts with the age identities its options give, and no
// others: WithAgeIdentities (age.Identity values, from
// age.GenerateX25519Identity, age.ParseIdentities, an agessh key),
// WithAgeKeys (an age key file's content), WithAgeKeyFile (a key file,
// read at each fetch, so a mounted key can rotate), and
// WithSOPSEnvironment, which finds the keys the sops command would
// (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the user's sops/age/keys.txt) through
// the lookup function it is given, usually os.LookupEnv. New reads no
// environment variable and no file of its own accord. The file's data key
// is recovered from any age recipient of its key group (or from enough
// key groups, for a file split with Shamir's scheme); keys of other kinds
// (AWS KMS, GCP KMS, Azure Key Vault, Vault transit, PGP) in the file are
// left alone.
//
// # Integrity and versions
//
// Every fetch checks the file's MAC, as sops does: a file whose values
// were edited, removed, swapped or replaced with plaintext, or whose MAC or
// lastmodified was changed, fails with ErrTampered and nothing of it is
// served. Value.Version is a keyed hash of the encrypted file
// (HMAC-SHA256 under a random key of this process), never a digest of the
// plaintext; Value.Created is the file's sops lastmodified time.
//
// # Watching
//
// Provider implements driver.Watcher with the files provider's watch: a
// re-encrypted file (sops edit, a CI job, a kubelet ..data swap of a
// mounted Secret) reaches a Handle's config at once.
//
// # Errors
//
// Errors name the path (and the file's age recipients, which are public
// keys), never a value nor a key:
//
//	the file does not exist                          driftless.ErrNotFound
//	no identity decrypts it, a key file is missing   driftless.ErrPermission
//	MAC mismatch, a value does not decrypt           ErrTampered
//	not SOPS-encrypted, not its format, too large,
//	not a regular file, a relative path              driftless.ErrInvalidRef
//	used after Close                                 driver.ErrClosed
//	a done context                                   wraps ctx.Err()
//
// Only ErrNotFound lets a key source fall through to the next source: a
// file that exists but cannot be decrypted fails the load.
//
// # Concurrency
//
// A Provider is safe for concurrent use. Nothing runs in the background
// except inside Watch, which the Handle starts and stops; Close stops every
// Watch and waits for it.
//
// # The sops module
//
// Decryption uses the sops module's own stores and ciphers
// (github.com/getsops/sops/v3), so every file the sops command writes is
// read as it reads it. Importing that module brings its dependencies (the
// cloud KMS clients among them) into the build, and its audit package
// reads /etc/sops/audit.yaml when the program starts, as the sops command
// does; this provider never calls a key service.
package sops
