// Package eventbus is the contract between the services that publish
// their changes and the events service that serves them: what a change
// event is (a CloudEvent), the NATS subject it is published on, the
// JetStream stream that keeps it for 30 days, and the embedded NATS
// server that `gongyak nats` and the tests run.
//
// A service writes an event into its outbox in the transaction of the
// change (pkg/outbox); its relay publishes it here with the event's id as
// Nats-Msg-Id, so that a publish repeated after a crash is kept once.
package eventbus

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/resourcename"
)

// SpecVersion is the CloudEvents version of every event.
const SpecVersion = "1.0"

// Event is one change as a CloudEvent in its structured JSON form: what a
// feed reader and a webhook receive.
type Event struct {
	SpecVersion string `json:"specversion"`
	// ID is unique per event (a UUID): a receiver drops repeats by it.
	ID string `json:"id"`
	// Source is the service that made the change: /gongyak/pledge.
	Source string `json:"source"`
	// Type is kr.gongyak.<service>.v1.<resource>.<what happened>, such as
	// kr.gongyak.pledge.v1.pledge.updated.
	Type string `json:"type"`
	// Subject is the changed resource's name,
	// districts/gwangsan/pledges/p1.
	Subject string `json:"subject"`
	// Time is the change's transaction time.
	Time            time.Time `json:"time"`
	DataContentType string    `json:"datacontenttype"`
	// District is the district's id (gwangsan), or AllDistricts for a
	// system-wide resource: a CloudEvents extension attribute.
	District string `json:"district"`
	// Data is the resource as the API shows it after the change (before it,
	// for a delete), personal data masked.
	Data json.RawMessage `json:"data"`
}

// AllDistricts stands for the district of a system-wide resource.
const AllDistricts = "all"

// Actions and the words their event types end in.
var happened = map[string]string{
	"create":        "created",
	"update":        "updated",
	"delete":        "deleted",
	"change_status": "status_changed",
	"revoke":        "revoked",
	// A district's data written at once by a bulk import: one event, not
	// one per row; a reader reads the district again (its export).
	"import_data": "imported",
}

// Type is the event type of action (an audit action: create, update,
// delete, change_status, revoke) on a resource of resourceType (pledge,
// budget, indicator, program, member…) kept by service.
func Type(service, resourceType, action string) (string, error) {
	what, ok := happened[action]
	if !ok {
		return "", fmt.Errorf("eventbus: no event type for action %q", action)
	}
	return "kr.gongyak." + service + ".v1." + resourceType + "." + what, nil
}

// Source is the CloudEvents source of service's events.
func Source(service string) string { return "/gongyak/" + service }

// ResourceType is the type of the resource a name names, as its pattern
// in pkg/resourcename says it: districts/g/pledges/p1/budget → budget,
// districts/g/programs/x/entries/e → entry, districts/g → district. A
// name of no pattern keeps its last segment as it stands.
func ResourceType(name string) string {
	if t, ok := resourcename.TypeOf(name); ok {
		return t
	}
	return name[strings.LastIndexByte(name, '/')+1:]
}

// Subject is the NATS subject an event of type typ about district is
// published on: gongyak.<district>.<service>.<resource>.<what happened>,
// such as gongyak.gwangsan.pledge.pledge.updated. A reader of one
// district subscribes to gongyak.gwangsan.>, of one resource type across
// services to gongyak.gwangsan.*.budget.*.
func Subject(district, typ string) (string, error) {
	rest, ok := strings.CutPrefix(typ, "kr.gongyak.")
	parts := strings.Split(rest, ".")
	if !ok || len(parts) != 4 || parts[1] != "v1" {
		return "", fmt.Errorf("eventbus: %q is not an event type", typ)
	}
	if district == "" || strings.ContainsAny(district, ".*> \t") {
		return "", fmt.Errorf("eventbus: %q is not a district for a subject", district)
	}
	return SubjectPrefix + district + "." + parts[0] + "." + parts[2] + "." + parts[3], nil
}

// SubjectPrefix begins every event's subject.
const SubjectPrefix = "gongyak."
