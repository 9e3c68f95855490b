package pledgeref

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// AlongKey is the gRPC metadata key the pledge service passes a pledge
// along in, on the calls it makes to serve a read of that pledge (its
// card): a binary header ("-bin"), the marshaled pledgev1.Pledge trimmed
// to the fields Shown's callers use.
const AlongKey = "gongyak-pledge-bin"

// Along returns ctx carrying p on its outgoing calls, for the services
// that serve them to show what they derive from the pledge without
// asking the pledge service for what its caller already had. Only the
// fields Shown's callers use go: name, term, valid years, deletion and
// required budget; nothing personal.
func Along(ctx context.Context, p *pledgev1.Pledge) context.Context {
	trimmed := &pledgev1.Pledge{
		Name: p.GetName(), Term: p.GetTerm(), ValidYears: p.GetValidYears(),
		DeleteTime: p.GetDeleteTime(), RequiredBudget: p.GetRequiredBudget(),
	}
	b, err := proto.Marshal(trimmed)
	if err != nil {
		return ctx // the callee asks the pledge service, as without it
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Set(AlongKey, string(b))
	return metadata.NewOutgoingContext(ctx, md)
}

// Shown returns the pledge called name for display on a read: the one
// the caller passed along (Along) when it names that pledge, or else what
// Known returns. Its District carries only its name when the pledge came
// along.
//
// A pledge passed along is the caller's word, and any caller can put any
// word in its metadata: Shown is for what a response derives from the
// pledge for its own caller to see (the comparison of a plan with the
// card's required budget), so a forged pledge changes only the forger's
// own view of it. It must never decide who may do what, nor what is
// written: policies and writes use Lookup or Known, which ignore it.
func (c *Client) Shown(ctx context.Context, name string) (Pledge, error) {
	if p, ok := alongWith(ctx, name); ok {
		return p, nil
	}
	return c.Known(ctx, name)
}

// alongWith is the pledge called name that came along with the call ctx
// serves, if one did.
func alongWith(ctx context.Context, name string) (Pledge, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get(AlongKey) {
		var p pledgev1.Pledge
		if proto.Unmarshal([]byte(v), &p) != nil || p.GetName() != name {
			continue // not about this pledge: ask, as without it
		}
		return Pledge{Pledge: &p, District: &pledgev1.District{Name: districtOf(name)}}, true
	}
	return Pledge{}, false
}

// districtOf is the district of a pledge's name:
// districts/{district}/pledges/{pledge} → districts/{district}.
func districtOf(name string) string {
	ids, ok := resourcename.Pledge.Match(name)
	if !ok {
		return ""
	}
	return resourcename.District.Format(ids[0])
}
