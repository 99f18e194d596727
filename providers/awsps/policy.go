package awsps

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/driftless/driftless"
)

// PolicyOptions says where the parameters of a Policy live.
type PolicyOptions struct {
	// Partition is the ARN partition; the default is "aws".
	Partition string
	// Region and Account complete the ARN of a parameter named by its
	// name (not its ARN). Both are required when a read names one.
	Region, Account string
	// Paths are hierarchies (such as "/prod/inference") that the service
	// lists with GetParametersByPath itself; each is granted
	// ssm:GetParametersByPath on the path and the parameters under it.
	// The key sources of this package do not list, and need none.
	Paths []string
	// KMSKeys are the ARNs of the customer managed KMS keys that encrypt
	// the SecureString parameters: each is granted kms:Decrypt through
	// Parameter Store only (kms:ViaService). None is needed for the AWS
	// managed key aws/ssm.
	KMSKeys []string
}

// Policy returns the least-privilege IAM policy document (JSON, in a stable
// order) for the Parameter Store reads among reads (driftless.Reads):
// ssm:GetParameter and ssm:GetParameters (FetchBatch's call) on each
// parameter read, ssm:GetParameterHistory on those whose previous version
// is read (Rotating fields), ssm:GetParametersByPath on opts.Paths, and
// kms:Decrypt on opts.KMSKeys, only through Parameter Store in the
// parameters' regions.
//
// A parameter named by its name gets the ARN
// arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME (the name's leading "/"
// is the one after "parameter": "/prod/x" gives parameter/prod/x, as does
// the reference awsps://prod/x); one named by its ARN is granted that ARN
// as written. Version and label selectors need no grant of their own.
// Reads of other schemes are ignored. A malformed reference fails with an
// error wrapping driftless.ErrInvalidRef; a name without opts.Region and
// opts.Account fails too. Errors name the fields, never a reference.
func Policy(reads []driftless.SecretRead, opts PolicyOptions) ([]byte, error) {
	partition := opts.Partition
	if partition == "" {
		partition = "aws"
	}
	var arns, history, paths, services []string
	var errs []error
	needRegion := func(what string) bool {
		if opts.Region == "" || opts.Account == "" {
			errs = append(errs, errors.New("awsps: policy: "+what+" needs the region and the account of its ARN"))
			return false
		}
		return true
	}
	prefix := "arn:" + partition + ":ssm:" + opts.Region + ":" + opts.Account + ":parameter"
	for _, r := range reads {
		if r.Ref.Scheme != Scheme {
			continue
		}
		sel, err := parse(r.Ref)
		if err != nil {
			errs = append(errs, fieldsError(r, err))
			continue
		}
		var arn string
		if strings.HasPrefix(sel.name, "arn:") {
			arn = sel.name
			if region := strings.Split(arn, ":")[3]; region != "" {
				services = append(services, "ssm."+region+".amazonaws.com")
			}
		} else {
			if opts.Region == "" || opts.Account == "" {
				errs = append(errs, fieldsError(r, errors.New("a parameter named by its name needs the region and the account of its ARN")))
				continue
			}
			services = append(services, "ssm."+opts.Region+".amazonaws.com")
			arn = prefix + arnPath(sel.name)
		}
		arns = append(arns, arn)
		if r.Previous {
			history = append(history, arn)
		}
	}
	for _, p := range opts.Paths {
		p = strings.TrimSuffix(Name("/"+strings.TrimPrefix(p, "/")), "/")
		if p == "" || checkName(p) != nil {
			errs = append(errs, errors.New("awsps: policy: a path of PolicyOptions.Paths is not a valid hierarchy"))
			continue
		}
		if !needRegion("a path") {
			continue
		}
		services = append(services, "ssm."+opts.Region+".amazonaws.com")
		paths = append(paths, prefix+p, prefix+p+"/*")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sorted := func(s []string) []string { return slices.Compact(slices.Sorted(slices.Values(s))) }
	doc := policyDoc{Version: "2012-10-17", Statement: []statement{}}
	if arns = sorted(arns); len(arns) > 0 {
		doc.Statement = append(doc.Statement, statement{Sid: "ReadParameters", Effect: "Allow", Action: []string{"ssm:GetParameter", "ssm:GetParameters"}, Resource: arns})
	}
	if history = sorted(history); len(history) > 0 {
		doc.Statement = append(doc.Statement, statement{Sid: "ReadPreviousVersions", Effect: "Allow", Action: []string{"ssm:GetParameterHistory"}, Resource: history})
	}
	if paths = sorted(paths); len(paths) > 0 {
		doc.Statement = append(doc.Statement, statement{Sid: "ListPaths", Effect: "Allow", Action: []string{"ssm:GetParametersByPath"}, Resource: paths})
	}
	if keys := sorted(opts.KMSKeys); len(keys) > 0 && (len(arns) > 0 || len(paths) > 0) {
		s := statement{Sid: "DecryptParameters", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: keys}
		if services = sorted(services); len(services) > 0 {
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

// arnPath returns the part of a parameter's ARN after "parameter": the
// name, with a "/" before a name that has none.
func arnPath(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return "/" + name
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
	Resource  any
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
	return "awsps: policy for " + strings.Join(e.fields, ", ") + ": " + e.err.Error()
}

func (e *policyError) Unwrap() error { return e.err }
