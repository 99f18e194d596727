package secretcheck_test

import (
	"reflect"
	"testing"

	"github.com/driftless/driftless"
	"github.com/stretchr/testify/assert"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/driftless/driftless/cmd/driftless-vet/secretcheck"
)

func TestFields(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), secretcheck.Analyzer, "fields")
}

func TestLeaks(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), secretcheck.Analyzer, "leaks")
}

// TestNamesMatchTheLibrary checks that the types and methods the analyzer
// looks for are the library's: a rename there must not silence it.
func TestNamesMatchTheLibrary(t *testing.T) {
	secret := reflect.TypeFor[driftless.Secret]()
	rotating := reflect.TypeFor[driftless.Rotating]()
	assert.Equal(t, secretcheck.LibPath, secret.PkgPath())
	assert.Equal(t, secretcheck.SecretName, secret.Name())
	assert.Equal(t, secretcheck.RotatingName, rotating.Name())
	for _, name := range secretcheck.ValueMethods {
		m, ok := secret.MethodByName(name)
		if assert.True(t, ok, "Secret.%s", name) {
			assert.Contains(t, []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[[]byte]()}, m.Type.Out(0), "Secret.%s returns the plain value", name)
		}
	}
	current, ok := rotating.MethodByName("Current")
	if assert.True(t, ok, "Rotating.Current") {
		assert.Equal(t, secret, current.Type.Out(0))
	}
	match, ok := rotating.MethodByName(secretcheck.MatchMethod)
	if assert.True(t, ok, "Rotating.%s", secretcheck.MatchMethod) {
		assert.Equal(t, reflect.TypeFor[func(string) bool](), match.Type.In(1), "its callback receives each plain value")
	}
}
