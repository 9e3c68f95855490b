package server

import (
	"context"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/indicator/internal/indicator"
	"github.com/gongyak/gongyak/services/indicator/internal/postgres"
)

// Store is what the server asks of the indicators' storage
// (postgres.Store): the methods it calls, and no more. Each reads
// achievement as of currentYear.
type Store interface {
	Get(ctx context.Context, district, pledge, id string, currentYear int) (indicator.Indicator, error)
	List(ctx context.Context, district, pledge, filter string, size int, token string, currentYear int) ([]indicator.Indicator, string, error)
	Create(ctx context.Context, i indicator.Indicator, key idempotency.Key, currentYear int) (indicator.Indicator, error)
	BatchCreate(ctx context.Context, district string, list []indicator.Indicator, key idempotency.Key, currentYear int) ([]indicator.Indicator, error)
	// Update changes the indicator named name in one transaction.
	Update(ctx context.Context, name, tag string, currentYear int, change func(*indicator.Indicator) error) (indicator.Indicator, error)
	Delete(ctx context.Context, district, pledge, id, tag string, currentYear int) error
	PledgeAchievement(ctx context.Context, district, pledge string, currentYear int) (indicator.Result, []postgres.IndicatorAchievement, error)
	Summarize(ctx context.Context, q postgres.SummaryQuery) ([]postgres.SummaryRow, postgres.SummaryRow, string, error)
	AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error)
}
