package pgdb

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc/codes"
)

// PostgreSQL error codes (SQLSTATE) the services act on.
const (
	UniqueViolation      = "23505"
	ForeignKeyViolation  = "23503"
	SerializationFailure = "40001"
	DeadlockDetected     = "40P01"
	QueryCanceled        = "57014"
	// ReadOnlyTransaction is a write sent to a server that is, or has
	// just become, a read-only standby: a failover in progress.
	ReadOnlyTransaction = "25006"
	AdminShutdown       = "57P01"
	CrashShutdown       = "57P02"
	CannotConnectNow    = "57P03"
	TooManyConnections  = "53300"
	// connectionException is the class of 08000 and its kin: the
	// connection failed or broke.
	connectionException = "08"
)

// Classify returns the error a caller should see for err: an
// *apierr.Error when err is a database error it knows, err itself
// otherwise (a context that ran out, say, which apierr.ToStatus maps).
//
// The database being away — refused or broken connections, a server
// shutting down or starting up, a failover, too many connections — and
// transactions that lost a race (serialization failures, deadlocks) are
// UNAVAILABLE with a RetryInfo: nothing was written, and the same request
// will do once the database is back. A statement the server canceled for
// time is DEADLINE_EXCEEDED. Unique and foreign-key violations say what
// the request collided with. No message reveals the input or the server.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var e *apierr.Error
	if errors.As(err, &e) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if c := classifyCode(pgErr.Code); c != nil {
			return c
		}
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	if unreachable(err) {
		return databaseUnavailable()
	}
	return err
}

func classifyCode(code string) *apierr.Error {
	switch code {
	case UniqueViolation:
		return &apierr.Error{Code: codes.AlreadyExists, Reason: apierr.ReasonAlreadyExists, Message: "a resource with the same identity already exists"}
	case ForeignKeyViolation:
		return &apierr.Error{Code: codes.FailedPrecondition, Reason: apierr.ReasonFailedPrecondition, Message: "the change would leave a reference to something that does not exist"}
	case SerializationFailure, DeadlockDetected:
		return &apierr.Error{Code: codes.Unavailable, Reason: apierr.ReasonConcurrentChange, Message: "the request collided with a concurrent change and nothing was written; retry it",
			RetryDelay: apierr.DefaultRetryDelay}
	case QueryCanceled:
		return &apierr.Error{Code: codes.DeadlineExceeded, Reason: apierr.ReasonDeadlineExceeded, Message: "the request ran out of time"}
	case AdminShutdown, CrashShutdown, CannotConnectNow, ReadOnlyTransaction, TooManyConnections:
		return databaseUnavailable()
	}
	if strings.HasPrefix(code, connectionException) {
		return databaseUnavailable()
	}
	return nil
}

// unreachable reports whether err says the server could not be reached or
// the connection broke, rather than that the server refused the request.
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func databaseUnavailable() *apierr.Error {
	return &apierr.Error{Code: codes.Unavailable, Reason: apierr.ReasonUnavailable,
		Message: "the service's database is not available; retry shortly", RetryDelay: apierr.DefaultRetryDelay}
}
