package azkvtest_test

import (
	"context"
	"fmt"

	"github.com/driftless/driftless/providers/azkv/azkvtest"
)

// A service's own test uses the official client against the fake vault.
func Example() {
	srv := azkvtest.Start() // in a test: azkvtest.NewServer(t)
	defer srv.Close()
	srv.Set("db-password", "s3cret")

	client := srv.Client(azkvtest.DefaultVault) // *azsecrets.Client
	resp, err := client.GetSecret(context.Background(), "db-password", "", nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(*resp.Value, resp.ID.Name())
	fmt.Printf("%+v\n", srv.Stats())
	// Output:
	// s3cret db-password
	// {Requests:2 Challenges:1 Gets:1 Sets:0 Versions:0 Updates:0 Deletes:0 ListAll:0 Faults:0 Tokens:0 Discovery:0}
}
