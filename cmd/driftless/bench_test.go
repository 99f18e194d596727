package main_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/stretchr/testify/require"
)

// BenchmarkExecColdStart measures one `driftless exec -- true` that
// resolves 30 references against the three fakes (10 Key Vault secrets,
// 10 keys of one AWS JSON secret, 10 Google secrets): process start,
// provider set-up and one round of concurrent fetches.
func BenchmarkExecColdStart(b *testing.B) {
	dir := b.TempDir()
	ctx := b.Context()
	az, azEnv := azkvEnv(b, dir)
	aws, awsEnv := awssmEnv(b)
	gcp := gcpsmtest.NewServer(b)
	var lines []string
	secrets := map[string]string{}
	for i := range 10 {
		az.Set(fmt.Sprintf("s%d", i), canary("az"))
		secrets[fmt.Sprintf("k%d", i)] = canary("aws")
		require.NoError(b, gcp.Put(ctx, fmt.Sprintf("s%d", i), []byte(canary("gcp"))))
		lines = append(lines,
			fmt.Sprintf("AZ%d=azkv://%s/s%d", i, azkvtest.DefaultVault, i),
			fmt.Sprintf("AWS%d=awssm://bench#k%d", i, i),
			fmt.Sprintf("GCP%d=gcpsm://%s/s%d", i, gcpsmtest.DefaultProject, i))
	}
	var sb strings.Builder
	sb.WriteString("{")
	first := true
	for k, v := range secrets {
		if !first {
			sb.WriteString(",")
		}
		first = false
		fmt.Fprintf(&sb, "%q:%q", k, v)
	}
	sb.WriteString("}")
	require.NoError(b, aws.Put(ctx, "bench", []byte(sb.String())))
	writeFile(b, dir, ".env", strings.Join(lines, "\n")+"\n")
	env := append(append(baseEnv(b), awsEnv...), azEnv...)
	env = append(env, "DRIFTLESS_GCPSM_ENDPOINT="+gcp.Addr())

	aws.ResetCounts()
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "exec", "--", "true")
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	b.ReportMetric(float64(aws.Total())/float64(b.N), "aws-requests/op")
}
