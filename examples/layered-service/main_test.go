package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLayeredServiceEveryLayer(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, []string{"--port=9090"}))
	text := out.String()
	for _, want := range []string{
		"flag --port",                    // Port from a flag
		".env:1",                         // LogLevel from the .env file
		"config.prod.yaml:2",             // ModelName overridden by the prod file
		"config.yaml:4",                  // Routes from the base file
		"config.prod.yaml:4",             // Batch.MaxSize from the prod file
		"config.yaml:21",                 // Batch.MaxWait from the base file
		`["chat","embed"]`,               // a native list, shown
		"eu-west-1",                      // a Parameter Store value marked secret:"false", shown
		"awsps:///prod/inference/region", // Region from Parameter Store
		"awssm://prod/inference#api_key", // APIKey from Secrets Manager, referenced in config.yaml
		"swapped [Batch.MaxSize]",
		"batch max size now 64",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "sk-demo-0000", "the API key is never printed")
}
