package drifttest_test

import (
	"context"
	"testing"

	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		p := drifttest.NewProvider()
		return providertest.Backend{
			Provider: p,
			Put:      p.Put,
			Ref:      func(name string) driver.Ref { return driver.Ref{Scheme: "mem", Name: name} },
		}
	})
}

func TestConformanceBatching(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		p := drifttest.NewProvider()
		return providertest.Backend{
			Provider: p.Batching(20),
			Put:      func(ctx context.Context, name string, data []byte) error { return p.Put(ctx, name, data) },
			Ref:      func(name string) driver.Ref { return driver.Ref{Scheme: "mem", Name: name} },
		}
	})
}
