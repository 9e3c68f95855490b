package server

import (
	"context"
	"slices"
	"strings"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/services/pledge/internal/report"
	"github.com/gongyak/gongyak/services/pledge/internal/reportfile"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// ExportImplementationReport computes the report as GetImplementationReport
// does and writes it as a file. A report with a section unavailable is not
// written: an official would take a partial file for the whole.
func (s *ReportServer) ExportImplementationReport(ctx context.Context, req *pledgev1.ExportImplementationReportRequest) (*httpbody.HttpBody, error) {
	var v apierr.Violations
	q := readReportRequest(req.GetName(), req.GetTerm(), req.GetStartDate(), req.GetAsOfDate(), report.Today(time.Now()), &v)
	if !slices.Contains(reportfile.Formats, req.GetFormat()) {
		v.Add("format", "must be %s", strings.Join(reportfile.Formats, " or "))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r, err := s.compute(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, sec := range []*pledgev1.Section{r.GetBudgetSection(), r.GetIndicatorSection(), r.GetParticipationSection()} {
		if !isAvailable(sec) {
			return nil, apierr.Unavailable("the report cannot be exported whole: %s; try again shortly", sec.GetReason())
		}
	}
	file, err := reportfile.Write(r, req.GetFormat())
	if err != nil {
		return nil, err
	}
	// The gateway passes this on as the HTTP header, so that a browser
	// saves the file under its name.
	if err := grpc.SetHeader(ctx, metadata.Pairs("content-disposition", `attachment; filename="`+file.Name+`"`)); err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: file.ContentType, Data: file.Data}, nil
}
