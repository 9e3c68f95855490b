package server

import (
	"context"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"google.golang.org/protobuf/proto"
)

// View writes a stored value of a program in district as the API shows it
// to a caller who may not see personal data: what the audit log keeps.
// Ballots never carry who cast them.
func View(district, program string, v any) proto.Message {
	switch x := v.(type) {
	case participation.Program:
		return programToProto(x)
	case participation.Member:
		return memberToProto(district, program, x, true)
	case participation.Submission:
		return submissionToProto(district, program, x, true)
	case participation.Entry:
		return entryToProto(district, program, x)
	case participation.Question:
		return questionToProto(district, program, x)
	case participation.Ballot:
		return ballotToProto(district, program, x)
	case participation.Response:
		return responseToProto(district, program, maskAnswers(x))
	}
	return nil
}

// ListAuditEvents lists the participation service's audit events of a
// district (or of every district, for `districts/-`), a page at a time.
func (s *Server) ListAuditEvents(ctx context.Context, req *typev1.ListAuditEventsRequest) (*typev1.ListAuditEventsResponse, error) {
	return audit.ListOne(ctx, req, s.store.AuditEvents)
}
