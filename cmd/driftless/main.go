package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Exit codes shared by the commands (exec returns the command's own code
// once it runs).
const (
	exitOK       = 0 // clean, same, or the command succeeded
	exitFindings = 1 // check found problems, diff found differences, explain could not resolve a reference
	exitError    = 2 // usage, I/O or configuration error; exec: a reference failed and nothing ran
)

const usageText = `driftless: keep configuration and secrets out of git and out of drift.

Usage:
  driftless check   [--dir DIR] [--example FILE] [--json] [ENVFILE...]
  driftless exec    [--env-file FILE]... [--mask] [--watch DURATION] [--grace DURATION] -- CMD [ARG...]
  driftless explain [--env-file FILE]... [--resolve] [--json]
  driftless diff    [--resolve] [--key-file FILE] [--json] A B
  driftless policy  [--env-file FILE]... [--backend B] [--format F] [backend options]
  driftless status  [--json] [--timeout DURATION] URL
  driftless help [COMMAND]

Run "driftless COMMAND --help" for the flags and exit codes of a command.

Exit codes:
  0  clean (check), same (diff), success (explain), ok (status), or the command's own code (exec)
  1  findings (check), differences (diff), a reference that did not resolve (explain),
     a malformed reference (policy), degraded or failed (status)
  2  usage, I/O or configuration error; exec: a reference failed, nothing ran
  126, 127  exec: the command cannot be run / was not found

References (resolved by exec, explain --resolve and diff --resolve):
  awssm://<name or ARN>[?version-stage=S|?version-id=ID][#key]
  gcpsm://projects/<p>/secrets/<s>[/versions/<v>][#key]  or  gcpsm://<p>/<s>[/<v>][#key]
    or  gcpsm://<s>[#key] with DRIFTLESS_GCPSM_PROJECT=<p>
  azkv://<vault>/<secret>[/<version>][#key]
  vault://<mount>/<path>[?version=N][#key]
  awsps://<name or ARN>[?version=N|?label=L][#key]
  sops:///<absolute path>[?format=yaml|json|dotenv|ini|binary][#key or #/json/pointer]
  file:///<absolute path>[#key]

Provider configuration (read from driftless's own environment):
  awssm   AWS default chain: AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...,
          AWS_ENDPOINT_URL_SECRETS_MANAGER (emulators such as moto)
  vault   VAULT_ADDR, VAULT_TOKEN (or ~/.vault-token), VAULT_NAMESPACE, VAULT_CACERT, ...
  gcpsm   Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata);
          DRIFTLESS_GCPSM_ENDPOINT=host:port for an emulator (plaintext gRPC, no credentials);
          DRIFTLESS_GCPSM_PROJECT=<p> makes gcpsm://<s>[#key] read gcpsm://<p>/<s>[#key]
  azkv    DefaultAzureCredential (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
          AZURE_AUTHORITY_HOST, workload or managed identity, az login);
          DRIFTLESS_AZKV_ENDPOINT=https://host:port moves the vault (an emulator or a
          private endpoint), DRIFTLESS_AZKV_CA_FILE=ca.pem adds certificates to trust;
          DRIFTLESS_AZKV_EMULATOR_TOKEN (test emulators only) is a fixed bearer token
          sent in place of the credential's
  awsps   AWS default chain as for awssm; AWS_ENDPOINT_URL_SSM (emulators)
  sops    age keys as the sops command finds them: SOPS_AGE_KEY (keys inline),
          SOPS_AGE_KEY_FILE (a key file), else $XDG_CONFIG_HOME/sops/age/keys.txt
          or ~/.config/sops/age/keys.txt; the file's MAC is checked (a tampered
          file fails); SOPS_AGE_KEY_CMD, SSH keys and KMS/PGP keys are not used
  fingerprints: DRIFTLESS_FINGERPRINT_KEY keys them (else a random per-run key)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitError
	}
	cmd, rest := args[0], args[1:]
	helpAsked = wantsHelp(rest)
	switch cmd {
	case "check":
		return runCheck(rest, stdout, stderr)
	case "exec":
		return runExec(rest, stdout, stderr)
	case "explain":
		return runExplain(rest, stdout, stderr)
	case "diff":
		return runDiff(rest, stdout, stderr)
	case "policy":
		return runPolicy(rest, stdout, stderr)
	case "status":
		return runStatus(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) == 1 && cmd == "help" {
			return run([]string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usageText)
		return exitOK
	default:
		fmt.Fprintf(stderr, "driftless: unknown command %q\n\n%s", cmd, usageText)
		return exitError
	}
}

// newFlags returns a FlagSet for a command. A usage error prints the error
// and a hint to stderr; --help prints the full usage to stdout (see
// printUsage).
func newFlags(name, synopsis, text string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("driftless "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if !helpAsked {
			fmt.Fprintf(stderr, "Run \"driftless %s --help\" for usage.\n", name)
			return
		}
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "Usage: driftless %s %s\n\n%s\nFlags:\n", name, synopsis, text)
		fs.PrintDefaults()
	}
	return fs
}

// helpAsked is set when a command's arguments ask for --help, so that the
// flag package's call to Usage prints the full text to stdout.
var helpAsked bool

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// parseFlags parses args, allowing flags after positional arguments
// (until "--"). It returns the positional arguments, and a non-negative
// exit code when the command must stop: 0 after --help, 2 on a usage
// error.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitError
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), -1
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// fingerprintKey returns the key for fingerprints: the contents of file
// (trailing white space trimmed), else DRIFTLESS_FINGERPRINT_KEY, else a
// random key for this run only. source says which, for the output.
func fingerprintKey(file string) (key []byte, source string, err error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("reading the key file: %w", err)
		}
		b = []byte(strings.TrimRight(string(b), " \t\r\n"))
		if len(b) == 0 {
			return nil, "", fmt.Errorf("the key file %s is empty", file)
		}
		return b, "key file " + file, nil
	}
	if k := os.Getenv("DRIFTLESS_FINGERPRINT_KEY"); k != "" {
		return []byte(k), "DRIFTLESS_FINGERPRINT_KEY", nil
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b, "a random key for this run", nil
}

// defaultTimeout bounds the resolution of references.
const defaultTimeout = 30 * time.Second
