package resourcename

// The API's name patterns, as the protos' resource annotations declare
// them (photos, deliveries and dead letters, which have none, as their
// methods read them). A photo is numbered by its place in the card (n,
// from 1), so its pattern says its type.
var (
	District             = pattern("districts/{district}")
	Department           = pattern("districts/{district}/departments/{department}")
	Pledge               = pattern("districts/{district}/pledges/{pledge}")
	StatusChange         = pattern("districts/{district}/pledges/{pledge}/statusChanges/{status_change}")
	Photo                = typedPattern("districts/{district}/pledges/{pledge}/photos/{n}", "photo")
	ImplementationReport = pattern("districts/{district}/implementationReport")
	APIKey               = pattern("apiKeys/{api_key}")
	DistrictAPIKey       = pattern("districts/{district}/apiKeys/{api_key}")
	AuditEvent           = pattern("districts/{district}/auditEvents/{audit_event}")

	Budget      = pattern("districts/{district}/pledges/{pledge}/budget")
	Indicator   = pattern("districts/{district}/pledges/{pledge}/indicators/{indicator}")
	Achievement = pattern("districts/{district}/pledges/{pledge}/achievement")

	Program    = pattern("districts/{district}/programs/{program}")
	Member     = pattern("districts/{district}/programs/{program}/members/{member}")
	Submission = pattern("districts/{district}/programs/{program}/submissions/{submission}")
	Entry      = pattern("districts/{district}/programs/{program}/entries/{entry}")
	Ballot     = pattern("districts/{district}/programs/{program}/ballots/{ballot}")
	Question   = pattern("districts/{district}/programs/{program}/questions/{question}")
	Response   = pattern("districts/{district}/programs/{program}/responses/{response}")

	Webhook    = pattern("districts/{district}/webhooks/{webhook}")
	Delivery   = pattern("districts/{district}/webhooks/{webhook}/deliveries/{delivery}")
	DeadLetter = pattern("districts/{district}/webhooks/{webhook}/deadLetters/{dead_letter}")
)

// A program's results are singletons under it.
var (
	Tally          = pattern("districts/{district}/programs/{program}/tally")
	ContestResults = pattern("districts/{district}/programs/{program}/contestResults")
	SurveyResults  = pattern("districts/{district}/programs/{program}/surveyResults")
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

// all are the API's patterns, which TypeOf reads names by.
var all []Pattern

// pattern is MustPattern for the API's own patterns: it adds each to all.
func pattern(text string) Pattern { return typedPattern(text, "") }

// typedPattern is pattern with the type typ, where the pattern's last
// variable is not named after its resources.
func typedPattern(text, typ string) Pattern {
	p := MustPattern(text)
	if typ != "" {
		p.typ = typ
	}
	all = append(all, p)
	return p
}
