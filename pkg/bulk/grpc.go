package bulk

import (
	"context"
	"errors"
	"io"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/grpc"
)

// A stream's policy rule sees no request (auth.Policy checks a stream as
// it opens), so the internal methods are let through to signed callers by
// the policy and check the district here, once the request is read.

// Handlers serve a service's internal ExportDistrictData and
// ImportDistrictData from its district data. A service registers them
// embedded beside its own server, which embeds the generated
// Unimplemented server: the Handlers' methods stand one level shallower,
// so they are the ones called.
type Handlers struct {
	Data Service
}

// ExportDistrictData sends, to a caller who reads the district's data,
// its rows, masked unless the caller may see its personal data; the
// header carries the citizen key's fingerprint when the service has one.
func (s Handlers) ExportDistrictData(req *typev1.ExportDistrictDataRequest, stream grpc.ServerStreamingServer[typev1.DataLine]) error {
	ctx := stream.Context()
	district, err := DistrictOfName(req.GetName())
	if err != nil {
		return err
	}
	if err := CanExport(ctx, district); err != nil {
		return err
	}
	h := Header{Masked: !auth.CanSeePersonalData(ctx, district), CitizenKeyFingerprint: s.Data.CitizenKeyFingerprint}
	return s.Data.Export(ctx, district, h, stream.Send)
}

// CanExport lets a caller who reads a district's data export it.
func CanExport(ctx context.Context, district string) error {
	if t := auth.In(district); !auth.FromContext(ctx).Can(auth.ReadData, t) || auth.PublishedOnly(ctx) {
		return auth.Deny(ctx, auth.ReadData, t)
	}
	return nil
}

// CanImport lets a caller who may create districts import one.
func CanImport(ctx context.Context, district string) error {
	if t := auth.In(district); !auth.FromContext(ctx).Can(auth.CreateDistrict, t) {
		return auth.Deny(ctx, auth.CreateDistrict, t)
	}
	return nil
}

// ImportDistrictData writes a district's data: the first message names
// the district and the export (and may ask only to validate), and every
// message's lines are written in one transaction.
func (s Handlers) ImportDistrictData(stream grpc.ClientStreamingServer[typev1.ImportDistrictDataRequest, typev1.ImportDistrictDataResponse]) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return apierr.Invalid("name", "is required: the stream was empty")
	}
	if err != nil {
		return err
	}
	district, err := DistrictOfName(first.GetName())
	if err != nil {
		return err
	}
	if first.GetExportId() == "" {
		return apierr.Invalid("export_id", "is required")
	}
	if err := CanImport(ctx, district); err != nil {
		return err
	}
	pending := first.GetLines()
	next := func() ([]*typev1.DataLine, error) {
		if pending != nil {
			lines := pending
			pending = nil
			return lines, nil
		}
		m, err := stream.Recv()
		if err != nil {
			return nil, err
		}
		return m.GetLines(), nil
	}
	rows, already, err := s.Data.Import(ctx, district, first.GetExportId(), first.GetValidateOnly(), next)
	if err != nil {
		return err
	}
	return stream.SendAndClose(&typev1.ImportDistrictDataResponse{Rows: rows, AlreadyImported: already})
}

// DistrictOfName reads a request's `name`, `districts/{district}`.
func DistrictOfName(name string) (string, error) {
	ids, err := resourcename.District.Parse("name", name)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}
