package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/vault"
)

const policyText = `Prints the least-privilege grants for every secret that the references
of the environment and the env files read (the variables that exec would
resolve), per backend, without reading any secret or calling any backend:

  awsps  an IAM policy (--format json) for Parameter Store: ssm:GetParameter
         and GetParameters on each parameter's ARN, kms:Decrypt on each
         --kms-key through Parameter Store (SecureString parameters)
  aws    an IAM policy (--format json): secretsmanager:GetSecretValue on
         each secret (a name becomes arn:aws:secretsmanager:R:A:secret:NAME-??????,
         for the random suffix Secrets Manager appends), BatchGetSecretValue
         (which takes Resource "*" only), kms:Decrypt on each --kms-key
  gcp    roles/secretmanager.secretAccessor on each secret for --gcp-member,
         as gcloud commands (--format gcloud) or Terraform (--format terraform)
  azure  "Key Vault Secrets User" on each secret for --azure-principal, as
         az commands (--format az) or Terraform (--format terraform)
  vault  an HCL policy (--format hcl): read on <mount>/data/<path> (KV v2),
         <mount>/<path> (KV v1, other engines), update on sys/leases/renew
         for dynamic engines; mounts are KV v2 unless --vault-mount says

Without --env-file, ./.env is used when it exists. With --backend all (the
default), each backend that is read is printed under a "# backend" line.

Exit codes: 0 success, 1 a reference is malformed, 2 usage or I/O error
(a missing option of a backend that is read included).
`

// policyFormats are the formats of each backend, the default first.
var policyFormats = map[string][]string{
	"aws":   {"json"},
	"awsps": {"json"},
	"gcp":   {"gcloud", "terraform"},
	"azure": {"az", "terraform"},
	"vault": {"hcl"},
}

// policyBackends are the backends in output order, with their schemes.
var policyBackends = []struct{ name, scheme string }{
	{"aws", awssm.Scheme}, {"awsps", awsps.Scheme}, {"gcp", gcpsm.Scheme}, {"azure", azkv.Scheme}, {"vault", "vault"},
}

// policyFlags are the options of the generators.
type policyFlags struct {
	aws         awssm.PolicyOptions
	awsps       awsps.PolicyOptions
	gcp         gcpsm.PolicyOptions
	azure       azkv.PolicyOptions
	vault       vault.PolicyOptions
	format      string
	vaultMounts stringList
	kmsKeys     stringList
}

func runPolicy(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("policy", "[--env-file FILE]... [--backend aws|awsps|gcp|azure|vault|all] [--format F] [backend options]", policyText, stdout, stderr)
	var envFiles stringList
	var pf policyFlags
	fs.Var(&envFiles, "env-file", "a .env file to merge under the environment (repeatable; first listed wins)")
	backend := fs.String("backend", "all", "the backend to print: aws, awsps, gcp, azure, vault or all")
	fs.StringVar(&pf.format, "format", "", "aws, awsps: json; gcp: gcloud or terraform; azure: az or terraform; vault: hcl (default: the first)")
	fs.StringVar(&pf.aws.Account, "aws-account", "", "aws, awsps: the account ID of the secrets and parameters named by name")
	fs.StringVar(&pf.aws.Region, "aws-region", os.Getenv("AWS_REGION"), "aws, awsps: the region of the secrets and parameters named by name (default $AWS_REGION)")
	fs.StringVar(&pf.aws.Partition, "aws-partition", "aws", "aws, awsps: the ARN partition")
	fs.Var(&pf.kmsKeys, "kms-key", "aws, awsps: the ARN of a customer managed KMS key of the secrets or SecureString parameters (repeatable)")
	fs.StringVar(&pf.gcp.Member, "gcp-member", "", "gcp: the principal to grant, such as serviceAccount:app@p.iam.gserviceaccount.com")
	fs.StringVar(&pf.gcp.Region, "gcp-region", "", "gcp: the location of regional secrets named by short names")
	fs.StringVar(&pf.azure.PrincipalID, "azure-principal", "", "azure: the object ID of the identity to grant")
	fs.StringVar(&pf.azure.Subscription, "azure-subscription", "", "azure: the subscription ID of the vaults")
	fs.StringVar(&pf.azure.ResourceGroup, "azure-resource-group", "", "azure: the resource group of the vaults")
	fs.Var(&pf.vaultMounts, "vault-mount", "vault: MOUNT=kv1|kv2|dynamic, the engine at a mount (repeatable; default kv2)")
	extra, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "driftless policy: "+format+"\n", a...)
		return code
	}
	if len(extra) > 0 {
		return fail(exitError, "unexpected argument %q (env files are given with --env-file)", extra[0])
	}
	if err := pf.check(*backend); err != nil {
		return fail(exitError, "%v", err)
	}
	paths, optional := []string(envFiles), false
	if len(paths) == 0 {
		paths, optional = []string{".env"}, true
	}
	files, err := envchain.ParseFiles(paths, os.LookupEnv, optional)
	if err != nil {
		return fail(exitError, "%v", err)
	}
	set := envchain.Merge(os.Environ(), files, true, func(_, v string) bool { return backends.IsRef(v) })
	vars := parseRefs(set.Vars, os.Getenv)
	reads, bad := policyReads(vars)
	for _, err := range bad {
		fmt.Fprintf(stderr, "driftless policy: %v\n", err)
	}
	if len(bad) > 0 {
		return exitFindings
	}
	var outs [][]byte
	var names []string
	var invalid, other []error
	for _, b := range policyBackends {
		if *backend != "all" && *backend != b.name {
			continue
		}
		if !slices.ContainsFunc(reads, func(r driftless.SecretRead) bool { return r.Ref.Scheme == b.scheme }) {
			continue
		}
		out, err := pf.generate(b.name, reads)
		switch {
		case errors.Is(err, driftless.ErrInvalidRef):
			invalid = append(invalid, err)
		case err != nil:
			other = append(other, err)
		}
		outs, names = append(outs, out), append(names, b.name)
	}
	// A malformed reference is reported first: fixing options is no use
	// until the references are right.
	if len(invalid) > 0 {
		return fail(exitFindings, "%v", errors.Join(invalid...))
	}
	if len(other) > 0 {
		return fail(exitError, "%v", errors.Join(other...))
	}
	for i, out := range outs {
		if *backend == "all" {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "# %s\n", names[i])
		}
		_, _ = stdout.Write(out)
	}
	return exitOK
}

