package awssm

import (
	"github.com/driftless/driftless/driver"
)

// CheckRef validates an awssm:// reference's grammar (a name or ARN, and at
// most one of version-stage and version-id) without any call, so that a
// malformed reference fails when the config is planned, before anything is
// fetched.
func (p *Provider) CheckRef(ref driver.Ref) error {
	_, err := parse(ref)
	return err
}

// CheckRef validates an awssm:// reference's grammar, as Provider.CheckRef
// does.
func (a *Agent) CheckRef(ref driver.Ref) error {
	_, err := parse(ref)
	return err
}
