package resourcename

// The API's name patterns, as the protos' resource annotations declare
// them.
var (
	District             = MustPattern("districts/{district}")
	Department           = MustPattern("districts/{district}/departments/{department}")
	Pledge               = MustPattern("districts/{district}/pledges/{pledge}")
	StatusChange         = MustPattern("districts/{district}/pledges/{pledge}/statusChanges/{status_change}")
	Photo                = MustPattern("districts/{district}/pledges/{pledge}/photos/{n}")
	ImplementationReport = MustPattern("districts/{district}/implementationReport")
	APIKey               = MustPattern("apiKeys/{api_key}")
	DistrictAPIKey       = MustPattern("districts/{district}/apiKeys/{api_key}")
	AuditEvent           = MustPattern("districts/{district}/auditEvents/{audit_event}")

	Budget      = MustPattern("districts/{district}/pledges/{pledge}/budget")
	Indicator   = MustPattern("districts/{district}/pledges/{pledge}/indicators/{indicator}")
	Achievement = MustPattern("districts/{district}/pledges/{pledge}/achievement")

	Program    = MustPattern("districts/{district}/programs/{program}")
	Member     = MustPattern("districts/{district}/programs/{program}/members/{member}")
	Submission = MustPattern("districts/{district}/programs/{program}/submissions/{submission}")
	Entry      = MustPattern("districts/{district}/programs/{program}/entries/{entry}")
	Ballot     = MustPattern("districts/{district}/programs/{program}/ballots/{ballot}")
	Question   = MustPattern("districts/{district}/programs/{program}/questions/{question}")
	Response   = MustPattern("districts/{district}/programs/{program}/responses/{response}")

	Webhook    = MustPattern("districts/{district}/webhooks/{webhook}")
	Delivery   = MustPattern("districts/{district}/webhooks/{webhook}/deliveries/{delivery}")
	DeadLetter = MustPattern("districts/{district}/webhooks/{webhook}/deadLetters/{dead_letter}")
)

// A program's results are singletons under it.
var (
	Tally          = MustPattern("districts/{district}/programs/{program}/tally")
	ContestResults = MustPattern("districts/{district}/programs/{program}/contestResults")
	SurveyResults  = MustPattern("districts/{district}/programs/{program}/surveyResults")
)

// programRecords are the patterns of a program's records by collection,
// the name their tables also go by.
var programRecords = map[string]Pattern{
	"members": Member, "submissions": Submission, "entries": Entry,
	"ballots": Ballot, "questions": Question, "responses": Response,
}

// ProgramRecord is the pattern of a program's records in collection
// (members, submissions, entries, ballots, questions or responses), for
// the code that handles them alike. It panics on another collection, a
// mistake in the code.
func ProgramRecord(collection string) Pattern {
	p, ok := programRecords[collection]
	if !ok {
		panic("resourcename: a program has no " + collection)
	}
	return p
}
