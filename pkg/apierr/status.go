package apierr

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

// PostgreSQL error codes the services act on.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgQueryCanceled        = "57014"
)

// ToStatus maps any error to the gRPC status its caller sees. Errors of
// this package keep their code and details; gRPC statuses (from a service
// called downstream) pass through; storage conflicts become ABORTED or
// ALREADY_EXISTS; anything else is INTERNAL with a message that reveals
// nothing of the input.
func ToStatus(err error) *status.Status {
	if err == nil {
		return status.New(codes.OK, "")
	}
	var e *Error
	if errors.As(err, &e) {
		return fromError(e)
	}
	if s, ok := status.FromError(err); ok {
		return s
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fromError(&Error{Code: codes.DeadlineExceeded, Reason: "DEADLINE_EXCEEDED", Message: "the request ran out of time"})
	case errors.Is(err, context.Canceled):
		return fromError(&Error{Code: codes.Canceled, Reason: "CANCELED", Message: "the request was canceled"})
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgSerializationFailure, pgDeadlockDetected:
			return fromError(&Error{Code: codes.Aborted, Reason: ReasonConcurrentChange, Message: "the request collided with a concurrent change; retry it"})
		case pgUniqueViolation:
			return fromError(&Error{Code: codes.AlreadyExists, Reason: ReasonAlreadyExists, Message: "a resource with the same identity already exists"})
		case pgForeignKeyViolation:
			return fromError(&Error{Code: codes.FailedPrecondition, Reason: ReasonFailedPrecondition, Message: "the change would leave a reference to something that does not exist"})
		case pgQueryCanceled:
			return fromError(&Error{Code: codes.DeadlineExceeded, Reason: "DEADLINE_EXCEEDED", Message: "the request ran out of time"})
		}
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
	withDetails, err := st.WithDetails(details...)
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
// keeping its code, reason, message and field violations.
func FromStatus(st *status.Status) *Error {
	return &Error{Code: st.Code(), Reason: Reason(st), Message: st.Message(), Violations: FieldViolations(st)}
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
