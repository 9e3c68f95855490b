package gateway

import (
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc/codes"
)

// guardWrite refuses a write (POST, PATCH, PUT, DELETE) without a
// credential or without the content type it takes, before any service
// sees it, and reports whether the request may go on. A page of another
// site can make a browser send a form (text/plain, multipart/form-data or
// application/x-www-form-urlencoded, and no Authorization header) without
// asking first: no such request can write.
func guardWrite(w http.ResponseWriter, r *http.Request) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
	default:
		return true
	}
	if strings.TrimSpace(r.Header.Get("Authorization")) == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeStatus(w, http.StatusUnauthorized, &apierr.Error{
			Code: codes.Unauthenticated, Reason: "CREDENTIAL_REQUIRED",
			Message: "a write needs a credential: send Authorization: Bearer followed by a token or an API key",
		})
		return false
	}
	if r.Method == http.MethodDelete && r.ContentLength == 0 {
		return true // nothing to read
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if isBulkImport(r) {
		if err == nil && mediaType == ndjsonType {
			return true
		}
		unsupported(w, "a district's import takes an export as it was written, sent as "+ndjsonType)
		return false
	}
	if isUpload(r) {
		if err == nil && slices.Contains(imageTypes, mediaType) {
			return true
		}
		unsupported(w, "a photo upload takes an image, sent with its content type: "+strings.Join(imageTypes, ", "))
		return false
	}
	if err == nil && mediaType == "application/json" {
		return true
	}
	unsupported(w, "a write takes a JSON body: send Content-Type: application/json")
	return false
}

func unsupported(w http.ResponseWriter, msg string) {
	writeStatus(w, http.StatusUnsupportedMediaType, &apierr.Error{
		Code: codes.InvalidArgument, Reason: "UNSUPPORTED_MEDIA_TYPE", Message: msg,
	})
}
