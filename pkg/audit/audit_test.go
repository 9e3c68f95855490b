package audit_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/outbox"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// schema is a schema with the audit log. Goose runs TableSQL as one
// statement, semicolons and all, as the services' migrations mark their
// function bodies.
func schema(name string) pgtest.Schema {
	sql := "-- +goose Up\n-- +goose StatementBegin\n" + audit.TableSQL + ";\n" + outbox.TableSQL + "\n-- +goose StatementEnd\n"
	return pgtest.Schema{Name: name, Migrations: fstest.MapFS{"0001_audit.sql": {Data: []byte(sql)}}}
}

// caller is a signed-in official calling through the gateway.
func caller() context.Context {
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.User, Subject: "gwangsan-admin", Issuer: "http://127.0.0.1:9100"})
	return metadata.NewIncomingContext(ctx, metadata.Pairs(auth.RequestIDKey, "req-1", auth.ClientAddressKey, "203.0.113.7"))
}

// TestAChangeIsRecordedWithWhoWhatAndTheFieldsThatChanged records a
// department's rename and reads it back.
func TestAChangeIsRecordedWithWhoWhatAndTheFieldsThatChanged(t *testing.T) {
	pool := pgtest.NewPool(t, schema("budget"))
	ctx := caller()
	name := "districts/gwangsan/departments/legal-support"
	before := &pledgev1.Department{Name: name, DisplayName: "법무지원과", Teams: []string{"법무규제혁신팀"}, Etag: "a"}
	after := &pledgev1.Department{Name: name, DisplayName: "법무혁신과", Teams: []string{"법무규제혁신팀"}, Etag: "b"}
	err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error { return audit.Record(ctx, tx, audit.Update, name, before, after) })
	if err != nil {
		t.Fatal(err)
	}
	page, err := audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := audit.List(ctx, pool, "budget", page)
	if err != nil || len(events) != 1 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	e := events[0]
	if e.GetActor() != "user:gwangsan-admin@127.0.0.1:9100" || e.GetAction() != "update" || e.GetResource() != name ||
		e.GetRequestId() != "req-1" || e.GetClientAddress() != "203.0.113.7" || e.GetService() != "budget" || e.GetTime() == nil {
		t.Errorf("event: %v", e)
	}
	b, a := e.GetBefore().AsMap(), e.GetAfter().AsMap()
	if len(b) != 1 || b["displayName"] != "법무지원과" || len(a) != 1 || a["displayName"] != "법무혁신과" {
		t.Errorf("before %v, after %v: want only the name, not the teams that stayed or the etag", b, a)
	}
	for _, stmt := range []string{"UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events", "TRUNCATE audit_events"} {
		if _, err := pool.Exec(ctx, stmt); err == nil {
			t.Errorf("%s was allowed", stmt)
		}
	}
	if events, _ := audit.List(ctx, pool, "budget", page); len(events) != 1 || events[0].GetActor() != e.GetActor() {
		t.Error("the event changed")
	}
}

