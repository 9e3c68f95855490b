package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/bulk"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// The services an export's rows belong to, in the order they are
// imported: each refers only to those before it.
var importOrder = []string{"pledge", "budget", "indicator", "participation"}

// maxLineBytes bounds one line of an import: a photo's file, in hex.
const maxLineBytes = 64 << 20

// linesPerMessage is how many lines one message to a service carries.
const linesPerMessage = 500

// ImportDistrictData reads an export whole, checks its lines — the header
// first, unmasked; every line a row of a known service; the end line last
// with the count — then has every service check its part (its schema
// version, the citizen key, each row against its tables, in a transaction
// rolled back), and only then has each service write its rows, in order,
// each in one transaction. When a later service still fails (it stopped
// in between), the earlier ones keep what they wrote: the same export
// again finishes the import (a service that has it answers already
// imported).
func (s *DistrictServer) ImportDistrictData(stream grpc.ClientStreamingServer[httpbody.HttpBody, pledgev1.ImportDistrictDataResponse]) error {
	ctx := stream.Context()
	f, err := readExport(&chunkReader{stream: stream})
	if err != nil {
		return err
	}
	if err := bulk.CanImport(ctx, f.district); err != nil {
		return err
	}
	for _, service := range importOrder {
		if _, _, err := s.importInto(ctx, service, f, true); err != nil {
			return err
		}
	}
	out := &pledgev1.ImportDistrictDataResponse{District: f.header.District, ExportId: f.header.ExportID, Rows: map[string]int64{}, Lines: f.lines}
	var done []string
	for _, service := range importOrder {
		rows, already, err := s.importInto(ctx, service, f, false)
		if err != nil {
			if len(done) == 0 {
				return err
			}
			return importCutShort(err, service, done)
		}
		out.Rows[service] = rows
		if already {
			out.AlreadyImported = append(out.AlreadyImported, service)
		}
		done = append(done, service)
	}
	return stream.SendAndClose(out)
}

// importCutShort is a service's failure after others imported their part:
// the same status, saying what was written and how to finish.
func importCutShort(err error, service string, done []string) error {
	e := apierr.FromStatus(status.Convert(err))
	e.Message = fmt.Sprintf("the %s service did not import its part (%s); the %s service(s) did: import the same export again to finish", service, e.Message, strings.Join(done, ", "))
	return e
}

// importInto has one service write its lines (or only check them), the
// service's header first.
func (s *DistrictServer) importInto(ctx context.Context, service string, f *exportFile, validateOnly bool) (int64, bool, error) {
	head, _ := json.Marshal(bulk.Header{Masked: f.header.Masked, SchemaVersion: f.header.SchemaVersions[service],
		CitizenKeyFingerprint: f.header.CitizenKeyFingerprint})
	lines := append([]*typev1.DataLine{{Type: service + ".header", Resource: head, Line: 1}}, f.byService[service]...)
	if service == "pledge" {
		mine := bulk.Service{Name: "pledge", Tables: pledgeTables, Pool: s.store.Pool()}
		sent := false
		return mine.Import(ctx, f.district, f.header.ExportID, validateOnly, func() ([]*typev1.DataLine, error) {
			if sent {
				return nil, io.EOF
			}
			sent = true
			return lines, nil
		})
	}
	var st grpc.ClientStreamingClient[typev1.ImportDistrictDataRequest, typev1.ImportDistrictDataResponse]
	var err error
	switch service {
	case "budget":
		st, err = s.backends.Budgets.ImportDistrictData(ctx)
	case "indicator":
		st, err = s.backends.Indicators.ImportDistrictData(ctx)
	default:
		st, err = s.backends.Participation.ImportDistrictData(ctx)
	}
	if err != nil {
		return 0, false, err
	}
	first := true
	for len(lines) > 0 || first {
		n := min(len(lines), linesPerMessage)
		m := &typev1.ImportDistrictDataRequest{Lines: lines[:n]}
		if first {
			m.Name, m.ExportId, m.ValidateOnly = f.header.District, f.header.ExportID, validateOnly
		}
		first, lines = false, lines[n:]
		if err := st.Send(m); err != nil {
			break // the service ended the stream: CloseAndRecv says why
		}
	}
	resp, err := st.CloseAndRecv()
	if err != nil {
		return 0, false, err
	}
	return resp.GetRows(), resp.GetAlreadyImported(), nil
}

