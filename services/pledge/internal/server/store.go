package server

import (
	"context"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/pledge/internal/importflow"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is what the pledge service's servers ask of its store
// (postgres.Store): each server, and the policy, takes the part it uses.
type Store interface {
	districtStore
	pledgeStore
	reportStore
	keyStore
	keyFinder
	auditStore
	PolicyStore
	importflow.Store
}

// districtReader reads a district with its terms (the value may be
// shared: it must not be changed).
type districtReader interface {
	GetDistrict(ctx context.Context, id string) (pledge.District, error)
}

// districtStore is what DistrictServer asks: districts and their
// departments (districts.go), and the pool a district's bulk export and
// import read and write (bulk_export.go, bulk_import.go).
type districtStore interface {
	districtReader
	ListDistricts(ctx context.Context, filterText string, size int, token string, only []string) ([]pledge.District, string, error)
	CreateDistrict(ctx context.Context, d pledge.District, key idempotency.Key) (pledge.District, error)
	UpdateDistrict(ctx context.Context, name, tag string, change func(*pledge.District) error) (pledge.District, error)
	GetDepartment(ctx context.Context, district, id string) (pledge.Department, error)
	ListDepartments(ctx context.Context, district string, size int, token, filterText string) ([]pledge.Department, string, error)
	CreateDepartment(ctx context.Context, d pledge.Department, key idempotency.Key) (pledge.Department, error)
	UpdateDepartment(ctx context.Context, name, tag string, change func(*pledge.Department) error) (pledge.Department, error)
	Pool() *pgxpool.Pool
}

// pledgeStore is what PledgeServer asks: pledges and their status
// history (pledges.go, batch.go), cards (card.go, import.go), photos
// (photos.go) and the pledges' summary (summary.go).
type pledgeStore interface {
	districtReader
	GetPledge(ctx context.Context, district, id string) (postgres.PledgeWithTerm, error)
	ListPledges(ctx context.Context, q postgres.PledgeQuery) (postgres.PledgePage, error)
	CreatePledge(ctx context.Context, p pledge.Pledge, key idempotency.Key) (postgres.PledgeWithTerm, error)
	BatchCreatePledges(ctx context.Context, district string, ps []pledge.Pledge, key idempotency.Key) ([]postgres.PledgeWithTerm, error)
	UpdatePledge(ctx context.Context, name, tag string, change func(*pledge.Pledge) error) (postgres.PledgeWithTerm, error)
	DeletePledge(ctx context.Context, district, id, tag string) (postgres.PledgeWithTerm, error)
	ChangeStatus(ctx context.Context, district, id, tag string, status pledge.Status, reason string, effective pledge.Date, key idempotency.Key) (postgres.PledgeWithTerm, error)
	ListStatusChanges(ctx context.Context, district, id, filterText string, size int, token string) ([]pledge.StatusChange, string, error)
	StatusDate(ctx context.Context, district, id string) (pledge.Date, error)
	DepartmentsAmong(ctx context.Context, district string, ids []string) (map[string]bool, error)
	DepartmentNames(ctx context.Context, district string, ids []string) (map[string]string, error)
	PhotoFile(ctx context.Context, district, id string, n int) (string, []byte, error)
	SavePhotoFile(ctx context.Context, district, id string, n int, contentType string, data []byte) (pledge.Photo, error)
	SummarizePledges(ctx context.Context, q postgres.SummaryQuery) ([]postgres.SummaryRow, postgres.SummaryRow, string, error)
}

// reportStore is what ReportServer asks: the districts and terms a
// report covers and their standings (report.go), and a term's pledges
// for its disclosure (disclose.go).
type reportStore interface {
	districtReader
	ReportScope(ctx context.Context, district string, term int) ([]postgres.ReportDistrict, error)
	Standings(ctx context.Context, periods []postgres.ReportPeriod, asOf time.Time) ([]postgres.Standing, error)
	TermPledges(ctx context.Context, district string, term int) ([]postgres.PledgeWithTerm, error)
	TermStatusDates(ctx context.Context, district string, term int) (map[string]pledge.Date, error)
	DepartmentNames(ctx context.Context, district string, ids []string) (map[string]string, error)
}

// keyStore is what ApiKeyServer asks: the keys it issues.
type keyStore interface {
	CreateAPIKey(ctx context.Context, k pledge.APIKey, secretHash []byte) (pledge.APIKey, error)
	GetAPIKey(ctx context.Context, district, id string) (pledge.APIKey, error)
	ListAPIKeys(ctx context.Context, district, filterText string, size int, token string) ([]pledge.APIKey, string, error)
	RevokeAPIKey(ctx context.Context, district, id string) (pledge.APIKey, error)
}

// keyFinder finds a presented key with the hash of its secret.
type keyFinder interface {
	KeyByID(ctx context.Context, id string) (pledge.APIKey, []byte, error)
}

// auditStore reads the pledge service's own audit log.
type auditStore interface {
	AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error)
}

// PolicyStore is what the policy asks: what anyone may read, and whose a
// pledge is.
type PolicyStore interface {
	DistrictPublished(ctx context.Context, id string) (bool, error)
	TermPublished(ctx context.Context, district string, term int) (bool, error)
	PledgeAccess(ctx context.Context, district, id string) (postgres.Access, error)
}

var _ Store = (*postgres.Store)(nil)
