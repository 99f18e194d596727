// Package gcpsm is the driftless provider for Google Cloud Secret Manager.
//
// It resolves gcpsm:// references:
//
//	gcpsm://projects/<p>/secrets/<s>[/versions/<v>][#key]
//	gcpsm://projects/<p>/locations/<l>/secrets/<s>[/versions/<v>][#key]   (regional secrets)
//	gcpsm://<p>/<s>[/<v>][#key]                                            (short form)
//
// A reference without a version reads "latest"; <v> is a version number or
// an alias. #key picks one key of a JSON payload (driftless applies it).
//
// # Clients
//
// New takes the official *secretmanager.Client the service already
// configured (or anything with its AccessSecretVersion and
// GetSecretVersion methods). NewFromDefault builds one with Application
// Default Credentials; WithRegion points it at the regional endpoint
// secretmanager.<region>.rep.googleapis.com, and WithEndpoint at an
// emulator or a gcpsmtest.Server over plaintext gRPC.
//
// # Versions and rotation
//
// Fetch reports the concrete version number it served in Value.Version, so
// a refresh that reads "latest" tells that the secret rotated. The provider
// is a driver.PreviousFetcher: FetchPrevious returns the enabled version
// before the current one, skipping disabled and destroyed versions, which
// feeds the rotation-window field type. WithCreateTime fills Value.Created
// at the cost of one more call per fetch.
//
// # Key-value source
//
// Keys and Prefix make driver.KeySource values that map config keys to
// secret ids, so OPENAI_API_KEY can be read from a secret without writing
// a reference.
//
// # Errors
//
// The payload's CRC32C checksum (data_crc32c) is verified; a mismatch is an
// error wrapping ErrChecksum and driftless.ErrUnavailable. gRPC codes map
// to the driftless sentinels: NOT_FOUND to ErrNotFound; a disabled or
// destroyed version (FAILED_PRECONDITION), PERMISSION_DENIED and
// UNAUTHENTICATED (what a proxy's HTTP 403 and 401 become) to ErrPermission,
// so that only a secret that does not exist lets a key source fall through
// to the next source; RESOURCE_EXHAUSTED, UNAVAILABLE,
// DEADLINE_EXCEEDED, ABORTED and INTERNAL to ErrUnavailable. The gRPC error
// stays wrapped (errors.As, status.FromError). When the context is done the
// error wraps ctx.Err(). Errors name the secret version, never its value.
// NewFromDefault reports Application Default Credentials that find nothing
// with driftless.ErrNoCredentials.
//
// # Concurrency
//
// A Provider is safe for concurrent use. Secret Manager has no batch read,
// so driftless fetches the secrets of a load concurrently, one call each;
// a cold start costs about one round trip.
package gcpsm
