// Package server serves the pledge service's gRPC API: it reads requests
// into the domain, asks the store, and writes responses back. Errors are
// returned as they are; the platform's interceptor maps them to one status.
package server

import (
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
)

// DistrictServer serves gongyak.pledge.v1.DistrictService.
type DistrictServer struct {
	pledgev1.UnimplementedDistrictServiceServer
	store *postgres.Store
}

// PledgeServer serves gongyak.pledge.v1.PledgeService.
type PledgeServer struct {
	pledgev1.UnimplementedPledgeServiceServer
	store    *postgres.Store
	backends Backends
}

// New returns the service's servers over store; backends are the services
// a card gathers its other sections from, and the importer writes to.
func New(store *postgres.Store, backends Backends) (*DistrictServer, *PledgeServer) {
	return &DistrictServer{store: store}, &PledgeServer{store: store, backends: backends}
}
