package bench

// Forty is the cold-start config for driftless: 40 fields, each a key of
// one of 20 JSON secrets (see RemoteEnv).
type Forty struct {
	F00 string `env:"F00"`
	F01 string `env:"F01"`
	F02 string `env:"F02"`
	F03 string `env:"F03"`
	F04 string `env:"F04"`
	F05 string `env:"F05"`
	F06 string `env:"F06"`
	F07 string `env:"F07"`
	F08 string `env:"F08"`
	F09 string `env:"F09"`
	F10 string `env:"F10"`
	F11 string `env:"F11"`
	F12 string `env:"F12"`
	F13 string `env:"F13"`
	F14 string `env:"F14"`
	F15 string `env:"F15"`
	F16 string `env:"F16"`
	F17 string `env:"F17"`
	F18 string `env:"F18"`
	F19 string `env:"F19"`
	F20 string `env:"F20"`
	F21 string `env:"F21"`
	F22 string `env:"F22"`
	F23 string `env:"F23"`
	F24 string `env:"F24"`
	F25 string `env:"F25"`
	F26 string `env:"F26"`
	F27 string `env:"F27"`
	F28 string `env:"F28"`
	F29 string `env:"F29"`
	F30 string `env:"F30"`
	F31 string `env:"F31"`
	F32 string `env:"F32"`
	F33 string `env:"F33"`
	F34 string `env:"F34"`
	F35 string `env:"F35"`
	F36 string `env:"F36"`
	F37 string `env:"F37"`
	F38 string `env:"F38"`
	F39 string `env:"F39"`
}

// FortySethvargo is Forty for go-envconfig (the same tag name and syntax).
type FortySethvargo Forty
