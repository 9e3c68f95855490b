package pledge

// The rules of importing a card's pledge: which stored pledge the card
// is, which departments it names and which are new, what a card written
// over a stored pledge keeps of it, and what the status history records.
// The store reads what they need in the import's transaction and writes
// what they decide.

// ImportReason is why the status history says an import set a status.
const ImportReason = "imported from a card"

// CardDepartments are the departments a card names by display name: the
// owning one (소관부서), with the card's team, and the related ones
// (관련부서).
type CardDepartments struct {
	Owning  string
	Team    string
	Related []string
}

// Names are the display names the card gives, the owning one first, each
// once.
func (c CardDepartments) Names() []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range append([]string{c.Owning}, c.Related...) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// Transition is a change of status the history records.
type Transition struct {
	From, To Status
	Reason   string
}

// CardImport is what the import of a card's pledge is decided from: the
// card's pledge and departments, and what its district holds.
type CardImport struct {
	// Pledge is the card's pledge, in its district and term; a new one
	// keeps its id, or gets one when it has none.
	Pledge      Pledge
	Term        Term
	Departments CardDepartments
	// Existing are the district's departments.
	Existing []Department
	// Candidates are stored pledges of the term that may be the card's
	// (a live one with its code or title, at least).
	Candidates []Pledge
	// Keep, when set, puts back into a card written over a stored pledge
	// what the card does not carry.
	Keep func(prev Pledge, next *Pledge)
}

// ImportPlan is what an import writes of a card's pledge.
type ImportPlan struct {
	// NewDepartments are the departments the card names that the
	// district lacks, to be created first.
	NewDepartments []Department
	// Pledge is the pledge to write: created when Previous is nil, else
	// written over Previous, with Previous's status (Status changes it).
	Pledge   Pledge
	Previous *Pledge
	// Status is the change of status the history records, nil for none.
	Status *Transition
}

// Created reports whether the plan creates the pledge.
func (pl ImportPlan) Created() bool { return pl.Previous == nil }

// PlanImport decides the import of a card's pledge: the departments it
// names are the district's of the same display name, or new ones (the
// owning one with the card's team); the pledge is the stored one with its
// identity (SameIdentity), written over with what the card carries
// (Reimport), or a new one. The pledge written is normalized and checked
// as a whole; a refusal names pledge fields (or department fields, for a
// new department's name).
func PlanImport(in CardImport) (ImportPlan, error) {
	var plan ImportPlan
	p := in.Pledge
	byName := map[string]string{}
	known := map[string]bool{}
	for _, d := range in.Existing {
		byName[d.DisplayName] = d.ID
		known[d.ID] = true
	}
	for _, name := range in.Departments.Names() {
		if byName[name] != "" {
			continue
		}
		dep := Department{DistrictID: p.DistrictID, ID: NewID(), DisplayName: name}
		if in.Departments.Team != "" && name == in.Departments.Owning {
			dep.Teams = []string{in.Departments.Team}
		}
		if err := dep.Check("department"); err != nil {
			return plan, err
		}
		byName[name] = dep.ID
		known[dep.ID] = true
		plan.NewDepartments = append(plan.NewDepartments, dep)
	}
	p.OwningDepartment = byName[in.Departments.Owning]
	for _, r := range in.Departments.Related {
		p.RelatedDepartments = append(p.RelatedDepartments, byName[r])
	}

	prev, found := IdentityMatch(p, in.Candidates)
	if !found {
		if p.ID == "" {
			p.ID = NewID()
		}
		plan.Pledge = p
		err := plan.Pledge.Validate("pledge", in.Term, known)
		plan.Status = &Transition{From: StatusUnspecified, To: plan.Pledge.Status, Reason: ImportReason}
		return plan, err
	}
	next, status := Reimport(prev, p, in.Keep)
	plan.Pledge, plan.Previous = next, &prev
	if status != prev.Status {
		plan.Status = &Transition{From: prev.Status, To: status, Reason: ImportReason}
	}
	// What the card keeps of the stored pledge was accepted when it was
	// stored: its departments are known.
	for _, id := range append([]string{prev.OwningDepartment}, prev.RelatedDepartments...) {
		known[id] = true
	}
	return plan, plan.Pledge.Validate("pledge", in.Term, known)
}

// SameIdentity reports whether other is the pledge p stands for: another
// live pledge of p's district and term with p's code or, when p has no
// code, with no code and p's title. A term holds one pledge of an
// identity.
func (p Pledge) SameIdentity(other Pledge) bool {
	if other.DistrictID != p.DistrictID || other.Term != p.Term || other.ID == p.ID || !other.DeleteTime.IsZero() {
		return false
	}
	if p.Code != "" {
		return other.Code == p.Code
	}
	return other.Code == "" && other.Title == p.Title
}

// IdentityMatch returns the candidate with p's identity.
func IdentityMatch(p Pledge, candidates []Pledge) (Pledge, bool) {
	for _, c := range candidates {
		if p.SameIdentity(c) {
			return c, true
		}
	}
	return Pledge{}, false
}

// Reimport is card written over prev, the stored pledge with its
// identity. The result keeps prev's id and status (a change of status is
// recorded apart: status is the one the card gives, prev's when it gives
// none), the files of prev's photos by position where the card's photo
// has none, and — through keep, when set — each field the card does not
// carry.
func Reimport(prev, card Pledge, keep func(prev Pledge, next *Pledge)) (next Pledge, status Status) {
	next = card
	next.ID = prev.ID
	status = card.Status
	if status == StatusUnspecified {
		status = prev.Status
	}
	next.Status = prev.Status
	next.Photos = append([]Photo(nil), card.Photos...)
	for i := range next.Photos {
		if i < len(prev.Photos) && next.Photos[i].URI == "" {
			next.Photos[i].URI = prev.Photos[i].URI
		}
	}
	if keep != nil {
		keep(prev, &next)
	}
	return next, status
}
