package driftless

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// fileReader is the built-in provider for file:// references: it reads the
// file on each fetch. providers/files adds watching and directory sources.
type fileReader struct {
	read func(string) ([]byte, error)
}

func (p fileReader) Fetch(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, fmt.Errorf("reading %s: %w", ref.Name, err)
	}
	b, err := p.read(ref.Name)
	if err != nil {
		if isNotExist(err) {
			return Value{}, fmt.Errorf("%w: file %s", ErrNotFound, ref.Name)
		}
		return Value{}, fmt.Errorf("reading file %s: %w", ref.Name, scrubPathErr(err))
	}
	sum := sha256.Sum256(b)
	return Value{Data: b, Version: hex.EncodeToString(sum[:8])}, nil
}
