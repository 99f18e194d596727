// Package kubernetes holds the Kubernetes manifests of the
// inference-service example and the test that checks what its README claims.
package kubernetes

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/files"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct{ Name, Key string } `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type container struct {
	Name         string   `yaml:"name"`
	Args         []string `yaml:"args"`
	Env          []envVar `yaml:"env"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
		SubPath   string `yaml:"subPath"`
	} `yaml:"volumeMounts"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	} `yaml:"securityContext"`
}

type object struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		Template struct {
			Spec struct {
				ServiceAccountName string `yaml:"serviceAccountName"`
				SecurityContext    struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
				} `yaml:"securityContext"`
				Containers []container `yaml:"containers"`
				Volumes    []struct {
					Name   string `yaml:"name"`
					Secret *struct {
						SecretName string `yaml:"secretName"`
					} `yaml:"secret"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func load(t *testing.T, file string) []object {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []object
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err, file)
		out = append(out, o)
	}
}

func deployment(t *testing.T, objs []object) object {
	t.Helper()
	for _, o := range objs {
		if o.Kind == "Deployment" {
			return o
		}
	}
	require.FailNow(t, "no Deployment")
	return object{}
}

func env(c container, name string) (envVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return envVar{}, false
}

func TestEveryManifestIsHardenedAndServes(t *testing.T) {
	for _, f := range []string{"deployment-env.yaml", "deployment-volume.yaml", "deployment-cloud.yaml"} {
		t.Run(f, func(t *testing.T) {
			d := deployment(t, load(t, f))
			spec := d.Spec.Template.Spec
			assert.True(t, spec.SecurityContext.RunAsNonRoot, "pods must run as non-root")
			require.Len(t, spec.Containers, 1, "want one container")
			c := spec.Containers[0]
			assert.True(t, c.SecurityContext.ReadOnlyRootFilesystem && c.SecurityContext.AllowPrivilegeEscalation != nil && !*c.SecurityContext.AllowPrivilegeEscalation,
				"containers need a read-only root file system and no privilege escalation")
			assert.Equal(t, []string{"-serve"}, c.Args, "the container must run the service (-serve)")
			key, ok := env(c, "OPENAI_API_KEY")
			require.True(t, ok, "OPENAI_API_KEY is not set")
			if driver.Scheme(key.Value) != "" {
				r, err := driver.ParseRef(key.Value)
				require.NoError(t, err, "OPENAI_API_KEY is not a valid reference")
				checkers := map[string]driver.RefChecker{awssm.Scheme: awssm.New(nil), "file": files.New()}
				require.Contains(t, checkers, r.Scheme, "the manifests read AWS Secrets Manager or mounted files")
				assert.NoError(t, checkers[r.Scheme].CheckRef(r), "OPENAI_API_KEY is not a valid reference for its provider")
			} else {
				// Not assert.Empty: it would print the value.
				assert.True(t, key.Value == "", "OPENAI_API_KEY holds a literal value: a secret must never be in a manifest")
			}
		})
	}
}

func TestEnvVariantUsesSecretKeyRef(t *testing.T) {
	c := deployment(t, load(t, "deployment-env.yaml")).Spec.Template.Spec.Containers[0]
	key, _ := env(c, "OPENAI_API_KEY")
	assert.True(t, key.ValueFrom != nil && key.ValueFrom.SecretKeyRef != nil && key.ValueFrom.SecretKeyRef.Name == "inference-secrets",
		"OPENAI_API_KEY must come from the inference-secrets Secret")
}

func TestVolumeVariantIsWatchable(t *testing.T) {
	d := deployment(t, load(t, "deployment-volume.yaml"))
	spec := d.Spec.Template.Spec
	c := spec.Containers[0]
	require.Len(t, c.VolumeMounts, 1, "want one volume mount")
	m := c.VolumeMounts[0]
	assert.True(t, m.ReadOnly, "the secret volume must be read-only")
	assert.Empty(t, m.SubPath, "a subPath mount never sees Secret updates: rotation would need a restart")
	var secretVolume bool
	for _, v := range spec.Volumes {
		secretVolume = secretVolume || v.Name == m.Name && v.Secret != nil && v.Secret.SecretName == "inference-secrets"
	}
	assert.True(t, secretVolume, "the mount must be the inference-secrets Secret volume")
	key, _ := env(c, "OPENAI_API_KEY")
	ref, err := driver.ParseRef(key.Value)
	require.NoError(t, err, "OPENAI_API_KEY must be a file:// reference")
	require.Equal(t, "file", ref.Scheme, "OPENAI_API_KEY must be a file:// reference")
	assert.Truef(t, strings.HasPrefix(ref.Name, m.MountPath+"/"), "the reference %s is not inside the mounted volume %s", ref.Name, m.MountPath)
}

func TestCloudVariantUsesPodIdentity(t *testing.T) {
	objs := load(t, "deployment-cloud.yaml")
	d := deployment(t, objs)
	sa := d.Spec.Template.Spec.ServiceAccountName
	var annotated bool
	for _, o := range objs {
		annotated = annotated || o.Kind == "ServiceAccount" && o.Metadata.Name == sa && strings.HasPrefix(o.Metadata.Annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::")
	}
	assert.True(t, sa != "" && annotated, "the cloud variant needs a service account with an IAM role (IRSA)")
	c := d.Spec.Template.Spec.Containers[0]
	key, _ := env(c, "OPENAI_API_KEY")
	if ref, err := driver.ParseRef(key.Value); assert.NoError(t, err, "OPENAI_API_KEY must be an awssm:// reference") {
		assert.Equal(t, "awssm", ref.Scheme, "OPENAI_API_KEY must be an awssm:// reference")
	}
	_, ok := env(c, "AWS_REGION")
	assert.True(t, ok, "AWS_REGION must be set for the SDK's default chain")
}
