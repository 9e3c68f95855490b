package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/gongyak/gongyak/pkg/filter/filtertest"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// A poller asks for the indicators changed since it last looked and gets
// the one that changed, not the one that did not.
func TestListIndicatorsFiltersOnUpdateTime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var created []*indicatorv1.Indicator
	for _, title := range []string{"TF 운영", "조례 제정"} {
		i := cardIndicator()
		i.Title = title
		got, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: e.pledges.Card, Indicator: i})
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, got)
	}
	since := created[1].GetUpdateTime().AsTime()
	changed, err := e.indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{
		Indicator:  &indicatorv1.Indicator{Name: created[0].GetName(), Etag: created[0].GetEtag(), Title: "TF 운영 (개정)"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !changed.GetUpdateTime().AsTime().After(since) {
		t.Fatalf("the update left update_time at %v, not after %v", changed.GetUpdateTime().AsTime(), since)
	}
	list := func(filter string) []string {
		t.Helper()
		resp, err := e.indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: e.pledges.Card, Filter: filter})
		if err != nil {
			t.Fatalf("filter %q: %v", filter, err)
		}
		var titles []string
		for _, i := range resp.GetIndicators() {
			titles = append(titles, i.GetTitle())
		}
		return titles
	}
	at := since.Format("2006-01-02T15:04:05.999999999Z07:00")
	for filter, want := range map[string][]string{
		"":                                               {"TF 운영 (개정)", "조례 제정"},
		fmt.Sprintf("update_time > %q", at):              {"TF 운영 (개정)"},
		fmt.Sprintf("update_time >= %q", at):             {"TF 운영 (개정)", "조례 제정"},
		fmt.Sprintf("update_time <= %q", at):             {"조례 제정"},
		fmt.Sprintf("update_time < %q", at):              nil,
		fmt.Sprintf(`update_time > %q AND term = 8`, at): nil,
	} {
		if got := list(filter); !slices.Equal(got, want) {
			t.Errorf("filter %q: %q, want %q", filter, got, want)
		}
	}
}

func TestListIndicatorsRefusesAFilterItCannotHonour(t *testing.T) {
	e := newEnv(t)
	filtertest.Refused(t, "ListIndicators", func(filter string) error {
		_, err := e.indicators.ListIndicators(context.Background(), &indicatorv1.ListIndicatorsRequest{Parent: e.pledges.Card, Filter: filter})
		return err
	})
}
