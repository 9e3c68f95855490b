package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The callers of the walk, by short name: the e2e users (signed in through
// the development provider) and API keys made for the walk.
var walkCallers = map[string]string{
	"S": "admin", "A": "gwangsan-admin", "E": "gwangsan-editor", "V": "gwangsan-viewer", "R": "gwangsan-registrar",
	"P": "gwangsan-privacy", "M": "ministry", "O": "seogu-admin",
	// RK: a gwangsan key with scope read; PK: participate; MK: the
	// ministry's cross-district key with scope reports.
	"RK": "", "PK": "", "MK": "",
}

// Who may call what, written here apart from every policy: a method's
// callers by short name; anyone else, anonymous (anon) included, is
// refused — UNAUTHENTICATED (401) for anonymous, PERMISSION_DENIED (403)
// for the others.
const (
	everyone      = "anon S A E V R P M O RK PK MK"
	signedIn      = "S A E V R P M O RK PK MK"
	readers       = "S A E V R P RK"
	summaries     = "S A E V R P M RK MK"
	allSummaries  = "S M MK"
	cardWriters   = "S A E"
	admins        = "S A"
	systemAdmins  = "S"
	submitters    = "S A E R PK"
	voters        = "S A R PK"
	publishedList = everyone // the published ones alone, for some: none here
)

// walkNames holds the names the walk's requests use, made before it.
type walkNames struct {
	card, program, indicator, stale string
}

// walkRow is one method's request and who may make it.
type walkRow struct {
	req     func(f walkNames) proto.Message
	allowed string
}

// walkTable has a row for every method of every service. Requests that
// would change something carry a stale etag or a bad body, so an allowed
// call, checked by the policy first, ends refused by the handler and
// changes nothing.
var walkTable = map[string]walkRow{
	"gongyak.pledge.v1.DistrictService/GetDistrict":   {func(f walkNames) proto.Message { return &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"} }, readers},
	"gongyak.pledge.v1.DistrictService/ListDistricts": {func(f walkNames) proto.Message { return &pledgev1.ListDistrictsRequest{} }, everyone},
	"gongyak.pledge.v1.DistrictService/CreateDistrict": {func(f walkNames) proto.Message {
		return &pledgev1.CreateDistrictRequest{DistrictId: "newgu", District: &pledgev1.District{}}
	}, systemAdmins},
	"gongyak.pledge.v1.DistrictService/UpdateDistrict": {func(f walkNames) proto.Message {
		return &pledgev1.UpdateDistrictRequest{District: &pledgev1.District{Name: "districts/gwangsan", Etag: f.stale, DisplayName: "바뀐 이름"}}
	}, admins},
	"gongyak.pledge.v1.DistrictService/GetDepartment": {func(f walkNames) proto.Message {
		return &pledgev1.GetDepartmentRequest{Name: "districts/gwangsan/departments/legal-support"}
	}, readers},
	"gongyak.pledge.v1.DistrictService/ListDepartments": {func(f walkNames) proto.Message { return &pledgev1.ListDepartmentsRequest{Parent: "districts/gwangsan"} }, readers},
	"gongyak.pledge.v1.DistrictService/CreateDepartment": {func(f walkNames) proto.Message {
		return &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", Department: &pledgev1.Department{}}
	}, admins},
	"gongyak.pledge.v1.DistrictService/UpdateDepartment": {func(f walkNames) proto.Message {
		return &pledgev1.UpdateDepartmentRequest{Department: &pledgev1.Department{Name: "districts/gwangsan/departments/legal-support", Etag: f.stale, DisplayName: "법무과"}}
	}, admins},
	"gongyak.pledge.v1.PledgeService/GetPledge":   {func(f walkNames) proto.Message { return &pledgev1.GetPledgeRequest{Name: f.card} }, readers},
	"gongyak.pledge.v1.PledgeService/ListPledges": {func(f walkNames) proto.Message { return &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"} }, publishedList},
	"gongyak.pledge.v1.PledgeService/CreatePledge": {func(f walkNames) proto.Message {
		return &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{OwningDepartment: "districts/gwangsan/departments/legal-support"}}
	}, cardWriters},
	"gongyak.pledge.v1.PledgeService/UpdatePledge": {func(f walkNames) proto.Message {
		return &pledgev1.UpdatePledgeRequest{Pledge: &pledgev1.Pledge{Name: f.card, Etag: f.stale, FinalGoal: "x"}}
	}, cardWriters},
	"gongyak.pledge.v1.PledgeService/DeletePledge": {func(f walkNames) proto.Message { return &pledgev1.DeletePledgeRequest{Name: f.card, Etag: f.stale} }, cardWriters},
	"gongyak.pledge.v1.PledgeService/ChangePledgeStatus": {func(f walkNames) proto.Message {
		return &pledgev1.ChangePledgeStatusRequest{Name: f.card, Etag: f.stale, Status: pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, Reason: "보류"}
	}, cardWriters},
	"gongyak.pledge.v1.PledgeService/GetPledgeCard":    {func(f walkNames) proto.Message { return &pledgev1.GetPledgeCardRequest{Name: f.card} }, readers},
	"gongyak.pledge.v1.PledgeService/RenderPledgeCard": {func(f walkNames) proto.Message { return &pledgev1.RenderPledgeCardRequest{Name: f.card} }, readers},
	"gongyak.pledge.v1.PledgeService/ImportPledgeCard": {func(f walkNames) proto.Message {
		return &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan"}
	}, admins},
	"gongyak.pledge.v1.PledgeService/UploadPhoto": {func(f walkNames) proto.Message {
		return &pledgev1.UploadPhotoRequest{Name: f.card + "/photos/1", Content: &httpbody.HttpBody{ContentType: "image/png", Data: []byte("not a png")}}
	}, cardWriters},
	"gongyak.pledge.v1.PledgeService/GetPhotoContent":   {func(f walkNames) proto.Message { return &pledgev1.GetPhotoContentRequest{Name: f.card + "/photos/1"} }, readers},
	"gongyak.pledge.v1.PledgeService/ListStatusChanges": {func(f walkNames) proto.Message { return &pledgev1.ListStatusChangesRequest{Parent: f.card} }, readers},
	"gongyak.pledge.v1.PledgeService/SummarizePledges": {func(f walkNames) proto.Message {
		return &pledgev1.SummarizePledgesRequest{Parent: "districts/gwangsan"}
	}, summaries},
	// Batches are bulk loads: what the single method needs, over the whole
	// district (the card's department editor is refused).
	"gongyak.pledge.v1.PledgeService/BatchCreatePledges": {func(f walkNames) proto.Message {
		return &pledgev1.BatchCreatePledgesRequest{Parent: "districts/gwangsan", Requests: []*pledgev1.CreatePledgeRequest{
			{Pledge: &pledgev1.Pledge{OwningDepartment: "districts/gwangsan/departments/legal-support"}}}}
	}, admins},
	"gongyak.pledge.v1.ApiKeyService/CreateApiKey": {func(f walkNames) proto.Message {
		return &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKey: &pledgev1.ApiKey{}}
	}, admins},
	"gongyak.pledge.v1.ApiKeyService/GetApiKey": {func(f walkNames) proto.Message {
		return &pledgev1.GetApiKeyRequest{Name: "districts/gwangsan/apiKeys/none"}
	}, admins},
	"gongyak.pledge.v1.ApiKeyService/ListApiKeys": {func(f walkNames) proto.Message { return &pledgev1.ListApiKeysRequest{Parent: "districts/gwangsan"} }, admins},
	"gongyak.pledge.v1.ApiKeyService/RevokeApiKey": {func(f walkNames) proto.Message {
		return &pledgev1.RevokeApiKeyRequest{Name: "districts/gwangsan/apiKeys/none"}
	}, admins},
	"gongyak.pledge.v1.ApiKeyService/VerifyApiKey": {func(f walkNames) proto.Message { return &pledgev1.VerifyApiKeyRequest{} }, signedIn},
	"gongyak.pledge.v1.AuditService/ListAuditEvents": {func(f walkNames) proto.Message {
		return &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"}
	}, admins},
	// 민선 7기 is not public in the walk: its page is its readers'.
	"gongyak.pledge.v1.ReportService/DisclosePledges": {func(f walkNames) proto.Message {
		return &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 7}
	}, readers},
	"gongyak.pledge.v1.ReportService/GetImplementationReport": {func(f walkNames) proto.Message {
		return &pledgev1.GetImplementationReportRequest{Name: "districts/gwangsan/implementationReport", Term: 7}
	}, summaries},
	"gongyak.pledge.v1.ReportService/ExportImplementationReport": {func(f walkNames) proto.Message {
		return &pledgev1.ExportImplementationReportRequest{Name: "districts/-/implementationReport", Term: 7, Format: "csv"}
	}, allSummaries},

	"gongyak.budget.v1.BudgetService/GetBudget": {func(f walkNames) proto.Message { return &budgetv1.GetBudgetRequest{Name: f.card + "/budget"} }, readers},
	"gongyak.budget.v1.BudgetService/UpdateBudget": {func(f walkNames) proto.Message {
		return &budgetv1.UpdateBudgetRequest{Budget: &budgetv1.Budget{Name: f.card + "/budget", Etag: f.stale}}
	}, cardWriters},
	"gongyak.budget.v1.BudgetService/ListBudgets": {func(f walkNames) proto.Message { return &budgetv1.ListBudgetsRequest{Parent: "districts/gwangsan"} }, readers},
	"gongyak.budget.v1.BudgetService/DeleteBudget": {func(f walkNames) proto.Message {
		return &budgetv1.DeleteBudgetRequest{Name: f.card + "/budget", Etag: f.stale}
	}, cardWriters},
	"gongyak.budget.v1.BudgetService/BatchUpdateBudgets": {func(f walkNames) proto.Message {
		return &budgetv1.BatchUpdateBudgetsRequest{Parent: "districts/gwangsan", Requests: []*budgetv1.UpdateBudgetRequest{
			{Budget: &budgetv1.Budget{Name: f.card + "/budget", Etag: f.stale}}}}
	}, admins},
	"gongyak.budget.v1.BudgetService/SummarizeBudgets": {func(f walkNames) proto.Message {
		return &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan"}
	}, summaries},
	// A district's bulk export and import: readers export (masked without
	// personal-data), those who create districts import. The import's
	// request here is an empty body, refused by the handler after the
	// check.
	"gongyak.pledge.v1.DistrictService/ExportDistrictData": {func(f walkNames) proto.Message {
		return &pledgev1.ExportDistrictDataRequest{Name: "districts/gwangsan"}
	}, readers},
	"gongyak.pledge.v1.DistrictService/ImportDistrictData": {func(f walkNames) proto.Message { return &httpbody.HttpBody{} }, signedIn},
	"gongyak.budget.v1.BudgetService/ExportDistrictData":   {func(f walkNames) proto.Message { return &typev1.ExportDistrictDataRequest{Name: "districts/gwangsan"} }, readers},
	"gongyak.budget.v1.BudgetService/ImportDistrictData": {func(f walkNames) proto.Message {
		return &typev1.ImportDistrictDataRequest{Name: "districts/gwangsan", ExportId: "walk"}
	}, systemAdmins},
	"gongyak.indicator.v1.IndicatorService/ExportDistrictData": {func(f walkNames) proto.Message { return &typev1.ExportDistrictDataRequest{Name: "districts/gwangsan"} }, readers},
	"gongyak.indicator.v1.IndicatorService/ImportDistrictData": {func(f walkNames) proto.Message {
		return &typev1.ImportDistrictDataRequest{Name: "districts/gwangsan", ExportId: "walk"}
	}, systemAdmins},
	"gongyak.participation.v1.ParticipationService/ExportDistrictData": {func(f walkNames) proto.Message { return &typev1.ExportDistrictDataRequest{Name: "districts/gwangsan"} }, readers},
	"gongyak.participation.v1.ParticipationService/ImportDistrictData": {func(f walkNames) proto.Message {
		return &typev1.ImportDistrictDataRequest{Name: "districts/gwangsan", ExportId: "walk"}
	}, systemAdmins},
	"gongyak.budget.v1.BudgetService/ListAuditEvents": {func(f walkNames) proto.Message { return &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"} }, admins},

	"gongyak.indicator.v1.IndicatorService/GetIndicator":   {func(f walkNames) proto.Message { return &indicatorv1.GetIndicatorRequest{Name: f.indicator} }, readers},
	"gongyak.indicator.v1.IndicatorService/ListIndicators": {func(f walkNames) proto.Message { return &indicatorv1.ListIndicatorsRequest{Parent: f.card} }, readers},
	"gongyak.indicator.v1.IndicatorService/CreateIndicator": {func(f walkNames) proto.Message {
		return &indicatorv1.CreateIndicatorRequest{Parent: f.card, Indicator: &indicatorv1.Indicator{}}
	}, cardWriters},
	"gongyak.indicator.v1.IndicatorService/UpdateIndicator": {func(f walkNames) proto.Message {
		return &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{Name: f.indicator, Etag: f.stale, Title: "x"}}
	}, cardWriters},
	"gongyak.indicator.v1.IndicatorService/DeleteIndicator": {func(f walkNames) proto.Message {
		return &indicatorv1.DeleteIndicatorRequest{Name: f.indicator, Etag: f.stale}
	}, cardWriters},
	"gongyak.indicator.v1.IndicatorService/BatchCreateIndicators": {func(f walkNames) proto.Message {
		return &indicatorv1.BatchCreateIndicatorsRequest{Parent: f.card, Requests: []*indicatorv1.CreateIndicatorRequest{{Indicator: &indicatorv1.Indicator{}}}}
	}, admins},
	"gongyak.indicator.v1.IndicatorService/GetPledgeAchievement": {func(f walkNames) proto.Message {
		return &indicatorv1.GetPledgeAchievementRequest{Name: f.card + "/achievement"}
	}, readers},
	"gongyak.indicator.v1.IndicatorService/SummarizeIndicators": {func(f walkNames) proto.Message {
		return &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/gwangsan"}
	}, summaries},
	"gongyak.indicator.v1.IndicatorService/ListAuditEvents": {func(f walkNames) proto.Message { return &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"} }, admins},

	"gongyak.participation.v1.ParticipationService/GetProgram": {func(f walkNames) proto.Message { return &participationv1.GetProgramRequest{Name: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/ListPrograms": {func(f walkNames) proto.Message {
		return &participationv1.ListProgramsRequest{Parent: "districts/gwangsan", Filter: `pledges:"` + f.card + `"`}
	}, readers},
	"gongyak.participation.v1.ParticipationService/CreateProgram": {func(f walkNames) proto.Message {
		return &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{Pledges: []string{f.card}}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/UpdateProgram": {func(f walkNames) proto.Message {
		return &participationv1.UpdateProgramRequest{Program: &participationv1.Program{Name: f.program, Etag: f.stale, Title: "x"}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/DeleteProgram": {func(f walkNames) proto.Message {
		return &participationv1.DeleteProgramRequest{Name: f.program, Etag: f.stale}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/GetMember": {func(f walkNames) proto.Message {
		return &participationv1.GetMemberRequest{Name: f.program + "/members/none"}
	}, readers},
	"gongyak.participation.v1.ParticipationService/ListMembers": {func(f walkNames) proto.Message { return &participationv1.ListMembersRequest{Parent: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/CreateMember": {func(f walkNames) proto.Message {
		return &participationv1.CreateMemberRequest{Parent: f.program, Member: &participationv1.Member{}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/UpdateMember": {func(f walkNames) proto.Message {
		return &participationv1.UpdateMemberRequest{Member: &participationv1.Member{Name: f.program + "/members/none", Etag: f.stale}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/DeleteMember": {func(f walkNames) proto.Message {
		return &participationv1.DeleteMemberRequest{Name: f.program + "/members/none", Etag: f.stale}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/GetSubmission": {func(f walkNames) proto.Message {
		return &participationv1.GetSubmissionRequest{Name: f.program + "/submissions/none"}
	}, readers},
	"gongyak.participation.v1.ParticipationService/ListSubmissions": {func(f walkNames) proto.Message { return &participationv1.ListSubmissionsRequest{Parent: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/CreateSubmission": {func(f walkNames) proto.Message {
		return &participationv1.CreateSubmissionRequest{Parent: f.program, Submission: &participationv1.Submission{}}
	}, submitters},
	"gongyak.participation.v1.ParticipationService/UpdateSubmission": {func(f walkNames) proto.Message {
		return &participationv1.UpdateSubmissionRequest{Submission: &participationv1.Submission{Name: f.program + "/submissions/none", Etag: f.stale}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/DeleteSubmission": {func(f walkNames) proto.Message {
		return &participationv1.DeleteSubmissionRequest{Name: f.program + "/submissions/none", Etag: f.stale}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/GetEntry": {func(f walkNames) proto.Message {
		return &participationv1.GetEntryRequest{Name: f.program + "/entries/none"}
	}, readers},
	"gongyak.participation.v1.ParticipationService/ListEntries": {func(f walkNames) proto.Message { return &participationv1.ListEntriesRequest{Parent: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/CreateEntry": {func(f walkNames) proto.Message {
		return &participationv1.CreateEntryRequest{Parent: f.program, Entry: &participationv1.Entry{}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/UpdateEntry": {func(f walkNames) proto.Message {
		return &participationv1.UpdateEntryRequest{Entry: &participationv1.Entry{Name: f.program + "/entries/none", Etag: f.stale}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/DeleteEntry": {func(f walkNames) proto.Message {
		return &participationv1.DeleteEntryRequest{Name: f.program + "/entries/none", Etag: f.stale}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/ListBallots": {func(f walkNames) proto.Message { return &participationv1.ListBallotsRequest{Parent: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/CreateBallot": {func(f walkNames) proto.Message {
		return &participationv1.CreateBallotRequest{Parent: f.program, Ballot: &participationv1.Ballot{}}
	}, voters},
	"gongyak.participation.v1.ParticipationService/BatchCreateMembers": {func(f walkNames) proto.Message {
		return &participationv1.BatchCreateMembersRequest{Parent: f.program, Requests: []*participationv1.CreateMemberRequest{{Member: &participationv1.Member{}}}}
	}, admins},
	"gongyak.participation.v1.ParticipationService/BatchCreateSubmissions": {func(f walkNames) proto.Message {
		return &participationv1.BatchCreateSubmissionsRequest{Parent: f.program, Requests: []*participationv1.CreateSubmissionRequest{{Submission: &participationv1.Submission{}}}}
	}, "S A R PK"},
	"gongyak.participation.v1.ParticipationService/BatchCreateBallots": {func(f walkNames) proto.Message {
		return &participationv1.BatchCreateBallotsRequest{Parent: f.program, Requests: []*participationv1.CreateBallotRequest{{Ballot: &participationv1.Ballot{}}}}
	}, voters},
	"gongyak.participation.v1.ParticipationService/GetQuestion": {func(f walkNames) proto.Message {
		return &participationv1.GetQuestionRequest{Name: f.program + "/questions/none"}
	}, readers},
	"gongyak.participation.v1.ParticipationService/ListQuestions": {func(f walkNames) proto.Message { return &participationv1.ListQuestionsRequest{Parent: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/CreateQuestion": {func(f walkNames) proto.Message {
		return &participationv1.CreateQuestionRequest{Parent: f.program, Question: &participationv1.Question{}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/UpdateQuestion": {func(f walkNames) proto.Message {
		return &participationv1.UpdateQuestionRequest{Question: &participationv1.Question{Name: f.program + "/questions/none", Etag: f.stale}}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/DeleteQuestion": {func(f walkNames) proto.Message {
		return &participationv1.DeleteQuestionRequest{Name: f.program + "/questions/none", Etag: f.stale}
	}, cardWriters},
	"gongyak.participation.v1.ParticipationService/ListResponses": {func(f walkNames) proto.Message { return &participationv1.ListResponsesRequest{Parent: f.program} }, readers},
	"gongyak.participation.v1.ParticipationService/CreateResponse": {func(f walkNames) proto.Message {
		return &participationv1.CreateResponseRequest{Parent: f.program, Response: &participationv1.Response{}}
	}, voters},
	"gongyak.participation.v1.ParticipationService/GetTally": {func(f walkNames) proto.Message { return &participationv1.GetTallyRequest{Name: f.program + "/tally"} }, readers},
	"gongyak.participation.v1.ParticipationService/GetContestResults": {func(f walkNames) proto.Message {
		return &participationv1.GetContestResultsRequest{Name: f.program + "/contestResults"}
	}, readers},
	"gongyak.participation.v1.ParticipationService/GetSurveyResults": {func(f walkNames) proto.Message {
		return &participationv1.GetSurveyResultsRequest{Name: f.program + "/surveyResults"}
	}, readers},
	"gongyak.participation.v1.ParticipationService/SummarizePrograms": {func(f walkNames) proto.Message {
		return &participationv1.SummarizeProgramsRequest{Parent: "districts/gwangsan"}
	}, summaries},
	"gongyak.participation.v1.ParticipationService/ListAuditEvents": {func(f walkNames) proto.Message {
		return &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"}
	}, admins},

	// The change feed is read as the district's data is; a filter on a
	// field the feed lacks ends an allowed call before it reads the stream.
	"gongyak.events.v1.ChangeService/ListChanges": {func(f walkNames) proto.Message {
		return &eventsv1.ListChangesRequest{Parent: "districts/gwangsan", Filter: `walk = "refused"`}
	}, readers},
	"gongyak.events.v1.ChangeService/WatchChanges": {func(f walkNames) proto.Message {
		return &eventsv1.WatchChangesRequest{Parent: "districts/gwangsan", Filter: `walk = "refused"`}
	}, readers},
	// Webhooks are the district's admins' (ManageKeys): a missing URL, or a
	// webhook that is not there, ends an allowed call without a change.
	"gongyak.events.v1.WebhookService/CreateWebhook": {func(f walkNames) proto.Message {
		return &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", Webhook: &eventsv1.Webhook{}}
	}, admins},
	"gongyak.events.v1.WebhookService/GetWebhook": {func(f walkNames) proto.Message {
		return &eventsv1.GetWebhookRequest{Name: "districts/gwangsan/webhooks/none"}
	}, admins},
	"gongyak.events.v1.WebhookService/ListWebhooks": {func(f walkNames) proto.Message {
		return &eventsv1.ListWebhooksRequest{Parent: "districts/gwangsan"}
	}, admins},
	"gongyak.events.v1.WebhookService/UpdateWebhook": {func(f walkNames) proto.Message {
		return &eventsv1.UpdateWebhookRequest{Webhook: &eventsv1.Webhook{Name: "districts/gwangsan/webhooks/none"}}
	}, admins},
	"gongyak.events.v1.WebhookService/DeleteWebhook": {func(f walkNames) proto.Message {
		return &eventsv1.DeleteWebhookRequest{Name: "districts/gwangsan/webhooks/none"}
	}, admins},
	"gongyak.events.v1.WebhookService/RotateWebhookSecret": {func(f walkNames) proto.Message {
		return &eventsv1.RotateWebhookSecretRequest{Name: "districts/gwangsan/webhooks/none"}
	}, admins},
	"gongyak.events.v1.WebhookService/RetireWebhookSecrets": {func(f walkNames) proto.Message {
		return &eventsv1.RetireWebhookSecretsRequest{Name: "districts/gwangsan/webhooks/none"}
	}, admins},
	"gongyak.events.v1.WebhookService/ListWebhookDeliveries": {func(f walkNames) proto.Message {
		return &eventsv1.ListWebhookDeliveriesRequest{Parent: "districts/gwangsan/webhooks/none"}
	}, admins},
	"gongyak.events.v1.WebhookService/ListDeadLetters": {func(f walkNames) proto.Message {
		return &eventsv1.ListDeadLettersRequest{Parent: "districts/gwangsan/webhooks/none"}
	}, admins},
	"gongyak.events.v1.WebhookService/RedeliverDeadLetter": {func(f walkNames) proto.Message {
		return &eventsv1.RedeliverDeadLetterRequest{Name: "districts/gwangsan/webhooks/none/deadLetters/1"}
	}, admins},
}

// walkServices are the gRPC services of the suite, by the service that
// serves them.
var walkServices = map[string][]string{
	"pledge":        {"gongyak.pledge.v1.DistrictService", "gongyak.pledge.v1.PledgeService", "gongyak.pledge.v1.ApiKeyService", "gongyak.pledge.v1.AuditService", "gongyak.pledge.v1.ReportService"},
	"budget":        {"gongyak.budget.v1.BudgetService"},
	"indicator":     {"gongyak.indicator.v1.IndicatorService"},
	"participation": {"gongyak.participation.v1.ParticipationService"},
	"events":        {"gongyak.events.v1.ChangeService", "gongyak.events.v1.WebhookService"},
}

// TestEveryRoleIsAllowedAndRefusedWhatItShouldOverGRPCAndREST calls every
// method of every service, as every kind of caller, on the real processes:
// over gRPC straight to the service that serves it, and over REST through
// the gateway. Each call is allowed or refused as the table above says; a
// method the services register that the table lacks fails the test, as
// does a row for a method no service has.
func TestEveryRoleIsAllowedAndRefusedWhatItShouldOverGRPCAndREST(t *testing.T) {
	r := startSuite(t, "", "pledge", "budget", "indicator", "participation", "events")
	f, creds := walkFixture(t, r)

	seen := map[string]bool{}
	for service, names := range walkServices {
		conn, err := grpcclient.Dial(r.addrs[service])
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, name := range names {
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
			if err != nil {
				t.Fatal(err)
			}
			methods := d.(protoreflect.ServiceDescriptor).Methods()
			for i := range methods.Len() {
				md := methods.Get(i)
				method := name + "/" + string(md.Name())
				seen[method] = true
				row, ok := walkTable[method]
				if !ok {
					t.Errorf("%s is served but has no row in the table", method)
					continue
				}
				allowed := strings.Fields(row.allowed)
				for _, who := range append([]string{"anon"}, sortedKeys(walkCallers)...) {
					want := contains(allowed, who)
					code := walkGRPC(t, conn, md, method, row.req(f), creds[who])
					if refused := code == codes.Unauthenticated || code == codes.PermissionDenied; refused == want || who == "anon" && refused && code != codes.Unauthenticated {
						t.Errorf("gRPC %s as %s: %v, want allowed=%v", method, who, code, want)
					}
					if rule := httpRule(md); rule != nil {
						st := walkREST(t, r, rule, row.req(f), creds[who])
						if refused := st == http.StatusUnauthorized || st == http.StatusForbidden; refused == want || who == "anon" && refused && st != http.StatusUnauthorized {
							t.Errorf("REST %s as %s: %d, want allowed=%v", method, who, st, want)
						}
					}
				}
			}
		}
	}
	for method := range walkTable {
		if !seen[method] {
			t.Errorf("the table has a row for %s, which no service serves", method)
		}
	}
}

// walkFixture seeds gwangsan with the card (owned by legal-support) and
// seogu, makes the walk's keys, and returns the names the requests use and
// each caller's credential.
func walkFixture(t *testing.T, r *running) (walkNames, map[string]string) {
	t.Helper()
	r.seedGwangsan(t)
	r.call(t, "POST", "/v1/districts?districtId=seogu", map[string]any{"displayName": "서구", "kind": "DISTRICT_KIND_AUTONOMOUS_DISTRICT",
		"currentTerm": 8, "terms": []map[string]any{{"number": 8, "startDate": map[string]int{"year": 2022, "month": 7, "day": 1}, "endDate": map[string]int{"year": 2026, "month": 6, "day": 30}}},
	}).must(t, http.StatusOK)
	raw, err := os.ReadFile(seedCardPath)
	if err != nil {
		t.Fatal(err)
	}
	imported := r.call(t, "POST", "/v1/districts/gwangsan/pledges:import", map[string]any{"cardText": string(raw), "term": 7}).must(t, http.StatusOK)
	f := walkNames{card: imported.str("pledge.name"), stale: "0123456789abcdef0123"}
	card := r.call(t, "GET", "/v1/"+f.card+":card", nil).must(t, http.StatusOK)
	f.indicator = card.get("indicators").([]any)[0].(map[string]any)["name"].(string)
	f.program = card.get("programs").([]any)[0].(map[string]any)["program"].(map[string]any)["name"].(string)
	if card.str("pledge.owningDepartment") != "districts/gwangsan/departments/legal-support" {
		t.Fatalf("the card's owning department: %s", card.str("pledge.owningDepartment"))
	}
	creds := map[string]string{"anon": ""}
	for short, user := range walkCallers {
		if user != "" {
			creds[short] = r.idp.token(t, user)
		}
	}
	key := func(parent string, scopes ...string) string {
		path := "/v1/apiKeys"
		if parent != "" {
			path = "/v1/" + parent + "/apiKeys"
		}
		return r.call(t, "POST", path, map[string]any{"displayName": "walk " + strings.Join(scopes, " "), "scopes": scopes}).must(t, http.StatusOK).str("secret")
	}
	creds["RK"], creds["PK"], creds["MK"] = key("districts/gwangsan", "read"), key("districts/gwangsan", "participate"), key("", "reports")
	return f, creds
}

func walkGRPC(t *testing.T, conn *grpc.ClientConn, md protoreflect.MethodDescriptor, method string, req proto.Message, cred string) codes.Code {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cred != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", bearer(cred))
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		t.Fatal(err)
	}
	if md.IsStreamingServer() || md.IsStreamingClient() {
		// A stream sends its request and reads its first answer: a refusal
		// comes as the stream opens, before any data.
		st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: md.IsStreamingServer(), ClientStreams: md.IsStreamingClient()}, "/"+method)
		if err != nil {
			return status.Code(err)
		}
		// A stream the server has already ended (a refusal) fails the send
		// with io.EOF; its status is what the receive then reads.
		if err := st.SendMsg(req); err != nil && !errors.Is(err, io.EOF) {
			return status.Code(err)
		}
		if err := st.CloseSend(); err != nil {
			return status.Code(err)
		}
		return status.Code(st.RecvMsg(mt.New().Interface()))
	}
	return status.Code(conn.Invoke(ctx, "/"+method, req, mt.New().Interface()))
}

func httpRule(md protoreflect.MethodDescriptor) *annotations.HttpRule {
	rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
	if rule == nil || rule.GetPattern() == nil {
		return nil
	}
	return rule
}

var pathVariable = regexp.MustCompile(`\{([a-z_.]+)(=[^}]*)?\}`)

// walkREST sends req over REST as the method's HTTP rule maps it (gRPC
// transcoding): path variables from the request's fields, the body field
// as JSON, other set fields as query parameters. It returns the status.
func walkREST(t *testing.T, r *running, rule *annotations.HttpRule, req proto.Message, cred string) int {
	t.Helper()
	var verb, template string
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		verb, template = "GET", p.Get
	case *annotations.HttpRule_Post:
		verb, template = "POST", p.Post
	case *annotations.HttpRule_Patch:
		verb, template = "PATCH", p.Patch
	case *annotations.HttpRule_Delete:
		verb, template = "DELETE", p.Delete
	default:
		t.Fatalf("an HTTP rule the walk does not send: %v", rule)
	}
	msg := proto.Clone(req)
	used := map[string]bool{}
	path := pathVariable.ReplaceAllStringFunc(template, func(v string) string {
		field := pathVariable.FindStringSubmatch(v)[1]
		used[field] = true
		value := fieldValue(msg, field)
		return value // resource names keep their slashes
	})
	contentType := "application/json"
	var body []byte
	switch b := rule.GetBody(); b {
	case "":
	case "*":
		clearFields(msg, used)
		body, _ = protojson.Marshal(msg)
	default:
		sub := msg.ProtoReflect().Get(msg.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name(b))).Message().Interface()
		if hb, ok := sub.(*httpbody.HttpBody); ok {
			body, contentType = hb.GetData(), hb.GetContentType()
		} else {
			clearFields(sub, trimPrefix(used, b+"."))
			body, _ = protojson.Marshal(sub)
		}
		clearFields(msg, map[string]bool{b: true})
	}
	q := url.Values{}
	if rule.GetBody() != "*" {
		clearFields(msg, used)
		msg.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.MessageKind && !fd.IsList() {
				q.Set(fd.JSONName(), v.String())
			}
			return true
		})
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	httpReq, err := http.NewRequest(verb, r.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		httpReq.Header.Set("Content-Type", contentType)
	}
	if cred != "" {
		httpReq.Header.Set("Authorization", bearer(cred))
	}
	resp, err := r.client.Do(httpReq)
	if err != nil {
		t.Fatalf("%s %s: %v", verb, path, err)
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // the status is what counts
	resp.Body.Close()
	return resp.StatusCode
}

// fieldValue reads a string field of m by its dotted path.
func fieldValue(m proto.Message, path string) string {
	rm := m.ProtoReflect()
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		rm = rm.Get(rm.Descriptor().Fields().ByName(protoreflect.Name(p))).Message()
	}
	return rm.Get(rm.Descriptor().Fields().ByName(protoreflect.Name(parts[len(parts)-1]))).String()
}

// clearFields clears the dotted fields of m that are set in fields.
func clearFields(m proto.Message, fields map[string]bool) {
	for path := range fields {
		rm := m.ProtoReflect()
		parts := strings.Split(path, ".")
		ok := true
		for _, p := range parts[:len(parts)-1] {
			fd := rm.Descriptor().Fields().ByName(protoreflect.Name(p))
			if fd == nil || !rm.Has(fd) {
				ok = false
				break
			}
			rm = rm.Mutable(fd).Message()
		}
		if fd := rm.Descriptor().Fields().ByName(protoreflect.Name(parts[len(parts)-1])); ok && fd != nil {
			rm.Clear(fd)
		}
	}
}

func trimPrefix(fields map[string]bool, prefix string) map[string]bool {
	out := map[string]bool{}
	for f := range fields {
		if rest, ok := strings.CutPrefix(f, prefix); ok {
			out[rest] = true
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
