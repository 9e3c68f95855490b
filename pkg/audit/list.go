package audit

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Page reads a list request: its size, and the position after which the
// page begins — the same for every service's log, so that the pledge
// service can pass one token to all four and merge what they return.
type Page struct {
	District string
	Size     int
	Filter   string
	after    position
	binding  pagetoken.Binding
}

// position orders events across services: by time, then service, then
// the service's own number.
type position struct {
	time    time.Time
	service string
	id      int64
}

// ReadPage checks a ListAuditEvents request.
func ReadPage(req *typev1.ListAuditEventsRequest) (Page, error) {
	var v apierr.Violations
	var district string
	if ids, ok := resourcename.District.MatchWildcard(req.GetParent()); ok {
		district = ids[0]
	} else {
		v.Add("parent", "must be %s, or districts/- for every district's and the system-wide events", resourcename.District)
	}
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	p := Page{District: district, Size: size, Filter: req.GetFilter(), binding: pagetoken.Bind("auditEvents", req.GetParent(), req.GetFilter())}
	if err := v.Err(); err != nil {
		return p, err
	}
	after, err := pagetoken.Decode(req.GetPageToken(), p.binding, 3)
	if err != nil {
		return p, err
	}
	if after != nil {
		micros, err1 := strconv.ParseInt(after[0], 10, 64)
		id, err2 := strconv.ParseInt(after[2], 10, 64)
		if err1 != nil || err2 != nil {
			return p, apierr.Invalid("page_token", "is not a page token of this list")
		}
		p.after = position{time: time.UnixMicro(micros), service: after[1], id: id}
	}
	return p, nil
}

// filterSchema are the fields an audit list filters on; service is a
// constant of each service's query.
func filterSchema(service string) filter.Schema {
	return filter.Schema{
		"resource": {Column: "resource", Kind: filter.Text},
		"actor":    {Column: "actor", Kind: filter.Text},
		"action":   {Column: "action", Kind: filter.Text},
		"service":  {Column: quote(service), Kind: filter.Text},
		"time":     {Column: "time", Kind: filter.Time},
		// An event is never changed: its update_time is its time, so a
		// poller filters the log as it filters every other List.
		"update_time": {Column: "time", Kind: filter.Time},
	}
}

func quote(s string) string { return "'" + s + "'::text" }

// List returns up to page.Size events of service's log after the page's
// position, in order.
func List(ctx context.Context, q pgdb.Querier, service string, page Page) ([]*typev1.AuditEvent, error) {
	cond, args, err := filter.SQL(page.Filter, filterSchema(service), 6)
	if err != nil {
		return nil, err
	}
	after := page.after
	if after.time.IsZero() {
		after.time = time.Unix(0, 0)
		after.id = -1
	}
	rows, err := q.Query(ctx, `SELECT id, time, actor, action, resource, before, after, request_id, client_address
		FROM audit_events WHERE ($1 = '-' OR district_id = $1) AND (time, `+quote(service)+`, id) > ($2, $3::text, $4) AND `+cond+`
		ORDER BY time, id LIMIT $5`, append([]any{page.District, after.time, after.service, after.id, page.Size}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*typev1.AuditEvent
	for rows.Next() {
		var id int64
		var at time.Time
		var before, afterJSON []byte
		e := &typev1.AuditEvent{Service: service}
		if err := rows.Scan(&id, &at, &e.Actor, &e.Action, &e.Resource, &before, &afterJSON, &e.RequestId, &e.ClientAddress); err != nil {
			return nil, err
		}
		e.Name = resourcename.AuditEvent.Format(page.District, service+"-"+strconv.FormatInt(id, 10))
		e.Time = timestamppb.New(at)
		e.UpdateTime = e.Time
		if e.Before, err = toStruct(before); err != nil {
			return nil, err
		}
		if e.After, err = toStruct(afterJSON); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func toStruct(raw []byte) (*structpb.Struct, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

// Merge takes the events several services listed for one page, puts them
// in order and keeps the page's worth, with the token of the next page
// ("" when none of the services has more).
func Merge(page Page, lists ...[]*typev1.AuditEvent) *typev1.ListAuditEventsResponse {
	var all []*typev1.AuditEvent
	more := false
	for _, l := range lists {
		all = append(all, l...)
		more = more || len(l) == page.Size
	}
	slices.SortFunc(all, func(a, b *typev1.AuditEvent) int {
		pa, pb := positionOf(a), positionOf(b)
		return cmp.Or(pa.time.Compare(pb.time), cmp.Compare(pa.service, pb.service), cmp.Compare(pa.id, pb.id))
	})
	out := &typev1.ListAuditEventsResponse{}
	if len(all) > page.Size {
		all, more = all[:page.Size], true
	}
	out.AuditEvents = all
	if more && len(all) > 0 {
		last := positionOf(all[len(all)-1])
		out.NextPageToken = pagetoken.Encode(page.binding, []string{strconv.FormatInt(last.time.UnixMicro(), 10), last.service, strconv.FormatInt(last.id, 10)})
	}
	return out
}

// ListOne answers a single service's ListAuditEvents: it reads req and
// lists the page by list (the service's store), with the token of the
// next, for the pledge service to merge.
func ListOne(ctx context.Context, req *typev1.ListAuditEventsRequest, list func(context.Context, Page) ([]*typev1.AuditEvent, error)) (*typev1.ListAuditEventsResponse, error) {
	page, err := ReadPage(req)
	if err != nil {
		return nil, err
	}
	events, err := list(ctx, page)
	if err != nil {
		return nil, err
	}
	return Merge(page, events), nil
}

func positionOf(e *typev1.AuditEvent) position {
	n, _ := strconv.ParseInt(idOf(e.GetName()), 10, 64)
	return position{time: e.GetTime().AsTime(), service: e.GetService(), id: n}
}

// idOf is the number at the end of an event's name (`…/budget-42` → 42).
func idOf(name string) string {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	return name[i:]
}
