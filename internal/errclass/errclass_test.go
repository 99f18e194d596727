package errclass_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/internal/errclass"
)

func TestOf(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		fmt.Errorf("%w: %w", driftless.ErrRejected, driftless.ErrUnavailable):    "rejected",
		fmt.Errorf("x: %w", driftless.ErrPermission):                             "permission",
		fmt.Errorf("%w: %w", driftless.ErrUnavailable, context.DeadlineExceeded): "unavailable",
		fmt.Errorf("x: %w", context.DeadlineExceeded):                            "timeout",
		fmt.Errorf("x: %w", driftless.ErrNotFound):                               "not_found",
		errors.New("sk-live-secret in a message"):                                errclass.Other,
	} {
		assert.Equal(t, want, errclass.Of(err), err.Error())
	}
}
