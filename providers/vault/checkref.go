package vault

import (
	"github.com/driftless/driftless/driver"
)

// CheckRef validates a vault:// reference's grammar (<mount>/<path> with no
// empty, . or .. segment, and at most ?version=N) without any call, so that
// a malformed reference fails when the config is planned, before anything
// is fetched.
func (p *Provider) CheckRef(ref driver.Ref) error {
	_, err := parseRef(ref)
	return err
}
