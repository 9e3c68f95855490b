// Package server serves the pledge service's gRPC API: it reads requests
// into the domain, asks the store, and writes responses back. Errors are
// returned as they are; the platform's interceptor maps them to one status.
package server

import (
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// DistrictServer serves gongyak.pledge.v1.DistrictService.
type DistrictServer struct {
	pledgev1.UnimplementedDistrictServiceServer
	store *postgres.Store
}

// PledgeServer serves gongyak.pledge.v1.PledgeService.
type PledgeServer struct {
	pledgev1.UnimplementedPledgeServiceServer
	store *postgres.Store
}

// New returns the service's servers over store.
func New(store *postgres.Store) (*DistrictServer, *PledgeServer) {
	return &DistrictServer{store: store}, &PledgeServer{store: store}
}

// updatePaths returns the fields an update changes: the mask's paths, or
// when the mask is empty every field the resource in the request sets
// (AIP-134).
func updatePaths(mask *fieldmaskpb.FieldMask, resource proto.Message) []string {
	if len(mask.GetPaths()) > 0 {
		return mask.GetPaths()
	}
	var paths []string
	resource.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		paths = append(paths, string(fd.Name()))
		return true
	})
	return paths
}
