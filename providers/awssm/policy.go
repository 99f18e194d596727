package awssm

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/driftless/driftless"
)

// PolicyOptions says where the secrets of a Policy live.
type PolicyOptions struct {
	// Partition is the ARN partition; the default is "aws".
	Partition string
	// Region and Account complete the ARN of a secret named by its name
	// (not its ARN). Both are required when a read names one.
	Region, Account string
	// KMSKeys are the ARNs of the customer managed KMS keys that encrypt
	// the secrets: each is granted kms:Decrypt through Secrets Manager only
	// (kms:ViaService). None is needed for the AWS managed key
	// aws/secretsmanager.
	KMSKeys []string
}

// Policy returns the least-privilege IAM policy document (JSON, in a stable
// order) for the Secrets Manager reads among reads (driftless.Reads):
// secretsmanager:GetSecretValue on each secret read, including its previous
// version; secretsmanager:BatchGetSecretValue, which has no resource-level
// permission (Resource "*"; each secret it returns still needs
// GetSecretValue), when a secret is read without a version selector, as
// FetchBatch reads those; and kms:Decrypt on opts.KMSKeys, only through Secrets Manager in the
// secrets' regions.
//
// A secret named by its name gets the ARN form that matches the random
// suffix Secrets Manager appends to it
// (arn:aws:secretsmanager:REGION:ACCOUNT:secret:prod/db-??????); one named
// by its ARN is granted that ARN as written. Reads of other schemes are
// ignored. A malformed reference fails with an error wrapping
// driftless.ErrInvalidRef; a name without opts.Region and opts.Account fails
// too. Errors name the fields, never a reference.
func Policy(reads []driftless.SecretRead, opts PolicyOptions) ([]byte, error) {
	partition := opts.Partition
	if partition == "" {
		partition = "aws"
	}
	var arns, services []string
	var errs []error
	batch := false
	for _, r := range reads {
		if r.Ref.Scheme != Scheme {
			continue
		}
		sel, err := parse(r.Ref)
		if err != nil {
			errs = append(errs, fieldsError(r, err))
			continue
		}
		batch = batch || sel.batchable()
		if strings.HasPrefix(sel.id, "arn:") {
			arns = append(arns, sel.id)
			if sel.region != "" {
				services = append(services, "secretsmanager."+sel.region+".amazonaws.com")
			}
			continue
		}
		if opts.Region == "" || opts.Account == "" {
			errs = append(errs, fieldsError(r, errors.New("a secret named by its name needs the region and the account of its ARN")))
			continue
		}
		services = append(services, "secretsmanager."+opts.Region+".amazonaws.com")
		arns = append(arns, "arn:"+partition+":secretsmanager:"+opts.Region+":"+opts.Account+":secret:"+sel.id+"-??????")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(arns)
	arns = slices.Compact(arns)
	doc := policyDoc{Version: "2012-10-17", Statement: []statement{}}
	if len(arns) > 0 {
		doc.Statement = append(doc.Statement, statement{Sid: "ReadSecrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: arns})
		if batch {
			doc.Statement = append(doc.Statement, statement{Sid: "BatchReadSecrets", Effect: "Allow", Action: []string{"secretsmanager:BatchGetSecretValue"}, Resource: "*"})
		}
	}
	if keys := slices.Compact(slices.Sorted(slices.Values(opts.KMSKeys))); len(keys) > 0 && len(arns) > 0 {
		s := statement{Sid: "DecryptSecrets", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: keys}
		if services = slices.Compact(slices.Sorted(slices.Values(services))); len(services) > 0 {
			s.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": services}}
		}
		doc.Statement = append(doc.Statement, s)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// policyDoc is an IAM policy document.
type policyDoc struct {
	Version   string
	Statement []statement
}

// statement is one statement of an IAM policy document.
type statement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  any                            // a list of ARNs, or "*"
	Condition map[string]map[string][]string `json:",omitempty"`
}

// fieldsError names the fields of r beside err.
func fieldsError(r driftless.SecretRead, err error) error {
	return &policyError{fields: r.Fields, err: err}
}

// policyError is a reference that a policy cannot grant, named by the
// fields that read it.
type policyError struct {
	fields []string
	err    error
}

func (e *policyError) Error() string {
	return "awssm: policy for " + strings.Join(e.fields, ", ") + ": " + e.err.Error()
}

func (e *policyError) Unwrap() error { return e.err }