// TestTwoServicesLogsMergeInOrderPageByPage writes events into two
// services' logs in turns and reads them merged, three at a time: each
// comes once, in order of time, service and number.
func TestTwoServicesLogsMergeInOrderPageByPage(t *testing.T) {
	url := pgtest.NewDatabase(t, schema("budget"), schema("indicator"))
	open := func(s string) *pgxpool.Pool {
		p, err := pgdb.Open(context.Background(), url, s, "test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	pools := map[string]*pgxpool.Pool{"budget": open("budget"), "indicator": open("indicator")}
	ctx := caller()
	var want []string
	for i := range 8 {
		svc := []string{"budget", "indicator"}[i%3%2]
		name := fmt.Sprintf("districts/gwangsan/pledges/p%d", i)
		if err := audit.Record(ctx, pools[svc], audit.Create, name, nil, &pledgev1.Pledge{Name: name, Title: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	// Another district's events stay out.
	if err := audit.Record(ctx, pools["budget"], audit.Create, "districts/seogu/pledges/x", nil, &pledgev1.Pledge{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	token := ""
	for range 10 {
		page, err := audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		var lists [][]*typev1.AuditEvent
		for _, svc := range []string{"budget", "indicator"} {
			l, err := audit.List(ctx, pools[svc], svc, page)
			if err != nil {
				t.Fatal(err)
			}
			lists = append(lists, l)
		}
		resp := audit.Merge(page, lists...)
		for _, e := range resp.GetAuditEvents() {
			got = append(got, e.GetResource())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("merged pages:\n%v\nwant\n%v", got, want)
	}
	page, _ := audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", Filter: `resource = "districts/gwangsan/pledges/p3" OR service = "indicator" AND resource = "*p7"`})
	var filtered []string
	for _, svc := range []string{"budget", "indicator"} {
		l, err := audit.List(ctx, pools[svc], svc, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l {
			filtered = append(filtered, e.GetService()+" "+e.GetResource())
		}
	}
	if fmt.Sprint(filtered) != "[budget districts/gwangsan/pledges/p3 indicator districts/gwangsan/pledges/p7]" {
		t.Errorf("filtered: %v", filtered)
	}
	// A poller asks what was recorded since an event, as it asks every
	// List: update_time is the event's time.
	page, _ = audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
	budgetEvents, err := audit.List(ctx, pools["budget"], "budget", page)
	if err != nil || len(budgetEvents) < 2 {
		t.Fatalf("budget events: %d, %v", len(budgetEvents), err)
	}
	since := budgetEvents[len(budgetEvents)-2]
	if !since.GetUpdateTime().AsTime().Equal(since.GetTime().AsTime()) {
		t.Errorf("an event's update_time %v is not its time %v", since.GetUpdateTime(), since.GetTime())
	}
	page, _ = audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan",
		Filter: fmt.Sprintf("update_time > %q", since.GetUpdateTime().AsTime().Format(time.RFC3339Nano))})
	if later, err := audit.List(ctx, pools["budget"], "budget", page); err != nil || len(later) != 1 || later[0].GetName() != budgetEvents[len(budgetEvents)-1].GetName() {
		t.Errorf("budget events since the one before last: %v, %v; want the last alone", later, err)
	}
	page, _ = audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/-"})
	if all, err := audit.List(ctx, pools["budget"], "budget", page); err != nil || len(all) != 6 {
		t.Errorf("every district's budget events: %d, %v", len(all), err)
	}
	if _, err := audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts"}); err == nil {
		t.Error("a parent that is not a district was accepted")
	}
	if _, err := audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", PageToken: "garbage"}); err == nil {
		t.Error("a garbage page token was accepted")
	}
}

// TestABatchIsRecordedOneEventPerResourceAsRecordWouldWriteEach records
// the creates of a batch at once: each resource has its event, with the
// caller, the request id and its fields, as Record writes one.
func TestABatchIsRecordedOneEventPerResourceAsRecordWouldWriteEach(t *testing.T) {
	pool := pgtest.NewPool(t, schema("budget"))
	ctx := caller()
	var changes []audit.Change
	for i := range 3 {
		name := fmt.Sprintf("districts/gwangsan/departments/d%d", i)
		changes = append(changes, audit.Change{Action: audit.Create, Resource: name,
			After: &pledgev1.Department{Name: name, DisplayName: fmt.Sprintf("부서 %d", i)}})
	}
	if err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error { return audit.RecordAll(ctx, tx, changes) }); err != nil {
		t.Fatal(err)
	}
	events := gwangsanEvents(t, pool, 3)
	for i, e := range events {
		if e.GetResource() != changes[i].Resource || e.GetAction() != "create" || e.GetActor() != "user:gwangsan-admin@127.0.0.1:9100" ||
			e.GetRequestId() != "req-1" || e.GetBefore() != nil || e.GetAfter().AsMap()["displayName"] != fmt.Sprintf("부서 %d", i) {
			t.Errorf("event %d: %v", i, e)
		}
	}
}

// TestAQueuedChangeIsRecordedAsRecordWouldWriteIt records one rename with
// Record and the same rename queued in a batch beside another statement:
// both events read back alike, bar their number and time.
func TestAQueuedChangeIsRecordedAsRecordWouldWriteIt(t *testing.T) {
	pool := pgtest.NewPool(t, schema("budget"))
	ctx := caller()
	name := "districts/gwangsan/departments/legal-support"
	before := &pledgev1.Department{Name: name, DisplayName: "법무지원과", Etag: "a"}
	after := &pledgev1.Department{Name: name, DisplayName: "법무혁신과", Etag: "b"}
	err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := audit.Record(ctx, tx, audit.Update, name, before, after); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		batch.Queue("SELECT 1")
		if err := audit.Queue(ctx, batch, audit.Update, name, before, after); err != nil {
			return err
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	events := gwangsanEvents(t, pool, 2)
	recorded, queued := events[0], events[1]
	queued.Name, queued.Time = recorded.GetName(), recorded.GetTime()
	if !proto.Equal(recorded, queued) {
		t.Errorf("queued %v\nrecorded %v", queued, recorded)
	}
	if a := queued.GetAfter().AsMap(); len(a) != 1 || a["displayName"] != "법무혁신과" {
		t.Errorf("queued after %v: want only the new name", a)
	}
}

// gwangsanEvents reads the first page of gwangsan's events in the budget
// log, which must hold n.
func gwangsanEvents(t *testing.T, pool *pgxpool.Pool, n int) []*typev1.AuditEvent {
	t.Helper()
	page, err := audit.ReadPage(&typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	events, err := audit.List(caller(), pool, "budget", page)
	if err != nil || len(events) != n {
		t.Fatalf("%d events, %v; want %d", len(events), err, n)
	}
	return events
}
