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

	"github.com/driftless/driftless"
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
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []object
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
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
	t.Fatal("no Deployment")
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
			if !spec.SecurityContext.RunAsNonRoot {
				t.Error("pods must run as non-root")
			}
			if len(spec.Containers) != 1 {
				t.Fatalf("want one container, got %d", len(spec.Containers))
			}
			c := spec.Containers[0]
			if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
				t.Error("containers need a read-only root file system and no privilege escalation")
			}
			if strings.Join(c.Args, " ") != "-serve" {
				t.Errorf("the container must run the service (-serve), got %v", c.Args)
			}
			key, ok := env(c, "OPENAI_API_KEY")
			if !ok {
				t.Fatal("OPENAI_API_KEY is not set")
			}
			if driftless.IsKnownRef(key.Value) {
				if _, err := driftless.ParseRef(key.Value); err != nil {
					t.Errorf("OPENAI_API_KEY is not a valid reference: %v", err)
				}
			} else if key.Value != "" {
				t.Error("OPENAI_API_KEY holds a literal value: a secret must never be in a manifest")
			}
		})
	}
}

func TestEnvVariantUsesSecretKeyRef(t *testing.T) {
	c := deployment(t, load(t, "deployment-env.yaml")).Spec.Template.Spec.Containers[0]
	key, _ := env(c, "OPENAI_API_KEY")
	if key.ValueFrom == nil || key.ValueFrom.SecretKeyRef == nil || key.ValueFrom.SecretKeyRef.Name != "inference-secrets" {
		t.Fatal("OPENAI_API_KEY must come from the inference-secrets Secret")
	}
}

func TestVolumeVariantIsWatchable(t *testing.T) {
	d := deployment(t, load(t, "deployment-volume.yaml"))
	spec := d.Spec.Template.Spec
	c := spec.Containers[0]
	if len(c.VolumeMounts) != 1 {
		t.Fatalf("want one volume mount, got %d", len(c.VolumeMounts))
	}
	m := c.VolumeMounts[0]
	if !m.ReadOnly {
		t.Error("the secret volume must be read-only")
	}
	if m.SubPath != "" {
		t.Error("a subPath mount never sees Secret updates: rotation would need a restart")
	}
	var secretVolume bool
	for _, v := range spec.Volumes {
		secretVolume = secretVolume || v.Name == m.Name && v.Secret != nil && v.Secret.SecretName == "inference-secrets"
	}
	if !secretVolume {
		t.Error("the mount must be the inference-secrets Secret volume")
	}
	key, _ := env(c, "OPENAI_API_KEY")
	ref, err := driftless.ParseRef(key.Value)
	if err != nil || ref.Scheme != "file" {
		t.Fatalf("OPENAI_API_KEY must be a file:// reference, got an error %v", err)
	}
	if !strings.HasPrefix(ref.Name, m.MountPath+"/") {
		t.Errorf("the reference %s is not inside the mounted volume %s", ref.Name, m.MountPath)
	}
}

func TestCloudVariantUsesPodIdentity(t *testing.T) {
	objs := load(t, "deployment-cloud.yaml")
	d := deployment(t, objs)
	sa := d.Spec.Template.Spec.ServiceAccountName
	var annotated bool
	for _, o := range objs {
		annotated = annotated || o.Kind == "ServiceAccount" && o.Metadata.Name == sa && strings.HasPrefix(o.Metadata.Annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::")
	}
	if sa == "" || !annotated {
		t.Error("the cloud variant needs a service account with an IAM role (IRSA)")
	}
	c := d.Spec.Template.Spec.Containers[0]
	key, _ := env(c, "OPENAI_API_KEY")
	if ref, err := driftless.ParseRef(key.Value); err != nil || ref.Scheme != "awssm" {
		t.Errorf("OPENAI_API_KEY must be an awssm:// reference (err %v)", err)
	}
	if _, ok := env(c, "AWS_REGION"); !ok {
		t.Error("AWS_REGION must be set for the SDK's default chain")
	}
}
