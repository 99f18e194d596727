package files

import (
	"fmt"
	"path/filepath"

	"github.com/driftless/driftless/driver"
)

// CheckRef validates a file:// reference (an absolute path, no query)
// without touching the file system, so that a malformed reference fails
// when the config is planned, before anything is read.
func (p *Provider) CheckRef(ref driver.Ref) error {
	if ref.Query != "" {
		return &driver.RefError{Scheme: ref.Scheme, Reason: "file references take no query parameters"}
	}
	if !filepath.IsAbs(filepath.FromSlash(ref.Name)) {
		return fmt.Errorf("%w: files: not an absolute path (want file:///path)", driver.ErrInvalidRef)
	}
	return nil
}
