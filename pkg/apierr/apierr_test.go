package apierr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
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
		{&pgconn.PgError{Code: "40001"}, codes.Aborted, ReasonConcurrentChange},
		{&pgconn.PgError{Code: "23505", Detail: "Key (title)=(윤송미) already exists."}, codes.AlreadyExists, ReasonAlreadyExists},
		{context.DeadlineExceeded, codes.DeadlineExceeded, "DEADLINE_EXCEEDED"},
		{status.Error(codes.Unavailable, "budget is down"), codes.Unavailable, ""},
		{errors.New("dial tcp 10.0.0.1: secret detail 윤송미"), codes.Internal, ReasonInternal},
	}
	for _, tt := range tests {
		st := ToStatus(tt.err)
		if st.Code() != tt.code || Reason(st) != tt.reason {
			t.Errorf("ToStatus(%v) = %v %q, want %v %q", tt.err, st.Code(), Reason(st), tt.code, tt.reason)
		}
		if tt.code == codes.Internal || tt.code == codes.AlreadyExists {
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
