package faults_test

import (
	"errors"
	"testing"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type dbSettings struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type rejectConfig struct {
	Password driftless.Secret `env:"DB_PASSWORD" default:"mem://db#password"`
	User     string           `env:"DB_USER" default:"mem://db#user"`
	Workers  int              `env:"WORKERS" default:"mem://workers"`
	API      driftless.Secret `env:"API_KEY" default:"mem://api"`
	Settings dbSettings       `env:"DB_SETTINGS" default:"mem://settings"`
}

// TestRefreshRejectedWhole is the rows "Malformed JSON secret", "Wrong
// #key", "Undecodable value" and "Failing validation": a refresh that
// produces a bad config is rejected whole (no field of it is applied, even
// the ones that rotated cleanly), Current keeps the old snapshot, and
// ForceRefresh returns the error naming the field.
func TestRefreshRejectedWhole(t *testing.T) {
	t.Parallel()
	errTooMany := errors.New("workers must be at most 64")
	tests := []struct {
		name       string
		breakIt    func(p *drifttest.Provider)
		wantFields []string // nil for a whole-config (validation) error
		wantIs     error
	}{
		{name: "malformed JSON secret read with #key", breakIt: func(p *drifttest.Provider) { p.Set("db", `{"user":"app","password":`) }, wantFields: []string{"Password", "User"}},
		{name: "malformed JSON secret filling a struct", breakIt: func(p *drifttest.Provider) { p.Set("settings", `{"host":"db.internal","port":`) }, wantFields: []string{"Settings"}},
		{name: "JSON secret of the wrong shape for the struct", breakIt: func(p *drifttest.Provider) { p.Set("settings", `{"host":"db.internal","port":"five"}`) }, wantFields: []string{"Settings"}},
		{name: "wrong #key: the member is gone after a rotation", breakIt: func(p *drifttest.Provider) { p.Set("db", `{"user":"app","pass":"renamed"}`) }, wantFields: []string{"Password"}, wantIs: driftless.ErrNotFound},
		{name: "wrong #key: the secret is no longer JSON", breakIt: func(p *drifttest.Provider) { p.Set("db", `plain text now`) }, wantFields: []string{"Password", "User"}},
		{name: "undecodable value", breakIt: func(p *drifttest.Provider) { p.Set("workers", "eight") }, wantFields: []string{"Workers"}},
		{name: "empty value for an int", breakIt: func(p *drifttest.Provider) { p.Set("workers", "") }, wantFields: []string{"Workers"}},
		{name: "failing user validation", breakIt: func(p *drifttest.Provider) { p.Set("workers", "100") }, wantIs: driftless.ErrValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := drifttest.NewProvider()
			p.Set("db", `{"user":"app","password":"pw1"}`)
			p.Set("workers", "8")
			p.Set("api", "api1")
			p.Set("settings", `{"host":"db.internal","port":5432}`)
			h, err := driftless.NewHandle[rejectConfig](t.Context(), driftless.WithEnv(nil),
				driftless.WithProvider("mem", p),
				driftless.WithForceRefreshLimit(0),
				driftless.WithValidator(func(cfg any) error {
					if cfg.(*rejectConfig).Workers > 64 {
						return errTooMany
					}
					return nil
				}))
			require.NoError(t, err)
			defer h.Close()
			var told []error
			h.OnError(func(err error) { told = append(told, err) })
			changed := 0
			h.OnChange(func(driftless.Change[rejectConfig]) { changed++ })
			before := h.Current()
			want := *before

			// A clean rotation of another secret in the same refresh.
			p.Set("api", "api2")
			tc.breakIt(p)

			err = h.ForceRefresh(t.Context())
			require.Error(t, err)
			var le *driftless.LoadError
			require.ErrorAs(t, err, &le)
			if tc.wantFields != nil {
				assert.ElementsMatch(t, tc.wantFields, fieldPaths(t, err), "the error names the fields, and only those")
			} else {
				assert.Empty(t, le.Fields())
			}
			if tc.wantIs != nil {
				assert.ErrorIs(t, err, tc.wantIs)
			}
			assert.Same(t, before, h.Current(), "old snapshot kept")
			assert.Equal(t, want, *h.Current(), "old snapshot unchanged")
			assert.Equal(t, "api1", h.Current().API.Value(), "the clean rotation is not applied alone")
			assert.Zero(t, changed, "no OnChange")
			require.Len(t, told, 1, "OnError told")
			assert.Same(t, err, told[0])
			assert.Contains(t, h.Report().Fields[0].Display, driftless.Redacted+" hmac:", "the report still describes the kept snapshot")

			// Fixing the bad value lets the next refresh apply everything.
			p.Set("db", `{"user":"app","password":"pw1"}`)
			p.Set("workers", "8")
			p.Set("settings", `{"host":"db.internal","port":5432}`)
			require.NoError(t, h.ForceRefresh(t.Context()))
			assert.Equal(t, "api2", h.Current().API.Value())
			assert.Equal(t, 1, changed)
		})
	}
}
