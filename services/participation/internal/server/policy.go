package server

import (
	"context"
	"regexp"
	"strings"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/grpc/codes"
)

// Policy says who may call each of the participation service's methods:
//
//   - Reads of programs and their records need ReadData in the program's
//     district. A program serving a published pledge — one the pledge
//     service lets the caller read although the caller may not read the
//     district — and its tally, contest and survey results may be read by
//     anyone, as published data (masked); such a caller lists programs only
//     with a `pledges:"…"` filter naming a published pledge, and sees only
//     the programs serving it. Members, submissions, entries, questions,
//     ballots and responses are never published.
//   - Writes of programs and their records need WriteData for what the
//     departments owning the program's pledges own: a department editor
//     writes a program only when its department owns every pledge the
//     program serves (before and after an update); a program serving no
//     pledge, or a pledge without an owning department, is the district
//     admin's.
//   - Ballots and survey responses need Participate (a citizen-facing
//     system's key with the participate scope; district admins;
//     registrars) or RecordPast (the registrar's key scope) in the district;
//     submissions need that or WriteData as above. Setting the time a
//     submission, ballot or response was received needs RecordPast, which
//     the server checks (Server.at).
//   - Summaries need ReadSummaries in the parent's district (a system-wide
//     grant for `districts/-`), the audit log ReadAudit.
func Policy(store programPledges, pledges pledgev1.PledgeServiceClient) auth.Policy {
	r := rules{store: store, pledges: pledgeAccess{client: pledges}}
	const svc = "/gongyak.participation.v1.ParticipationService/"
	read := auth.InDistrict(auth.ReadData, auth.Name)
	list := auth.InDistrict(auth.ReadData, auth.Parent)
	return auth.Policy{
		svc + "GetProgram":    r.readProgram,
		svc + "ListPrograms":  r.listPrograms,
		svc + "CreateProgram": r.createProgram,
		svc + "UpdateProgram": r.updateProgram,
		svc + "DeleteProgram": r.writeProgram(auth.Name),

		svc + "GetMember":    read,
		svc + "ListMembers":  list,
		svc + "CreateMember": r.writeProgram(auth.Parent),
		svc + "UpdateMember": r.writeProgram(func(req any) string { return req.(*participationv1.UpdateMemberRequest).GetMember().GetName() }),
		svc + "DeleteMember": r.writeProgram(auth.Name),

		svc + "GetSubmission":    read,
		svc + "ListSubmissions":  list,
		svc + "CreateSubmission": r.takePart(true),
		svc + "UpdateSubmission": r.writeProgram(func(req any) string { return req.(*participationv1.UpdateSubmissionRequest).GetSubmission().GetName() }),
		svc + "DeleteSubmission": r.writeProgram(auth.Name),

		svc + "GetEntry":    read,
		svc + "ListEntries": list,
		svc + "CreateEntry": r.writeProgram(auth.Parent),
		svc + "UpdateEntry": r.writeProgram(func(req any) string { return req.(*participationv1.UpdateEntryRequest).GetEntry().GetName() }),
		svc + "DeleteEntry": r.writeProgram(auth.Name),

		svc + "ListBallots":  list,
		svc + "CreateBallot": r.takePart(false),

		svc + "GetQuestion":    read,
		svc + "ListQuestions":  list,
		svc + "CreateQuestion": r.writeProgram(auth.Parent),
		svc + "UpdateQuestion": r.writeProgram(func(req any) string { return req.(*participationv1.UpdateQuestionRequest).GetQuestion().GetName() }),
		svc + "DeleteQuestion": r.writeProgram(auth.Name),

		svc + "ListResponses":  list,
		svc + "CreateResponse": r.takePart(false),

		svc + "GetTally":          r.readProgram,
		svc + "GetContestResults": r.readProgram,
		svc + "GetSurveyResults":  r.readProgram,

		// Batches are bulk loads: they need over the whole district what
		// their single method needs (a department editor, whose write
		// permission covers its own pledges' programs, adds their records
		// one at a time).
		svc + "BatchCreateMembers":     auth.InDistrict(auth.WriteData, auth.Parent),
		svc + "BatchCreateSubmissions": r.takePartInBatches(true),
		svc + "BatchCreateBallots":     r.takePartInBatches(false),

		svc + "SummarizePrograms": auth.InDistrict(auth.ReadSummaries, auth.Parent),
		svc + "ListAuditEvents":   auth.InDistrict(auth.ReadAudit, auth.Parent),
		// A district's bulk export and import (pkg/bulk), for the pledge
		// service's: a stream's rule sees no request, so the handler checks
		// the district once it has read it (readers export, those who
		// create districts import).
		svc + "ExportDistrictData": auth.Signed,
		svc + "ImportDistrictData": auth.Signed,
	}
}

