package envchain_test

import (
	"fmt"
	"strings"

	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/envfile"
)

func ExampleMerge() {
	f, _ := envfile.Parse(strings.NewReader("PORT=8080\nMODEL=gpt-4\n"), ".env")
	set := envchain.Merge([]string{"PORT=9090"}, []*envfile.File{f}, true, nil)
	for _, v := range set.Vars {
		fmt.Println(v.Key, v.Source, v.Shadowed)
	}
	// Output:
	// MODEL .env:2 []
	// PORT env [.env:1]
}
