package service

import "github.com/gongyak/gongyak/pkg/bulk"

// bulkTables are the budget service's district data, each table after
// those it refers to.
var bulkTables = []bulk.Table{
	{Name: "plans", District: "district_id", Order: "pledge_id"},
	{Name: "lines", District: "district_id", Order: "pledge_id, position"},
}
