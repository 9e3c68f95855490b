package pledge

import "fmt"

// Conflict is a pledge of a batch that names one there already: its
// Field (pledge_id, pledge.code or pledge.title) and why.
type Conflict struct {
	Index       int
	Field       string
	Description string
}

// BatchConflicts checks a batch of new pledges, each against the ids
// taken and the live stored pledges that may share its identity (stored),
// and against the pledges earlier in the batch: an id must be free, and a
// term holds one pledge of an identity (SameIdentity). A pledge may
// conflict both ways.
func BatchConflicts(batch, stored []Pledge, taken map[string]bool) []Conflict {
	var out []Conflict
	used := map[string]bool{}
	var accepted []int // the batch's pledges whose identity is theirs
	for i, p := range batch {
		if taken[p.ID] || used[p.ID] {
			out = append(out, Conflict{Index: i, Field: "pledge_id",
				Description: fmt.Sprintf("%s exists already, or comes earlier in the batch", p.Name())})
		}
		used[p.ID] = true
		other := ""
		if s, ok := IdentityMatch(p, stored); ok {
			other = "pledge " + s.Name()
		} else {
			for _, j := range accepted {
				if p.SameIdentity(batch[j]) {
					other = fmt.Sprintf("requests[%d]", j)
					break
				}
			}
		}
		if other == "" {
			accepted = append(accepted, i)
			continue
		}
		what := "title"
		if p.Code != "" {
			what = "code"
		}
		out = append(out, Conflict{Index: i, Field: "pledge." + what,
			Description: fmt.Sprintf("%s of term %d already has this %s", other, p.Term, what)})
	}
	return out
}
