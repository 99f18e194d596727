package azkv

import (
	"github.com/driftless/driftless/driver"
)

// CheckRef validates an azkv:// reference's grammar
// (<vault-name>/<secret>[/<version>], with names Key Vault accepts) without
// any call, so that a malformed reference fails when the config is
// planned, before anything is fetched.
func (p *Provider) CheckRef(ref driver.Ref) error {
	_, err := parse(ref)
	return err
}
