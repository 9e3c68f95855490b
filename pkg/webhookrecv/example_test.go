package webhookrecv_test

import (
	"errors"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/gongyak/gongyak/pkg/webhookrecv"
)

// A receiver for a district's changes: it handles each change once, and
// answers 2xx only when it has, so that Gongyak retries otherwise.
func Example() {
	// The secret shown when the webhook was created; during a rotation,
	// both the old and the new.
	verifier, err := webhookrecv.New(os.Getenv("GONGYAK_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("POST /gongyak", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		id, err := verifier.Verify(r.Header, body)
		switch {
		case errors.Is(err, webhookrecv.ErrSeen):
			return // handled already: a retry after a lost answer, or a replay
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		log.Printf("change %s: %s", id, body) // the CloudEvent, as the change feed shows it
	})
}
