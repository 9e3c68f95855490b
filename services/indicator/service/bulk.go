package service

import (
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/bulk"
	"google.golang.org/grpc"
)

// bulkServer serves the indicator service's part of a district's bulk export
// and import (pkg/bulk) beside its other methods.
type bulkServer struct {
	indicatorv1.IndicatorServiceServer
	data   bulk.Service
	header func(*bulk.Header)
}

func (b bulkServer) ExportDistrictData(req *typev1.ExportDistrictDataRequest, stream grpc.ServerStreamingServer[typev1.DataLine]) error {
	return b.data.ServeExport(req, stream, b.header)
}

func (b bulkServer) ImportDistrictData(stream grpc.ClientStreamingServer[typev1.ImportDistrictDataRequest, typev1.ImportDistrictDataResponse]) error {
	return b.data.ServeImport(stream)
}

// bulkTables are the indicator service's district data, each table after
// those it refers to.
var bulkTables = []bulk.Table{
	{Name: "indicators", District: "district_id", Order: "pledge_id, id"},
	{Name: "entries", District: "district_id", Order: "pledge_id, indicator_id, year"},
}
