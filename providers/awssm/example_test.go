package awssm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
)

// Reading one key of a JSON secret. In production the client comes from
// the SDK's configuration (awssm.NewFromConfig, or awssm.New with your own
// *secretsmanager.Client); here it points at the awssmtest fake.
func Example() {
	ctx := context.Background()
	srv := awssmtest.NewServer()
	defer srv.Close()
	_ = srv.Put(ctx, "prod/database", []byte(`{"user":"app","password":"hunter2"}`))

	p := awssm.New(srv.Client())
	ref, _ := driver.ParseRef("awssm://prod/database#password")
	v, err := p.Fetch(ctx, ref.Secret())
	if err != nil {
		fmt.Println(err)
		return
	}
	password, _ := driver.Select(v.Data, ref.Key)
	fmt.Println(string(password))
	// Output: hunter2
}

// FetchBatch reads many secrets with BatchGetSecretValue, 20 per call.
func ExampleProvider_FetchBatch() {
	ctx := context.Background()
	srv := awssmtest.NewServer()
	defer srv.Close()
	var refs []driver.Ref
	for i := range 30 {
		name := fmt.Sprintf("prod/svc/key-%02d", i)
		_ = srv.Put(ctx, name, []byte("v"))
		refs = append(refs, driver.Ref{Scheme: awssm.Scheme, Name: name})
	}
	refs = append(refs, driver.Ref{Scheme: awssm.Scheme, Name: "prod/svc/missing"})

	res, _ := awssm.New(srv.Client()).FetchBatch(ctx, refs)
	fmt.Println("results:", len(res))
	fmt.Println("missing is not found:", errors.Is(res[30].Err, driver.ErrNotFound))
	fmt.Println("BatchGetSecretValue calls:", srv.Count("BatchGetSecretValue"))
	// Output:
	// results: 31
	// missing is not found: true
	// BatchGetSecretValue calls: 2
}

// After a rotation, Fetch returns the new version and FetchPrevious the
// one before it, so both keys can be accepted during the rotation window.
func ExampleProvider_FetchPrevious() {
	ctx := context.Background()
	srv := awssmtest.NewServer()
	defer srv.Close()
	_ = srv.Put(ctx, "prod/api-key", []byte("key-1"))
	_, _ = srv.Rotate(ctx, "prod/api-key", []byte("key-2"))

	p := awssm.New(srv.Client())
	ref := driver.Ref{Scheme: awssm.Scheme, Name: "prod/api-key"}
	cur, _ := p.Fetch(ctx, ref)
	prev, _ := p.FetchPrevious(ctx, ref)
	fmt.Println(string(cur.Data), string(prev.Data))
	// Output: key-2 key-1
}

// A key source finds OPENAI_API_KEY under a name prefix, without a
// reference in the config.
func ExamplePrefix() {
	ks := awssm.Prefix("prod/inference-engine/")
	ref, _ := ks.RefFor("OPENAI_API_KEY")
	fmt.Println(ref)
	// Output: awssm://prod/inference-engine/OPENAI_API_KEY
}

// An explicit mapping from config keys to secrets (and JSON keys).
func ExampleKeys() {
	ks := awssm.Keys(map[string]string{
		"OPENAI_API_KEY": "prod/llm-keys#openai",
		"DB_PASSWORD":    "prod/database#password",
	})
	ref, ok := ks.RefFor("DB_PASSWORD")
	fmt.Println(ref, ok)
	_, ok = ks.RefFor("TIMEOUT")
	fmt.Println(ok)
	// Output:
	// awssm://prod/database#password true
	// false
}

// Reading through the AWS Secrets Manager Agent or the Lambda extension.
// In a Lambda function or next to the agent, use awssm.NewAgentFromEnv();
// here awssmtest.AgentServer plays the agent.
func ExampleNewAgent() {
	ctx := context.Background()
	srv := awssmtest.NewServer()
	defer srv.Close()
	_ = srv.Put(ctx, "prod/api-key", []byte("sk-123"))
	agentSrv := awssmtest.NewAgentServer(srv, "ssrf-token")
	defer agentSrv.Close()

	agent, err := awssm.NewAgent(awssm.WithAgentEndpoint(agentSrv.URL), awssm.WithAgentToken("ssrf-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := agent.Fetch(ctx, driver.Ref{Scheme: awssm.Scheme, Name: "prod/api-key"})
	fmt.Println(string(v.Data), err)
	// Output: sk-123 <nil>
}