// programPledges is what the policy asks of the store: the ids of the
// pledges a program serves.
type programPledges interface {
	ProgramPledges(ctx context.Context, district, id string) ([]string, error)
}

type rules struct {
	store   programPledges
	pledges pledgeAccess
}

// programOf reads the district and program ids out of the name of a
// program or of anything under one; id is "" when name is not such.
func programOf(name string) (district, id string) {
	if ids, ok := resourcename.Program.MatchPrefix(name); ok {
		return ids[0], ids[1]
	}
	return auth.DistrictOf(name), ""
}

func pledgeName(district, id string) string { return resourcename.Pledge.Format(district, id) }

// readProgram lets those who read the district read a program and its
// results, and anyone read those of a program serving a published pledge.
func (r rules) readProgram(ctx context.Context, req any) (context.Context, error) {
	district, id := programOf(auth.Name(req))
	t := auth.In(district)
	if auth.FromContext(ctx).Can(auth.ReadData, t) {
		return ctx, nil
	}
	if id == "" {
		return nil, auth.Deny(ctx, auth.ReadData, t)
	}
	pledges, err := r.store.ProgramPledges(ctx, district, id)
	if apierr.ToStatus(err).Code() == codes.NotFound {
		// Whether it exists is not published either.
		return nil, auth.Deny(ctx, auth.ReadData, t)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range pledges {
		ok, err := r.pledges.readable(ctx, pledgeName(district, p))
		if err != nil {
			return nil, err
		}
		if ok {
			return auth.WithPublishedOnly(ctx), nil
		}
	}
	return nil, auth.Deny(ctx, auth.ReadData, t)
}

// filterPledges finds the pledges a list filter names (`pledges:"…"`).
var filterPledges = regexp.MustCompile(`pledges\s*:\s*"([^"]*)"`)

// listPrograms lets those who read the district list its programs, and
// anyone list the programs serving a published pledge its filter names.
func (r rules) listPrograms(ctx context.Context, req any) (context.Context, error) {
	district := auth.DistrictOf(auth.Parent(req))
	t := auth.In(district)
	if auth.FromContext(ctx).Can(auth.ReadData, t) {
		return ctx, nil
	}
	for _, m := range filterPledges.FindAllStringSubmatch(req.(*participationv1.ListProgramsRequest).GetFilter(), 5) {
		parts := strings.Split(m[1], "/")
		if len(parts) != 4 || parts[0] != "districts" || parts[1] != district || parts[2] != "pledges" || parts[3] == "" {
			continue
		}
		ok, err := r.pledges.readable(ctx, m[1])
		if err != nil {
			return nil, err
		}
		if ok {
			return withPublishedPledge(auth.WithPublishedOnly(ctx), parts[3]), nil
		}
	}
	return nil, auth.Deny(ctx, auth.ReadData, t)
}

type publishedPledgeKey struct{}

func withPublishedPledge(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, publishedPledgeKey{}, id)
}

// publishedPledge is the id of the published pledge whose programs a
// reader of published data may list.
func publishedPledge(ctx context.Context) string {
	id, _ := ctx.Value(publishedPledgeKey{}).(string)
	return id
}

// writeProgram needs WriteData for what the owners of the pledges of the
// program named by name (the program, or something under it) own.
func (r rules) writeProgram(name func(any) string) auth.Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		district, id := programOf(name(req))
		return r.mayWrite(ctx, district, func() ([][]string, error) {
			pledges, err := r.program(ctx, district, id)
			return [][]string{pledges}, err
		})
	}
}

// program returns the pledges the program serves.
func (r rules) program(ctx context.Context, district, id string) ([]string, error) {
	if id == "" {
		return nil, nil // a bad name: the department editor is refused, others hear why
	}
	return r.store.ProgramPledges(ctx, district, id)
}

