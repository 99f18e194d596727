package fileread

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// processKey is the version key of this process: random, never stored or
// shown, so a version cannot be matched against guesses offline and
// differs between processes.
var processKey = sync.OnceValue(func() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand.Read crashes the program instead)
	return key
})

// Version returns the version of a file's content: the first 16 hex digits
// of HMAC-SHA256 under a random key of this process. Within one process
// the same bytes always have the same version and different bytes (even
// written with the same size in the same instant) a different one, so a
// change is always seen; without the key the version tells nothing about
// the content, so a short secret (a PIN) cannot be recovered from it.
func Version(data []byte) string { return versionWithKey(processKey(), data) }

func versionWithKey(key, data []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil)[:8])
}
