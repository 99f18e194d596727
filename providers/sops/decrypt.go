package sops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/driftless/driftless/driver"
	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/shamir"
	"github.com/getsops/sops/v3/stores/dotenv"
	"github.com/getsops/sops/v3/stores/ini"
	sopsjson "github.com/getsops/sops/v3/stores/json"
	"github.com/getsops/sops/v3/stores/yaml"
)

// format is a SOPS file format, named as sops names it.
type format string

const (
	formatYAML   format = "yaml"
	formatJSON   format = "json"
	formatDotenv format = "dotenv"
	formatINI    format = "ini"
	formatBinary format = "binary"
)

// formatParam is the query parameter that sets the format.
const formatParam = "format"

func knownFormat(s string) (format, bool) {
	switch f := format(s); f {
	case formatYAML, formatJSON, formatDotenv, formatINI, formatBinary:
		return f, true
	}
	return "", false
}

// formatForPath is the format sops gives a file by its name.
func formatForPath(path string) format {
	switch {
	case strings.HasSuffix(path, ".yaml"), strings.HasSuffix(path, ".yml"):
		return formatYAML
	case strings.HasSuffix(path, ".json"):
		return formatJSON
	case strings.HasSuffix(path, ".env"):
		return formatDotenv
	case strings.HasSuffix(path, ".ini"):
		return formatINI
	}
	return formatBinary
}

// loader loads the encrypted file of one format.
type loader interface {
	LoadEncryptedFile(in []byte) (sops.Tree, error)
}

func loaderFor(f format) loader {
	switch f {
	case formatYAML:
		return yaml.NewStore(&config.YAMLStoreConfig{})
	case formatDotenv:
		return dotenv.NewStore(&config.DotenvStoreConfig{})
	case formatINI:
		return ini.NewStore(&config.INIStoreConfig{})
	}
	return sopsjson.NewStore(&config.JSONStoreConfig{}) // json, and binary (a JSON file holding "data")
}

// parseRef checks ref and returns the format of its file. Its errors never
// quote the reference.
func parseRef(ref driver.Ref) (format, error) {
	if ref.Scheme != "" && ref.Scheme != Scheme {
		return "", &driver.RefError{Scheme: ref.Scheme, Reason: "not a sops:// reference"}
	}
	if !filepath.IsAbs(filepath.FromSlash(ref.Name)) {
		return "", &driver.RefError{Scheme: Scheme, Reason: "not an absolute path (want sops:///path/secrets.enc.yaml)"}
	}
	f := formatForPath(ref.Name)
	if ref.Query == "" {
		return f, nil
	}
	for _, kv := range strings.Split(ref.Query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != formatParam {
			return "", &driver.RefError{Scheme: Scheme, Reason: "unknown query parameter (sops references take only format=yaml|json|dotenv|ini|binary)"}
		}
		var ok bool
		if f, ok = knownFormat(v); !ok {
			return "", &driver.RefError{Scheme: Scheme, Reason: "format must be yaml, json, dotenv, ini or binary"}
		}
	}
	return f, nil
}

