// Package apierr holds the errors services return and maps every error to
// one gRPC status: the code, a google.rpc.ErrorInfo saying why, and for bad
// input one google.rpc.BadRequest naming each bad field (AIP-193).
package apierr

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
)

// Domain is the ErrorInfo domain of every error Gongyak returns.
const Domain = "gongyak.kr"

// Reasons name why a request failed, in google.rpc.ErrorInfo.reason.
const (
	ReasonInvalidArgument    = "INVALID_ARGUMENT"
	ReasonNotFound           = "NOT_FOUND"
	ReasonAlreadyExists      = "ALREADY_EXISTS"
	ReasonEtagMismatch       = "ETAG_MISMATCH"
	ReasonConcurrentChange   = "CONCURRENT_CHANGE"
	ReasonFailedPrecondition = "FAILED_PRECONDITION"
	ReasonUnavailable        = "UNAVAILABLE"
	ReasonDeadlineExceeded   = "DEADLINE_EXCEEDED"
	ReasonUnauthenticated    = "UNAUTHENTICATED"
	ReasonPermissionDenied   = "PERMISSION_DENIED"
	ReasonInternal           = "INTERNAL"
)

// Error is an error a service means its caller to see: a code, a reason,
// a message safe to show (never personal data) and, for bad input, the
// fields that were wrong.
type Error struct {
	Code       codes.Code
	Reason     string
	Message    string
	Violations []FieldViolation
	// Metadata goes into ErrorInfo.metadata, such as the resource name that
	// was not found.
	Metadata map[string]string
	// RetryDelay, when set, goes into a google.rpc.RetryInfo: how long the
	// caller should wait before it retries. Every UNAVAILABLE error carries
	// one, DefaultRetryDelay unless it says otherwise.
	RetryDelay time.Duration
}

// DefaultRetryDelay is the RetryInfo of an UNAVAILABLE error that names
// none: an outage of a second or two (a restart, a failover) passes
// without a client hammering the service meanwhile.
const DefaultRetryDelay = time.Second

// FieldViolation names one bad field by its path in the request, such as
// `pledge.progress_log[2].date.label`, and says what is wrong with it.
type FieldViolation struct {
	Field       string
	Description string
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// Renamed returns a copy of e whose violations name their fields by
// rename, for a caller that passes on what another part refused under its
// own request's names.
func (e *Error) Renamed(rename func(field string) string) *Error {
	out := *e
	out.Violations = make([]FieldViolation, len(e.Violations))
	for i, v := range e.Violations {
		out.Violations[i] = FieldViolation{Field: rename(v.Field), Description: v.Description}
	}
	return &out
}

// NotFound says the resource called name does not exist.
func NotFound(kind, name string) *Error {
	return &Error{
		Code:     codes.NotFound,
		Reason:   ReasonNotFound,
		Message:  fmt.Sprintf("%s %q not found", kind, name),
		Metadata: map[string]string{"resource": name},
	}
}

// AlreadyExists says a resource with the same identity exists.
func AlreadyExists(format string, args ...any) *Error {
	return &Error{Code: codes.AlreadyExists, Reason: ReasonAlreadyExists, Message: fmt.Sprintf(format, args...)}
}

// FailedPrecondition says the system is not in a state that allows the
// request, such as removing a term that still has pledges.
func FailedPrecondition(format string, args ...any) *Error {
	return &Error{Code: codes.FailedPrecondition, Reason: ReasonFailedPrecondition, Message: fmt.Sprintf(format, args...)}
}

// Unavailable says a service this one depends on could not answer: the
// caller may retry after the error's RetryInfo (DefaultRetryDelay).
func Unavailable(format string, args ...any) *Error {
	return &Error{Code: codes.Unavailable, Reason: ReasonUnavailable, Message: fmt.Sprintf(format, args...)}
}

// Unauthenticated says the call needs a credential, or the one it
// presented does not verify (HTTP 401).
func Unauthenticated(format string, args ...any) *Error {
	return &Error{Code: codes.Unauthenticated, Reason: ReasonUnauthenticated, Message: fmt.Sprintf(format, args...)}
}

// PermissionDenied says the verified caller may not make the call (HTTP
// 403).
func PermissionDenied(format string, args ...any) *Error {
	return &Error{Code: codes.PermissionDenied, Reason: ReasonPermissionDenied, Message: fmt.Sprintf(format, args...)}
}

// EtagMismatch says the caller's etag is stale: someone changed the
// resource since it was read.
func EtagMismatch(name string) *Error {
	return &Error{
		Code:     codes.Aborted,
		Reason:   ReasonEtagMismatch,
		Message:  fmt.Sprintf("%s was changed by someone else: read it again and retry with its new etag", name),
		Metadata: map[string]string{"resource": name},
	}
}

// Invalid returns an INVALID_ARGUMENT error for one field.
func Invalid(field, format string, args ...any) *Error {
	var v Violations
	v.Add(field, format, args...)
	return v.Err().(*Error)
}

// Violations collects every bad field of a request, so that one error
// names them all.
type Violations struct {
	list []FieldViolation
}

// Add records that field is bad.
func (v *Violations) Add(field, format string, args ...any) {
	v.list = append(v.list, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Merge adds the violations of err when it is an INVALID_ARGUMENT Error and
// reports whether it was.
func (v *Violations) Merge(err error) bool {
	e, ok := err.(*Error)
	if !ok || e.Code != codes.InvalidArgument {
		return false
	}
	v.list = append(v.list, e.Violations...)
	return true
}

// Empty reports whether nothing was added.
func (v *Violations) Empty() bool { return len(v.list) == 0 }

// Err returns nil when nothing was added, else one INVALID_ARGUMENT error
// listing every violation.
func (v *Violations) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	msg := "invalid " + v.list[0].Field
	if len(v.list) > 1 {
		msg = fmt.Sprintf("%d invalid fields", len(v.list))
	}
	return &Error{
		Code:       codes.InvalidArgument,
		Reason:     ReasonInvalidArgument,
		Message:    msg,
		Violations: append([]FieldViolation(nil), v.list...),
	}
}

// Path joins field names and list indexes into a field path:
// Path("pledge", "contacts", 2, "phone") is `pledge.contacts[2].phone`.
func Path(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		case string:
			if p == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		default:
			panic(fmt.Sprintf("apierr.Path: part %v is neither a field name nor an index", p))
		}
	}
	return b.String()
}
