package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// GetDistrict returns one district.
func (s *DistrictServer) GetDistrict(ctx context.Context, req *pledgev1.GetDistrictRequest) (*pledgev1.District, error) {
	id, err := pledge.ParseDistrictName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	d, err := s.store.GetDistrict(ctx, id)
	if err != nil {
		return nil, err
	}
	return districtToProto(d), nil
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
	resp := &pledgev1.ListDistrictsResponse{NextPageToken: next}
	for _, d := range list {
		resp.Districts = append(resp.Districts, districtToProto(d))
	}
	return resp, nil
}

// CreateDistrict adds a district.
func (s *DistrictServer) CreateDistrict(ctx context.Context, req *pledgev1.CreateDistrictRequest) (*pledgev1.District, error) {
	if req.GetDistrict() == nil {
		return nil, apierr.Invalid("district", "is required")
	}
	var v apierr.Violations
	d := districtFromProto(req.GetDistrict())
	d.ID = req.GetDistrictId()
	if d.ID == "" {
		d.ID = pledge.NewID()
	} else {
		v.Merge(pledge.CheckID("district_id", d.ID))
	}
	v.Merge(d.Check("district"))
	key, err := idempotency.For("CreateDistrict", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	created, err := s.store.CreateDistrict(ctx, d, key)
	if err != nil {
		return nil, err
	}
	return districtToProto(created), nil
}

// UpdateDistrict changes a district.
func (s *DistrictServer) UpdateDistrict(ctx context.Context, req *pledgev1.UpdateDistrictRequest) (*pledgev1.District, error) {
	if req.GetDistrict() == nil {
		return nil, apierr.Invalid("district", "is required")
	}
	var v apierr.Violations
	id, err := pledge.ParseDistrictName("district.name", req.GetDistrict().GetName())
	v.Merge(err)
	v.Merge(etag.Require("district.etag", req.GetDistrict().GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	outputOnly := []string{"name", "etag", "create_time", "update_time"}
	paths := fieldmask.Paths(req.GetUpdateMask().GetPaths(), req.GetDistrict())
	paths = fieldmask.Without(fieldmask.Expand(paths, req.GetDistrict(), outputOnly...), outputOnly...)
	d, err := s.store.UpdateDistrict(ctx, pledge.DistrictName(id), req.GetDistrict().GetEtag(), func(d *pledge.District) error {
		cur := districtToProto(*d)
		if err := fieldmask.Apply(cur, req.GetDistrict(), paths); err != nil {
			return err
		}
		next := districtFromProto(cur)
		next.ID, next.Revision, next.CreateTime, next.UpdateTime = d.ID, d.Revision, d.CreateTime, d.UpdateTime
		*d = next
		return d.Check("district")
	})
	if err != nil {
		return nil, err
	}
	return districtToProto(d), nil
}

// GetDepartment returns one department.
func (s *DistrictServer) GetDepartment(ctx context.Context, req *pledgev1.GetDepartmentRequest) (*pledgev1.Department, error) {
	district, id, err := pledge.ParseDepartmentName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	d, err := s.store.GetDepartment(ctx, district, id)
	if err != nil {
		return nil, err
	}
	return departmentToProto(d), nil
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
	resp := &pledgev1.ListDepartmentsResponse{NextPageToken: next}
	for _, d := range list {
		resp.Departments = append(resp.Departments, departmentToProto(d))
	}
	return resp, nil
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
	d.DistrictID, d.ID = district, req.GetDepartmentId()
	if d.ID == "" {
		d.ID = pledge.NewID()
	} else {
		v.Merge(pledge.CheckID("department_id", d.ID))
	}
	v.Merge(d.Check("department"))
	key, err := idempotency.For("CreateDepartment", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	created, err := s.store.CreateDepartment(ctx, d, key)
	if err != nil {
		return nil, err
	}
	return departmentToProto(created), nil
}

// UpdateDepartment changes a department.
func (s *DistrictServer) UpdateDepartment(ctx context.Context, req *pledgev1.UpdateDepartmentRequest) (*pledgev1.Department, error) {
	if req.GetDepartment() == nil {
		return nil, apierr.Invalid("department", "is required")
	}
	var v apierr.Violations
	district, id, err := pledge.ParseDepartmentName("department.name", req.GetDepartment().GetName())
	v.Merge(err)
	v.Merge(etag.Require("department.etag", req.GetDepartment().GetEtag()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	outputOnly := []string{"name", "etag", "create_time", "update_time"}
	paths := fieldmask.Paths(req.GetUpdateMask().GetPaths(), req.GetDepartment())
	paths = fieldmask.Without(fieldmask.Expand(paths, req.GetDepartment(), outputOnly...), outputOnly...)
	d, err := s.store.UpdateDepartment(ctx, pledge.DepartmentName(district, id), req.GetDepartment().GetEtag(), func(d *pledge.Department) error {
		cur := departmentToProto(*d)
		if err := fieldmask.Apply(cur, req.GetDepartment(), paths); err != nil {
			return err
		}
		next := departmentFromProto(cur)
		next.DistrictID, next.ID, next.Revision, next.CreateTime, next.UpdateTime = d.DistrictID, d.ID, d.Revision, d.CreateTime, d.UpdateTime
		*d = next
		return d.Check("department")
	})
	if err != nil {
		return nil, err
	}
	return departmentToProto(d), nil
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