// decrypt decrypts the encrypted file enc read from path. Its errors name
// path, never a value: the errors of sops's own code are not passed on,
// since some of them quote the text they could not decrypt.
func (p *Provider) decrypt(ctx context.Context, path string, f format, enc driver.Value) (driver.Value, error) {
	defer clear(enc.Data)
	tree, err := loaderFor(f).LoadEncryptedFile(enc.Data)
	if err != nil {
		if errors.Is(err, sops.MetadataNotFound) {
			return driver.Value{}, fmt.Errorf("%w: sops: %s is not SOPS-encrypted: it has no sops metadata (or is not %s; set ?format=)", driver.ErrInvalidRef, path, f)
		}
		return driver.Value{}, fmt.Errorf("%w: sops: %s is not a valid SOPS-encrypted %s file (set ?format= if it is in another format)", driver.ErrInvalidRef, path, f)
	}
	ids, err := p.identities(ctx)
	if err != nil {
		return driver.Value{}, fmt.Errorf("%w (decrypting %s)", err, path)
	}
	key, err := dataKey(tree.Metadata, ids)
	if err != nil {
		return driver.Value{}, fmt.Errorf("sops: decrypting %s: %w", path, err)
	}
	defer clear(key)
	cipher := aes.NewCipher()
	mac, err := tree.Decrypt(key, cipher)
	if err != nil {
		return driver.Value{}, fmt.Errorf("%w: sops: %s: a value does not decrypt under the file's data key", ErrTampered, path)
	}
	if tree.Metadata.MessageAuthenticationCode == "" {
		return driver.Value{}, fmt.Errorf("%w: sops: %s has no MAC", ErrTampered, path)
	}
	fileMAC, err := cipher.Decrypt(tree.Metadata.MessageAuthenticationCode, key, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil || fileMAC != mac {
		return driver.Value{}, fmt.Errorf("%w: sops: %s", ErrTampered, path)
	}
	var data []byte
	if f == formatBinary {
		data, err = binaryData(tree.Branches)
	} else {
		data, err = documentJSON(tree.Branches)
	}
	if err != nil {
		return driver.Value{}, fmt.Errorf("%w: sops: %s: %w", driver.ErrInvalidRef, path, err)
	}
	if err := ctx.Err(); err != nil {
		clear(data)
		return driver.Value{}, fmt.Errorf("sops: reading %s: %w", path, err)
	}
	return driver.Value{Data: data, Version: enc.Version, Created: tree.Metadata.LastModified}, nil
}

// dataKey recovers the file's data key with ids: from any age key of its
// single key group, or from enough key groups to combine their Shamir
// shares. Its errors list the file's age recipients (public keys).
func dataKey(m sops.Metadata, ids []age.Identity) ([]byte, error) {
	var parts [][]byte
	var recipients []string
	others := 0
	for _, group := range m.KeyGroups {
		var part []byte
		for _, k := range group {
			ak, ok := k.(*sopsage.MasterKey)
			if !ok {
				others++
				continue
			}
			recipients = append(recipients, ak.Recipient)
			if part != nil {
				continue
			}
			r, err := age.Decrypt(armor.NewReader(strings.NewReader(ak.EncryptedKey)), ids...)
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(r, 1<<10))
			if err == nil && len(b) > 0 {
				part = b
			}
		}
		if part != nil {
			parts = append(parts, part)
		}
	}
	need := 1
	if len(m.KeyGroups) > 1 {
		need = m.ShamirThreshold
		if need <= 0 {
			need = len(m.KeyGroups)
		}
	}
	if len(parts) == 0 || len(parts) < need {
		msg := "none of the age identities given decrypts the file's data key"
		if len(recipients) > 0 {
			msg += "; it is encrypted for the age recipients " + strings.Join(recipients, ", ")
		} else {
			msg += "; it has no age recipient"
		}
		if others > 0 {
			msg += fmt.Sprintf(" (and %d key(s) of other kinds, such as KMS or PGP, which this provider does not use)", others)
		}
		if len(m.KeyGroups) > 1 {
			msg += fmt.Sprintf("; %d of %d key groups decrypted, %d needed", len(parts), len(m.KeyGroups), need)
		}
		return nil, fmt.Errorf("%w: %s", driver.ErrPermission, msg)
	}
	if len(m.KeyGroups) == 1 {
		return parts[0], nil
	}
	key, err := shamir.Combine(parts)
	if err != nil {
		return nil, fmt.Errorf("%w: the key groups' shares do not combine into a data key", ErrTampered)
	}
	return key, nil
}

// binaryData is the plaintext of a file in sops's binary format.
func binaryData(branches sops.TreeBranches) ([]byte, error) {
	if len(branches) == 1 {
		for _, item := range branches[0] {
			if item.Key == "data" {
				if s, ok := item.Value.(string); ok {
					return []byte(s), nil
				}
			}
		}
	}
	return nil, errors.New(`not in sops's binary format (no "data" string); set ?format=`)
}

// documentJSON encodes decrypted documents as JSON: one document as an
// object, several (a multi-document YAML file) as an array. Comments are
// dropped. Its errors never hold a value.
func documentJSON(branches sops.TreeBranches) ([]byte, error) {
	var b bytes.Buffer
	if len(branches) == 1 {
		if err := encodeValue(&b, branches[0]); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	b.WriteByte('[')
	for i, br := range branches {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeValue(&b, br); err != nil {
			return nil, err
		}
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

func encodeValue(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case sops.TreeBranch:
		b.WriteByte('{')
		n := 0
		for _, item := range v {
			if _, ok := item.Key.(sops.Comment); ok {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			var key string
			switch k := item.Key.(type) {
			case string:
				key = k
			default:
				key = fmt.Sprint(k) // YAML allows keys of other kinds (1: x); keys are not secret
			}
			writeString(b, key)
			b.WriteByte(':')
			if err := encodeValue(b, item.Value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		n := 0
		for _, item := range v {
			if _, ok := item.(sops.Comment); ok {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			if err := encodeValue(b, item); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		writeString(b, v)
	case []byte:
		writeString(b, string(v))
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return errors.New("a value is an infinite or NaN number, which JSON cannot hold")
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case time.Time:
		writeString(b, v.Format(time.RFC3339Nano))
	default:
		return fmt.Errorf("a value has the unsupported type %T", v)
	}
	return nil
}

// writeString writes s as a JSON string (invalid UTF-8 is replaced with
// U+FFFD, as encoding/json does).
func writeString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}
