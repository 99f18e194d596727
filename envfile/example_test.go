package envfile_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/driftless/driftless/envfile"
)

func ExampleParse() {
	src := `# database
export DB_HOST=db.internal # primary
DB_USER='svc'
DB_URL="postgres://${DB_USER}@${DB_HOST}:${DB_PORT:-5432}/app"
GREETING="hello\nworld"
`
	f, err := envfile.Parse(strings.NewReader(src), ".env")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range f.All() {
		fmt.Printf("%s:%d %s=%q\n", e.File, e.Line, e.Key, e.Value)
	}
	// Output:
	// .env:2 DB_HOST="db.internal"
	// .env:3 DB_USER="svc"
	// .env:4 DB_URL="postgres://svc@db.internal:5432/app"
	// .env:5 GREETING="hello\nworld"
}

func ExampleParse_errors() {
	src := "API_KEY=\"sk-live-1234\" trailing\nPORT 8080\n"
	_, err := envfile.Parse(strings.NewReader(src), ".env")
	fmt.Println(errors.Is(err, envfile.ErrSyntax))
	// The messages hold positions, never the text of the line.
	fmt.Println(err)
	// Output:
	// true
	// .env:1:24: unexpected character after closing quote
	// .env:2:6: missing '=' after key
}

func ExampleWithLookup() {
	env := map[string]string{"HOME": "/home/app"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f, _ := envfile.Parse(strings.NewReader("DATA=$HOME/data\nCACHE=${XDG_CACHE_HOME:-$HOME/.cache}\n"),
		".env", envfile.WithLookup(lookup))
	fmt.Println(f.Map()["DATA"], f.Map()["CACHE"])
	// Output: /home/app/data /home/app/.cache
}

func ExampleFile_Duplicates() {
	f, _ := envfile.Parse(strings.NewReader("PORT=8080\nHOST=a\nPORT=9090\n"), ".env")
	e, _ := f.Lookup("PORT")
	fmt.Println("PORT =", e.Value)
	for _, d := range f.Duplicates() {
		fmt.Printf("%s set again at %s:%d\n", d.Key, d.File, d.Line)
	}
	// Output:
	// PORT = 9090
	// PORT set again at .env:3
}

func ExampleCheck() {
	example, _ := envfile.Parse(strings.NewReader(`MODEL_NAME=gpt-4-turbo
OPENAI_API_KEY= # required, secret
DB_HOST=localhost
`), ".env.example")
	dotenv, _ := envfile.Parse(strings.NewReader("OPENAI_API_KEY=\nDB_HOSTT=db\n"), ".env")
	env := map[string]string{"MODEL_NAME": "llama-3"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, f := range envfile.Check(example, lookup, dotenv) {
		fmt.Println(f)
	}
	// Output:
	// .env:1:1: OPENAI_API_KEY: empty: required by the example but set to the empty string
	// .env.example:3:1: DB_HOST: missing: declared in the example but not set
	// .env:2:1: DB_HOSTT: unknown: not declared in the example
}

func ExampleWrite() {
	err := envfile.Write(os.Stdout, []envfile.ExampleEntry{
		{Key: "MODEL_NAME", Default: "gpt-4-turbo", Desc: "model to serve"},
		{Key: "OPENAI_API_KEY", Required: true, Secret: true, Desc: "OpenAI API key"},
		{Key: "DB_PASSWORD", Default: "awssm://prod/database#password", Secret: true},
		{Key: "GREETING", Default: "hello world"},
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// # model to serve
	// MODEL_NAME=gpt-4-turbo
	//
	// # OpenAI API key
	// OPENAI_API_KEY= # required, secret
	//
	// DB_PASSWORD= # secret
	//
	// GREETING='hello world'
}