// check validates the flags that do not depend on the references.
func (pf *policyFlags) check(backend string) error {
	if _, ok := policyFormats[backend]; !ok && backend != "all" {
		return fmt.Errorf("--backend must be aws, awsps, gcp, azure, vault or all, not %q", backend)
	}
	if pf.format != "" {
		ok := false
		for b, fs := range policyFormats {
			if (backend == "all" || backend == b) && slices.Contains(fs, pf.format) {
				ok = true
			}
		}
		if !ok || backend == "all" && pf.format != "terraform" {
			return fmt.Errorf("--format %q does not apply to --backend %s", pf.format, backend)
		}
	}
	pf.aws.KMSKeys = pf.kmsKeys
	pf.awsps = awsps.PolicyOptions{Partition: pf.aws.Partition, Region: pf.aws.Region, Account: pf.aws.Account, KMSKeys: pf.kmsKeys}
	pf.vault.Mounts = map[string]vault.Engine{}
	for _, m := range pf.vaultMounts {
		path, kind, _ := strings.Cut(m, "=")
		e, ok := map[string]vault.Engine{"kv1": vault.KV1, "kv2": vault.KV2, "dynamic": vault.Dynamic}[kind]
		if path == "" || !ok {
			return fmt.Errorf("--vault-mount wants MOUNT=kv1, MOUNT=kv2 or MOUNT=dynamic, not %q", m)
		}
		pf.vault.Mounts[path] = e
	}
	return nil
}

// formatOf returns the format to print backend in: --format when it applies
// (--format terraform with --backend all applies to gcp and azure), else
// the backend's first.
func (pf *policyFlags) formatOf(backend string) string {
	if slices.Contains(policyFormats[backend], pf.format) {
		return pf.format
	}
	return policyFormats[backend][0]
}

// generate returns the grants of one backend.
func (pf *policyFlags) generate(backend string, reads []driftless.SecretRead) ([]byte, error) {
	format := pf.formatOf(backend)
	pick := func(first, second []byte, err error) ([]byte, error) {
		if format == policyFormats[backend][0] {
			return first, err
		}
		return second, err
	}
	switch backend {
	case "aws":
		return awssm.Policy(reads, pf.aws)
	case "awsps":
		return awsps.Policy(reads, pf.awsps)
	case "gcp":
		return pick(gcpsm.Policy(reads, pf.gcp))
	case "azure":
		return pick(azkv.Policy(reads, pf.azure))
	default:
		return vault.Policy(reads, pf.vault)
	}
}

// policyReads returns the secrets that the valid references among vars
// read, each named by its variables, and an error for each variable whose
// reference is malformed (naming the variable, never its value).
func policyReads(vars []resolved) ([]driftless.SecretRead, []error) {
	var bad []error
	var keys []string
	refs := map[string]string{}
	for _, v := range vars {
		switch {
		case v.Err != nil:
			bad = append(bad, v.Err)
		case v.IsRef:
			keys = append(keys, v.Key)
			refs[v.Key] = v.Ref.String() // bare gcpsm ids expanded (see parseRef)
		}
	}
	if len(keys) == 0 {
		return nil, bad
	}
	// awsps:// is not one of the root's built-in schemes: a provider without
	// a client is registered for its reference grammar (Reads fetches nothing).
	el, err := driftless.NewEnvLoader(keys, driftless.WithEnv(refs), driftless.WithProvider(awsps.Scheme, awsps.New(nil)))
	if err != nil {
		return nil, append(bad, err)
	}
	// Reads fetches nothing and the EnvLoader reads no file: no deadline.
	reads, err := el.Reads(context.Background())
	if err != nil {
		bad = append(bad, err)
	}
	return reads, bad
}
