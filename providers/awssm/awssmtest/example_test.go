package awssmtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
)

// Testing your own code that uses the official SDK client, without mocks.
func Example() {
	ctx := context.Background()
	srv := awssmtest.NewServer()
	defer srv.Close()
	_ = srv.Put(ctx, "prod/api-key", []byte("sk-1"))

	client := srv.Client() // *secretsmanager.Client
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/api-key")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(out.SecretString), out.VersionStages)

	// Throttle past the SDK's three attempts.
	srv.Throttle(3)
	_, err = client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/api-key")})
	var ae smithy.APIError
	fmt.Println(errors.As(err, &ae) && ae.ErrorCode() == "ThrottlingException")
	fmt.Println("GetSecretValue requests:", srv.Count("GetSecretValue"))
	// Output:
	// sk-1 [AWSCURRENT]
	// true
	// GetSecretValue requests: 4
}

// Rotating a secret the way a rotation function does.
func ExampleServer_Rotate() {
	ctx := context.Background()
	srv := awssmtest.NewServer()
	defer srv.Close()
	_ = srv.Put(ctx, "db", []byte("old"))
	_, _ = srv.Rotate(ctx, "db", []byte("new"))

	client := srv.Client()
	for _, stage := range []string{"AWSCURRENT", "AWSPREVIOUS"} {
		out, _ := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String(stage)})
		fmt.Println(stage, aws.ToString(out.SecretString))
	}
	// Output:
	// AWSCURRENT new
	// AWSPREVIOUS old
}
