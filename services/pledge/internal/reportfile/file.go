package reportfile

import (
	"fmt"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Formats are the formats a report is exported in.
var Formats = []string{"csv", "xlsx"}

// File is an exported report: its bytes, their media type and the name a
// browser saves them under.
type File struct {
	Data        []byte
	ContentType string
	Name        string
}

// Write exports r in format, "csv" (a zip of CSV files) or "xlsx".
func Write(r *pledgev1.ImplementationReport, format string) (File, error) {
	name := fileName(r)
	switch format {
	case "csv":
		data, err := CSV(r)
		return File{Data: data, ContentType: "application/zip", Name: name + "-csv.zip"}, err
	case "xlsx":
		data, err := XLSX(r)
		return File{Data: data, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Name: name + ".xlsx"}, err
	}
	return File{}, fmt.Errorf("no format %q", format)
}

// fileName names a report's file by what it covers, in ASCII so that
// every browser keeps it: implementation-report-gwangsan-term7-2022-06-30,
// or …-all-… for every district.
func fileName(r *pledgev1.ImplementationReport) string {
	ids, _ := resourcename.ImplementationReport.MatchWildcard(r.GetName()) // the service named it
	district := "all"
	if len(ids) == 1 && ids[0] != resourcename.Wildcard {
		district = ids[0]
	}
	term := "current-terms"
	if r.GetTerm() != 0 {
		term = fmt.Sprintf("term%d", r.GetTerm())
	}
	asOf := dateCell(r.GetAsOfDate()).t.Format(time.DateOnly)
	return fmt.Sprintf("implementation-report-%s-%s-%s", district, term, asOf)
}
