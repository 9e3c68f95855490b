package reportfile

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strconv"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
)

// bom starts every CSV file: Excel reads a file without it in the
// machine's code page, and Korean comes out garbled.
const bom = "\ufeff"

// CSV writes r as a zip of CSV files, one per section, each UTF-8 with a
// byte order mark and CRLF line ends: won as whole numbers, rates as the
// JSON writes them, dates as 2022-07-01.
func CSV(r *pledgev1.ImplementationReport) ([]byte, error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	modified := r.GetComputeTime().AsTime()
	for _, t := range tables(r) {
		w, err := z.CreateHeader(&zip.FileHeader{Name: t.file, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(bom)); err != nil {
			return nil, err
		}
		c := csv.NewWriter(w)
		c.UseCRLF = true
		header := make([]string, len(t.columns))
		for i, col := range t.columns {
			header[i] = col.header + csvUnit[col.kind]
		}
		if err := c.Write(header); err != nil {
			return nil, err
		}
		for _, row := range t.rows {
			record := make([]string, len(row))
			for i, v := range row {
				record[i] = csvValue(t.columns[i].kind, v)
			}
			if err := c.Write(record); err != nil {
				return nil, err
			}
		}
		if c.Flush(); c.Error() != nil {
			return nil, c.Error()
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// csvUnit follows a column's header with its unit.
var csvUnit = map[kind]string{won: "(원)", rate: "(%)"}

func csvValue(k kind, v cell) string {
	switch k {
	case count, won:
		return strconv.FormatInt(v.n, 10)
	case day:
		if v.t.IsZero() {
			return ""
		}
		return v.t.Format(time.DateOnly)
	}
	return v.text
}
