package server_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/services/events/internal/dispatch"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
	"github.com/gongyak/gongyak/services/events/service"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// hooks is gwangsan's WebhookService as its admin calls it.
func (e *env) hooks(t *testing.T) eventsv1.WebhookServiceClient {
	t.Helper()
	return eventsv1.NewWebhookServiceClient(authtest.WithToken(e.conn, e.iss.Token(t, "admin", "district-admin@districts/gwangsan")))
}

// fields are the fields an error's violations name.
func fields(err error) []string {
	var out []string
	for _, v := range apierr.FieldViolations(status.Convert(err)) {
		out = append(out, v.Field)
	}
	slices.Sort(out)
	return out
}

// A public IP literal: checking it needs no name lookup, which these
// machines cannot make.
const publicURL = "https://8.8.8.8/hooks/gongyak"

func TestAWebhookShowsItsSecretOnceAndListsInPages(t *testing.T) {
	e := newEnv(t)
	c := e.hooks(t)
	created, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: "portal",
		Webhook: &eventsv1.Webhook{Url: publicURL, EventTypes: []string{"kr.gongyak.pledge.v1.pledge.updated"}}})
	if err != nil {
		t.Fatal(err)
	}
	w := created.GetWebhook()
	if created.GetSecret() == "" || w.GetName() != "districts/gwangsan/webhooks/portal" || w.GetUrl() != publicURL ||
		len(w.GetSecrets()) != 1 || w.GetEtag() == "" {
		t.Errorf("created: %v with secret %q, want its name, url, one secret and an etag", w, created.GetSecret())
	}
	got, err := c.GetWebhook(t.Context(), &eventsv1.GetWebhookRequest{Name: w.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.String(), created.GetSecret()) {
		t.Error("reading the webhook shows its secret again")
	}
	for _, id := range []string{"finance", "opendata"} {
		if _, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: id,
			Webhook: &eventsv1.Webhook{Url: publicURL}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: "portal",
		Webhook: &eventsv1.Webhook{Url: publicURL}})
	if status.Code(err) != codes.AlreadyExists {
		t.Errorf("a second webhook called portal: %v, want ALREADY_EXISTS", err)
	}
	var names []string
	token := ""
	for range 3 {
		page, err := c.ListWebhooks(t.Context(), &eventsv1.ListWebhooksRequest{Parent: "districts/gwangsan", PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range page.GetWebhooks() {
			names = append(names, strings.TrimPrefix(w.GetName(), "districts/gwangsan/webhooks/"))
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if want := []string{"finance", "opendata", "portal"}; !slices.Equal(names, want) || token != "" {
		t.Errorf("pages of 2 list %v (last token %q), want %v then no token", names, token, want)
	}
}

func TestBadWebhookRequestsNameEachBadField(t *testing.T) {
	e := newEnv(t)
	c := e.hooks(t)
	// Every address a district's network must keep to itself is refused.
	for _, url := range []string{"http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest",
		"http://[::1]/hook", "http://192.168.0.10/hook", "ftp://8.8.8.8/hook"} {
		_, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", Webhook: &eventsv1.Webhook{Url: url}})
		if status.Code(err) != codes.InvalidArgument || !slices.Equal(fields(err), []string{"webhook.url"}) {
			t.Errorf("a webhook to %s: %v, want INVALID_ARGUMENT naming webhook.url", url, err)
		}
	}
	_, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: "Portal",
		Webhook: &eventsv1.Webhook{EventTypes: []string{"kr.gongyak.pledge.v1.pledge.updated", "pledge.updated"}, ResourceTypes: []string{"pledge", "budget line"}}})
	want := []string{"webhook.event_types[1]", "webhook.resource_types[1]", "webhook.url", "webhook_id"}
	if status.Code(err) != codes.InvalidArgument || !slices.Equal(fields(err), want) {
		t.Errorf("a bad webhook: %v naming %v, want INVALID_ARGUMENT naming %v", status.Code(err), fields(err), want)
	}

	created, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: "portal",
		Webhook: &eventsv1.Webhook{Url: publicURL}})
	if err != nil {
		t.Fatal(err)
	}
	w := created.GetWebhook()
	_, err = c.UpdateWebhook(t.Context(), &eventsv1.UpdateWebhookRequest{Webhook: &eventsv1.Webhook{Name: w.GetName()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"secrets"}}})
	if want := []string{"update_mask", "webhook.etag"}; !slices.Equal(fields(err), want) {
		t.Errorf("an update of the secrets without an etag: %v, want INVALID_ARGUMENT naming %v", err, want)
	}
	_, err = c.DeleteWebhook(t.Context(), &eventsv1.DeleteWebhookRequest{Name: w.GetName()})
	if want := []string{"etag"}; !slices.Equal(fields(err), want) {
		t.Errorf("a delete without an etag: %v, want INVALID_ARGUMENT naming %v", err, want)
	}

	// A change made since the caller read the webhook is not overwritten
	// unseen, nor is the webhook deleted.
	updated, err := c.UpdateWebhook(t.Context(), &eventsv1.UpdateWebhookRequest{
		Webhook:    &eventsv1.Webhook{Name: w.GetName(), ResourceTypes: []string{"budget"}, Etag: w.GetEtag()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"resource_types"}}})
	if err != nil || !slices.Equal(updated.GetResourceTypes(), []string{"budget"}) || updated.GetUrl() != publicURL || updated.GetEtag() == w.GetEtag() {
		t.Fatalf("updating the resource types: %v, %v; want them changed, the url kept and a new etag", updated, err)
	}
	_, err = c.UpdateWebhook(t.Context(), &eventsv1.UpdateWebhookRequest{
		Webhook: &eventsv1.Webhook{Name: w.GetName(), Url: "https://1.1.1.1/x", Etag: w.GetEtag()}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"url"}}})
	if status.Code(err) != codes.Aborted {
		t.Errorf("an update with the etag read before the last: %v, want ABORTED", err)
	}
	_, err = c.DeleteWebhook(t.Context(), &eventsv1.DeleteWebhookRequest{Name: w.GetName(), Etag: w.GetEtag()})
	if status.Code(err) != codes.Aborted {
		t.Errorf("a delete with a stale etag: %v, want ABORTED", err)
	}
	if _, err := c.DeleteWebhook(t.Context(), &eventsv1.DeleteWebhookRequest{Name: w.GetName(), Etag: updated.GetEtag()}); err != nil {
		t.Errorf("a delete with the etag: %v", err)
	}
	if _, err := c.GetWebhook(t.Context(), &eventsv1.GetWebhookRequest{Name: w.GetName()}); status.Code(err) != codes.NotFound {
		t.Errorf("the deleted webhook: %v, want NOT_FOUND", err)
	}
}

