package server

import (
	"context"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// AuditServer serves gongyak.pledge.v1.AuditService: the district's audit
// log, merged from every service's own.
type AuditServer struct {
	pledgev1.UnimplementedAuditServiceServer
	store    auditStore
	backends Backends
}

// auditLister is what every service offers of its audit log.
type auditLister interface {
	ListAuditEvents(ctx context.Context, req *typev1.ListAuditEventsRequest, opts ...grpc.CallOption) (*typev1.ListAuditEventsResponse, error)
}

// ListAuditEvents asks every service for the page at once, with the
// caller's credential, and merges what they return. A log that cannot be
// read makes the whole answer UNAVAILABLE: a log with a hole would mislead.
func (s *AuditServer) ListAuditEvents(ctx context.Context, req *typev1.ListAuditEventsRequest) (*typev1.ListAuditEventsResponse, error) {
	page, err := audit.ReadPage(req)
	if err != nil {
		return nil, err
	}
	services := map[string]auditLister{}
	if s.backends.Budgets != nil {
		services["budget"] = s.backends.Budgets
	}
	if s.backends.Indicators != nil {
		services["indicator"] = s.backends.Indicators
	}
	if s.backends.Participation != nil {
		services["participation"] = s.backends.Participation
	}
	lists := make([][]*typev1.AuditEvent, len(services)+1)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		lists[0], err = s.store.AuditEvents(gctx, page)
		return err
	})
	i := 0
	for name, svc := range services {
		i++
		n := i
		g.Go(func() error {
			resp, err := svc.ListAuditEvents(gctx, req)
			switch {
			case err != nil && apierr.IsClientError(status.Code(err)):
				return err
			case err != nil:
				return apierr.Unavailable("the %s service's audit log could not be read (%s); try again", name, status.Code(err))
			}
			lists[n] = resp.GetAuditEvents()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return audit.Merge(page, lists...), nil
}
