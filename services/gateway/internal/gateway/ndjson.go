package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
)

// ndjsonType is the content type of a district's bulk export and import.
const ndjsonType = "application/x-ndjson"

// ndjsonChunk is how much of an import's body one message carries.
const ndjsonChunk = 256 << 10

// ndjsonBody passes an NDJSON body (POST /v1/districts:importData) to its
// client-streaming method as google.api.HttpBody chunks, as it is: the
// pledge service reads the lines and names a bad one by its number. It
// answers in JSON like every call.
type ndjsonBody struct {
	runtime.Marshaler
}

// NewDecoder reads the body a chunk at a time, io.EOF at its end.
func (m ndjsonBody) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		msg, ok := protoTarget(v)
		body, isBody := msg.(*httpbody.HttpBody)
		if !ok || !isBody {
			return bodyError{desc: fmt.Sprintf("%s is accepted only for a district's import (districts:importData)", ndjsonType)}
		}
		buf := make([]byte, ndjsonChunk)
		n, err := io.ReadFull(r, buf)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return bodyError{desc: fmt.Sprintf("is larger than the limit of %d bytes", tooBig.Limit)}
		case n == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
			return io.EOF
		case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
			return bodyError{desc: "could not be read"}
		}
		body.ContentType, body.Data = ndjsonType, buf[:n]
		return nil
	})
}

// isBulkImport reports whether a request imports a district's export,
// which is NDJSON and may be as large as an upload.
func isBulkImport(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/v1/districts:importData"
}
