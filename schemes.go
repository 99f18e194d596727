package driftless

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/driftless/driftless/driver"
)

// Well-known schemes. A value is treated as a reference only when its scheme
// is one of these or one registered with a provider, so ordinary URLs
// (https://, postgres://) are never mistaken for references. The grammar
// of each belongs to its provider (driver.RefChecker).
var knownSchemes = map[string]bool{"awssm": true, "gcpsm": true, "azkv": true, "vault": true, "file": true}

// urlSchemes are schemes of ordinary URLs and DSNs, which a secret field
// commonly holds (a database DSN in a Secret): they are never taken for a
// misspelt reference.
var urlSchemes = map[string]bool{
	"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "ftps": true, "sftp": true, "ssh": true,
	"git": true, "postgres": true, "postgresql": true, "mysql": true, "mariadb": true, "sqlserver": true,
	"mssql": true, "redis": true, "rediss": true, "memcached": true, "mongodb": true, "mongodb+srv": true,
	"amqp": true, "amqps": true, "nats": true, "kafka": true, "mqtt": true, "mqtts": true, "ldap": true,
	"ldaps": true, "smtp": true, "smtps": true, "imap": true, "imaps": true, "s3": true, "gs": true,
	"grpc": true, "grpcs": true, "tcp": true, "udp": true, "unix": true, "clickhouse": true, "cockroachdb": true,
	"snowflake": true, "oracle": true, "sqlite": true, "sqlite3": true, "cassandra": true, "nats+tls": true,
	"dns": true, "socks5": true, "socks5h": true, "jdbc": true, "azblob": true, "ssl": true, "tls": true,
}

// normScheme returns the canonical form of a scheme given to WithProvider:
// lower case, without a trailing "://" or ":".
func normScheme(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "://"), ":")
	lower := strings.ToLower(s)
	if lower == "" || driver.Scheme(lower+"://") != lower {
		return "", fmt.Errorf("driftless: WithProvider: scheme %q: want letters, digits, '+', '-' or '.', starting with a letter", s)
	}
	return lower, nil
}

// registered lists the schemes a reference can use, for error messages.
func (o *options) registered() string {
	all := slices.Sorted(maps.Keys(o.providers))
	if !slices.Contains(all, "file") {
		all = append(all, "file")
	}
	if len(all) == 0 {
		return "none"
	}
	return strings.Join(all, ", ")
}

// nearestScheme returns the known or registered scheme closest to s, if
// one is within two edits (or is s in another letter case).
func (o *options) nearestScheme(s string) string {
	best, bestD := "", 3
	cands := slices.AppendSeq(slices.Collect(maps.Keys(knownSchemes)), maps.Keys(o.providers))
	slices.Sort(cands)
	for _, k := range cands {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// checkLiteral reports a value that looks like a reference but is not one
// this loader resolves: a scheme close to a known one, or any unknown
// scheme in a field that must hold a reference or is secret. Ordinary URL
// schemes are literal values (a DSN in a Secret). The error never shows
// the value, not even its scheme.
func (l *loader) checkLiteral(f *field, raw string) error {
	return l.checkLiteralScheme(f, driver.Scheme(raw))
}

// checkLiteralScheme is checkLiteral for a value whose scheme is s ("" for
// none).
func (l *loader) checkLiteralScheme(f *field, s string) error {
	if f.ref == refNever {
		return nil
	}
	if s == "" {
		if f.ref == refMust {
			return fmt.Errorf("%w: the field is tagged ref:\"true\" and its value is not a reference (scheme://...; registered: %s)", ErrInvalidRef, l.o.registered())
		}
		return nil
	}
	if urlSchemes[s] && f.ref != refMust {
		return nil
	}
	near := l.o.nearestScheme(s)
	if near == "" && !f.secret && f.ref != refMust {
		return nil
	}
	msg := "the value has a scheme no provider serves"
	if near != "" {
		msg += "; did you mean " + near + "://?"
	}
	msg += " (registered: " + l.o.registered() + `; tag the field ref:"false" if the value is a literal URL)`
	return fmt.Errorf("%w: %s", ErrUnknownScheme, msg)
}

// isRef reports whether raw is a reference this loader resolves.
func (l *loader) isRef(raw string) bool { return l.resolves(driver.Scheme(raw)) }

// resolves reports whether s is a scheme this loader resolves.
func (l *loader) resolves(s string) bool {
	if s == "" {
		return false
	}
	if knownSchemes[s] {
		return true
	}
	_, ok := l.o.providers[s]
	return ok
}
