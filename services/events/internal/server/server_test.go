package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/eventbus/eventbustest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/events/service"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is the events service served as its binary serves it, over an
// embedded NATS server and a database of its own, with a test issuer's
// tokens.
type env struct {
	conn   *grpc.ClientConn
	iss    *authtest.Issuer
	js     jetstream.JetStream
	viewer string // gwangsan's viewer
	// methods are every method the server registered.
	methods []string
	n       int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, service.DefaultWebhooks())
}

// newEnvWith is newEnv with the webhooks configured as cfg, its
// dispatcher running.
func newEnvWith(t *testing.T, cfg service.Webhooks) *env {
	t.Helper()
	nc, js := eventbustest.Start(t)
	pool := pgtest.NewPool(t, pgtest.Schema{Name: service.Schema, Migrations: service.Migrations})
	iss := authtest.NewIssuer(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var methods []string
	conn, _ := grpctest.Serve(t, authtest.Authenticator(nil, iss.AsSystem()), func(s *grpcserver.Server) {
		if err := service.Register(s, nc, log); err != nil {
			t.Fatal(err)
		}
		if err := service.RegisterWebhooks(t.Context(), s, pool, nc, cfg, log); err != nil {
			t.Fatal(err)
		}
		methods = s.Methods()
	})
	return &env{conn: conn, iss: iss, js: js, viewer: iss.Token(t, "viewer", "viewer@districts/gwangsan"), methods: methods}
}

func (e *env) client(token string) eventsv1.ChangeServiceClient {
	return eventsv1.NewChangeServiceClient(authtest.WithToken(e.conn, token))
}

// publish publishes a pledge's update in district as the pledge service's
// relay does, and returns the event id.
func (e *env) publish(t *testing.T, district, pledge string) string {
	t.Helper()
	e.n++
	id := fmt.Sprintf("e%d", e.n)
	typ, _ := eventbus.Type("pledge", "pledge", "update")
	subject, _ := eventbus.Subject(district, typ)
	name := "districts/" + district + "/pledges/" + pledge
	data, _ := json.Marshal(eventbus.Event{SpecVersion: eventbus.SpecVersion, ID: id, Source: eventbus.Source("pledge"), Type: typ,
		Subject: name, Time: time.Now(), DataContentType: "application/json", District: district,
		Data: json.RawMessage(`{"name":"` + name + `","title":"경로당 개선"}`)})
	if _, err := e.js.Publish(t.Context(), subject, data, jetstream.WithMsgID(id)); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestListChangesShowsTheEventAsTheAPIShowsIt(t *testing.T) {
	e := newEnv(t)
	id := e.publish(t, "gwangsan", "p1")
	e.publish(t, "seogu", "p1")
	resp, err := e.client(e.viewer).ListChanges(t.Context(), &eventsv1.ListChangesRequest{Parent: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetChanges()) != 1 {
		t.Fatalf("gwangsan's feed: %v, want its one change", resp.GetChanges())
	}
	c := resp.GetChanges()[0]
	if c.GetId() != id || c.GetType() != "kr.gongyak.pledge.v1.pledge.updated" || c.GetSubject() != "districts/gwangsan/pledges/p1" ||
		c.GetResourceType() != "pledge" || c.GetDistrict() != "gwangsan" || c.GetSource() != "/gongyak/pledge" ||
		c.GetData().GetFields()["title"].GetStringValue() != "경로당 개선" || c.GetCursor() == "" || c.GetTime() == nil {
		t.Errorf("the change reads %v", c)
	}
	// The token of the last page resumes after it: nothing new, and a
	// token again.
	next, err := e.client(e.viewer).ListChanges(t.Context(), &eventsv1.ListChangesRequest{Parent: "districts/gwangsan", PageToken: resp.GetNextPageToken()})
	if err != nil || len(next.GetChanges()) != 0 || next.GetNextPageToken() == "" {
		t.Errorf("the page after the last: %v, %v; want empty with a token", next, err)
	}
}

// Who may call each method, as the pledge service's trust table and the
// e2e walk write it: the roles by short name; anyone else, anonymous
// included, is refused. Requests carry a filter the feed refuses, or name
// a webhook that is not there, so an allowed call ends at the handler with
// its answer (through), after the policy let it through.
func TestEveryMethodHasTheExpectedPolicy(t *testing.T) {
	e := newEnv(t)
	callers := map[string]string{
		"sys":     "system-admin",
		"min":     "ministry-reporter",
		"admin":   "district-admin@districts/gwangsan",
		"editor":  "department-editor@districts/gwangsan/departments/legal-support",
		"viewer":  "viewer@districts/gwangsan",
		"reg":     "registrar@districts/gwangsan",
		"privacy": "personal-data@districts/gwangsan",
		"away":    "district-admin@districts/seogu",
	}
	refusedFilter := `walk = "refused"`
	const none = "districts/gwangsan/webhooks/none"
	readers, admins := "sys admin editor viewer reg", "sys admin"
	table := []struct {
		method  string
		call    func(c grpc.ClientConnInterface) error
		allowed string
		through codes.Code
	}{
		{"ChangeService/ListChanges", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewChangeServiceClient(c).ListChanges(t.Context(), &eventsv1.ListChangesRequest{Parent: "districts/gwangsan", Filter: refusedFilter})
			return err
		}, readers, codes.InvalidArgument},
		{"ChangeService/WatchChanges", func(c grpc.ClientConnInterface) error {
			stream, err := eventsv1.NewChangeServiceClient(c).WatchChanges(t.Context(), &eventsv1.WatchChangesRequest{Parent: "districts/gwangsan", Filter: refusedFilter})
			if err != nil {
				return err
			}
			_, err = stream.Recv()
			return err
		}, readers, codes.InvalidArgument},
		{"WebhookService/CreateWebhook", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", Webhook: &eventsv1.Webhook{}})
			return err
		}, admins, codes.InvalidArgument},
		{"WebhookService/GetWebhook", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).GetWebhook(t.Context(), &eventsv1.GetWebhookRequest{Name: none})
			return err
		}, admins, codes.NotFound},
		{"WebhookService/ListWebhooks", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).ListWebhooks(t.Context(), &eventsv1.ListWebhooksRequest{Parent: "districts/gwangsan", PageToken: "x"})
			return err
		}, admins, codes.InvalidArgument},
		{"WebhookService/UpdateWebhook", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).UpdateWebhook(t.Context(), &eventsv1.UpdateWebhookRequest{Webhook: &eventsv1.Webhook{Name: none, Url: "https://8.8.8.8/hook", Etag: "x"}})
			return err
		}, admins, codes.NotFound},
		{"WebhookService/DeleteWebhook", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).DeleteWebhook(t.Context(), &eventsv1.DeleteWebhookRequest{Name: none, Etag: "x"})
			return err
		}, admins, codes.NotFound},
		{"WebhookService/RotateWebhookSecret", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).RotateWebhookSecret(t.Context(), &eventsv1.RotateWebhookSecretRequest{Name: none})
			return err
		}, admins, codes.NotFound},
		{"WebhookService/RetireWebhookSecrets", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).RetireWebhookSecrets(t.Context(), &eventsv1.RetireWebhookSecretsRequest{Name: none})
			return err
		}, admins, codes.NotFound},
		{"WebhookService/ListWebhookDeliveries", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).ListWebhookDeliveries(t.Context(), &eventsv1.ListWebhookDeliveriesRequest{Parent: none, PageSize: -1})
			return err
		}, admins, codes.InvalidArgument},
		{"WebhookService/ListDeadLetters", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).ListDeadLetters(t.Context(), &eventsv1.ListDeadLettersRequest{Parent: none, PageSize: -1})
			return err
		}, admins, codes.InvalidArgument},
		{"WebhookService/RedeliverDeadLetter", func(c grpc.ClientConnInterface) error {
			_, err := eventsv1.NewWebhookServiceClient(c).RedeliverDeadLetter(t.Context(), &eventsv1.RedeliverDeadLetterRequest{Name: none + "/deadLetters/1"})
			return err
		}, admins, codes.NotFound},
	}
	tested := map[string]bool{}
	for _, row := range table {
		tested["/gongyak.events.v1."+row.method] = true
		for _, who := range append([]string{"anon"}, keysOf(callers)...) {
			token := ""
			if who != "anon" {
				token = e.iss.Token(t, who, callers[who])
			}
			code := status.Code(row.call(authtest.WithToken(e.conn, token)))
			refused := code == codes.Unauthenticated || code == codes.PermissionDenied
			want := contains(strings.Fields(row.allowed), who)
			if refused == want {
				t.Errorf("%s as %s: %v, want allowed=%v", row.method, who, code, want)
			}
			if refused && who == "anon" && code != codes.Unauthenticated {
				t.Errorf("%s anonymous: %v, want UNAUTHENTICATED", row.method, code)
			}
			if !refused && code != row.through {
				t.Errorf("%s as %s: %v, want %v once let through", row.method, who, code, row.through)
			}
		}
	}
	for _, m := range e.methods {
		if !tested[m] && !strings.HasPrefix(m, "/grpc.") {
			t.Errorf("%s is registered but not in the table", m)
		}
	}
}

