package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/protobuf/proto"
)

// imageTypes are the content types a photo upload may carry.
var imageTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}

// rawBody takes a request body of one content type as it is, into a
// google.api.HttpBody, for uploads; it answers in JSON like every call.
type rawBody struct {
	runtime.Marshaler
	contentType string
}

// NewDecoder reads the whole body into the HttpBody the method takes.
func (m rawBody) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		msg, ok := protoTarget(v)
		body, isBody := msg.(*httpbody.HttpBody)
		if !ok || !isBody {
			return bodyError{desc: fmt.Sprintf("%s is accepted only for uploads", m.contentType)}
		}
		data, err := io.ReadAll(r)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return bodyError{desc: fmt.Sprintf("is larger than the limit of %d bytes", tooBig.Limit)}
		}
		if err != nil {
			return bodyError{desc: "could not be read"}
		}
		body.ContentType, body.Data = m.contentType, data
		return nil
	})
}

var _ proto.Message = (*httpbody.HttpBody)(nil)

// isUpload reports whether a request uploads a file, which may be larger
// than other bodies.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, ":upload")
}
