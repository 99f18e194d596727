package gcpsm

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/driftless/driftless"
)

// AccessorRole is the role that lets a member read a secret's versions.
const AccessorRole = "roles/secretmanager.secretAccessor"

// PolicyOptions says who is granted, and completes short secret names.
type PolicyOptions struct {
	// Member is the IAM principal granted access, such as
	// "serviceAccount:app@my-project.iam.gserviceaccount.com". Required.
	Member string
	// Project and Region complete a bare secret id and <project>/<secret>,
	// as the Provider's WithProject and WithRegion do.
	Project, Region string
}

// Policy returns the least-privilege grants for the gcpsm:// reads among
// reads (driftless.Reads): one roles/secretmanager.secretAccessor binding
// for opts.Member on each secret read (on the secret, so it covers the
// versions a reference pins and the previous version of a rotating field),
// as gcloud commands and as Terraform google_secret_manager_secret_iam_member
// resources (google_secret_manager_regional_secret_iam_member for a
// regional secret), both in a stable order.
//
// Reads of other schemes are ignored. A malformed reference fails with an
// error wrapping driftless.ErrInvalidRef that names the fields, never the
// reference.
func Policy(reads []driftless.SecretRead, opts PolicyOptions) (gcloud, terraform []byte, err error) {
	p := &Provider{project: opts.Project, region: opts.Region}
	var secrets []resource
	var errs []error
	for _, r := range reads {
		if r.Ref.Scheme != Scheme {
			continue
		}
		res, err := p.resolve(r.Ref.Name)
		if err == nil && r.Ref.Query != "" {
			err = p.CheckRef(r.Ref)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("gcpsm: policy for %s: %w", strings.Join(r.Fields, ", "), err))
			continue
		}
		res.version = ""
		secrets = append(secrets, res)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if opts.Member == "" {
		return nil, nil, errors.New("gcpsm: a policy needs the member to grant (such as serviceAccount:app@my-project.iam.gserviceaccount.com)")
	}
	slices.SortFunc(secrets, func(a, b resource) int { return strings.Compare(a.secretName(), b.secretName()) })
	secrets = slices.Compact(secrets)
	var g, tf strings.Builder
	for i, s := range secrets {
		loc := ""
		if s.location != "" {
			loc = " --location=" + s.location
		}
		fmt.Fprintf(&g, "gcloud secrets add-iam-policy-binding %s --project=%s%s --member=%s --role=%s\n", s.secret, s.project, loc, shellQuote(opts.Member), AccessorRole)
		if i > 0 {
			tf.WriteString("\n")
		}
		if s.location == "" {
			fmt.Fprintf(&tf, "resource \"google_secret_manager_secret_iam_member\" %q {\n  project   = %q\n  secret_id = %q\n  role      = %q\n  member    = %q\n}\n",
				tfName(s), s.project, s.secret, AccessorRole, opts.Member)
		} else {
			fmt.Fprintf(&tf, "resource \"google_secret_manager_regional_secret_iam_member\" %q {\n  project   = %q\n  location  = %q\n  secret_id = %q\n  role      = %q\n  member    = %q\n}\n",
				tfName(s), s.project, s.location, s.secret, AccessorRole, opts.Member)
		}
	}
	return []byte(g.String()), []byte(tf.String()), nil
}

// tfName is a Terraform resource name for the binding on s: letters,
// digits, underscores and dashes, starting with a letter.
func tfName(s resource) string {
	parts := []string{"accessor", s.project, s.location, s.secret}
	name := strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "_")
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe
// characters.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || r == ':' || r == '@' || r == '/' || r == '=' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
