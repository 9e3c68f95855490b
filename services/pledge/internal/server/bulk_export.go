package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/bulk"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
)

// A district's bulk export is NDJSON, one line a JSON object
// {"type": …, "resource": {…}}: first the header (type
// gongyak.export), then each service's rows in dependency order — pledge,
// budget, indicator, participation, each table after those it refers to,
// type `<service>.<table>` and the row's stored columns as resource —
// and last the end line (type gongyak.end) with the count of lines, so
// that a file cut short is told from a whole one.
const (
	headerType = "gongyak.export"
	endType    = "gongyak.end"
	// exportFormat names the format, for importers of later versions.
	exportFormat = "gongyak.bulk/1"
	ndjson       = "application/x-ndjson"
	// chunkBytes is about how much of the file one stream message holds.
	chunkBytes = 64 << 10
)

// pledgeTables are the pledge service's district data, each table after
// those it refers to. API keys, card imports' records and the audit log
// stay: a suite issues its own keys and keeps its own log. A pledge's
// status history arrays are kept by triggers from status_changes (and
// its search columns are generated): the import computes them again.
// Its contacts' names and phones are masked as the public card masks
// them.
var pledgeTables = []bulk.Table{
	{Name: "districts", District: "id", Order: "id"},
	{Name: "terms", District: "district_id", Order: "number"},
	{Name: "departments", District: "district_id", Order: "id"},
	{Name: "pledges", District: "district_id", Order: "create_time, id",
		Personal: map[string]bulk.Mask{"contacts": bulk.Objects(map[string]func(string) string{"name": personal.MaskName, "phone": personal.MaskPhone})},
		Derived:  []string{"history_dates", "history_statuses", "history_previous"}},
	{Name: "status_changes", District: "district_id", Order: "pledge_id, number"},
	{Name: "photo_files", District: "district_id", Order: "pledge_id, position"},
}

// exportHeader is the export's first line's resource.
type exportHeader struct {
	Format                string `json:"format"`
	ExportID              string `json:"exportId"`
	District              string `json:"district"`
	Masked                bool   `json:"masked"`
	CitizenKeyFingerprint string `json:"citizenKeyFingerprint"`
	// SchemaVersions are each service's schema (migration) version: an
	// import needs the same.
	SchemaVersions map[string]int64 `json:"schemaVersions"`
	CreateTime     time.Time        `json:"createTime"`
}

// exportLine is one line of the file.
type exportLine struct {
	Type     string          `json:"type"`
	Resource json.RawMessage `json:"resource"`
}

// exportStream is a service's export as it arrives.
type exportStream interface {
	Recv() (*typev1.DataLine, error)
}

// ExportDistrictData writes the district's data as NDJSON. Every service
// is asked first, so a service that cannot answer fails the export
// before a line is written; then each one's rows follow in turn.
func (s *DistrictServer) ExportDistrictData(req *pledgev1.ExportDistrictDataRequest, stream grpc.ServerStreamingServer[httpbody.HttpBody]) error {
	ctx := stream.Context()
	district, err := bulk.DistrictOfName(req.GetName())
	if err != nil {
		return err
	}
	if err := bulk.CanExport(ctx, district); err != nil {
		return err
	}
	if _, err := s.store.GetDistrict(ctx, district); err != nil {
		return err
	}
	h := exportHeader{Format: exportFormat, ExportID: resourceid.New(), District: resourcename.District.Format(district),
		Masked: !auth.CanSeePersonalData(ctx, district), SchemaVersions: map[string]int64{}, CreateTime: time.Now().UTC()}
	mine := bulk.Service{Name: "pledge", Tables: pledgeTables, Pool: s.store.Pool()}
	if h.SchemaVersions[mine.Name], err = mine.SchemaVersion(ctx, s.store.Pool()); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	others, err := s.openExports(ctx, req, &h)
	if err != nil {
		return err
	}
	w := &chunkWriter{send: stream.Send}
	if err := w.line(headerType, h); err != nil {
		return err
	}
	err = mine.Export(ctx, district, bulk.Header{Masked: h.Masked}, func(l *typev1.DataLine) error {
		if l.GetType() == mine.HeaderType() {
			return nil
		}
		return w.raw(l.GetType(), l.GetResource())
	})
	if err != nil {
		return err
	}
	for _, o := range others {
		for {
			l, err := o.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if err := w.raw(l.GetType(), l.GetResource()); err != nil {
				return err
			}
		}
	}
	if err := w.line(endType, map[string]int64{"lines": w.lines + 1}); err != nil {
		return err
	}
	return w.flush()
}

// openExports opens the other services' exports and reads their headers:
// any masked masks the export; each gives its schema version, and
// participation's the citizen key's fingerprint.
func (s *DistrictServer) openExports(ctx context.Context, req *pledgev1.ExportDistrictDataRequest, h *exportHeader) ([]exportStream, error) {
	in := &typev1.ExportDistrictDataRequest{Name: req.GetName()}
	b, err := s.backends.Budgets.ExportDistrictData(ctx, in)
	if err != nil {
		return nil, err
	}
	i, err := s.backends.Indicators.ExportDistrictData(ctx, in)
	if err != nil {
		return nil, err
	}
	p, err := s.backends.Participation.ExportDistrictData(ctx, in)
	if err != nil {
		return nil, err
	}
	out := []exportStream{b, i, p}
	for n, o := range out {
		first, err := o.Recv()
		if err != nil {
			return nil, err
		}
		var sh bulk.Header
		if err := json.Unmarshal(first.GetResource(), &sh); err != nil {
			return nil, err
		}
		h.Masked = h.Masked || sh.Masked
		h.SchemaVersions[importOrder[n+1]] = sh.SchemaVersion
		if sh.CitizenKeyFingerprint != "" {
			h.CitizenKeyFingerprint = sh.CitizenKeyFingerprint
		}
	}
	return out, nil
}

// chunkWriter gathers lines into stream messages of about chunkBytes.
// A message holds whole lines without the last one's newline: the
// gateway writes one after each message.
type chunkWriter struct {
	send  func(*httpbody.HttpBody) error
	buf   bytes.Buffer
	lines int64
}

func (w *chunkWriter) line(typ string, resource any) error {
	raw, err := json.Marshal(resource)
	if err != nil {
		return err
	}
	return w.raw(typ, raw)
}

func (w *chunkWriter) raw(typ string, resource []byte) error {
	line, err := json.Marshal(exportLine{Type: typ, Resource: resource})
	if err != nil {
		return err
	}
	if w.buf.Len() > 0 {
		w.buf.WriteByte('\n')
	}
	w.buf.Write(line)
	w.lines++
	if w.buf.Len() >= chunkBytes {
		return w.flush()
	}
	return nil
}

func (w *chunkWriter) flush() error {
	if w.buf.Len() == 0 {
		return nil
	}
	data := bytes.Clone(w.buf.Bytes())
	w.buf.Reset()
	return w.send(&httpbody.HttpBody{ContentType: ndjson, Data: data})
}
