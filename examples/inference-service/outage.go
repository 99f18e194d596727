package main

import (
	"errors"
	"os"
	"time"

	"github.com/driftless/driftless"
)

// snapshotMaxAge is how old a snapshot the service boots from may be: past
// it, an outage at boot fails the boot rather than serve keys that old.
const snapshotMaxAge = 24 * time.Hour

// errSnapshotHalfSet: a snapshot needs both its file and its key.
var errSnapshotHalfSet = errors.New("SNAPSHOT_PATH and SNAPSHOT_KEY_FILE go together: set both, or neither")

// snapshotOption returns the WithSnapshot option when SNAPSHOT_PATH (the
// sealed file, on the pod's ephemeral volume) and SNAPSHOT_KEY_FILE (the
// key that seals it, a mounted secret of at least 32 bytes) are both set,
// and nil when neither is. With it the service boots through an outage of
// its secrets manager from the last good values, degraded until the first
// successful refresh. These two settings are read before the config is
// loaded, so they are not fields of Config.
func snapshotOption() (driftless.Option, error) {
	path, key := os.Getenv("SNAPSHOT_PATH"), os.Getenv("SNAPSHOT_KEY_FILE")
	switch {
	case path == "" && key == "":
		return nil, nil
	case path == "" || key == "":
		return nil, errSnapshotHalfSet
	}
	return driftless.WithSnapshot(path, driftless.SnapshotKeyFile(key), snapshotMaxAge), nil
}
