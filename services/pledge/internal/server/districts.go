package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// districtResource and departmentResource are the district service's
// resources.
var (
	districtResource = plainResource[pledge.District, *pledgev1.District]{
		field: "district", pattern: resourcename.District, view: districtToProto, read: districtFromProto,
		keep: func(d pledge.District, next *pledge.District) {
			next.ID, next.Revision, next.CreateTime, next.UpdateTime = d.ID, d.Revision, d.CreateTime, d.UpdateTime
		},
		check: (*pledge.District).Check,
	}
	departmentResource = plainResource[pledge.Department, *pledgev1.Department]{
		field: "department", pattern: resourcename.Department, view: departmentToProto, read: departmentFromProto,
		keep: func(d pledge.Department, next *pledge.Department) {
			next.DistrictID, next.ID, next.Revision, next.CreateTime, next.UpdateTime = d.DistrictID, d.ID, d.Revision, d.CreateTime, d.UpdateTime
		},
		check: (*pledge.Department).Check,
	}
)

// GetDistrict returns one district.
func (s *DistrictServer) GetDistrict(ctx context.Context, req *pledgev1.GetDistrictRequest) (*pledgev1.District, error) {
	id, err := pledge.ParseDistrictName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	return shown(districtToProto)(s.store.GetDistrict(ctx, id))
}

// ListDistricts lists districts by id.
func (s *DistrictServer) ListDistricts(ctx context.Context, req *pledgev1.ListDistrictsRequest) (*pledgev1.ListDistrictsResponse, error) {
	size, err := pagetoken.Size(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	var only []string // nil: every district
	if auth.PublishedOnly(ctx) {
		only = readable(auth.FromContext(ctx))
	}
	list, next, err := s.store.ListDistricts(ctx, req.GetFilter(), size, req.GetPageToken(), only)
	if err != nil {
		return nil, err
	}
	return &pledgev1.ListDistrictsResponse{Districts: each(list, districtToProto), NextPageToken: next}, nil
}

// CreateDistrict adds a district.
func (s *DistrictServer) CreateDistrict(ctx context.Context, req *pledgev1.CreateDistrictRequest) (*pledgev1.District, error) {
	if req.GetDistrict() == nil {
		return nil, apierr.Invalid("district", "is required")
	}
	var v apierr.Violations
	d := districtFromProto(req.GetDistrict())
	d.ID = chosenID(&v, "district_id", req.GetDistrictId())
	return districtResource.create(ctx, &v, d, "CreateDistrict", req.GetRequestId(), req, s.store.CreateDistrict)
}

// UpdateDistrict changes a district.
func (s *DistrictServer) UpdateDistrict(ctx context.Context, req *pledgev1.UpdateDistrictRequest) (*pledgev1.District, error) {
	return districtResource.update(ctx, req.GetDistrict(), req.GetUpdateMask().GetPaths(), s.store.UpdateDistrict)
}

// GetDepartment returns one department.
func (s *DistrictServer) GetDepartment(ctx context.Context, req *pledgev1.GetDepartmentRequest) (*pledgev1.Department, error) {
	district, id, err := pledge.ParseDepartmentName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	return shown(departmentToProto)(s.store.GetDepartment(ctx, district, id))
}

// ListDepartments lists a district's departments by name.
func (s *DistrictServer) ListDepartments(ctx context.Context, req *pledgev1.ListDepartmentsRequest) (*pledgev1.ListDepartmentsResponse, error) {
	district, err := pledge.ParseDistrictName("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	size, err := pagetoken.Size(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListDepartments(ctx, district, size, req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	return &pledgev1.ListDepartmentsResponse{Departments: each(list, departmentToProto), NextPageToken: next}, nil
}

// CreateDepartment adds a department to a district.
func (s *DistrictServer) CreateDepartment(ctx context.Context, req *pledgev1.CreateDepartmentRequest) (*pledgev1.Department, error) {
	var v apierr.Violations
	district, err := pledge.ParseDistrictName("parent", req.GetParent())
	v.Merge(err)
	if req.GetDepartment() == nil {
		v.Add("department", "is required")
		return nil, v.Err()
	}
	d := departmentFromProto(req.GetDepartment())
	d.DistrictID, d.ID = district, chosenID(&v, "department_id", req.GetDepartmentId())
	return departmentResource.create(ctx, &v, d, "CreateDepartment", req.GetRequestId(), req, s.store.CreateDepartment)
}

// UpdateDepartment changes a department.
func (s *DistrictServer) UpdateDepartment(ctx context.Context, req *pledgev1.UpdateDepartmentRequest) (*pledgev1.Department, error) {
	return departmentResource.update(ctx, req.GetDepartment(), req.GetUpdateMask().GetPaths(), s.store.UpdateDepartment)
}

// readable are the districts p may read all of, besides those that
// publish a term (never nil).
func readable(p *auth.Principal) []string {
	out := []string{}
	if p.District != "" && p.Can(auth.ReadData, auth.In(p.District)) {
		out = append(out, p.District)
	}
	for _, g := range p.Grants {
		if d := g.District(); d != "" && p.Can(auth.ReadData, auth.In(d)) {
			out = append(out, d)
		}
	}
	return out
}
