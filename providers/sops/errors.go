package sops

import "errors"

// ErrTampered is wrapped by the error of a Fetch whose file fails SOPS's
// integrity check: its message authentication code does not match the
// decrypted values, a value does not decrypt under the file's data key, or
// the file has no MAC at all. The file was edited without sops, corrupted,
// or tampered with; nothing of it is served.
var ErrTampered = errors.New("sops: integrity check failed (MAC mismatch): the file was tampered with, corrupted or edited without sops")
