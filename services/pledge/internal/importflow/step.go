package importflow

import (
	"context"
	"encoding/json"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Step is one write of an import to another service, with what doing it
// again and undoing it need.
type Step struct {
	// Kind is budget, indicator, program or submission.
	Kind string `json:"kind"`
	// Name is the resource written.
	Name string `json:"name"`
	// Create: the import creates the resource, with an id and a request_id
	// chosen here (its undo deletes it). Otherwise it updates it: its undo
	// puts Previous back, or deletes it when there was none (a budget the
	// pledge did not have).
	Create bool `json:"create,omitempty"`
	// Write is the resource as the import writes it (protojson), and Paths
	// the fields an update writes.
	Write json.RawMessage `json:"write"`
	Paths []string        `json:"paths,omitempty"`
	// RequestID makes a create safe to send again.
	RequestID string `json:"request_id,omitempty"`
	// Previous is the resource before an update (protojson).
	Previous json.RawMessage `json:"previous,omitempty"`
	// State is pending, sent, done, undone or left.
	State string `json:"state"`
	// From is the etag an update was sent with; Etag is what the import's
	// write left, which an undo must still find.
	From string `json:"from,omitempty"`
	Etag string `json:"etag,omitempty"`
	// Note says why a step was left as it is.
	Note string `json:"note,omitempty"`
}

// Step states.
const (
	pending = "pending"
	sent    = "sent"
	done    = "done"
	undone  = "undone"
	left    = "left"
)

// resource is what every written resource has.
type resource interface {
	proto.Message
	GetEtag() string
}

// kind is how to write, read and undo one kind of resource.
type kind interface {
	// get reads the resource called name.
	get(ctx context.Context, s Services, name string) (resource, error)
	// write sends the step's write: a create, or an update from etag.
	write(ctx context.Context, s Services, st *Step, etag string, validateOnly bool) (resource, error)
	// remove deletes the resource at etag.
	remove(ctx context.Context, s Services, name, etag string) error
	// decode reads a resource of the kind from protojson.
	decode(raw json.RawMessage) (resource, error)
	// same reports whether cur already holds what want writes.
	same(cur, want resource) bool
}

var kinds = map[string]kind{"budget": budgetKind{}, "indicator": indicatorKind{}, "program": programKind{}, "submission": submissionKind{}}

func kindOf(st *Step) kind {
	k, ok := kinds[st.Kind]
	if !ok {
		panic(fmt.Sprintf("importflow: no kind %q", st.Kind))
	}
	return k
}

// do writes a step so that doing it again changes nothing: a create is
// sent with its request_id (a repeat replays the first answer); an update
// first looks at the resource and writes only when it does not already
// hold what the import writes, from the etag it found. save records the
// step's progress before the write goes out and after it is answered.
func (st *Step) do(ctx context.Context, s Services, save func(point string) error) error {
	k := kindOf(st)
	if st.State == done || st.State == left {
		return nil
	}
	if st.Create {
		if st.State == pending {
			st.State = sent
			if err := save("sent"); err != nil {
				return err
			}
		}
		got, err := k.write(ctx, s, st, "", false)
		if err != nil {
			return err
		}
		st.State, st.Etag = done, got.GetEtag()
		return save("written")
	}
	cur, err := k.get(ctx, s, st.Name)
	if err != nil && status.Code(err) != codes.NotFound {
		return err
	}
	want, err := k.decode(st.Write)
	if err != nil {
		return err
	}
	if cur != nil && k.same(cur, want) {
		// Written already, by this import before it was cut off, or
		// never needed.
		st.State, st.Etag = done, cur.GetEtag()
		return save("written")
	}
	curEtag := ""
	if cur != nil {
		curEtag = cur.GetEtag()
	}
	if st.State == sent && curEtag != st.From {
		// Changed since the import read it, and not to what the import
		// writes: someone else's change, which the import leaves.
		st.State, st.Note = left, "changed by someone else while the import was cut off; left as they wrote it"
		return save("left")
	}
	st.State, st.From = sent, curEtag
	if err := save("sent"); err != nil {
		return err
	}
	got, err := k.write(ctx, s, st, st.From, false)
	if err != nil {
		return err
	}
	st.State, st.Etag = done, got.GetEtag()
	return save("written")
}

// undo takes a step back, only while the resource still holds what the
// import wrote (its etag, or for a write whose answer was lost, its
// content): a resource changed since is left, and the step says so.
func (st *Step) undo(ctx context.Context, s Services) error {
	if st.State == pending || st.State == undone || st.State == left {
		return nil
	}
	k := kindOf(st)
	cur, err := k.get(ctx, s, st.Name)
	if status.Code(err) == codes.NotFound {
		st.State = undone
		return nil
	}
	if err != nil {
		return err
	}
	if st.State == sent && !st.Create && cur.GetEtag() == st.From {
		// The update was sent and never took: nothing to take back.
		st.State = undone
		return nil
	}
	want, err := k.decode(st.Write)
	if err != nil {
		return err
	}
	ours := st.Etag != "" && cur.GetEtag() == st.Etag || st.Etag == "" && k.same(cur, want)
	if !ours {
		st.State, st.Note = left, "changed since the import wrote it; not undone"
		return nil
	}
	if st.Create || st.Previous == nil {
		// It was not there before the import.
		if err := k.remove(ctx, s, st.Name, cur.GetEtag()); err != nil && status.Code(err) != codes.NotFound {
			return err
		}
		st.State = undone
		return nil
	}
	back := &Step{Kind: st.Kind, Name: st.Name, Write: st.Previous, Paths: st.Paths}
	if _, err := k.write(ctx, s, back, cur.GetEtag(), false); err != nil {
		return err
	}
	st.State = undone
	return nil
}

// validate checks the step's write with its service, writing nothing.
func (st *Step) validate(ctx context.Context, s Services) error {
	etag := ""
	if !st.Create {
		cur, err := kindOf(st).get(ctx, s, st.Name)
		if err != nil && status.Code(err) != codes.NotFound {
			return err
		}
		if cur != nil {
			etag = cur.GetEtag()
		}
	}
	_, err := kindOf(st).write(ctx, s, st, etag, true)
	return err
}

func encode(m proto.Message) json.RawMessage {
	raw, err := protojson.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("importflow: %T does not encode: %v", m, err))
	}
	return raw
}
