package awsps_test

import (
	"context"
	"testing"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awsps/awspstest"
	"github.com/driftless/driftless/providertest"
)

func ref(name string) driver.Ref { return driver.Ref{Scheme: awsps.Scheme, Name: name} }

// fake starts an awspstest server for one test.
func fake(t testing.TB) *awspstest.Server {
	srv := awspstest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func TestConformanceAWSPSTest(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		srv := fake(t)
		return providertest.Backend{
			Provider: awsps.New(srv.Client()),
			Put:      srv.Put,
			Ref:      ref,
			// Parameter Store stores non-empty text only.
			NoEmpty:  true,
			NoBinary: true,
			Unservable: func(_ context.Context, name string) error {
				srv.FailParameter(name, "AccessDeniedException")
				return nil
			},
		}
	})
}

// Hierarchical names, written without their leading "/".
func TestConformanceAWSPSTestHierarchy(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		srv := fake(t)
		return providertest.Backend{
			Provider: awsps.New(srv.Client()),
			Put: func(ctx context.Context, name string, data []byte) error {
				return srv.Put(ctx, "/conformance/app/"+name, data)
			},
			Ref:      func(name string) driver.Ref { return ref("conformance/app/" + name) },
			NoEmpty:  true,
			NoBinary: true,
		}
	})
}

func TestConformanceMoto(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		client := motoClient(t)
		return providertest.Backend{
			Provider: awsps.New(client),
			Put:      motoPut(client),
			Ref:      ref,
			NoEmpty:  true,
			NoBinary: true,
		}
	})
}
