package reportfile

import (
	"fmt"
	"strconv"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/xuri/excelize/v2"
)

// Number formats of the workbook's cells.
const (
	// millionWon shows won in 백만원 with two decimals: each trailing
	// comma divides what is shown by a thousand, the cell keeps the won.
	millionWon = "#,##0.00,,"
	// percent shows a rate, stored as the number of percent (12.5 for
	// 12.50 %), with the two decimals the JSON writes.
	percent = "0.00"
	// whole shows a count with thousands separators.
	whole  = "#,##0"
	isoDay = "yyyy-mm-dd"
)

// xlsxUnit follows a column's header with its unit as the sheet shows it.
var xlsxUnit = map[kind]string{won: "(백만원)", rate: "(%)"}

// XLSX writes r as a workbook with a sheet per section: Korean headers,
// counts, won and rates stored as numbers, won shown in 백만원 by the number
// format #,##0.00,, (the cell holds whole won), rates as the number of
// percent shown with two decimals (the JSON's "12.50" is 12.5), dates as
// dates.
func XLSX(r *pledgev1.ImplementationReport) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	styles := map[kind]int{}
	for k, format := range map[kind]string{count: whole, won: millionWon, rate: percent, day: isoDay} {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
		if err != nil {
			return nil, err
		}
		styles[k] = id
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return nil, err
	}
	for i, t := range tables(r) {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), t.sheet)
		} else {
			_, err = f.NewSheet(t.sheet)
		}
		if err != nil {
			return nil, err
		}
		if err := writeSheet(f, t, styles, bold); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", t.sheet, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeSheet(f *excelize.File, t table, styles map[kind]int, bold int) error {
	sw, err := f.NewStreamWriter(t.sheet)
	if err != nil {
		return err
	}
	for i, col := range t.columns {
		width := 12.0
		if col.kind == text || col.kind == day {
			width = 22
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.columns))
	for i, col := range t.columns {
		header[i] = excelize.Cell{StyleID: bold, Value: col.header + xlsxUnit[col.kind]}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for n, row := range t.rows {
		values := make([]any, len(row))
		for i, v := range row {
			value, err := xlsxValue(t.columns[i].kind, v)
			if err != nil {
				return fmt.Errorf("row %d, %s: %w", n+1, t.columns[i].header, err)
			}
			values[i] = excelize.Cell{StyleID: styles[t.columns[i].kind], Value: value}
		}
		if err := sw.SetRow("A"+strconv.Itoa(n+2), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxValue is what a cell of kind k stores: nil leaves it empty.
func xlsxValue(k kind, v cell) (any, error) {
	switch k {
	case count, won:
		return v.n, nil
	case rate:
		if v.text == "" {
			return nil, nil
		}
		return strconv.ParseFloat(v.text, 64)
	case day:
		if v.t.IsZero() {
			return nil, nil
		}
		return v.t, nil
	}
	return v.text, nil
}
