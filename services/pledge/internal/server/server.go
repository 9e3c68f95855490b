// Package server serves the pledge service's gRPC API: it reads requests
// into the domain, asks the store, and writes responses back. Errors are
// returned as they are; the platform's interceptor maps them to one status.
package server

import (
	"log/slog"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/services/pledge/internal/importflow"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
)

// DistrictServer serves gongyak.pledge.v1.DistrictService.
type DistrictServer struct {
	pledgev1.UnimplementedDistrictServiceServer
	store districtStore
	// backends are asked for their part of a district's bulk export and
	// import.
	backends Backends
}

// PledgeServer serves gongyak.pledge.v1.PledgeService.
type PledgeServer struct {
	pledgev1.UnimplementedPledgeServiceServer
	store    pledgeStore
	backends Backends
	imports  *importflow.Flow
}

// ReportServer serves gongyak.pledge.v1.ReportService: reports composed
// from every service's summaries, and the public disclosure page.
type ReportServer struct {
	pledgev1.UnimplementedReportServiceServer
	store    reportStore
	backends Backends
	// scopes and parts keep what a report reads from this service's
	// tables until they change: every district's pledges, read and
	// counted, cost more than the rest of the report.
	scopes *pgchange.Cache[scopeKey, []postgres.ReportDistrict]
	parts  *pgchange.Cache[reportRequest, *pledgePart]
}

func newReportServer(store reportStore, backends Backends, changes *pgchange.Watcher) *ReportServer {
	return &ReportServer{store: store, backends: backends,
		scopes: pgchange.NewCache[scopeKey, []postgres.ReportDistrict](changes, 64),
		parts:  pgchange.NewCache[reportRequest, *pledgePart](changes, 16)}
}

// Servers are the pledge service's gRPC servers, and how it checks the API
// keys it issues.
type Servers struct {
	Districts *DistrictServer
	Pledges   *PledgeServer
	Keys      *ApiKeyServer
	Audit     *AuditServer
	Reports   *ReportServer
	// KeyCheck checks presented keys against the store, remembering each
	// answer for the cache's time; a revocation here forgets them all.
	KeyCheck *auth.KeyCache
}

// New returns the service's servers over store; backends are the services
// a card gathers its other sections from, the importer writes to and the
// audit log is merged from. keyTTL bounds how long a key's check is
// remembered (at most 30 s).
func New(store Store, backends Backends, keyTTL time.Duration, changes *pgchange.Watcher) (*Servers, error) {
	keys, err := auth.NewKeyCache(localKeys{store: store, now: time.Now}, keyTTL)
	if err != nil {
		return nil, err
	}
	return &Servers{
		Districts: &DistrictServer{store: store, backends: backends},
		Pledges:   &PledgeServer{store: store, backends: backends, imports: Imports(store, backends, nil, nil)},
		Keys:      &ApiKeyServer{store: store, forget: keys.Forget, now: time.Now},
		Audit:     &AuditServer{store: store, backends: backends},
		Reports:   newReportServer(store, backends, changes),
		KeyCheck:  keys,
	}, nil
}

// Imports is the workflow of card imports over store, writing to
// backends. With an identity (the service's own) and a log, it also
// finishes imports cut off by a crash (Flow.Recover).
func Imports(store importflow.Store, backends Backends, identity importflow.Identity, log *slog.Logger) *importflow.Flow {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &importflow.Flow{
		Store:    store,
		Services: importflow.Services{Budgets: backends.Budgets, Indicators: backends.Indicators, Participation: backends.Participation},
		Show:     pledgeToProto,
		Identity: identity,
		Log:      log,
		Lease:    backends.ImportLease,
	}
}
