package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/filter/filtertest"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// after is the filter of a poller that last looked at t.
func after(t *timestamppb.Timestamp) string {
	return fmt.Sprintf("update_time > %q", t.AsTime().Format(time.RFC3339Nano))
}

// Each List of the pledge service, asked what changed since a poller last
// looked, answers with what changed after that time and nothing else.
func TestEveryListAnswersWhatChangedSince(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()

	t.Run("pledges", func(t *testing.T) {
		a, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "황룡강 수변공원", Term: 8}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{
			Pledge:     &pledgev1.Pledge{Name: a.GetName(), Etag: a.GetEtag(), FinalGoal: "새 목표"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"final_goal"}},
		}); err != nil {
			t.Fatal(err)
		}
		resp, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Filter: after(b.GetUpdateTime())})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range resp.GetPledges() {
			got = append(got, p.GetName())
		}
		if !slices.Equal(got, []string{a.GetName()}) {
			t.Errorf("pledges changed since the second was created: %q, want the first alone", got)
		}
	})

	t.Run("status changes", func(t *testing.T) {
		p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "숲 조성", Term: 9}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []pledgev1.PledgeStatus{pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD} {
			changed, err := e.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: p.GetEtag(), Status: s, Reason: "점검"})
			if err != nil {
				t.Fatal(err)
			}
			p = changed
		}
		allResp, err := e.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		all := allResp.GetStatusChanges()
		if len(all) < 2 {
			t.Fatalf("%d status changes, want at least 2", len(all))
		}
		first, last := all[len(all)-2], all[len(all)-1]
		if first.GetUpdateTime() == nil || !last.GetUpdateTime().AsTime().After(first.GetUpdateTime().AsTime()) {
			t.Fatalf("update times %v then %v", first.GetUpdateTime(), last.GetUpdateTime())
		}
		gotResp, err := e.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: p.GetName(), Filter: after(first.GetUpdateTime())})
		if err != nil {
			t.Fatal(err)
		}
		got := gotResp.GetStatusChanges()
		if len(got) != 1 || got[0].GetName() != last.GetName() {
			t.Errorf("status changes since the one before last: %v, want %s alone", got, last.GetName())
		}
	})

	t.Run("districts", func(t *testing.T) {
		other := gwangsan()
		other.DisplayName = "북구"
		o, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{District: other, DistrictId: "buk"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := e.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
			District:   &pledgev1.District{Name: g.GetName(), Etag: g.GetEtag(), RegionCode: "29200"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"region_code"}},
		}); err != nil {
			t.Fatal(err)
		}
		gotResp, err := e.districts.ListDistricts(ctx, &pledgev1.ListDistrictsRequest{Filter: after(o.GetUpdateTime())})
		if err != nil {
			t.Fatal(err)
		}
		got := gotResp.GetDistricts()
		if len(got) != 1 || got[0].GetName() != "districts/gwangsan" {
			t.Errorf("districts changed since buk was created: %v, want gwangsan alone", got)
		}
	})

	t.Run("departments", func(t *testing.T) {
		d, err := e.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", DepartmentId: "parks",
			Department: &pledgev1.Department{DisplayName: "공원녹지과"}})
		if err != nil {
			t.Fatal(err)
		}
		legal, err := e.districts.GetDepartment(ctx, &pledgev1.GetDepartmentRequest{Name: "districts/gwangsan/departments/legal-support"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.districts.UpdateDepartment(ctx, &pledgev1.UpdateDepartmentRequest{
			Department: &pledgev1.Department{Name: legal.GetName(), Etag: legal.GetEtag(), Phone: "062) 960-8892"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"phone"}},
		}); err != nil {
			t.Fatal(err)
		}
		gotResp, err := e.districts.ListDepartments(ctx, &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan", Filter: after(d.GetUpdateTime())})
		if err != nil {
			t.Fatal(err)
		}
		got := gotResp.GetDepartments()
		if len(got) != 1 || got[0].GetName() != legal.GetName() {
			t.Errorf("departments changed since parks was created: %v, want legal-support alone", got)
		}
	})

	t.Run("api keys", func(t *testing.T) {
		var keys []*pledgev1.ApiKey
		for _, id := range []string{"portal", "finance"} {
			k, err := e.keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKeyId: id,
				ApiKey: &pledgev1.ApiKey{DisplayName: id, Scopes: []string{"read"}}})
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k.GetApiKey())
		}
		if keys[1].GetUpdateTime() == nil {
			t.Fatal("a new key has no update_time")
		}
		if _, err := e.keys.RevokeApiKey(ctx, &pledgev1.RevokeApiKeyRequest{Name: keys[0].GetName()}); err != nil {
			t.Fatal(err)
		}
		gotResp, err := e.keys.ListApiKeys(ctx, &pledgev1.ListApiKeysRequest{Parent: "districts/gwangsan", Filter: after(keys[1].GetUpdateTime())})
		if err != nil {
			t.Fatal(err)
		}
		got := gotResp.GetApiKeys()
		if len(got) != 1 || got[0].GetName() != keys[0].GetName() || got[0].GetRevokeTime() == nil {
			t.Errorf("keys changed since finance was created: %v, want portal, revoked, alone", got)
		}
	})
}

// A filter a List cannot honour is refused naming filter, on every List.
func TestEveryListRefusesAFilterItCannotHonour(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]func(filter string) error{
		"ListPledges": func(f string) error {
			_, err := e.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", Filter: f})
			return err
		},
		"ListStatusChanges": func(f string) error {
			_, err := e.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: p.GetName(), Filter: f})
			return err
		},
		"ListDistricts": func(f string) error {
			_, err := e.districts.ListDistricts(ctx, &pledgev1.ListDistrictsRequest{Filter: f})
			return err
		},
		"ListDepartments": func(f string) error {
			_, err := e.districts.ListDepartments(ctx, &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan", Filter: f})
			return err
		},
		"ListApiKeys": func(f string) error {
			_, err := e.keys.ListApiKeys(ctx, &pledgev1.ListApiKeysRequest{Parent: "districts/gwangsan", Filter: f})
			return err
		},
	}
	for name, list := range lists {
		filtertest.Refused(t, name, list)
	}
}
