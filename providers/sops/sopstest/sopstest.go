// Package sopstest makes SOPS-encrypted files for tests, with age keys and
// without the sops command or any key service: a service's tests can
// encrypt a fixture to a key generated in the test and load it through
// the sops provider, the way the other provider modules' fakes let them
// test against a secrets manager without mocks.
//
//	id, _ := age.GenerateX25519Identity()
//	enc, err := sopstest.Encrypt([]byte("OPENAI_API_KEY=sk-test\n"), "dotenv", id.Recipient())
//	// write enc to secrets.enc.env; sops.New(sops.WithAgeIdentities(id)) reads it
package sopstest

import (
	"errors"
	"fmt"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/keys"
	"github.com/getsops/sops/v3/stores/dotenv"
	"github.com/getsops/sops/v3/stores/ini"
	sopsjson "github.com/getsops/sops/v3/stores/json"
	"github.com/getsops/sops/v3/stores/yaml"
)

// sopsVersion is the sops version recorded in the files Encrypt writes.
const sopsVersion = "3.13.3"

// store reads plaintext and writes encrypted files of one format.
type store interface {
	LoadPlainFile(in []byte) (sops.TreeBranches, error)
	EmitEncryptedFile(in sops.Tree) ([]byte, error)
}

func storeFor(format string) (store, error) {
	switch format {
	case "yaml":
		return yaml.NewStore(&config.YAMLStoreConfig{}), nil
	case "json":
		return sopsjson.NewStore(&config.JSONStoreConfig{}), nil
	case "dotenv":
		return dotenv.NewStore(&config.DotenvStoreConfig{}), nil
	case "ini":
		return ini.NewStore(&config.INIStoreConfig{}), nil
	case "binary":
		return sopsjson.NewBinaryStore(&config.JSONBinaryStoreConfig{}), nil
	}
	return nil, fmt.Errorf("sopstest: format %q: want yaml, json, dotenv, ini or binary", format)
}

// Encrypt encrypts plaintext, a document in format ("yaml", "json",
// "dotenv", "ini" or "binary", sops's names), for the age recipients, as
// `sops encrypt --age` does: every value is encrypted with a new data key,
// the data key with each recipient, and the values are covered by a MAC.
// It returns the encrypted file. Its errors never contain plaintext.
func Encrypt(plaintext []byte, format string, recipients ...*age.X25519Recipient) ([]byte, error) {
	st, err := storeFor(format)
	if err != nil {
		return nil, err
	}
	if len(recipients) == 0 {
		return nil, errors.New("sopstest: no recipient")
	}
	branches, err := st.LoadPlainFile(plaintext)
	if err != nil {
		return nil, fmt.Errorf("sopstest: the plaintext is not valid %s", format)
	}
	var group sops.KeyGroup
	for _, r := range recipients {
		mk, err := sopsage.MasterKeyFromRecipient(r.String())
		if err != nil {
			return nil, fmt.Errorf("sopstest: recipient: %w", err)
		}
		group = append(group, keys.MasterKey(mk))
	}
	tree := sops.Tree{
		Branches: branches,
		Metadata: sops.Metadata{KeyGroups: []sops.KeyGroup{group}, Version: sopsVersion},
	}
	dataKey, errs := tree.GenerateDataKey()
	if len(errs) > 0 {
		return nil, fmt.Errorf("sopstest: data key: %w", errors.Join(errs...))
	}
	for _, k := range group {
		if err := k.Encrypt(dataKey); err != nil {
			return nil, fmt.Errorf("sopstest: encrypting the data key: %w", err)
		}
	}
	cipher := aes.NewCipher()
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		return nil, errors.New("sopstest: encrypting the values failed")
	}
	tree.Metadata.LastModified = time.Now().UTC()
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil {
		return nil, errors.New("sopstest: encrypting the MAC failed")
	}
	out, err := st.EmitEncryptedFile(tree)
	if err != nil {
		return nil, fmt.Errorf("sopstest: writing the %s file failed", format)
	}
	return out, nil
}
