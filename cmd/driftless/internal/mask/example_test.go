package mask_test

import (
	"fmt"
	"os"

	"github.com/driftless/driftless/cmd/driftless/internal/mask"
)

func ExampleWriter() {
	w := mask.NewWriter(os.Stdout, []string{"hunter2-s3cret"})
	// The value arrives in two writes; it is masked all the same.
	fmt.Fprint(w, "password=hunter2-")
	fmt.Fprint(w, "s3cret\n")
	_ = w.Close()
	// Output: password=[MASKED]
}
