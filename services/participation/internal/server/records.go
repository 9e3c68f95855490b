package server

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// page reads a list request's parent and paging into a store page.
func page(parent string, size int32, token, filter string) (postgres.Page, error) {
	var v apierr.Violations
	district, program, err := parseProgram("parent", parent)
	v.Merge(err)
	n, err := pagetoken.Size(size)
	v.Merge(err)
	return postgres.Page{District: district, Program: program, Token: token, Filter: filter, Size: n}, v.Err()
}

// recordOutputOnly are fields of records an update ignores.
var recordOutputOnly = []string{"name", "etag", "create_time", "update_time", "mean_score", "receive_time"}

// maskPaths are the fields an update writes: its mask, or those its
// resource sets, without the output-only ones; a path the resource does
// not have is refused before anything is read.
func maskPaths(mask []string, resource proto.Message) ([]string, error) {
	paths := fieldmask.Without(fieldmask.Expand(fieldmask.Paths(mask, resource), resource, recordOutputOnly...), recordOutputOnly...)
	empty := resource.ProtoReflect().New().Interface()
	return paths, fieldmask.Apply(empty, resource, paths)
}

// touches reports whether an update (its mask, or the fields its resource
// sets) reaches field.
func touches(mask []string, resource proto.Message, field string) bool {
	for _, p := range fieldmask.Expand(fieldmask.Paths(mask, resource), resource) {
		if fieldmask.Under(p, field) {
			return true
		}
	}
	return false
}

// refusePersonal refuses an update that writes personal data for a caller
// who may not see it: a masked value sent back would overwrite what is
// stored. It is refused whatever the value, since comparing it would tell
// a guesser whether the guess was right.
func refusePersonal(ctx context.Context, district string, mask []string, resource proto.Message, field, path string) error {
	if !unmasked(ctx, district) && touches(mask, resource, field) {
		return apierr.Invalid(path, "can be changed only by a caller who may see personal data")
	}
	return nil
}

// message is the API's message of one kind of a program's records.
type message interface {
	proto.Message
	GetName() string
	GetEtag() string
}

// record is a pointer to a program's record of one kind: it checks itself
// and carries a participation.Record.
type record[T any] interface {
	*T
	Check(prefix string) error
	Base() *participation.Record
}

// recordKind is one kind of a program's records (members, submissions,
// entries, questions) as the API serves it, T stored and P in messages.
// Its standard methods (AIP-131 to 135) are written once, here, for
// every kind; the kind declares what differs.
type recordKind[T any, PT record[T], P message] struct {
	// collection is the kind's collection in names ("entries"), noun one
	// of them in requests' fields and rules' prefixes ("entry": entry_id,
	// entry.name), method and methods what its methods are called by
	// ("Member", "Members": CreateMember, BatchCreateMembers).
	collection, noun, method, methods string
	// toProto writes a record as the API shows it, personal data masked
	// when mask is set; fromProto reads what a request writes of one.
	toProto   func(district, program string, v T, mask bool) P
	fromProto func(P) T
	// personal, when set, names the field that holds personal data
	// ("person"), which person reads: masked unless the caller may see
	// it, and each read of it unmasked recorded.
	personal string
	person   func(T) participation.Person
	// admit, when set, completes or refuses a new record once its
	// program is held: when a submission counts as received.
	admit func(ctx context.Context, s *Server, district string, p participation.Program, v *T) error
}

// shown writes v for the caller of ctx, collecting in r what it shows
// unmasked.
func (k recordKind[T, PT, P]) shown(ctx context.Context, r *reads, district, program string, v T) P {
	show := unmasked(ctx, district)
	out := k.toProto(district, program, v, !show)
	if show && k.personal != "" {
		r.person(out.GetName(), k.personal, k.person(v))
	}
	return out
}

// get is Get (AIP-131): personal data unmasked only for a caller who may
// see it, and then recorded first.
func (k recordKind[T, PT, P]) get(ctx context.Context, s *Server, store RecordStore[T], name string) (P, error) {
	var none P
	d, p, id, err := parseChild("name", name, k.collection)
	if err != nil {
		return none, err
	}
	v, err := store.Get(ctx, d, p, id)
	if err != nil {
		return none, err
	}
	var r reads
	out := k.shown(ctx, &r, d, p, v)
	return out, s.recordReads(ctx, r)
}

// listRequest is a List request (AIP-132, AIP-158, AIP-160).
type listRequest interface {
	GetParent() string
	GetPageSize() int32
	GetPageToken() string
	GetFilter() string
}

// list is List: a page of a program's records, shown as get shows one.
func (k recordKind[T, PT, P]) list(ctx context.Context, s *Server, store RecordStore[T], req listRequest) ([]P, string, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, "", err
	}
	list, next, err := store.List(ctx, pg)
	if err != nil {
		return nil, "", err
	}
	var r reads
	var out []P
	for _, v := range list {
		out = append(out, k.shown(ctx, &r, pg.District, pg.Program, v))
	}
	if err := s.recordReads(ctx, r); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// createRequest is a Create request (AIP-133) with its request_id