// exportFile is an export read and checked, its rows by service.
type exportFile struct {
	header    exportHeader
	district  string
	byService map[string][]*typev1.DataLine
	lines     int64
}

// readExport reads and checks every line before anything is written.
func readExport(r io.Reader) (*exportFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	f := &exportFile{byService: map[string][]*typev1.DataLine{}}
	var n int64
	ended := false
	for sc.Scan() {
		n++
		field := bulk.LineField(n)
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue // a blank line, such as a file's last: nothing to read
		}
		if ended {
			return nil, apierr.Invalid(field, "comes after the end line (%s)", endType)
		}
		var l exportLine
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil || l.Type == "" || len(l.Resource) == 0 || l.Resource[0] != '{' {
			return nil, apierr.Invalid(field, `must be one JSON object {"type": …, "resource": {…}}`)
		}
		switch {
		case n == 1:
			if err := f.readHeader(l); err != nil {
				return nil, err
			}
		case l.Type == endType:
			var end struct {
				Lines int64 `json:"lines"`
			}
			if err := json.Unmarshal(l.Resource, &end); err != nil || end.Lines != n {
				return nil, apierr.Invalid(field, "the end line counts %d lines, and the file has %d: it was cut or changed", end.Lines, n)
			}
			ended = true
		default:
			service, _, _ := strings.Cut(l.Type, ".")
			if !slices.Contains(importOrder, service) || strings.HasSuffix(l.Type, ".header") {
				return nil, apierr.Invalid(field, "type %q is not a row of any service (pledge, budget, indicator, participation)", l.Type)
			}
			f.byService[service] = append(f.byService[service], &typev1.DataLine{Type: l.Type, Resource: l.Resource, Line: n})
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, apierr.Invalid(bulk.LineField(n+1), "is longer than %d bytes", maxLineBytes)
		}
		return nil, err
	}
	if n == 0 {
		return nil, apierr.Invalid("body", "is empty: send an export (NDJSON) as application/x-ndjson")
	}
	if !ended {
		return nil, apierr.Invalid(bulk.LineField(n), "the file ends without its end line (%s): it was cut short", endType)
	}
	f.lines = n
	return f, nil
}

func (f *exportFile) readHeader(l exportLine) error {
	field := bulk.LineField(1)
	if l.Type != headerType {
		return apierr.Invalid(field, "must be the export's header (type %s)", headerType)
	}
	if err := json.Unmarshal(l.Resource, &f.header); err != nil || f.header.Format != exportFormat || f.header.ExportID == "" {
		return apierr.Invalid(field, "must be a header of format %s with an exportId", exportFormat)
	}
	for _, service := range importOrder {
		if f.header.SchemaVersions[service] <= 0 {
			return apierr.Invalid(field, "resource.schemaVersions must give each service's schema version (%s's is missing)", service)
		}
	}
	if f.header.Masked {
		return apierr.Invalid(field, "the export is masked (made by a caller without personal-data): its masked names would replace the real ones; export again as a caller with personal-data in the district")
	}
	district, err := bulk.DistrictOfName(f.header.District)
	if err != nil {
		return apierr.Invalid(field, "resource.district must be districts/{district}")
	}
	f.district = district
	return nil
}

// chunkReader reads a stream of HttpBody chunks as one body.
type chunkReader struct {
	stream grpc.ClientStreamingServer[httpbody.HttpBody, pledgev1.ImportDistrictDataResponse]
	rest   []byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.rest) == 0 {
		m, err := c.stream.Recv()
		if err != nil {
			return 0, err // io.EOF at the end
		}
		c.rest = m.GetData()
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}
