// Package deadline gives every gRPC call one Gongyak part makes to another
// a deadline suited to its method, so that a service that hangs costs its
// callers seconds, not the gateway's whole request timeout: reads get a few
// seconds, writes more, the card import most. A caller whose own deadline
// comes sooner keeps it; the gateway's request timeout is the upper bound
// of every call it makes.
package deadline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The deadlines, by kind of method.
const (
	// Read is a Get, List or Summarize: one or two queries.
	Read = 5 * time.Second
	// Card gathers a pledge's card from every service, each section
	// bounded by GONGYAK_CARD_SECTION_TIMEOUT (2 s by default).
	Card = 8 * time.Second
	// Write is every method that changes something: a transaction, an
	// audit row and perhaps a question to the pledge service.
	Write = 15 * time.Second
	// Import reads a card file and writes to every service.
	Import = 60 * time.Second
	// Report composes a report from every service's summaries over every
	// district: at 243 districts each service's summary takes seconds.
	// Each summary it asks for keeps its own deadline (Read).
	Report = 25 * time.Second
)

// byMethod names the methods whose verb does not say their deadline.
var byMethod = map[string]time.Duration{
	"/gongyak.pledge.v1.PledgeService/GetPledgeCard":    Card,
	"/gongyak.pledge.v1.PledgeService/RenderPledgeCard": Card,
	"/gongyak.pledge.v1.PledgeService/ImportPledgeCard": Import,

	"/gongyak.pledge.v1.ReportService/GetImplementationReport":    Report,
	"/gongyak.pledge.v1.ReportService/ExportImplementationReport": Report,
}

// readVerbs begin the names of the methods that only read (AIP-131,
// AIP-132; Summarize, VerifyApiKey and health checks read too).
var readVerbs = []string{"Get", "List", "Summarize", "Verify", "Check"}

// For returns the deadline of the method, named in full
// (/gongyak.pledge.v1.PledgeService/GetPledge). A method it does not know
// as a read gets the deadline of a write.
func For(method string) time.Duration {
	if d, ok := byMethod[method]; ok {
		return d
	}
	name := method[strings.LastIndexByte(method, '/')+1:]
	for _, verb := range readVerbs {
		if rest, ok := strings.CutPrefix(name, verb); ok && (rest == "" || (rest[0] >= 'A' && rest[0] <= 'Z')) {
			return Read
		}
	}
	return Write
}

// serviceSooner is how much sooner than the caller a service may find
// that a call's deadline has passed: the time the request took to reach it.
const serviceSooner = 250 * time.Millisecond

// UnaryClientInterceptor gives a call the deadline of its method unless
// the caller's context ends sooner. A call that runs out of the method's
// deadline fails DEADLINE_EXCEEDED saying which service did not answer in
// time, such as "the budget service did not answer within 5s".
func UnaryClientInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	limit := For(method)
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= limit {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	callCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := invoker(callCtx, method, req, reply, cc, opts...)
	// The method's deadline ran out, on this side or (a hair sooner) on the
	// service's, which then answers DEADLINE_EXCEEDED itself. Long before
	// it, a DEADLINE_EXCEEDED is the service's own, passed on.
	end, _ := callCtx.Deadline()
	if status.Code(err) == codes.DeadlineExceeded && ctx.Err() == nil && time.Until(end) < serviceSooner {
		return apierr.ToStatus(&apierr.Error{
			Code:    codes.DeadlineExceeded,
			Reason:  apierr.ReasonDeadlineExceeded,
			Message: fmt.Sprintf("the %s service did not answer within %s", Service(method), limit),
		}).Err()
	}
	return err
}

// Service names the service a method belongs to for a person reading an
// error: "budget" for /gongyak.budget.v1.BudgetService/GetBudget, the gRPC
// service's full name for a method that is not Gongyak's.
func Service(method string) string {
	service, _, _ := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	parts := strings.Split(service, ".")
	if len(parts) == 4 && parts[0] == "gongyak" {
		return parts[1]
	}
	return service
}
