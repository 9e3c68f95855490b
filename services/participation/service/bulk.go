package service

import (
	"github.com/gongyak/gongyak/pkg/bulk"
	"github.com/gongyak/gongyak/pkg/personal"
)

// bulkTables are the participation service's district data, each table
// after those it refers to. Members' and proposers' names, phones and
// e-mails and free-text answers are personal data; ballots and responses
// carry the citizen's keyed hash, which only a suite with the same key
// can use (the header's fingerprint says which key).
var bulkTables = []bulk.Table{
	{Name: "programs", District: "district_id", Order: "id"},
	{Name: "members", District: "district_id", Order: "program_id, id", Personal: person("person_")},
	{Name: "submissions", District: "district_id", Order: "program_id, id", Personal: person("proposer_")},
	{Name: "entries", District: "district_id", Order: "program_id, id"},
	{Name: "ballots", District: "district_id", Order: "program_id, id", CitizenKeyed: true},
	{Name: "ballot_scores", District: "district_id", Order: "program_id, ballot_id, entry_id"},
	{Name: "questions", District: "district_id", Order: "program_id, id"},
	{Name: "responses", District: "district_id", Order: "program_id, id", CitizenKeyed: true},
	{Name: "answers", District: "district_id", Order: "program_id, response_id, question_id",
		Personal: map[string]bulk.Mask{"text": bulk.Text(func(string) string { return "***" })}},
}

// person masks the name, phone and e-mail columns that start with prefix.
func person(prefix string) map[string]bulk.Mask {
	return map[string]bulk.Mask{prefix + "name": bulk.Text(personal.MaskName), prefix + "phone": bulk.Text(personal.MaskPhone),
		prefix + "email": bulk.Text(personal.MaskEmail)}
}
