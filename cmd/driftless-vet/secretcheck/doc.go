// Package secretcheck defines an analyzer that finds secrets held or used
// where they can leak: a config field that looks secret but is a plain
// string, and a Secret's value passed to a print, log, error or panic.
//
// # Plain strings for secrets
//
// A struct field with an env tag (the driftless tag dialect: the tag holds
// only the key) is reported when its type is string, *string, []byte or a
// named string type without a String method, it has no secret tag, and:
//
//   - its key (with the prefix tags of the fields that hold its struct, when
//     the struct is declared in the same package) looks secret: PASSWORD,
//     PASSWD, PASSPHRASE or SECRET anywhere, a word PASS or PWD (but not the
//     key PWD alone, the shell's working directory), a last word TOKEN, or a
//     last word KEY or APIKEY, unless the word before KEY says what kind of
//     key it is and that kind is not secret (PUBLIC_KEY, CACHE_KEY,
//     PARTITION_KEY, SORT_KEY, KMS_KEY, ...);
//   - or its key says nothing either way and its field name looks secret by
//     the same rules (APIToken, DBPassword);
//   - or its default holds a password: user:pass@ in a URL or a DSN, or
//     password=... in a keyword DSN.
//
// A key whose last word names something about a secret rather than the
// secret itself (FILE, PATH, DIR, NAME, ID, ARN, URL, URI, ENDPOINT, HOST,
// REGION, MOUNT, VERSION, HEADER, TYPE, FORMAT, PREFIX, ALGORITHM) is not
// secret-looking: DB_PASSWORD_FILE, SECRET_NAME and ACCESS_KEY_ID are not
// reported. Use driftless.Secret for the field, or tag it secret:"true" to
// keep a plain string that driftless redacts; tag it secret:"false" when the
// value is deliberately not a secret.
//
// # Secret values in prints, logs, errors and panics
//
// The result of (driftless.Secret).Value or .Bytes, so also of
// Rotating.Current().Value(), and the value a Rotating.Match callback
// receives, is reported when it reaches, as an argument:
//
//   - fmt's Print, Sprint, Fprint and Append functions (each form) and
//     Errorf;
//   - anything in log or log/slog (functions, Logger methods, attributes
//     such as slog.String and slog.Any);
//   - errors.New;
//   - the Log, Error, Fatal and Skip methods of testing's T, B, F and TB;
//   - the builtins panic, print and println.
//
// The value is followed through local and package variables assigned
// from it (with =, := or +=, and range over it), conversions, string
// concatenation, slicing and indexing (a part of a secret is a leak),
// slice and map literals, and the functions of strings, bytes, strconv,
// unicode/utf8, encoding/hex, encoding/base32, encoding/base64 and net/url
// that return a string or bytes (quoted, escaped or trimmed is still the
// secret).
//
// Limits: the analysis is within a package and flow-insensitive: a
// variable that is ever assigned a secret value is tainted everywhere in
// its scope, and a secret passed to a function of the same program (which
// then logs it) is not followed. Struct fields are not followed. Writing a
// value deliberately (an env file, a child process's environment) goes
// through io.WriteString, Write or os.Setenv, which are not reported.
//
// The driftless-vet command runs this analyzer under go vet:
//
//	go install github.com/driftless/driftless/cmd/driftless-vet@latest
//	go vet -vettool=$(which driftless-vet) ./...
package secretcheck
