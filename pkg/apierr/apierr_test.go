package apierr

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestToStatusMapsEveryKindOfError(t *testing.T) {
	var v Violations
	v.Add(Path("pledge", "contacts", 1, "phone"), "is not a phone number")
	v.Add("pledge.title", "is required")
	tests := []struct {
		err    error
		code   codes.Code
		reason string
	}{
		{NotFound("pledge", "districts/x/pledges/y"), codes.NotFound, ReasonNotFound},
		{v.Err(), codes.InvalidArgument, ReasonInvalidArgument},
		{fmt.Errorf("wrapped: %w", EtagMismatch("districts/x")), codes.Aborted, ReasonEtagMismatch},
		{context.DeadlineExceeded, codes.DeadlineExceeded, ReasonDeadlineExceeded},
		{status.Error(codes.Unavailable, "budget is down"), codes.Unavailable, ""},
		{errors.New("dial tcp 10.0.0.1: secret detail 윤송미"), codes.Internal, ReasonInternal},
	}
	for _, tt := range tests {
		st := ToStatus(tt.err)
		if st.Code() != tt.code || Reason(st) != tt.reason {
			t.Errorf("ToStatus(%v) = %v %q, want %v %q", tt.err, st.Code(), Reason(st), tt.code, tt.reason)
		}
		if tt.code == codes.Internal {
			if st.Message() == tt.err.Error() || containsAny(st.Message(), "secret", "윤송미") {
				t.Errorf("the message %q reveals the cause", st.Message())
			}
		}
	}
	got := FieldViolations(ToStatus(v.Err()))
	if len(got) != 2 || got[0].Field != "pledge.contacts[1].phone" || got[1].Field != "pledge.title" {
		t.Errorf("violations = %v", got)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		for i := 0; i+len(sub) <= len(s); i++ {
			if s[i:i+len(sub)] == sub {
				return true
			}
		}
	}
	return false
}

func TestEveryUnavailableTellsWhenToRetry(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"a service of ours", Unavailable("the budget service could not be asked"), DefaultRetryDelay},
		{"with its own delay", &Error{Code: codes.Unavailable, Message: "failing over", RetryDelay: 3 * time.Second}, 3 * time.Second},
		{"a gRPC connection's own", status.Error(codes.Unavailable, "connection refused"), DefaultRetryDelay},
		{"passed on from another service", fmt.Errorf("card: %w", FromStatus(ToStatus(&Error{Code: codes.Unavailable, RetryDelay: 2 * time.Second}))), 2 * time.Second},
		{"not an outage", NotFound("pledge", "districts/x/pledges/y"), 0},
		{"a stale etag, which needs a fresh read first", EtagMismatch("districts/x"), 0},
	}
	for _, tt := range tests {
		if got := RetryDelay(ToStatus(tt.err)); got != tt.want {
			t.Errorf("%s: retry delay %v, want %v", tt.name, got, tt.want)
		}
	}
}
