package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/genproto/googleapis/api/httpbody"
)

// MaxPhotoBytes bounds an uploaded image.
const MaxPhotoBytes = 5 << 20

// photoTypes are the images a photo may be.
var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

func parsePhotoName(name string) (district, id string, n int, err error) {
	ids, err := resourcename.Photo.Parse("name", name)
	if err != nil {
		return "", "", 0, err
	}
	n, err = strconv.Atoi(ids[2])
	if err != nil { // more digits than an int holds
		return "", "", 0, apierr.Invalid("name", "must end in photos/{n}, n from 1")
	}
	return ids[0], ids[1], n, nil
}

// UploadPhoto attaches an image to a photo after checking its size and
// that its bytes are the image type it claims.
func (s *PledgeServer) UploadPhoto(ctx context.Context, req *pledgev1.UploadPhotoRequest) (*pledgev1.Photo, error) {
	district, id, n, err := parsePhotoName(req.GetName())
	if err != nil {
		return nil, err
	}
	data := req.GetContent().GetData()
	declared := strings.TrimSpace(strings.SplitN(req.GetContent().GetContentType(), ";", 2)[0])
	var v apierr.Violations
	switch {
	case len(data) == 0:
		v.Add("content", "is empty")
	case len(data) > MaxPhotoBytes:
		v.Add("content", "is %d bytes; at most %d are taken", len(data), MaxPhotoBytes)
	case !photoTypes[declared]:
		v.Add("content.content_type", "must be image/jpeg, image/png, image/gif or image/webp")
	default:
		if sniffed := http.DetectContentType(data); sniffed != declared {
			v.Add("content", "is not %s as declared: its bytes read as %s", declared, sniffed)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ph, err := s.store.SavePhotoFile(ctx, district, id, n, declared, data)
	if err != nil {
		return nil, err
	}
	return &pledgev1.Photo{Caption: ph.Caption, Text: ph.Text, Uri: ph.URI}, nil
}

// GetPhotoContent returns a photo's image.
func (s *PledgeServer) GetPhotoContent(ctx context.Context, req *pledgev1.GetPhotoContentRequest) (*httpbody.HttpBody, error) {
	district, id, n, err := parsePhotoName(req.GetName())
	if err != nil {
		return nil, err
	}
	ct, data, err := s.store.PhotoFile(ctx, district, id, n)
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: ct, Data: data}, nil
}
