package sops

import "github.com/driftless/driftless/driver"

// CheckRef validates a sops:// reference (an absolute path, and no query
// but format=yaml|json|dotenv|ini|binary) without touching the file
// system, so that a malformed reference fails when the config is planned,
// before anything is read or decrypted.
func (p *Provider) CheckRef(ref driver.Ref) error {
	_, err := parseRef(ref)
	return err
}
