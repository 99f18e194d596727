package gcpsm

import (
	"github.com/driftless/driftless/driver"
)

// CheckRef validates a gcpsm:// reference's grammar (a full resource name,
// <project>/<secret>[/<version>], or a bare secret id when the provider has
// a default project) without any call, so that a malformed reference fails
// when the config is planned, before anything is fetched.
func (p *Provider) CheckRef(ref driver.Ref) error {
	if ref.Scheme != "" && ref.Scheme != Scheme {
		return &driver.RefError{Scheme: ref.Scheme, Reason: "the gcpsm provider serves gcpsm:// references only"}
	}
	if ref.Query != "" {
		return &driver.RefError{Scheme: Scheme, Reason: "gcpsm references take no query parameters"}
	}
	_, err := p.resolve(ref.Name)
	return err
}