// A rotation keeps the old secret and the new live, so a receiver can
// switch; a third is refused until the old is retired, which keeps the
// newest.
func TestRotatingKeepsTwoSecretsLiveAndRetiringKeepsTheNewest(t *testing.T) {
	e := newEnv(t)
	c := e.hooks(t)
	created, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: "portal",
		Webhook: &eventsv1.Webhook{Url: publicURL}})
	if err != nil {
		t.Fatal(err)
	}
	name := created.GetWebhook().GetName()
	rotated, err := c.RotateWebhookSecret(t.Context(), &eventsv1.RotateWebhookSecretRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	secrets := rotated.GetWebhook().GetSecrets()
	if rotated.GetSecret() == "" || rotated.GetSecret() == created.GetSecret() || len(secrets) != 2 {
		t.Fatalf("rotated: %d live secrets, new secret differs: %t; want 2 and a new one", len(secrets), rotated.GetSecret() != created.GetSecret())
	}
	newest := secrets[0].GetId()
	if _, err := c.RotateWebhookSecret(t.Context(), &eventsv1.RotateWebhookSecretRequest{Name: name}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("a third secret: %v, want FAILED_PRECONDITION", err)
	}
	retired, err := c.RetireWebhookSecrets(t.Context(), &eventsv1.RetireWebhookSecretsRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if s := retired.GetSecrets(); len(s) != 1 || s[0].GetId() != newest {
		t.Errorf("after retiring: %v, want only the newest secret %s", s, newest)
	}
	if retired.GetEtag() == rotated.GetWebhook().GetEtag() {
		t.Error("retiring a secret left the etag as it was")
	}
}

// flaky is a receiver that answers 503 until it is mended, and counts the
// event ids it accepted.
type flaky struct {
	mu       sync.Mutex
	mended   bool
	accepted map[string]int
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.mended {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	f.accepted[r.Header.Get("webhook-id")]++
}

func (f *flaky) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted[id]
}

// eventually polls check every 20 ms until it holds, failing after 10 s.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !check(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
	}
}

