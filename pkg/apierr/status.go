package apierr

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
)

// ToStatus maps any error to the gRPC status its caller sees. Errors of
// this package keep their code and details; gRPC statuses (from a service
// called downstream) pass through; a context that ran out or was canceled
// says so; anything else is INTERNAL with a message that reveals nothing
// of the input. Storage errors are the storage's to classify first
// (pgdb.Classify). Every UNAVAILABLE status leaves with a RetryInfo, so a
// client knows it may retry and when.
func ToStatus(err error) *status.Status {
	if err == nil {
		return status.New(codes.OK, "")
	}
	var e *Error
	if errors.As(err, &e) {
		return fromError(e)
	}
	if s, ok := status.FromError(err); ok {
		return withRetryInfo(s)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fromError(&Error{Code: codes.DeadlineExceeded, Reason: ReasonDeadlineExceeded, Message: "the request ran out of time"})
	case errors.Is(err, context.Canceled):
		return fromError(&Error{Code: codes.Canceled, Reason: "CANCELED", Message: "the request was canceled"})
	}
	return fromError(&Error{Code: codes.Internal, Reason: ReasonInternal, Message: "internal error"})
}

func fromError(e *Error) *status.Status {
	st := status.New(e.Code, e.Message)
	reason := e.Reason
	if reason == "" {
		reason = e.Code.String()
	}
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: reason, Domain: Domain, Metadata: e.Metadata}}
	if len(e.Violations) > 0 {
		br := &errdetails.BadRequest{}
		for _, v := range e.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		details = append(details, br)
	}
	delay := e.RetryDelay
	if delay <= 0 && e.Code == codes.Unavailable {
		delay = DefaultRetryDelay
	}
	if delay > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
	}
	withDetails, err := st.WithDetails(details...)
	if err != nil {
		return st
	}
	return withDetails
}

// withRetryInfo gives an UNAVAILABLE status that carries no RetryInfo (one
// a gRPC connection raised itself, say) the default one.
func withRetryInfo(st *status.Status) *status.Status {
	if st.Code() != codes.Unavailable || RetryDelay(st) > 0 {
		return st
	}
	withDetails, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(DefaultRetryDelay)})
	if err != nil {
		return st
	}
	return withDetails
}

// IsClientError reports whether code is the caller's doing rather than the
// server's, which decides how loudly it is logged.
func IsClientError(code codes.Code) bool {
	switch code {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied,
		codes.Unauthenticated, codes.FailedPrecondition, codes.Aborted, codes.OutOfRange, codes.Canceled:
		return true
	}
	return false
}

// FromStatus turns a status another service returned back into an Error,
// keeping its code, reason, message, field violations and retry delay.
func FromStatus(st *status.Status) *Error {
	return &Error{Code: st.Code(), Reason: Reason(st), Message: st.Message(), Violations: FieldViolations(st), RetryDelay: RetryDelay(st)}
}

// FieldViolations returns the BadRequest field violations a status carries.
func FieldViolations(st *status.Status) []FieldViolation {
	var out []FieldViolation
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
			}
		}
	}
	return out
}

// Reason returns the ErrorInfo reason a status carries, or "".
func Reason(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// RetryDelay returns how long the status's RetryInfo asks the caller to
// wait before it retries, or 0 when it carries none.
func RetryDelay(st *status.Status) time.Duration {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.RetryInfo); ok {
			return info.GetRetryDelay().AsDuration()
		}
	}
	return 0
}
