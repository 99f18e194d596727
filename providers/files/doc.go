// Package files is the driftless provider for mounted secret files:
// Kubernetes Secret and ConfigMap volumes, the Secrets Store CSI driver,
// Docker and Compose secrets under /run/secrets, and files that an agent
// (Vault Agent, a sidecar) keeps up to date. It reads them and, in a
// driftless.Handle, watches them, so a rotated Secret reaches the running
// service within a moment of the kubelet writing it, without a restart.
//
// # References and directories
//
// The provider serves file:// references, with an absolute path and an
// optional key of a JSON file:
//
//	file:///run/secrets/db_password
//	file:///var/run/secrets/app/database.json#password
//
// Dir makes a whole directory a key-value source, so fields are found by
// their env key without writing references. By default the file name is
// the key; WithDashedNames reads OPENAI_API_KEY from openai-api-key (how
// Kubernetes Secret keys are usually written), WithLowerNames from
// openai_api_key, and WithNames or WithNameFunc map keys explicitly:
//
//	p := files.New()
//	defer p.Close()
//	h, err := driftless.NewHandle[Config](ctx,
//		driftless.WithProvider("file", p),
//		driftless.WithKeySource(files.Dir("/var/run/secrets/app", files.WithDashedNames())),
//	)
//	...
//	err = h.Start(ctx) // watches the files; Close stops it
//
// The core reads file:// references and NAME_FILE variables (the Docker
// and Kubernetes convention, DB_PASSWORD_FILE=/run/secrets/db_password)
// without this package, but only once per refresh interval. Registering
// this provider for "file" makes every file:// reference and every Dir
// source watched.
//
// # Values and versions
//
// A file's bytes are the value, exactly (a trailing newline is kept: use a
// Secret's own trimming, or write files without one). Value.Version is a
// keyed hash of the content (HMAC-SHA256 under a random key of this
// process), so a rewrite with the same bytes is not a rotation and one
// with new bytes is, even with the same size and modification time; being
// keyed, the version shown by explain output and audit logs cannot be
// used to guess a short secret, and it differs between processes.
// Value.Created is the file's modification time.
//
// Only regular files are read (after following symlinks): a named pipe, a
// device, a socket or a directory is an error, never opened for reading,
// so none can block a Fetch or a Watch. A file larger than WithMaxSize
// (1 MiB by default) is an error, and every read returns when its context
// is done.
//
// # Watching
//
// Provider implements driver.Watcher. A Handle passes it the file
// references its config uses, and refreshes the affected fields at once
// when Watch reports one. Watch follows directories, not files, so it
// survives the way each platform updates secrets:
//
//   - Kubernetes (the kubelet's AtomicWriter): the volume holds a
//     timestamped directory ..2026_11_28_10_00_00.123456789 with the
//     files, a symlink ..data pointing at it, and one symlink per key,
//     key -> ..data/key. An update writes a new timestamped directory,
//     points a new symlink ..data_tmp at it, renames ..data_tmp over
//     ..data (the atomic step) and removes the old directory. A reader
//     never sees a half-written file, and Watch sees the rename of ..data.
//   - Editors and most agents write a new file and rename it over the old
//     one; others truncate and rewrite in place. Both are events on the
//     file's name in its directory.
//   - A file bind-mounted into a container (a Compose secret, a hostPath)
//     is written through the host's path, which sends no event to the
//     container's directory: a regular file is therefore watched itself
//     too.
//
// A burst of events is debounced (WithDebounce), the files it touched are
// read again, and only a file whose content hash changed (or that
// appeared or disappeared) is reported. A deleted file is reported: the
// refresh then fails, the Handle keeps the last good config and calls its
// error hooks, and the file coming back is reported again. Every
// WithPollInterval all watched files are read again regardless, so a
// dropped event (an inotify overflow, a directory replaced, a network file
// system without events) delays a change but never hides it.
//
// # Errors
//
// Errors name the path, never the content:
//
//	the file does not exist                       driftless.ErrNotFound
//	the process may not read it                   driftless.ErrPermission
//	relative path, not a regular file, too large  driftless.ErrInvalidRef
//	used after Close                              driver.ErrClosed
//	a done context                                wraps ctx.Err()
//
// # Concurrency
//
// A Provider is safe for concurrent use. Nothing runs in the background
// except inside Watch, which the Handle starts and stops; Close stops every
// Watch and waits for it.
package files
