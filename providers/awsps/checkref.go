package awsps

import "github.com/driftless/driftless/driver"

// CheckRef validates an awsps:// reference's grammar (a parameter name or
// ARN, and at most one of version and label) without any call, so that a
// malformed reference fails when the config is planned, before anything is
// fetched.
func (p *Provider) CheckRef(ref driver.Ref) error {
	_, err := parse(ref)
	return err
}