// (AIP-155); a batch's requests are too.
type createRequest interface {
	proto.Message
	GetParent() string
	GetRequestId() string
}

// fresh reads a new record from in, with the id the client chose (or a
// fresh one), and adds what is wrong with it to v.
func (k recordKind[T, PT, P]) fresh(v *apierr.Violations, chosen string, in P) T {
	x := k.fromProto(in)
	PT(&x).Base().ID = newID(k.noun+"_id", chosen, v)
	v.Merge(PT(&x).Check(k.noun))
	return x
}

// admitter is k.admit for one call, nil for a kind without it.
func (k recordKind[T, PT, P]) admitter(ctx context.Context, s *Server, district string) func(participation.Program, *T) error {
	if k.admit == nil {
		return nil
	}
	return func(p participation.Program, v *T) error { return k.admit(ctx, s, district, p, v) }
}

// create is Create: the record checked, then written once whatever the
// retries with its request_id; the answer is masked.
func (k recordKind[T, PT, P]) create(ctx context.Context, s *Server, store RecordStore[T], req createRequest, chosen string, in P) (P, error) {
	var none P
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	x := k.fresh(&v, chosen, in)
	key, err := idempotency.For("Create"+k.method, req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return none, err
	}
	saved, err := store.Create(ctx, d, p, x, key, k.admitter(ctx, s, d))
	if err != nil {
		return none, err
	}
	return k.toProto(d, p, saved, true), nil
}

// createAll is BatchCreate (AIP-233) of up to batch.Max records of one
// program in one transaction, each checked (and admitted) as create
// checks one; every fault is named at once, under `requests[i].`, and
// nothing is written unless all are accepted. split reads one request's
// chosen id and record.
func createAll[T any, PT record[T], P message, R createRequest](ctx context.Context, k recordKind[T, PT, P], s *Server,
	store RecordStore[T], req createRequest, requests []R, split func(R) (string, P)) ([]P, error) {
	var v apierr.Violations
	d, p := batchProgram(&v, req.GetParent(), requests)
	xs := make([]T, len(requests))
	for i, r := range requests {
		batch.NoRequestID(&v, i, r.GetRequestId())
		var one apierr.Violations
		chosen, in := split(r)
		xs[i] = k.fresh(&one, chosen, in)
		batch.Merge(&v, i, one.Err())
	}
	key, err := idempotency.For("BatchCreate"+k.methods, req.GetRequestId(), req)
	v.Merge(err)
	// A kind admitted by its program has the store add what only the
	// program shows (its window), so every fault is named at once.
	if err := v.Err(); err != nil && (k.admit == nil || d == "" || len(xs) == 0 || len(xs) > batch.Max) {
		return nil, err
	}
	var admit func(participation.Program, int, *T) error
	if one := k.admitter(ctx, s, d); one != nil {
		admit = func(prog participation.Program, _ int, x *T) error { return one(prog, x) }
	}
	saved, err := store.CreateAll(ctx, d, p, xs, v, key, admit)
	if err != nil {
		return nil, err
	}
	out := make([]P, len(saved))
	for i, x := range saved {
		out[i] = k.toProto(d, p, x, true)
	}
	return out, nil
}

// update is Update (AIP-134) with an etag (AIP-154): the mask's fields
// (or those the message sets) applied to the stored record and the result
// checked, in the store's transaction. Personal data is changed by
// sending it whole, and only by a caller who may see it: a masked value
// sent back would overwrite what is stored.
func (k recordKind[T, PT, P]) update(ctx context.Context, store RecordStore[T], in P, mask []string) (P, error) {
	var none P
	d, p, id, err := parseChild(k.noun+".name", in.GetName(), k.collection)
	if err != nil {
		return none, err
	}
	tag := in.GetEtag()
	if err := etag.Require(k.noun+".etag", tag); err != nil {
		return none, err
	}
	if k.personal != "" {
		if err := refusePersonal(ctx, d, mask, in, k.personal, k.noun+"."+k.personal); err != nil {
			return none, err
		}
	}
	paths, err := maskPaths(mask, in)
	if err != nil {
		return none, err
	}
	saved, err := store.Update(ctx, d, p, id, tag, func(cur *T) error {
		edited := k.toProto(d, p, *cur, false)
		if err := fieldmask.Apply(edited, in, paths); err != nil {
			return err
		}
		next := k.fromProto(edited)
		*PT(&next).Base() = *PT(cur).Base()
		if err := PT(&next).Check(k.noun); err != nil {
			return err
		}
		*cur = next
		return nil
	})
	if err != nil {
		return none, err
	}
	return k.toProto(d, p, saved, true), nil
}

// delete is Delete (AIP-135) with an etag.
func (k recordKind[T, PT, P]) delete(ctx context.Context, store RecordStore[T], name, tag string) (*emptypb.Empty, error) {
	d, p, id, err := parseChild("name", name, k.collection)
	if err != nil {
		return nil, err
	}
	if err := etag.Require("etag", tag); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, store.Delete(ctx, d, p, id, tag)
}
