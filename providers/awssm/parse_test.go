package awssm

import (
	"strings"
	"testing"

	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, query string
		want        selector
		bad         bool
	}{
		{"prod/db", "", selector{id: "prod/db"}, false},
		{"prod/db", "version-stage=AWSPREVIOUS", selector{id: "prod/db", stage: "AWSPREVIOUS"}, false},
		{"prod/db", "version-id=abc", selector{id: "prod/db", versionID: "abc"}, false},
		{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", "", selector{id: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", region: "eu-west-1"}, false},
		{"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db", "", selector{id: "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db", region: "cn-north-1"}, false},
		{"arn:aws:s3:::bucket", "", selector{id: "arn:aws:s3:::bucket"}, false},
		{"", "", selector{}, true},
		{"x", "version-stage=A&version-id=B", selector{}, true},
		{"x", "version=1", selector{}, true},
		{"x", "version-stage=A&version-stage=B", selector{}, true},
		{"x", "%zz", selector{}, true},
	} {
		got, err := parse(driver.Ref{Scheme: Scheme, Name: tc.name, Query: tc.query})
		if tc.bad {
			assert.ErrorIs(t, err, driver.ErrInvalidRef, "%s?%s", tc.name, tc.query)
			continue
		}
		if assert.NoError(t, err) {
			assert.Equal(t, tc.want, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"prod/db", "prod/db?version-stage=AWSPREVIOUS#k", "arn:aws:secretsmanager:us-west-2:1:secret:x-AbCdEf", "x?version-id=1&version-stage=2", "x?%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := driver.ParseRef("awssm://" + s)
		if err != nil {
			return
		}
		sel, err := parse(ref)
		if err != nil {
			require.ErrorIs(t, err, driver.ErrInvalidRef)
			return
		}
		require.Equal(t, ref.Name, sel.id)
		require.Falsef(t, sel.stage != "" && sel.versionID != "", "bad selector %+v for %+v", sel, ref)
		require.Falsef(t, sel.region != "" && !strings.HasPrefix(sel.id, "arn:"), "region from a name that is not an ARN: %+v", sel)
	})
}

func FuzzAgentError(f *testing.F) {
	for _, s := range []string{`{"__type":"ResourceNotFoundException","message":"m"}`, "Bad Token", `{"__type":"com.amazonaws#X","Message":"m"}`, ""} {
		f.Add(403, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := agentError(status, []byte(body))
		require.False(t, e.Code == "" && e.Message != "" && len(e.Message) > 64, "a long plain-text body was copied into the error")
		_ = e.Error()
	})
}
