package main_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiffPrivileges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	literal := canary("privileges")
	writeFile(t, dir, "main.env", strings.Join([]string{
		"DB_PASSWORD=awssm://prod/db#password",
		"DB_USER=awssm://prod/db#user",
		"API_KEY=vault://secret/app/api#key",
		"MODEL=" + literal,
	}, "\n")+"\n")
	writeFile(t, dir, "branch.env", strings.Join([]string{
		"DB_PASSWORD=awssm://prod/db#password",
		"DB_USER=awssm://prod/db#user",
		"PAYMENTS=awssm://prod/payments-db#password",
		"MODEL=" + literal,
	}, "\n")+"\n")

	// The branch reads another team's secret: the surface grows.
	r := runCLI(t, dir, baseEnv(t), "diff", "--privileges", "main.env", "branch.env")
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Contains(t, r.stdout, "+ read awssm://prod/payments-db\tneeded by B only (PAYMENTS)")
	assert.Contains(t, r.stdout, "- read vault://secret/app/api\tneeded by A only (API_KEY)")
	assert.Contains(t, r.stdout, "the permission surface grows: 1 grant(s) added in branch.env, 1 removed, 1 unchanged")

	// A branch that only drops a secret: a merge gate lets it through.
	writeFile(t, dir, "smaller.env", "DB_PASSWORD=awssm://prod/db#password\n")
	r = runCLI(t, dir, baseEnv(t), "diff", "--privileges", "main.env", "smaller.env")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "does not grow: 0 grant(s) added in smaller.env, 1 removed, 1 unchanged")
	assert.False(t, strings.Contains(r.output(), literal), "a literal value appears in the output")

	// JSON, the other way round: the vault secret is added, payments removed.
	r = runCLI(t, dir, baseEnv(t), "diff", "--privileges", "--json", "branch.env", "main.env")
	assert.Equal(t, 1, r.code, r.stderr)
	var rep struct {
		Added, Removed []struct {
			Reference string
			Keys      []string
		}
		Unchanged int
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.Len(t, rep.Added, 1)
	assert.Equal(t, "vault://secret/app/api", rep.Added[0].Reference)
	require.Len(t, rep.Removed, 1)
	assert.Equal(t, "awssm://prod/payments-db", rep.Removed[0].Reference)
	assert.Equal(t, 1, rep.Unchanged)

	// The same environment: nothing to say.
	r = runCLI(t, dir, baseEnv(t), "diff", "--privileges", "main.env", "main.env")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "does not grow: 0 grant(s) added")

}
