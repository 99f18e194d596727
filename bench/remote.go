package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-secretsmanager-caching-go/v2/secretcache"
	"github.com/sethvargo/go-envconfig"
)

// SecretsAPI is the part of the Secrets Manager client that
// SequentialMutator uses; *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
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

// RemoteSecretNames lists the names of the secrets RemoteEnv reads.
func RemoteSecretNames() []string {
	names := make([]string, RemoteSecrets)
	for i := range names {
		names[i] = RemoteSecretName(i)
	}
	return names
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

// CachingMutator resolves awssm:// values through c, the cache of
// github.com/aws/aws-secretsmanager-caching-go/v2, one field after the
// other: how a service combines go-envconfig with that cache.
func CachingMutator(c *secretcache.Cache) envconfig.Mutator {
	return envconfig.MutatorFunc(func(ctx context.Context, _, _, _, cur string) (string, bool, error) {
		name, key, ok := splitRef(cur)
		if !ok {
			return cur, false, nil
		}
		s, err := c.GetSecretStringWithContext(ctx, name)
		if err != nil {
			return "", true, err
		}
		v, err := jsonKey(s, key)
		return v, true, err
	})
}

// NewSecretCache returns the cache of aws-secretsmanager-caching-go over
// client. An item is refreshed by the first read after a TTL drawn between
// ttl/2 and ttl since its last refresh (the library's default ttl is one
// hour), while that read holds the item's lock.
func NewSecretCache(client secretcache.SecretsManagerAPIClient, ttl time.Duration) *secretcache.Cache {
	c, err := secretcache.New(func(c *secretcache.Cache) {
		c.Client = client
		c.CacheItemTTL = int64(ttl)
	})
	if err != nil { // only reachable without a client
		panic(err)
	}
	return c
}

// WarmCache reads each named secret through c, at most limit at once: the
// best a service can do at boot with the caching library, which reads one
// secret per call (DescribeSecret, then GetSecretValue of its AWSCURRENT
// version).
func WarmCache(ctx context.Context, c *secretcache.Cache, names []string, limit int) error {
	sem := make(chan struct{}, max(limit, 1))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, errs[i] = c.GetSecretStringWithContext(ctx, name)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
