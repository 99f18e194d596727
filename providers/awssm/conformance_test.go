package awssm_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/driftless/driftless/providertest"
	"github.com/stretchr/testify/require"
)

func ref(name string) driver.Ref { return driver.Ref{Scheme: awssm.Scheme, Name: name} }

// split returns b as a SecretString when it is valid UTF-8, else as a SecretBinary.
func split(b []byte) (*string, []byte) {
	if utf8.Valid(b) {
		return aws.String(string(b)), nil
	}
	return nil, b
}

// scheduleDeletion is the providertest Unservable hook: it schedules the
// secret's deletion through the API, as an operator does; Secrets Manager
// then refuses reads of it until it is restored.
func scheduleDeletion(client *secretsmanager.Client) func(ctx context.Context, name string) error {
	return func(ctx context.Context, name string) error {
		_, err := client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: &name})
		return err
	}
}

// fake starts an awssmtest server for one test.
func fake(t testing.TB) *awssmtest.Server {
	srv := awssmtest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func TestConformanceAWSSMTest(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		srv := fake(t)
		return providertest.Backend{Provider: awssm.New(srv.Client()), Put: srv.Put, Ref: ref, Unservable: scheduleDeletion(srv.Client())}
	})
}

// The same contract holds when BatchGetSecretValue is denied and
// FetchBatch falls back to GetSecretValue.
func TestConformanceAWSSMTestBatchDenied(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		srv := fake(t)
		srv.DenyBatch(true)
		return providertest.Backend{Provider: awssm.New(srv.Client()), Put: srv.Put, Ref: ref, Unservable: scheduleDeletion(srv.Client())}
	})
}

func TestConformanceAgent(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		srv := fake(t)
		agentSrv := awssmtest.NewAgentServer(srv, "test-token")
		t.Cleanup(agentSrv.Close)
		agent, err := awssm.NewAgent(awssm.WithAgentEndpoint(agentSrv.URL), awssm.WithAgentToken("test-token"))
		require.NoError(t, err)
		return providertest.Backend{Provider: agent, Put: srv.Put, Ref: ref, Unservable: scheduleDeletion(srv.Client())}
	})
}

func TestConformanceMoto(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		client := motoClient(t)
		return providertest.Backend{
			Provider:   awssm.New(client),
			Put:        motoPut(client),
			Ref:        ref,
			Unservable: scheduleDeletion(client),
			// moto stores a secret created with an empty SecretString
			// without any version.
			NoEmpty: true,
		}
	})
}
