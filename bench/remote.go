package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/sethvargo/go-envconfig"
)

// SecretsAPI is the part of the Secrets Manager client that the
// alternatives below use; *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
}

// RemoteSecrets is how many distinct secrets the cold-start config reads,
// and RemoteFields how many fields read them (two keys of each).
const (
	RemoteSecrets = 20
	RemoteFields  = 40
)

// RemoteSecretName is the name of secret i in the fake backend.
func RemoteSecretName(i int) string { return fmt.Sprintf("prod/svc/secret-%02d", i) }

// RemoteSecretValue is the JSON stored as secret i.
func RemoteSecretValue(i int) string {
	return fmt.Sprintf(`{"user":"user-%02d","password":"password-%02d"}`, i, i)
}

// RemoteEnv is the environment of the cold-start config: field Fnn holds a
// reference to key "user" (even nn) or "password" (odd nn) of secret nn/2.
func RemoteEnv() map[string]string {
	m := make(map[string]string, RemoteFields)
	for i := range RemoteFields {
		key := "user"
		if i%2 == 1 {
			key = "password"
		}
		m[fmt.Sprintf("F%02d", i)] = "awssm://" + RemoteSecretName(i/2) + "#" + key
	}
	return m
}

// RemoteWant is the value every resolver must put in field i.
func RemoteWant(i int) string {
	if i%2 == 1 {
		return fmt.Sprintf("password-%02d", i/2)
	}
	return fmt.Sprintf("user-%02d", i/2)
}

// jsonKey returns the string at key of a JSON object.
func jsonKey(data, key string) (string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return "", errors.New("secret is not a JSON object of strings")
	}
	v, ok := m[key]
	if !ok {
		return "", fmt.Errorf("secret has no key %q", key)
	}
	return v, nil
}

// splitRef splits "awssm://name#key".
func splitRef(v string) (name, key string, ok bool) {
	rest, ok := strings.CutPrefix(v, "awssm://")
	if !ok {
		return "", "", false
	}
	name, key, _ = strings.Cut(rest, "#")
	return name, key, true
}

// SequentialMutator resolves awssm:// values the way a go-envconfig
// Mutator does: one GetSecretValue per field, in field order, no cache.
func SequentialMutator(client SecretsAPI) envconfig.Mutator {
	return envconfig.MutatorFunc(func(ctx context.Context, _, _, _, cur string) (string, bool, error) {
		name, key, ok := splitRef(cur)
		if !ok {
			return cur, false, nil
		}
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &name})
		if err != nil {
			return "", true, err
		}
		v, err := jsonKey(deref(out.SecretString), key)
		return v, true, err
	})
}

// CachingMutator resolves awssm:// values through c, one field after the
// other: how a service combines go-envconfig with a secrets cache.
func CachingMutator(c *BlockingCache) envconfig.Mutator {
	return envconfig.MutatorFunc(func(ctx context.Context, _, _, _, cur string) (string, bool, error) {
		name, key, ok := splitRef(cur)
		if !ok {
			return cur, false, nil
		}
		s, err := c.GetSecretString(ctx, name)
		if err != nil {
			return "", true, err
		}
		v, err := jsonKey(s, key)
		return v, true, err
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// BlockingCache models the read path of aws-secretsmanager-caching-go
// (package secretcache), which the Go module proxy does not serve here:
// each secret is an item with its own mutex; the first read after the
// item's refresh time (a random point between TTL/2 and TTL after the
// last refresh) calls DescribeSecret while holding the mutex, so every
// reader of that secret waits for the round trip; a version id not seen
// before is then read with one GetSecretValue and kept. It is written from
// the library's documented behaviour, not copied from it.
type BlockingCache struct {
	client SecretsAPI
	ttl    time.Duration

	mu    sync.Mutex
	items map[string]*cacheItem
}

type cacheItem struct {
	mu       sync.Mutex
	loaded   bool
	next     time.Time
	current  string            // AWSCURRENT version id
	versions map[string]string // version id -> SecretString
}

// NewBlockingCache returns an empty cache over client whose items refresh
// after a TTL between ttl/2 and ttl (secretcache's default ttl is 1 hour).
func NewBlockingCache(client SecretsAPI, ttl time.Duration) *BlockingCache {
	return &BlockingCache{client: client, ttl: ttl, items: map[string]*cacheItem{}}
}

// GetSecretString returns the AWSCURRENT SecretString of the secret id,
// refreshing it first (and blocking its other readers) when it is due.
func (c *BlockingCache) GetSecretString(ctx context.Context, id string) (string, error) {
	c.mu.Lock()
	it := c.items[id]
	if it == nil {
		it = &cacheItem{versions: map[string]string{}}
		c.items[id] = it
	}
	c.mu.Unlock()

	it.mu.Lock()
	defer it.mu.Unlock()
	if now := time.Now(); !it.loaded || !now.Before(it.next) {
		out, err := c.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &id})
		if err != nil && !it.loaded {
			return "", err
		}
		if err == nil {
			it.loaded = true
			it.next = time.Now().Add(c.ttl/2 + rand.N(c.ttl/2+1))
			for vid, stages := range out.VersionIdsToStages {
				for _, s := range stages {
					if s == "AWSCURRENT" {
						it.current = vid
					}
				}
			}
		}
	}
	if v, ok := it.versions[it.current]; ok {
		return v, nil
	}
	vid := it.current
	out, err := c.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id, VersionId: &vid})
	if err != nil {
		return "", err
	}
	it.versions[vid] = deref(out.SecretString)
	return it.versions[vid], nil
}

// Expire makes every item due, as if its TTL had passed.
func (c *BlockingCache) Expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range c.items {
		it.mu.Lock()
		it.next = time.Time{}
		it.mu.Unlock()
	}
}
