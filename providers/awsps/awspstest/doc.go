// Package awspstest is a fake AWS Systems Manager Parameter Store endpoint
// for tests: a Server on 127.0.0.1 that speaks the AWS JSON 1.1 protocol
// the official SDKs use (GetParameter, GetParameters, GetParametersByPath,
// GetParameterHistory, PutParameter, LabelParameterVersion,
// DeleteParameter), keeps String, StringList and SecureString parameters
// in memory with their versions and labels, and lets a test inject
// latency, throttling, server errors, denials and outages (Down, Up).
//
//	srv := awspstest.NewServer()
//	t.Cleanup(srv.Close)
//	srv.PutParameter("/prod/inference/model", "gpt-4o", awspstest.String)
//	p := awsps.New(srv.Client())
//
// SecureString values are stored as given and returned decrypted only
// when the request asks for decryption (WithDecryption), as Parameter Store
// does; the fake does no encryption.
package awspstest
