package secretcheck

// The names the analyzer looks for, for the test that checks them against
// the library.
var (
	LibPath      = libPath
	SecretName   = secretName
	RotatingName = rotatingName
	ValueMethods = valueMethods
	MatchMethod  = matchMethod
)
