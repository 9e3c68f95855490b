package server

import (
	"context"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/budget/internal/budget"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
)

// Store is what the server asks of the plans' storage (postgres.Store):
// the methods it calls, and no more.
type Store interface {
	Get(ctx context.Context, district, pledge string) (budget.Plan, error)
	List(ctx context.Context, district, filter string, size int, token string) ([]budget.Plan, string, error)
	// Update changes the plan named name in one transaction; Draft is
	// the plan it would hand to change, for a request that only
	// validates.
	Update(ctx context.Context, name, tag string, allowMissing bool, change func(*budget.Plan) error) (budget.Plan, error)
	Draft(ctx context.Context, name, tag string, allowMissing bool) (budget.Plan, error)
	Delete(ctx context.Context, district, pledge, tag string) error
	BatchUpdate(ctx context.Context, district string, items []postgres.BatchItem, v apierr.Violations, key idempotency.Key) ([]budget.Plan, error)
	Summarize(ctx context.Context, q postgres.SummaryQuery) ([]postgres.SummaryRow, postgres.SummaryRow, string, error)
	AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error)
}
