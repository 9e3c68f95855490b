package server_test

import (
	"context"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
)

func TestDistrictKeepsItsTermsAndRefusesStaleOrBadUpdates(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	d, err := e.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gwangsan().GetTerms(), d.GetTerms(), protocmp.Transform()); diff != "" {
		t.Errorf("terms differ (-want +got):\n%s", diff)
	}
	if d.GetCurrentTerm() != 9 || d.GetDisplayName() != "광산구" || d.GetMetropolitanGovernment() != "광주광역시" {
		t.Errorf("district = %v", d)
	}

	// A term that still has pledges cannot be removed.
	if _, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "7기 공약", Term: 7}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
		District:   &pledgev1.District{Name: d.GetName(), Etag: d.GetEtag(), Terms: d.GetTerms()[1:]},
		UpdateMask: mask("terms"),
	})
	wantStatus(t, err, codes.FailedPrecondition)

	// Naming its head of government is fine.
	d.Terms[0].HeadOfGovernment = "김삼호"
	updated, err := e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
		District: &pledgev1.District{Name: d.GetName(), Etag: d.GetEtag(), Terms: d.GetTerms()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.GetTerms()[0].GetHeadOfGovernment() != "김삼호" || updated.GetDisplayName() != "광산구" {
		t.Errorf("update changed %v", updated)
	}
	_, err = e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
		District: &pledgev1.District{Name: d.GetName(), Etag: d.GetEtag(), DisplayName: "늦은 이름"},
	})
	wantStatus(t, err, codes.Aborted)

	st := wantStatus(t, func() error {
		_, err := e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
			District:   &pledgev1.District{Name: d.GetName(), Etag: updated.GetEtag(), CurrentTerm: 12, Terms: []*pledgev1.Term{{Number: 7, StartDate: day(2022, 6, 30), EndDate: day(2018, 7, 1)}, {Number: 8, StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 0)}}},
			UpdateMask: mask("current_term", "terms"),
		})
		return err
	}(), codes.InvalidArgument)
	if got := violated(st); !cmp.Equal(got, []string{"district.current_term", "district.terms[0].end_date", "district.terms[1].end_date"}) {
		t.Errorf("violations = %v", got)
	}
}

func TestCreateDistrictRefusesBadInputAndDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "Gwang San", District: &pledgev1.District{}})
	st := wantStatus(t, err, codes.InvalidArgument)
	if got := violated(st); !cmp.Equal(got, []string{"district.display_name", "district.kind", "district_id"}) {
		t.Errorf("violations = %v", got)
	}
	if _, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "gwangsan", District: gwangsan()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "gwangsan", District: gwangsan()})
	wantStatus(t, err, codes.AlreadyExists)
	list, err := e.districts.ListDistricts(ctx, &pledgev1.ListDistrictsRequest{})
	if err != nil || len(list.GetDistricts()) != 1 {
		t.Fatalf("list: %v, %d districts", err, len(list.GetDistricts()))
	}
}

func TestDepartmentsAreFoundByName(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	for _, name := range []string{"기획예산실", "자치행정과"} {
		if _, err := e.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", Department: &pledgev1.Department{DisplayName: name}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", Department: &pledgev1.Department{DisplayName: "법무지원과"}})
	wantStatus(t, err, codes.AlreadyExists)

	resp, err := e.districts.ListDepartments(ctx, &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan", Filter: `display_name = "법무지원과"`})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDepartments()) != 1 || resp.GetDepartments()[0].GetName() != "districts/gwangsan/departments/legal-support" {
		t.Errorf("filter by name found %v", resp.GetDepartments())
	}
	all, err := e.districts.ListDepartments(ctx, &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan", PageSize: 2})
	if err != nil || len(all.GetDepartments()) != 2 || all.GetNextPageToken() == "" {
		t.Fatalf("first page: %v", err)
	}
	rest, err := e.districts.ListDepartments(ctx, &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan", PageSize: 2, PageToken: all.GetNextPageToken()})
	if err != nil || len(rest.GetDepartments()) != 1 || rest.GetNextPageToken() != "" {
		t.Fatalf("second page: %v, %d", err, len(rest.GetDepartments()))
	}
	dep := resp.GetDepartments()[0]
	_, err = e.districts.UpdateDepartment(ctx, &pledgev1.UpdateDepartmentRequest{Department: &pledgev1.Department{Name: dep.GetName(), Etag: dep.GetEtag(), Phone: "전화번호 없음"}})
	st := wantStatus(t, err, codes.InvalidArgument)
	if got := violated(st); !cmp.Equal(got, []string{"department.phone"}) {
		t.Errorf("violations = %v", got)
	}
	_, err = e.districts.GetDepartment(ctx, &pledgev1.GetDepartmentRequest{Name: "districts/gwangsan/departments/nothing"})
	wantStatus(t, err, codes.NotFound)
}