// A watch the policy lets through is accepted before its first change
// (the stream's headers), and one it refuses ends with the refusal.
func TestAWatchIsAcceptedOrRefusedBeforeItsFirstChange(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		who, token string
		want       codes.Code
	}{
		{"gwangsan's viewer", e.viewer, codes.OK},
		{"seogu's admin", e.iss.Token(t, "o", "district-admin@districts/seogu"), codes.PermissionDenied},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		stream, err := e.client(tc.token).WatchChanges(ctx, &eventsv1.WatchChangesRequest{Parent: "districts/gwangsan"})
		if err == nil {
			var header metadata.MD
			if header, err = stream.Header(); err == nil && header == nil {
				_, err = stream.Recv()
			}
		}
		if got := status.Code(err); got != tc.want {
			t.Errorf("watching gwangsan as %s: %v, want %v", tc.who, err, tc.want)
		}
		cancel()
	}
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

func TestBadRequestsNameEachBadField(t *testing.T) {
	e := newEnv(t)
	_, err := e.client(e.viewer).ListChanges(t.Context(), &eventsv1.ListChangesRequest{
		Parent: "districts/gwangsan", PageToken: "not-a-token", PageSize: -1, Filter: `subject = "x"`})
	st := status.Convert(err)
	fields := map[string]bool{}
	for _, v := range apierr.FieldViolations(st) {
		fields[v.Field] = true
	}
	if st.Code() != codes.InvalidArgument || !fields["page_token"] || !fields["page_size"] || !fields["filter"] {
		t.Errorf("a bad token, size and filter: %v %v, want INVALID_ARGUMENT naming the three", st.Code(), apierr.FieldViolations(st))
	}
	stream, err := e.client(e.viewer).WatchChanges(t.Context(), &eventsv1.WatchChangesRequest{Parent: "districts/gwangsan", StartCursor: "x", Filter: "time > 3"})
	if err == nil {
		_, err = stream.Recv()
	}
	st = status.Convert(err)
	fields = map[string]bool{}
	for _, v := range apierr.FieldViolations(st) {
		fields[v.Field] = true
	}
	if st.Code() != codes.InvalidArgument || !fields["start_cursor"] || !fields["filter"] {
		t.Errorf("a bad watch: %v %v, want INVALID_ARGUMENT naming start_cursor and filter", st.Code(), apierr.FieldViolations(st))
	}
}

// An expired cursor is FAILED_PRECONDITION over gRPC too, the watch's
// included (a stream's error keeps its code).
func TestAnExpiredCursorIsAFailedPreconditionOverGRPC(t *testing.T) {
	e := newEnv(t)
	e.publish(t, "gwangsan", "p1")
	first, err := e.client(e.viewer).ListChanges(t.Context(), &eventsv1.ListChangesRequest{Parent: "districts/gwangsan", PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.publish(t, "gwangsan", "p2")
	s, err := e.js.Stream(t.Context(), eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(t.Context()); err != nil {
		t.Fatal(err)
	}
	cursor := first.GetChanges()[0].GetCursor()
	_, err = e.client(e.viewer).ListChanges(t.Context(), &eventsv1.ListChangesRequest{Parent: "districts/gwangsan", PageToken: cursor})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("listing from an expired cursor: %v, want FAILED_PRECONDITION", err)
	}
	stream, err := e.client(e.viewer).WatchChanges(t.Context(), &eventsv1.WatchChangesRequest{Parent: "districts/gwangsan", StartCursor: cursor})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("watching from an expired cursor: %v, want FAILED_PRECONDITION", err)
	}
}
