package server

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/importflow"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// ImportPledgeCard reads a text card and hands it to the import workflow
// (package importflow), which writes it through every service's API and
// finishes or undoes it even across a crash. A request_id makes a retry
// return the first import's result.
func (s *PledgeServer) ImportPledgeCard(ctx context.Context, req *pledgev1.ImportPledgeCardRequest) (*pledgev1.ImportPledgeCardResponse, error) {
	district, err := pledge.ParseDistrictName("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.GetCardText()) == "" {
		return nil, apierr.Invalid("card_text", "is empty")
	}
	// The key checks the request_id and tells a retry from another
	// request reusing it.
	key, err := idempotency.For("ImportPledgeCard", req.GetRequestId(), req)
	if err != nil {
		return nil, err
	}
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, err
	}
	card, warnings, err := cardtext.Parse(req.GetCardText(), cardtext.Options{DistrictKind: pledgev1.DistrictKind(d.Kind)})
	if err != nil {
		return nil, apierr.Invalid("card_text", "%s", err.Error())
	}
	resp := &pledgev1.ImportPledgeCardResponse{}
	for _, w := range warnings {
		resp.Warnings = append(resp.Warnings, &pledgev1.ImportWarning{Line: int32(w.Line), Text: w.Text, Message: w.Message})
	}
	if req.GetStrict() && len(warnings) > 0 {
		var v apierr.Violations
		for _, w := range warnings {
			v.Add("card_text", "line %d: %s", w.Line, w.Message)
		}
		return nil, v.Err()
	}
	p, err := pledgeFromProto(card.Pledge, district)
	if err != nil {
		return nil, err
	}
	p.Term = int(req.GetTerm())
	if p.Term == 0 {
		if t, first, ok := termOfCard(d, card); ok {
			p.Term = t.Number
			resp.Warnings = append(resp.Warnings, &pledgev1.ImportWarning{Message: fmt.Sprintf(
				"the card's years begin in %d, so it belongs to %s (give term to choose another)", first, t.DisplayName)})
		}
	}
	return s.imports.Import(ctx, importflow.Request{
		District: d, Card: card, Pledge: p, RequestID: req.GetRequestId(), ValidateOnly: req.GetValidateOnly(),
		Digest: hex.EncodeToString(key.Fingerprint), Response: resp,
	})
}

// termOfCard picks the term a card without one belongs to: the last term
// that began by the card's first year (its earliest yearly goal or budget
// year). A 민선 7기 card plans 2018–2022, and 2022 is also 8기's first year,
// so the first year, not the last, tells them apart. ok is false when the
// card names no year or its first year precedes every term.
func termOfCard(d pledge.District, card *cardtext.Card) (t pledge.Term, first int, ok bool) {
	for _, g := range card.Pledge.GetYearlyGoals() {
		if y := int(g.GetYear()); y > 0 && (first == 0 || y < first) {
			first = y
		}
	}
	for _, l := range card.Budget {
		if y := int(l.GetYear()); y > 0 && (first == 0 || y < first) {
			first = y
		}
	}
	if first == 0 {
		return t, 0, false
	}
	for _, c := range d.Terms {
		if c.Start.Year <= first && (!ok || c.Start.Year > t.Start.Year) {
			t, ok = c, true
		}
	}
	return t, first, ok
}
