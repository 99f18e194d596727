package files_test

import (
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/files"
)

func fileRef(path string) driver.Ref { return driver.Ref{Scheme: files.Scheme, Name: path} }
