package gcpsm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/driftless/driftless/driver"
)

// resource is a parsed secret version name:
// projects/<project>/[locations/<location>/]secrets/<secret>/versions/<version>.
type resource struct {
	project, location, secret, version string
}

// secretName returns projects/<p>/[locations/<l>/]secrets/<s>.
func (r resource) secretName() string {
	if r.location == "" {
		return "projects/" + r.project + "/secrets/" + r.secret
	}
	return "projects/" + r.project + "/locations/" + r.location + "/secrets/" + r.secret
}

// versionName returns the full name of version v of the secret.
func (r resource) versionName(v string) string {
	return r.secretName() + "/versions/" + v
}

// name returns the full name of the version r selects.
func (r resource) name() string { return r.versionName(r.version) }

// resolve turns a reference name into a full version name. It accepts
//
//	projects/<p>/secrets/<s>[/versions/<v>]
//	projects/<p>/locations/<l>/secrets/<s>[/versions/<v>]
//	<p>/<s>[/<v>]
//	<s>                       (only with a default project)
//
// The short forms take the provider's region, if it has one. A full name
// that names another location than the provider's region is refused, since
// a regional endpoint serves its own location only.
func (p *Provider) resolve(name string) (resource, error) {
	bad := func(reason string) error {
		return &driver.RefError{Scheme: Scheme, Reason: reason}
	}
	seg := strings.Split(name, "/")
	for _, s := range seg {
		if s == "" {
			return resource{}, bad("empty path segment")
		}
	}
	var r resource
	switch {
	case seg[0] == "projects":
		switch {
		case len(seg) >= 4 && seg[2] == "locations":
			r.project, r.location = seg[1], seg[3]
			seg = append([]string{seg[0], seg[1]}, seg[4:]...)
		case len(seg) >= 2:
			r.project = seg[1]
		}
		switch {
		case len(seg) == 4 && seg[2] == "secrets":
			r.secret, r.version = seg[3], "latest"
		case len(seg) == 6 && seg[2] == "secrets" && seg[4] == "versions":
			r.secret, r.version = seg[3], seg[5]
		default:
			return resource{}, bad("want projects/<p>/[locations/<l>/]secrets/<s>[/versions/<v>]")
		}
		if p.region != "" && r.location != p.region {
			if r.location == "" {
				return resource{}, bad(fmt.Sprintf("a global secret name on a provider for region %q (use .../locations/%s/secrets/...)", p.region, p.region))
			}
			return resource{}, bad(fmt.Sprintf("location %q differs from the provider's region %q", r.location, p.region))
		}
	case len(seg) == 1:
		if p.project == "" {
			return resource{}, bad("a bare secret id needs a default project (WithProject)")
		}
		r = resource{project: p.project, location: p.region, secret: seg[0], version: "latest"}
	case len(seg) == 2:
		r = resource{project: seg[0], location: p.region, secret: seg[1], version: "latest"}
	case len(seg) == 3:
		r = resource{project: seg[0], location: p.region, secret: seg[1], version: seg[2]}
	default:
		return resource{}, bad("want projects/<p>/secrets/<s>[/versions/<v>] or <project>/<secret>[/<version>]")
	}
	if !validID(r.secret) {
		return resource{}, bad("secret id must be 1-255 characters of [A-Za-z0-9_-]")
	}
	return r, nil
}

// validID reports whether s can be a Secret Manager secret id.
func validID(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// versionOf returns the version number at the end of a version name, or ""
// if the name does not end in one.
func versionOf(name string) string {
	i := strings.LastIndex(name, "/versions/")
	if i < 0 {
		return ""
	}
	v := name[i+len("/versions/"):]
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return ""
	}
	return v
}