// createProgram needs WriteData for what the owners of the new program's
// pledges own.
func (r rules) createProgram(ctx context.Context, req any) (context.Context, error) {
	c := req.(*participationv1.CreateProgramRequest)
	district := auth.DistrictOf(c.GetParent())
	return r.mayWrite(ctx, district, func() ([][]string, error) {
		return [][]string{pledgeIDs(district, c.GetProgram().GetPledges())}, nil
	})
}

// updateProgram needs WriteData for what the owners of the program's
// pledges own, both those it serves and those the update gives it.
func (r rules) updateProgram(ctx context.Context, req any) (context.Context, error) {
	u := req.(*participationv1.UpdateProgramRequest)
	district, id := programOf(u.GetProgram().GetName())
	return r.mayWrite(ctx, district, func() ([][]string, error) {
		before, err := r.program(ctx, district, id)
		if err != nil || !touches(u.GetUpdateMask().GetPaths(), u.GetProgram(), "pledges") {
			return [][]string{before}, err
		}
		return [][]string{before, pledgeIDs(district, u.GetProgram().GetPledges())}, nil
	})
}

// pledgeIDs are the ids of the pledges of district that names name; the
// others are left to the server, which refuses them naming the field.
func pledgeIDs(district string, names []string) []string {
	var out []string
	for _, n := range names {
		parts := strings.Split(n, "/")
		if len(parts) == 4 && parts[0] == "districts" && parts[1] == district && parts[2] == "pledges" && parts[3] != "" {
			out = append(out, parts[3])
		}
	}
	return out
}

// mayWrite lets a caller who writes the whole district write, and a
// department editor write when its department owns every pledge of each
// set that pledgeSets returns; a set without pledges is the district
// admin's. The pledges are looked up only for department editors.
func (r rules) mayWrite(ctx context.Context, district string, pledgeSets func() ([][]string, error)) (context.Context, error) {
	p := auth.FromContext(ctx)
	t := auth.In(district)
	if p.Can(auth.WriteData, t) {
		return ctx, nil
	}
	if len(p.Departments(district)) == 0 {
		return nil, auth.Deny(ctx, auth.WriteData, t)
	}
	sets, err := pledgeSets()
	if err != nil {
		return nil, err
	}
	if t.Departments, err = r.owners(ctx, district, sets); err != nil {
		return nil, err
	}
	if !p.Can(auth.WriteData, t) {
		return nil, auth.Deny(ctx, auth.WriteData, t)
	}
	return ctx, nil
}

// owners are the departments owning the pledges of sets, nil when a set is
// empty or one of its pledges has no owning department (the district
// admin's). Pledges the pledge service does not know are left out: the
// server refuses them.
func (r rules) owners(ctx context.Context, district string, sets [][]string) ([]string, error) {
	var out []string
	for _, set := range sets {
		known := 0
		for _, id := range set {
			dep, found, err := r.pledges.owner(ctx, pledgeName(district, id))
			switch {
			case err != nil:
				return nil, err
			case !found:
				continue
			case dep == "":
				return nil, nil
			}
			known++
			if !contains(out, dep) {
				out = append(out, dep)
			}
		}
		if known == 0 {
			return nil, nil
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// takePart lets a caller who may take part in the district (Participate),
// or record what citizens did (RecordPast), cast a ballot, answer a survey
// or file a submission; a submission may also be filed by whoever may
// write the program.
func (r rules) takePart(submission bool) auth.Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		district, id := programOf(auth.Parent(req))
		t := auth.In(district)
		p := auth.FromContext(ctx)
		if p.Can(auth.Participate, t) || p.Can(auth.RecordPast, t) {
			return ctx, nil
		}
		if !submission || len(p.Departments(district)) == 0 && !p.Can(auth.WriteData, t) {
			return nil, auth.Deny(ctx, auth.Participate, t)
		}
		return r.writeProgram(func(any) string { return programName(district, id) })(ctx, req)
	}
}

func programName(district, id string) string { return resourcename.Program.Format(district, id) }

// takePartInBatches lets a caller who may take part in the district, or
// record what citizens did, cast ballots or file submissions in batches;
// submissions also a caller who writes the whole district.
func (r rules) takePartInBatches(submissions bool) auth.Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		t := auth.In(auth.DistrictOf(auth.Parent(req)))
		p := auth.FromContext(ctx)
		if p.Can(auth.Participate, t) || p.Can(auth.RecordPast, t) || submissions && p.Can(auth.WriteData, t) {
			return ctx, nil
		}
		return nil, auth.Deny(ctx, auth.Participate, t)
	}
}
