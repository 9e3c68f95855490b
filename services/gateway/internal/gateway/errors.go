package gateway

import (
	"context"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/deadline"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The generated handlers wrap what goes wrong before the call into a bare
// INVALID_ARGUMENT; these read the field back out of its message.
var (
	pathMismatch = regexp.MustCompile(`^type mismatch, parameter: (\S+), error: .*$`)
	pathMissing  = regexp.MustCompile(`^missing parameter (\S+)$`)
)

// errorHandler writes every error as a JSON google.rpc.Status with the
// HTTP code that matches its gRPC code. Errors the gateway itself raises
// while reading a request get the ErrorInfo and BadRequest the services
// give theirs, so clients read one shape of error. An UNAVAILABLE (503) —
// a service or its database away — goes out with a Retry-After header
// from its RetryInfo, which it gets when the gRPC connection raised it.
func errorHandler(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	nameSpan(ctx)
	st := status.Convert(err)
	switch st.Code() {
	case codes.InvalidArgument:
		if len(st.Details()) == 0 {
			if e := describe(ctx, st.Message()); e != nil {
				st = apierr.ToStatus(e)
			}
		}
	case codes.Unavailable:
		if len(st.Details()) == 0 {
			// The connection's own error names addresses and sockets:
			// the client needs to know which service, and to retry.
			st = apierr.ToStatus(apierr.Unavailable("the %s service could not be reached; retry shortly", backendOf(ctx)))
		}
		st = apierr.ToStatus(st.Err())
		setRetryAfter(w, apierr.RetryDelay(st))
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, st.Err())
}

// backendOf names the service of the method being called.
func backendOf(ctx context.Context) string {
	if method, ok := runtime.RPCMethod(ctx); ok {
		return deadline.Service(method)
	}
	return "called"
}

// setRetryAfter tells the client to wait d, in whole seconds (at least
// one), before it retries; it returns the seconds.
func setRetryAfter(w http.ResponseWriter, d time.Duration) int {
	secs := max(1, int(math.Ceil(d.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}

// describe turns the gateway's own message about a bad request into an
// error naming the field.
func describe(ctx context.Context, msg string) error {
	if rest, ok := strings.CutPrefix(msg, queryErrorPrefix); ok {
		field, desc, _ := strings.Cut(rest, ": ")
		return apierr.Invalid(field, "%s", desc)
	}
	if rest, ok := strings.CutPrefix(msg, bodyErrorPrefix); ok {
		field, desc, _ := strings.Cut(rest, ": ")
		path := join(bodyField(ctx), field)
		if path == "" {
			path = "body"
		}
		return apierr.Invalid(path, "%s", desc)
	}
	// Go's parser text (strconv.ParseInt: …) means nothing to a client.
	if m := pathMismatch.FindStringSubmatch(msg); m != nil {
		return apierr.Invalid(m[1], "is not a valid value")
	}
	if m := pathMissing.FindStringSubmatch(msg); m != nil {
		return apierr.Invalid(m[1], "is required")
	}
	return nil
}

// bodyField returns the request field the HTTP body fills for the method
// being called (such as "pledge"), read from its google.api.http rule, or
// "" when the body is the whole request or the body field is unknown.
func bodyField(ctx context.Context) string {
	method, ok := runtime.RPCMethod(ctx)
	if !ok {
		return "body"
	}
	name := protoreflect.FullName(strings.ReplaceAll(strings.TrimPrefix(method, "/"), "/", "."))
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
	if err != nil {
		return ""
	}
	md, ok := d.(protoreflect.MethodDescriptor)
	if !ok {
		return ""
	}
	rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
	if body := rule.GetBody(); body != "*" {
		return body
	}
	return ""
}

// routingErrorHandler answers a path no method serves, or a method the
// path does not allow, in the same JSON shape.
func routingErrorHandler(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	var e *apierr.Error
	switch httpStatus {
	case http.StatusNotFound:
		e = &apierr.Error{Code: codes.NotFound, Reason: "NO_SUCH_PATH", Message: "no API method serves " + r.URL.Path + "; see /openapi.json"}
	case http.StatusMethodNotAllowed:
		e = &apierr.Error{Code: codes.Unimplemented, Reason: "METHOD_NOT_ALLOWED", Message: r.Method + " is not allowed on " + r.URL.Path}
	default:
		e = &apierr.Error{Code: codes.InvalidArgument, Reason: apierr.ReasonInvalidArgument, Message: http.StatusText(httpStatus)}
	}
	err := &runtime.HTTPStatusError{HTTPStatus: httpStatus, Err: apierr.ToStatus(e).Err()}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// statusJSON writes the errors the edge answers itself, in the form
// grpc-gateway writes the others.
var statusJSON = newJSONMarshaler()

// writeStatus answers e as a JSON google.rpc.Status with httpStatus, for
// the requests the edge refuses before any service sees them.
func writeStatus(w http.ResponseWriter, httpStatus int, e *apierr.Error) {
	body, err := statusJSON.Marshal(apierr.ToStatus(e).Proto())
	if err != nil {
		body = []byte(`{"code":13,"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	w.Write(body) //nolint:errcheck // the client went away
}
