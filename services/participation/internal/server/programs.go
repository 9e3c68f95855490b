package server

import (
	"context"
	"strings"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/emptypb"
)

// linkPledges checks the pledges a program serves with the pledge service
// and sets the program's term from them, or from the district's current
// term when it serves none.
func (s *Server) linkPledges(ctx context.Context, p *participation.Program, names []string) error {
	var v apierr.Violations
	p.Pledges = nil
	ids := make([]string, len(names))
	for i, n := range names {
		parts := strings.Split(n, "/")
		if len(parts) != 4 || parts[0] != "districts" || parts[1] != p.DistrictID || parts[2] != "pledges" || parts[3] == "" {
			v.Add(apierr.Path("program", "pledges", i), "must name a pledge of the same district: districts/%s/pledges/{pledge}", p.DistrictID)
			continue
		}
		ids[i] = parts[3]
	}
	if err := v.Err(); err != nil {
		return err
	}
	if len(names) == 0 {
		d, err := s.pledges.District(ctx, resourcename.District.Format(p.DistrictID))
		if err != nil {
			return err
		}
		p.Term = int(d.GetCurrentTerm())
		return nil
	}
	terms := make([]int, len(names))
	found := make([]error, len(names))
	g, gctx := errgroup.WithContext(ctx)
	for i, n := range names {
		g.Go(func() error {
			ref, err := s.pledges.Lookup(gctx, n)
			if apierr.ToStatus(err).Code() == codes.NotFound { // a bad reference, not a failure
				found[i] = err
				return nil
			}
			if err == nil {
				terms[i] = ref.Term()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, err := range found {
		if err != nil {
			v.Add(apierr.Path("program", "pledges", i), "does not exist")
		} else if terms[i] != terms[0] {
			v.Add(apierr.Path("program", "pledges", i), "belongs to term %d, the first to term %d; a program serves pledges of one term", terms[i], terms[0])
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	p.Pledges, p.Term = ids, terms[0]
	return nil
}

// GetProgram returns one program.
func (s *Server) GetProgram(ctx context.Context, req *participationv1.GetProgramRequest) (*participationv1.Program, error) {
	district, id, err := parseProgram("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.store.GetProgram(ctx, district, id)
	if err != nil {
		return nil, err
	}
	return programToProto(p), nil
}

// ListPrograms lists a district's programs.
func (s *Server) ListPrograms(ctx context.Context, req *participationv1.ListProgramsRequest) (*participationv1.ListProgramsResponse, error) {
	var v apierr.Violations
	district, err := parseDistrict("parent", req.GetParent())
	v.Merge(err)
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	q := postgres.ProgramQuery{
		District: district, Token: req.GetPageToken(), Filter: req.GetFilter(), Size: size,
		Kinds: participationv1.ProgramKind_value, Statuses: participationv1.ProgramStatus_value,
	}
	if auth.PublishedOnly(ctx) {
		// Published data alone: the programs serving the published pledge
		// the policy let the caller name, whatever else the filter says.
		pledge := publishedPledge(ctx)
		if pledge == "" {
			return nil, auth.Deny(ctx, auth.ReadData, auth.In(district))
		}
		q.Pledge = pledge
	}
	list, next, err := s.store.ListPrograms(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := &participationv1.ListProgramsResponse{NextPageToken: next}
	for _, p := range list {
		resp.Programs = append(resp.Programs, programToProto(p))
	}
	return resp, nil
}

// CreateProgram adds a program after checking its pledges.
func (s *Server) CreateProgram(ctx context.Context, req *participationv1.CreateProgramRequest) (*participationv1.Program, error) {
	var v apierr.Violations
	district, err := parseDistrict("parent", req.GetParent())
	v.Merge(err)
	if req.GetProgram() == nil {
		v.Add("program", "is required")
		return nil, v.Err()
	}
	p, pledges := programFromProto(req.GetProgram())
	p.DistrictID = district
	p.ID = newID("program_id", req.GetProgramId(), &v)
	v.Merge(p.Check("program"))
	key, err := idempotency.For("CreateProgram", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.linkPledges(ctx, &p, pledges); err != nil {
		return nil, err
	}
	if req.GetValidateOnly() {
		return programToProto(p), nil
	}
	created, err := s.store.CreateProgram(ctx, p, key)
	if err != nil {
		return nil, err
	}
	return programToProto(created), nil
}

var programOutputOnly = []string{"name", "etag", "term", "recorded", "create_time", "update_time"}

// UpdateProgram changes a program.
func (s *Server) UpdateProgram(ctx context.Context, req *participationv1.UpdateProgramRequest) (*participationv1.Program, error) {
	if req.GetProgram() == nil {
		return nil, apierr.Invalid("program", "is required")
	}
	district, id, err := parseProgram("program.name", req.GetProgram().GetName())
	if err != nil {
		return nil, err
	}
	tag := req.GetProgram().GetEtag()
	if err := etag.Require("program.etag", tag); err != nil {
		return nil, err
	}
	paths := fieldmask.Paths(req.GetUpdateMask().GetPaths(), req.GetProgram())
	paths = fieldmask.Without(fieldmask.Expand(paths, req.GetProgram(), programOutputOnly...), programOutputOnly...)
	if err := fieldmask.Apply(&participationv1.Program{}, req.GetProgram(), paths); err != nil {
		return nil, err
	}
	// The pledges are checked with the pledge service before the program
	// is locked, so no lock waits on another service.
	cur, err := s.store.GetProgram(ctx, district, id)
	if err != nil {
		return nil, err
	}
	edited := programToProto(cur)
	if err := fieldmask.Apply(edited, req.GetProgram(), paths); err != nil {
		return nil, err
	}
	next, pledges := programFromProto(edited)
	next.DistrictID, next.ID = district, id
	if err := next.Check("program"); err != nil {
		return nil, err
	}
	if err := s.linkPledges(ctx, &next, pledges); err != nil {
		return nil, err
	}
	if req.GetValidateOnly() {
		if err := etag.Check(tag, cur.Name(), cur.Revision); err != nil {
			return nil, err
		}
		next.Recorded, next.Revision, next.Created, next.Updated = cur.Recorded, cur.Revision, cur.Created, cur.Updated
		return programToProto(next), nil
	}
	p, err := s.store.UpdateProgram(ctx, district, id, tag, func(p *participation.Program) error {
		// The pledges were checked for the program as read above.
		if p.Revision != cur.Revision {
			return apierr.EtagMismatch(p.Name())
		}
		next.Revision, next.Created, next.Updated = p.Revision, p.Created, p.Updated
		*p = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return programToProto(p), nil
}

// DeleteProgram removes a program and its records.
func (s *Server) DeleteProgram(ctx context.Context, req *participationv1.DeleteProgramRequest) (*emptypb.Empty, error) {
	district, id, err := parseProgram("name", req.GetName())
	if err != nil {
		return nil, err
	}
	if err := etag.Require("etag", req.GetEtag()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, s.store.DeleteProgram(ctx, district, id, req.GetEtag())
}
