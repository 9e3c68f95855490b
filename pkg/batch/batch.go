// Package batch holds what the batch writes (AIP-233 BatchCreate…,
// AIP-234 BatchUpdate…) share: at most Max requests, each checked as its
// single method checks it with its faults named under `requests[i].`, all
// of them reported at once, and nothing written when any is refused.
package batch

import (
	"errors"
	"fmt"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Max is the most requests one batch may carry: a batch is one
// transaction, which must end well within a write's deadline.
const Max = 500

// Size refuses a batch without requests or with more than Max, naming
// `requests`.
func Size(v *apierr.Violations, n int) {
	switch {
	case n == 0:
		v.Add("requests", "is empty: send at least one request")
	case n > Max:
		v.Add("requests", "holds %d requests; a batch takes at most %d: split it", n, Max)
	}
}

// Check refuses a batch whose parent could not be read (parentErr, whose
// violations it keeps) or that carries too few or too many (n) requests,
// naming both faults at once.
func Check(parentErr error, n int) error {
	var v apierr.Violations
	v.Merge(parentErr)
	Size(&v, n)
	return v.Err()
}

// Field is the path of field in the i-th request: Field(3, "pledge.title")
// is `requests[3].pledge.title`.
func Field(i int, field string) string { return apierr.Path("requests", i, field) }

// Merge adds the violations of err, an INVALID_ARGUMENT of the i-th
// request's single method, to v under `requests[i].`, and reports whether
// it was one.
func Merge(v *apierr.Violations, i int, err error) bool {
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != codes.InvalidArgument {
		return false
	}
	v.Merge(e.Renamed(func(f string) string { return Field(i, f) }))
	return true
}

// Parent refuses the i-th request's parent unless it is empty or the
// batch's own.
func Parent(v *apierr.Violations, i int, parent, batchParent string) {
	if parent != "" && parent != batchParent {
		v.Add(Field(i, "parent"), "must be empty or the batch's parent %s", batchParent)
	}
}

// NoRequestID refuses a request_id on the i-th request: the batch's own
// request_id makes the whole batch safe to retry.
func NoRequestID(v *apierr.Violations, i int, id string) {
	if id != "" {
		v.Add(Field(i, "request_id"), "is not taken in a batch: set the batch's request_id, which covers every request")
	}
}

// Item returns err, which refused the i-th request, as the batch's error:
// its code and details kept, its message saying which request it was and
// its field violations named under `requests[i].`.
func Item(i int, err error) error {
	if err == nil {
		return nil
	}
	var e *apierr.Error
	if errors.As(err, &e) {
		out := e.Renamed(func(f string) string { return Field(i, f) })
		out.Message = fmt.Sprintf("requests[%d]: %s", i, e.Message)
		return out
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
		return Item(i, apierr.FromStatus(st))
	}
	return err
}
