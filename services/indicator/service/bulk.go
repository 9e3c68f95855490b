package service

import "github.com/gongyak/gongyak/pkg/bulk"

// bulkTables are the indicator service's district data, each table after
// those it refers to.
var bulkTables = []bulk.Table{
	{Name: "indicators", District: "district_id", Order: "pledge_id, id"},
	{Name: "entries", District: "district_id", Order: "pledge_id, indicator_id, year"},
}