// A delivery that used its attempts is a dead letter the admin sees, with
// the receiver's last answer, and redelivers through the API once the
// receiver is mended.
func TestADeadLetterIsRedeliveredThroughTheAPI(t *testing.T) {
	cfg := service.DefaultWebhooks()
	cfg.Retry = webhook.Retry{MaxAttempts: 2, First: 10 * time.Millisecond, Cap: 20 * time.Millisecond}
	cfg.Targets.AllowPrivate = true
	cfg.Poll = 20 * time.Millisecond
	e := newEnvWith(t, cfg)
	receiver := &flaky{accepted: map[string]int{}}
	srv := httptest.NewServer(receiver)
	t.Cleanup(srv.Close)
	c := e.hooks(t)
	created, err := c.CreateWebhook(t.Context(), &eventsv1.CreateWebhookRequest{Parent: "districts/gwangsan", WebhookId: "portal",
		Webhook: &eventsv1.Webhook{Url: srv.URL + "/hook"}})
	if err != nil {
		t.Fatal(err)
	}
	name := created.GetWebhook().GetName()
	eventually(t, "the dispatcher's consumer is made", func() bool {
		_, err := e.js.Consumer(t.Context(), eventbus.StreamName, dispatch.ConsumerName)
		return err == nil
	})
	id := e.publish(t, "gwangsan", "p1")

	var letters []*eventsv1.DeadLetter
	eventually(t, "the delivery is a dead letter after its 2 attempts", func() bool {
		resp, err := c.ListDeadLetters(t.Context(), &eventsv1.ListDeadLettersRequest{Parent: name})
		letters = resp.GetDeadLetters()
		return err == nil && len(letters) == 1
	})
	l := letters[0]
	if l.GetEventId() != id || l.GetAttempts() != 2 || l.GetLastResponseStatus() != http.StatusServiceUnavailable ||
		l.GetSubject() != "districts/gwangsan/pledges/p1" || l.GetRedeliverTime() != nil {
		t.Errorf("the dead letter reads %v", l)
	}

	receiver.mu.Lock()
	receiver.mended = true
	receiver.mu.Unlock()
	d, err := c.RedeliverDeadLetter(t.Context(), &eventsv1.RedeliverDeadLetterRequest{Name: l.GetName()})
	if err != nil || d.GetState() != eventsv1.WebhookDelivery_STATE_PENDING || d.GetEventId() != id {
		t.Fatalf("redelivering: %v, %v; want the event's delivery pending", d, err)
	}
	eventually(t, "the redelivered event arrives", func() bool { return receiver.count(id) == 1 })
	eventually(t, "the delivery reads delivered", func() bool {
		resp, err := c.ListWebhookDeliveries(t.Context(), &eventsv1.ListWebhookDeliveriesRequest{Parent: name})
		ds := resp.GetDeliveries()
		return err == nil && len(ds) == 1 && ds[0].GetState() == eventsv1.WebhookDelivery_STATE_DELIVERED &&
			ds[0].GetLastResponseStatus() == http.StatusOK && ds[0].GetDeliverTime() != nil
	})
	resp, err := c.ListDeadLetters(t.Context(), &eventsv1.ListDeadLettersRequest{Parent: name})
	if err != nil || len(resp.GetDeadLetters()) != 1 || resp.GetDeadLetters()[0].GetRedeliverTime() == nil {
		t.Errorf("the dead letter after its redelivery: %v, %v; want it kept with its redeliver time", resp, err)
	}
	// A letter is redelivered once: a second click delivers nothing again.
	if _, err := c.RedeliverDeadLetter(t.Context(), &eventsv1.RedeliverDeadLetterRequest{Name: l.GetName()}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("a second redelivery of the letter: %v, want FAILED_PRECONDITION", err)
	}
	if n := receiver.count(id); n != 1 {
		t.Errorf("the receiver got the event %d times, want once", n)
	}
}
