package server_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestAPIKeysAreShownOnceKeptAsHashesAndRevoked issues a district's key,
// uses it within its scopes, and revokes it.
func TestAPIKeysAreShownOnceKeptAsHashesAndRevoked(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	created, err := e.keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKeyId: "portal",
		ApiKey: &pledgev1.ApiKey{DisplayName: "시민참여 포털", Scopes: []string{"read"}}})
	if err != nil {
		t.Fatal(err)
	}
	secret := created.GetSecret()
	if !strings.HasPrefix(secret, "gyk_portal_") || created.GetApiKey().GetName() != "districts/gwangsan/apiKeys/portal" ||
		created.GetApiKey().GetCreator() != "user:admin@"+strings.TrimPrefix(e.issuer.URL, "http://") {
		t.Errorf("created: %v, secret %q", created.GetApiKey(), secret)
	}
	// Kept as a hash alone: no column holds the secret.
	var rows int
	sum := sha256.Sum256([]byte(strings.TrimPrefix(secret, "gyk_portal_")))
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM api_keys WHERE secret_sha256 = $1 AND NOT (api_keys::text LIKE '%' || $2 || '%')`,
		sum[:], strings.TrimPrefix(secret, "gyk_portal_")).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("the stored key: %d rows with the hash and without the secret, %v", rows, err)
	}
	got, err := e.keys.GetApiKey(ctx, &pledgev1.GetApiKeyRequest{Name: "districts/gwangsan/apiKeys/portal"})
	if err != nil || got.GetDisplayName() != "시민참여 포털" {
		t.Errorf("get: %v %v", got, err)
	}
	// A retry cannot show the secret again.
	_, err = e.keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKeyId: "portal",
		ApiKey: &pledgev1.ApiKey{DisplayName: "시민참여 포털", Scopes: []string{"read"}}})
	wantStatus(t, err, codes.AlreadyExists)

	asKey := authtest.As(ctx, secret)
	if _, err := e.pledges.ListPledges(asKey, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"}); err != nil {
		t.Errorf("the key reads its district: %v", err)
	}
	_, err = e.pledges.CreatePledge(asKey, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "키로 만든 공약"}})
	wantStatus(t, err, codes.PermissionDenied)
	_, err = e.districts.GetDistrict(authtest.As(ctx, secret), &pledgev1.GetDistrictRequest{Name: "districts/seogu"})
	wantStatus(t, err, codes.PermissionDenied)
	who, err := e.keys.VerifyApiKey(asKey, &pledgev1.VerifyApiKeyRequest{})
	if err != nil || who.GetName() != "districts/gwangsan/apiKeys/portal" || len(who.GetScopes()) != 1 {
		t.Errorf("VerifyApiKey: %v %v", who, err)
	}
	_, err = e.pledges.ListPledges(authtest.As(ctx, secret[:len(secret)-2]+"xx"), &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
	wantStatus(t, err, codes.Unauthenticated)

	revoked, err := e.keys.RevokeApiKey(ctx, &pledgev1.RevokeApiKeyRequest{Name: "districts/gwangsan/apiKeys/portal"})
	if err != nil || revoked.GetRevokeTime() == nil {
		t.Fatalf("revoke: %v %v", revoked, err)
	}
	_, err = e.pledges.ListPledges(asKey, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
	wantStatus(t, err, codes.Unauthenticated)
	list, err := e.keys.ListApiKeys(ctx, &pledgev1.ListApiKeysRequest{Parent: "districts/gwangsan"})
	if err != nil || len(list.GetApiKeys()) != 1 || list.GetApiKeys()[0].GetRevokeTime() == nil {
		t.Errorf("list: %v %v", list, err)
	}

	// An expired key works no more; keys are checked before they are
	// kept.
	past, err := e.keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan",
		ApiKey: &pledgev1.ApiKey{DisplayName: "곧 만료", Scopes: []string{"read"}, ExpireTime: timestamppb.New(time.Now().Add(time.Second))}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	_, err = e.pledges.ListPledges(authtest.As(ctx, past.GetSecret()), &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
	wantStatus(t, err, codes.Unauthenticated)
	for _, bad := range []struct {
		req    *pledgev1.CreateApiKeyRequest
		fields []string
	}{
		{&pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{Scopes: []string{"read", "read", "superuser"}}},
			[]string{"api_key.display_name", "api_key.scopes[1]", "api_key.scopes[2]"}},
		{&pledgev1.CreateApiKeyRequest{ApiKey: &pledgev1.ApiKey{DisplayName: "부처", Scopes: []string{"read"}}}, []string{"api_key.scopes[0]"}},
		{&pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{DisplayName: "지난", Scopes: []string{"read"},
			ExpireTime: timestamppb.New(time.Now().Add(-time.Hour))}}, []string{"api_key.expire_time"}},
	} {
		_, err := e.keys.CreateApiKey(ctx, bad.req)
		if got := violated(wantStatus(t, err, codes.InvalidArgument)); strings.Join(got, ",") != strings.Join(bad.fields, ",") {
			t.Errorf("violations %v, want %v", got, bad.fields)
		}
	}
	// A district admin manages its district's keys, not the ministry's.
	admin := e.as(t, ctx, "kim", "district-admin@districts/gwangsan")
	if _, err := e.keys.ListApiKeys(admin, &pledgev1.ListApiKeysRequest{Parent: "districts/gwangsan"}); err != nil {
		t.Errorf("a district admin lists its keys: %v", err)
	}
	_, err = e.keys.CreateApiKey(admin, &pledgev1.CreateApiKeyRequest{ApiKey: &pledgev1.ApiKey{DisplayName: "부처", Scopes: []string{"reports"}}})
	wantStatus(t, err, codes.PermissionDenied)
	_, err = e.keys.ListApiKeys(e.as(t, ctx, "lee", "viewer@districts/gwangsan"), &pledgev1.ListApiKeysRequest{Parent: "districts/gwangsan"})
	wantStatus(t, err, codes.PermissionDenied)
	// The ministry's cross-district key reads no district's data.
	ministry, err := e.keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{ApiKey: &pledgev1.ApiKey{DisplayName: "행정안전부 평가", Scopes: []string{"reports"}}})
	if err != nil || !strings.HasPrefix(ministry.GetApiKey().GetName(), "apiKeys/") {
		t.Fatalf("the ministry's key: %v %v", ministry, err)
	}
	_, err = e.pledges.ListPledges(authtest.As(ctx, ministry.GetSecret()), &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", ShowDeleted: true})
	if err != nil {
		t.Fatalf("published listing for the ministry: %v", err)
	}
}

// TestPublishedPledgesAreReadableWithoutSigningIn marks 민선 7기 public:
// its pledges, not deleted, and their district become readable without
// signing in; nothing else does, and nothing becomes writable.
func TestPublishedPledgesAreReadableWithoutSigningIn(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	create := func(title string, term int32) *pledgev1.Pledge {
		p, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: title, Term: term}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	seventh, gone, ninth := create("7기 공약", 7), create("7기 삭제된 공약", 7), create("9기 공약", 9)
	if _, err := e.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: gone.GetName(), Etag: gone.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	anon := pledgev1.NewPledgeServiceClient(e.conn)
	anonDistricts := pledgev1.NewDistrictServiceClient(e.conn)
	_, err := anon.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: seventh.GetName()})
	wantStatus(t, err, codes.Unauthenticated)
	_, err = anonDistricts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	wantStatus(t, err, codes.Unauthenticated)

	// A viewer cannot publish; the district admin can.
	d, _ := e.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	d.Terms[0].Public = true
	_, err = e.districts.UpdateDistrict(e.as(t, ctx, "lee", "viewer@districts/gwangsan"), &pledgev1.UpdateDistrictRequest{District: d, UpdateMask: mask("terms")})
	wantStatus(t, err, codes.PermissionDenied)
	if _, err := e.districts.UpdateDistrict(e.as(t, ctx, "kim", "district-admin@districts/gwangsan"), &pledgev1.UpdateDistrictRequest{District: d, UpdateMask: mask("terms")}); err != nil {
		t.Fatal(err)
	}

	if got, err := anon.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: seventh.GetName()}); err != nil || got.GetTitle() != "7기 공약" {
		t.Errorf("a published pledge: %v", err)
	}
	for _, p := range []*pledgev1.Pledge{gone, ninth} {
		_, err := anon.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: p.GetName()})
		wantStatus(t, err, codes.Unauthenticated)
	}
	list, err := anon.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan", ShowDeleted: true})
	if err != nil || len(list.GetPledges()) != 1 || list.GetPledges()[0].GetName() != seventh.GetName() || list.GetTotalSize() != 1 {
		t.Errorf("the published list: %v, %v", list, err)
	}
	// The card is let through (this pledge service runs without the
	// others, so it cannot assemble one: e2e reads a published card whole).
	if _, err := anon.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: seventh.GetName(), Format: "text"}); status.Code(err) != codes.Unavailable {
		t.Errorf("the published card: %v", err)
	}
	_, err = anon.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: ninth.GetName(), Format: "text"})
	wantStatus(t, err, codes.Unauthenticated)
	if _, err := anonDistricts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"}); err != nil {
		t.Errorf("a district that publishes: %v", err)
	}
	ds, err := anonDistricts.ListDistricts(ctx, &pledgev1.ListDistrictsRequest{})
	if err != nil || len(ds.GetDistricts()) != 1 {
		t.Errorf("districts listed without signing in: %v %v", ds, err)
	}
	_, err = anon.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: seventh.GetName()})
	wantStatus(t, err, codes.Unauthenticated)
	_, err = anon.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: seventh.GetName(), Etag: seventh.GetEtag(), Title: "낙서"}})
	wantStatus(t, err, codes.Unauthenticated)
	_, err = anon.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: seventh.GetName(), Etag: seventh.GetEtag(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED, Reason: "x"})
	wantStatus(t, err, codes.Unauthenticated)
	// Signed in to another district is no better than anonymous.
	other := e.as(t, ctx, "park", "district-admin@districts/seogu")
	_, err = e.pledges.GetPledge(other, &pledgev1.GetPledgeRequest{Name: ninth.GetName()})
	wantStatus(t, err, codes.PermissionDenied)
	if _, err := e.pledges.GetPledge(other, &pledgev1.GetPledgeRequest{Name: seventh.GetName()}); err != nil {
		t.Errorf("a published pledge to another district's admin: %v", err)
	}
}

// TestDepartmentEditorsWriteOnlyTheirDepartmentsPledges gives the
// 법무지원과 editor its own pledge and another department's.
func TestDepartmentEditorsWriteOnlyTheirDepartmentsPledges(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	if _, err := e.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", DepartmentId: "welfare",
		Department: &pledgev1.Department{DisplayName: "복지정책과"}}); err != nil {
		t.Fatal(err)
	}
	editor := e.as(t, ctx, "yoon", "department-editor@districts/gwangsan/departments/legal-support")
	own, err := e.pledges.CreatePledge(editor, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatalf("the editor's own department's pledge: %v", err)
	}
	theirs, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan",
		Pledge: &pledgev1.Pledge{Title: "복지 공약", OwningDepartment: "districts/gwangsan/departments/welfare"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"create for another department", func() error {
			_, err := e.pledges.CreatePledge(editor, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan",
				Pledge: &pledgev1.Pledge{Title: "남의 공약", OwningDepartment: "districts/gwangsan/departments/welfare"}})
			return err
		}, codes.PermissionDenied},
		{"create without an owning department", func() error {
			_, err := e.pledges.CreatePledge(editor, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "주인 없는 공약"}})
			return err
		}, codes.PermissionDenied},
		{"update the own", func() error {
			_, err := e.pledges.UpdatePledge(editor, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: own.GetName(), Etag: own.GetEtag(), FinalGoal: "새 목표"}, UpdateMask: mask("final_goal")})
			return err
		}, codes.OK},
		{"move the own to another department", func() error {
			_, err := e.pledges.UpdatePledge(editor, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: own.GetName(), Etag: "x",
				OwningDepartment: "districts/gwangsan/departments/welfare"}, UpdateMask: mask("owning_department")})
			return err
		}, codes.PermissionDenied},
		{"update another department's", func() error {
			_, err := e.pledges.UpdatePledge(editor, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: theirs.GetName(), Etag: theirs.GetEtag(), Title: "x"}, UpdateMask: mask("title")})
			return err
		}, codes.PermissionDenied},
		{"change another department's status", func() error {
			_, err := e.pledges.ChangePledgeStatus(editor, &pledgev1.ChangePledgeStatusRequest{Name: theirs.GetName(), Etag: theirs.GetEtag(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류"})
			return err
		}, codes.PermissionDenied},
		{"delete another department's", func() error {
			_, err := e.pledges.DeletePledge(editor, &pledgev1.DeletePledgeRequest{Name: theirs.GetName(), Etag: theirs.GetEtag()})
			return err
		}, codes.PermissionDenied},
		{"read another department's", func() error {
			_, err := e.pledges.GetPledge(editor, &pledgev1.GetPledgeRequest{Name: theirs.GetName()})
			return err
		}, codes.OK},
		{"rename a department", func() error {
			_, err := e.districts.UpdateDepartment(editor, &pledgev1.UpdateDepartmentRequest{Department: &pledgev1.Department{Name: "districts/gwangsan/departments/legal-support", Etag: "x", DisplayName: "법무과"}})
			return err
		}, codes.PermissionDenied},
		{"import a card", func() error {
			_, err := e.pledges.ImportPledgeCard(editor, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: "공약명\n\n제목\n"})
			return err
		}, codes.PermissionDenied},
	} {
		if got := status.Code(tt.call()); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestEveryChangeIsInTheAuditLog makes changes as a district admin and
// reads them back, in order, with who, what and the fields that changed.
func TestEveryChangeIsInTheAuditLog(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	admin := e.as(t, ctx, "kim", "district-admin@districts/gwangsan")
	p, err := e.pledges.CreatePledge(admin, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "행복동아리 지원", Term: 7}})
	if err != nil {
		t.Fatal(err)
	}
	p, err = e.pledges.UpdatePledge(admin, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: p.GetName(), Etag: p.GetEtag(), FinalGoal: "동아리 10개"}, UpdateMask: mask("final_goal")})
	if err != nil {
		t.Fatal(err)
	}
	p, err = e.pledges.ChangePledgeStatus(admin, &pledgev1.ChangePledgeStatusRequest{Name: p.GetName(), Etag: p.GetEtag(), Status: pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, Reason: "완료"})
	if err != nil {
		t.Fatal(err)
	}
	// A refused change leaves nothing.
	if _, err := e.pledges.UpdatePledge(admin, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: p.GetName(), Etag: "stale", FinalGoal: "x"}, UpdateMask: mask("final_goal")}); err == nil {
		t.Fatal("a stale update succeeded")
	}
	if _, err := e.pledges.DeletePledge(admin, &pledgev1.DeletePledgeRequest{Name: p.GetName(), Etag: p.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	resp, err := e.audit.ListAuditEvents(admin, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", Filter: `resource = "` + p.GetName() + `"`})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range resp.GetAuditEvents() {
		got = append(got, ev.GetAction())
		if ev.GetActor() != "user:kim@"+strings.TrimPrefix(e.issuer.URL, "http://") || ev.GetService() != "pledge" {
			t.Errorf("event %v", ev)
		}
	}
	if strings.Join(got, " ") != "create update change_status delete" {
		t.Errorf("actions: %v", got)
	}
	update := resp.GetAuditEvents()[1]
	if update.GetBefore().AsMap()["finalGoal"] != nil || update.GetAfter().AsMap()["finalGoal"] != "동아리 10개" || len(update.GetAfter().AsMap()) != 1 {
		t.Errorf("the update's fields: before %v after %v", update.GetBefore().AsMap(), update.GetAfter().AsMap())
	}
	// The department and district seeded by the system admin are there
	// too; a viewer may not read the log.
	all, err := e.audit.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", Filter: `actor = "user:admin*"`})
	if err != nil || len(all.GetAuditEvents()) != 2 {
		t.Errorf("the admin's events: %v %v", all, err)
	}
	_, err = e.audit.ListAuditEvents(e.as(t, ctx, "lee", "viewer@districts/gwangsan"), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
	wantStatus(t, err, codes.PermissionDenied)
}

// TestEveryMethodHasTheExpectedPolicy calls every method the pledge
// service registers as each kind of caller and compares refused or not
// with a table written here, apart from the policy; a method missing from
// the table fails the test.
func TestEveryMethodHasTheExpectedPolicy(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	ctx := context.Background()
	card, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "card", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]string{
		"sys":    "system-admin",
		"min":    "ministry-reporter",
		"admin":  "district-admin@districts/gwangsan",
		"editor": "department-editor@districts/gwangsan/departments/legal-support",
		"other":  "department-editor@districts/gwangsan/departments/welfare",
		"viewer": "viewer@districts/gwangsan",
		"reg":    "registrar@districts/gwangsan",
		"away":   "district-admin@districts/seogu",
	}
	// Who may call each method: the roles above by their short names; any
	// other caller, anonymous included, is refused. Write requests carry a
	// stale etag or a bad body, so an allowed call changes nothing.
	table := []struct {
		method  string
		call    func(c clients) error
		allowed string
	}{
		{"DistrictService/GetDistrict", func(c clients) error {
			_, err := c.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
			return err
		}, "sys admin editor other viewer reg"},
		{"DistrictService/ListDistricts", func(c clients) error {
			_, err := c.districts.ListDistricts(ctx, &pledgev1.ListDistrictsRequest{})
			return err
		}, "anon sys min admin editor other viewer reg away"},
		{"DistrictService/CreateDistrict", func(c clients) error {
			_, err := c.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "newgu", District: &pledgev1.District{}})
			return err
		}, "sys"},
		{"DistrictService/UpdateDistrict", func(c clients) error {
			_, err := c.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{District: &pledgev1.District{Name: "districts/gwangsan", Etag: "stale"}})
			return err
		}, "sys admin"},
		{"DistrictService/GetDepartment", func(c clients) error {
			_, err := c.districts.GetDepartment(ctx, &pledgev1.GetDepartmentRequest{Name: "districts/gwangsan/departments/legal-support"})
			return err
		}, "sys admin editor other viewer reg"},
		{"DistrictService/ListDepartments", func(c clients) error {
			_, err := c.districts.ListDepartments(ctx, &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan"})
			return err
		}, "sys admin editor other viewer reg"},
		{"DistrictService/CreateDepartment", func(c clients) error {
			_, err := c.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", Department: &pledgev1.Department{}})
			return err
		}, "sys admin"},
		{"DistrictService/UpdateDepartment", func(c clients) error {
			_, err := c.districts.UpdateDepartment(ctx, &pledgev1.UpdateDepartmentRequest{Department: &pledgev1.Department{Name: "districts/gwangsan/departments/legal-support", Etag: "stale"}})
			return err
		}, "sys admin"},
		// The district's readers export it (masked without personal-data).
		{"DistrictService/ExportDistrictData", func(c clients) error {
			st, err := c.districts.ExportDistrictData(ctx, &pledgev1.ExportDistrictDataRequest{Name: "districts/gwangsan"})
			if err == nil {
				_, err = st.Recv()
			}
			return err
		}, "sys admin editor other viewer reg"},
		// Any signed caller may send a file; an empty one is refused before
		// its district is known (who may import is checked then: those who
		// create districts).
		{"DistrictService/ImportDistrictData", func(c clients) error {
			st, err := c.districts.ImportDistrictData(ctx)
			if err == nil {
				_, err = st.CloseAndRecv()
			}
			return err
		}, "sys min admin editor other viewer reg away"},
		{"PledgeService/GetPledge", func(c clients) error {
			_, err := c.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: card.GetName()})
			return err
		}, "sys admin editor other viewer reg"},
		{"PledgeService/ListPledges", func(c clients) error {
			_, err := c.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
			return err
		}, "anon sys min admin editor other viewer reg away"}, // the published ones alone for some
		{"PledgeService/CreatePledge", func(c clients) error {
			_, err := c.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{OwningDepartment: "districts/gwangsan/departments/legal-support"}})
			return err
		}, "sys admin editor"},
		{"PledgeService/UpdatePledge", func(c clients) error {
			_, err := c.pledges.UpdatePledge(ctx, &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: card.GetName(), Etag: "stale", Title: "x"}, UpdateMask: mask("title")})
			return err
		}, "sys admin editor"},
		{"PledgeService/DeletePledge", func(c clients) error {
			_, err := c.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: card.GetName(), Etag: "stale"})
			return err
		}, "sys admin editor"},
		{"PledgeService/ChangePledgeStatus", func(c clients) error {
			_, err := c.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: card.GetName(), Etag: "stale", Status: 1, Reason: "x"})
			return err
		}, "sys admin editor"},
		{"PledgeService/GetPledgeCard", func(c clients) error {
			_, err := c.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: card.GetName()})
			return err
		}, "sys admin editor other viewer reg"},
		{"PledgeService/RenderPledgeCard", func(c clients) error {
			_, err := c.pledges.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: card.GetName()})
			return err
		}, "sys admin editor other viewer reg"},
		{"PledgeService/ImportPledgeCard", func(c clients) error {
			_, err := c.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan"})
			return err
		}, "sys admin"},
		{"PledgeService/UploadPhoto", func(c clients) error {
			_, err := c.pledges.UploadPhoto(ctx, &pledgev1.UploadPhotoRequest{Name: card.GetName() + "/photos/1"})
			return err
		}, "sys admin editor"},
		{"PledgeService/GetPhotoContent", func(c clients) error {
			_, err := c.pledges.GetPhotoContent(ctx, &pledgev1.GetPhotoContentRequest{Name: card.GetName() + "/photos/1"})
			return err
		}, "sys admin editor other viewer reg"},
		{"PledgeService/ListStatusChanges", func(c clients) error {
			_, err := c.pledges.ListStatusChanges(ctx, &pledgev1.ListStatusChangesRequest{Parent: card.GetName()})
			return err
		}, "sys admin editor other viewer reg"},
		{"PledgeService/ListPledges", func(c clients) error {
			_, err := c.pledges.ListPledges(ctx, &pledgev1.ListPledgesRequest{Parent: "districts/-"})
			return err
		}, "anon sys min admin editor other viewer reg away"}, // what each reads district by district
		{"PledgeService/ChangePledgeStatus", func(c clients) error {
			_, err := c.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: card.GetName(), Etag: "stale", Status: 1, Reason: "x", EffectiveDate: day(2020, 12, 1)})
			return err
		}, "sys admin reg"}, // dated: those who record the past
		{"PledgeService/SummarizePledges", func(c clients) error {
			_, err := c.pledges.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/gwangsan"})
			return err
		}, "sys min admin editor other viewer reg"},
		{"PledgeService/SummarizePledges", func(c clients) error {
			_, err := c.pledges.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/-"})
			return err
		}, "sys min"},
		{"ReportService/DisclosePledges", func(c clients) error {
			_, err := c.reports.DisclosePledges(ctx, &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 7})
			return err
		}, "sys admin editor other viewer reg"}, // 민선 7기 is not public here
		{"PledgeService/BatchCreatePledges", func(c clients) error {
			_, err := c.pledges.BatchCreatePledges(ctx, &pledgev1.BatchCreatePledgesRequest{Parent: "districts/gwangsan", Requests: []*pledgev1.CreatePledgeRequest{
				{Pledge: &pledgev1.Pledge{OwningDepartment: "districts/gwangsan/departments/legal-support"}}}})
			return err
		}, "sys admin"}, // bulk loads: not a department editor, even for its own department's pledges
		{"ApiKeyService/CreateApiKey", func(c clients) error {
			_, err := c.keys.CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{}})
			return err
		}, "sys admin"},
		{"ApiKeyService/GetApiKey", func(c clients) error {
			_, err := c.keys.GetApiKey(ctx, &pledgev1.GetApiKeyRequest{Name: "districts/gwangsan/apiKeys/none"})
			return err
		}, "sys admin"},
		{"ApiKeyService/ListApiKeys", func(c clients) error {
			_, err := c.keys.ListApiKeys(ctx, &pledgev1.ListApiKeysRequest{})
			return err
		}, "sys"},
		{"ApiKeyService/RevokeApiKey", func(c clients) error {
			_, err := c.keys.RevokeApiKey(ctx, &pledgev1.RevokeApiKeyRequest{Name: "districts/gwangsan/apiKeys/none"})
			return err
		}, "sys admin"},
		{"ApiKeyService/VerifyApiKey", func(c clients) error {
			_, err := c.keys.VerifyApiKey(ctx, &pledgev1.VerifyApiKeyRequest{})
			return err
		}, "sys min admin editor other viewer reg away"},
		{"AuditService/ListAuditEvents", func(c clients) error {
			_, err := c.audit.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
			return err
		}, "sys admin"},
		{"ReportService/GetImplementationReport", func(c clients) error {
			_, err := c.reports.GetImplementationReport(ctx, &pledgev1.GetImplementationReportRequest{Name: "districts/gwangsan/implementationReport"})
			return err
		}, "sys min admin editor other viewer reg"},
		// Every district's: cross-district callers alone. (This service
		// runs without the others: the export is UNAVAILABLE, not refused.)
		{"ReportService/ExportImplementationReport", func(c clients) error {
			_, err := c.reports.ExportImplementationReport(ctx, &pledgev1.ExportImplementationReportRequest{Name: "districts/-/implementationReport", Format: "csv"})
			return err
		}, "sys min"},
	}
	tested := map[string]bool{}
	for _, row := range table {
		tested["/gongyak.pledge.v1."+row.method] = true
		allowed := strings.Fields(row.allowed)
		for _, who := range append([]string{"anon"}, keysOf(callers)...) {
			var conn grpc.ClientConnInterface = e.conn
			if who != "anon" {
				conn = authtest.WithToken(e.conn, e.issuer.Token(t, who, callers[who]))
			}
			code := status.Code(row.call(clientsOf(conn)))
			refused := code == codes.Unauthenticated || code == codes.PermissionDenied
			want := contains(allowed, who)
			if refused == want {
				t.Errorf("%s as %s: %v, want allowed=%v", row.method, who, code, want)
			}
			if refused && who == "anon" && code != codes.Unauthenticated {
				t.Errorf("%s anonymous: %v, want UNAUTHENTICATED", row.method, code)
			}
		}
	}
	for _, m := range e.methods {
		if !tested[m] && !strings.HasPrefix(m, "/grpc.") {
			t.Errorf("%s is registered but not in the table", m)
		}
	}
}

// clients are the pledge service's clients on one connection.
type clients struct {
	districts pledgev1.DistrictServiceClient
	pledges   pledgev1.PledgeServiceClient
	keys      pledgev1.ApiKeyServiceClient
	audit     pledgev1.AuditServiceClient
	reports   pledgev1.ReportServiceClient
}

func clientsOf(conn grpc.ClientConnInterface) clients {
	return clients{pledgev1.NewDistrictServiceClient(conn), pledgev1.NewPledgeServiceClient(conn),
		pledgev1.NewApiKeyServiceClient(conn), pledgev1.NewAuditServiceClient(conn), pledgev1.NewReportServiceClient(conn)}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
