package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// suiteLoads are the suite's paths under load, each in turn.
type suiteLoads struct {
	api       *rest
	grpcAddr  string
	shape     shape
	districts []string // ids of loaded districts
	pledge    string   // the pledge the reads read: districts/{d}/pledges/{p}
}

func (s *suiteLoads) get(path string) vegeta.Targeter {
	return staticTarget(http.MethodGet, s.api.base+path, s.api.header)
}

// restGetPledge is GET of one pledge.
func (s *suiteLoads) restGetPledge() figure {
	return httpLoad("get-pledge", s.shape, s.get("/v1/"+s.pledge), nil, nil)
}

// grpcGetPledge is the same over gRPC, with ghz.
func (s *suiteLoads) grpcGetPledge() (figure, error) {
	return grpcLoad(s.shape, s.grpcAddr, "gongyak.pledge.v1.PledgeService.GetPledge",
		[]protoreflect.FileDescriptor{pledgev1.File_gongyak_pledge_v1_pledge_service_proto},
		&pledgev1.GetPledgeRequest{Name: s.pledge}, map[string]string{"authorization": s.api.header.Get("Authorization")})
}

// listQuery is the list the bench times: every district's pledges of 민선
// 8기 that a Korean word finds.
var listQuery = "/v1/districts/-/pledges?" + url.Values{"filter": {"term = 8"}, "query": {"돌봄"}}.Encode()

func (s *suiteLoads) list() figure { return httpLoad("list", s.shape, s.get(listQuery), nil, nil) }

func (s *suiteLoads) card() figure {
	return httpLoad("card", s.shape, s.get("/v1/"+s.pledge+":card"), nil, nil)
}

// reportPath is the implementation report of every district.
const reportPath = "/v1/districts/-/implementationReport"

func (s *suiteLoads) report() figure { return httpLoad("report", s.shape, s.get(reportPath), nil, nil) }

// plan is a budget a worker of the update load owns while it updates it.
type plan struct {
	path       string // /v1/districts/{d}/pledges/{p}/budget
	name, etag string
	days       [2]map[string]any // asOfDate and the day before, sent in turn
	n          int
}

// budgetUpdates has each worker update a budget of its own (its etag never
// collides with another's), sending the etag of its last answer; it
// returns the figure, in which 409s are counted apart.
func (s *suiteLoads) budgetUpdates() (figure, error) {
	pool := make(chan *plan, s.shape.Conns)
	byURL := map[string]*plan{}
	for i := 0; len(pool) < s.shape.Conns && i < 4*s.shape.Conns; i++ {
		d := s.districts[i%len(s.districts)]
		path := fmt.Sprintf("/v1/districts/%s/pledges/p8-%03d/budget", d, 2+i/len(s.districts))
		b, err := s.api.object(http.MethodGet, path, nil)
		if err != nil {
			continue // a pledge without a plan
		}
		p := &plan{path: path, name: fmt.Sprint(b["name"]), etag: fmt.Sprint(b["etag"])}
		day, ok := b["asOfDate"].(map[string]any)
		if !ok {
			continue
		}
		t := time.Date(int(day["year"].(float64)), time.Month(day["month"].(float64)), int(day["day"].(float64)), 0, 0, 0, 0, time.UTC)
		before := t.AddDate(0, 0, -1)
		p.days = [2]map[string]any{day, {"year": before.Year(), "month": int(before.Month()), "day": before.Day()}}
		pool <- p
		byURL[s.api.base+path+"?updateMask=as_of_date"] = p
	}
	if len(pool) < s.shape.Conns {
		return figure{}, fmt.Errorf("found %d budgets with an as-of date to update, want %d", len(pool), s.shape.Conns)
	}
	header := s.api.header.Clone()
	header.Set("Content-Type", "application/json")
	next := func(t *vegeta.Target) error {
		p := <-pool // blocks until a worker's last update of it is answered
		p.n++
		body, _ := json.Marshal(map[string]any{"name": p.name, "etag": p.etag, "asOfDate": p.days[p.n%2]})
		*t = vegeta.Target{Method: http.MethodPatch, URL: s.api.base + p.path + "?updateMask=as_of_date", Body: body, Header: header}
		return nil
	}
	var refetchErr error
	seen := func(r *vegeta.Result) {
		p := byURL[r.URL]
		var b struct{ Etag string }
		if r.Code == http.StatusOK && json.Unmarshal(r.Body, &b) == nil && b.Etag != "" {
			p.etag = b.Etag
		} else if m, err := s.api.object(http.MethodGet, p.path, nil); err == nil {
			p.etag = fmt.Sprint(m["etag"]) // after a refusal, start again from what is there
		} else {
			refetchErr = err
		}
		pool <- p
	}
	f := httpLoad("budget-update", s.shape, next, seen, nil)
	return f, refetchErr
}

// ballotCount is what the ballot load cast and what the program counted.
type ballotCount struct {
	Accepted int64 // answered 200
	Unsure   int64 // answered otherwise after being sent (may or may not be kept)
	Counted  int64 // the program's tally afterwards
}

// Holds reports whether no ballot was lost or doubled: every accepted
// ballot is counted once, and only an unsure one may be counted besides.
// With none accepted there is nothing to show, and it does not hold.
func (c ballotCount) Holds() bool {
	return c.Accepted > 0 && c.Counted >= c.Accepted && c.Counted <= c.Accepted+c.Unsure
}

// ballots opens an evaluation (a policy competition voting now) in the
// first district, with six entries, and has each request cast a ballot of
// a citizen of its own; afterwards it reads the tally. The evaluation
// serves no pledge: one serving the measured pledge would add its ballots'
// results to that pledge's card, which then grew heavier with every run
// of the bench kept in the same data.
func (s *suiteLoads) ballots() (figure, ballotCount, error) {
	var count ballotCount
	d := s.districts[0]
	now := time.Now()
	// Request ids are the caller's across programs: each run its own.
	run := fmt.Sprintf("bench-%d", now.Unix())
	prog, err := s.api.object(http.MethodPost, fmt.Sprintf("/v1/districts/%s/programs?programId=%s", d, run), map[string]any{
		"kind": "PROGRAM_KIND_POLICY_COMPETITION", "title": "성능 측정 평가",
		"votingWindow":   map[string]string{"openTime": now.Add(-time.Hour).Format(time.RFC3339), "closeTime": now.Add(2 * time.Hour).Format(time.RFC3339)},
		"ballotScaleMax": 5, "citizenWeightPercent": 50, "panelWeightPercent": 50,
	})
	if err != nil {
		return figure{}, count, fmt.Errorf("opening the evaluation: %w", err)
	}
	program := fmt.Sprint(prog["name"])
	var entries []string
	for i, title := range []string{"마을 돌봄 공유 부엌", "청년 창업 공유 사무실", "어르신 디지털 배움터", "골목 상권 온라인 장터", "아이 안심 등하굣길", "탄소중립 실천 포인트"} {
		e, err := s.api.object(http.MethodPost, "/v1/"+program+"/entries", map[string]any{"title": title, "panelScore": fmt.Sprint(70 + 4*i)})
		if err != nil {
			return figure{}, count, fmt.Errorf("adding an entry: %w", err)
		}
		entries = append(entries, fmt.Sprint(e["name"]))
	}
	header := s.api.header.Clone()
	header.Set("Content-Type", "application/json")
	var citizen atomic.Int64
	next := func(t *vegeta.Target) error {
		n := citizen.Add(1)
		body, _ := json.Marshal(map[string]any{
			"citizenId": fmt.Sprintf("010-%04d-%04d", 1000+n/10000, n%10000),
			"scores":    []map[string]any{{"entry": entries[n%6], "score": 1 + n%5}, {"entry": entries[(n+1)%6], "score": 5}},
		})
		*t = vegeta.Target{Method: http.MethodPost, URL: fmt.Sprintf("%s/v1/%s/ballots?requestId=%s-%d", s.api.base, program, run, n), Body: body, Header: header}
		return nil
	}
	var mu sync.Mutex
	seen := func(r *vegeta.Result) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Code == http.StatusOK:
			count.Accepted++
		case r.Code >= 500 || r.Code == 0:
			count.Unsure++
		}
	}
	f := httpLoad("ballots", s.shape, next, seen, nil)
	tally, err := s.api.object(http.MethodGet, "/v1/"+program+"/tally", nil)
	if err != nil {
		return f, count, fmt.Errorf("reading the tally: %w", err)
	}
	var n float64
	switch v := tally["ballots"].(type) {
	case float64:
		n = v
	case string: // int64 fields are strings in JSON
		fmt.Sscan(v, &n)
	}
	count.Counted = int64(n)
	if !strings.HasPrefix(program, "districts/") {
		return f, count, fmt.Errorf("the program answered no name: %v", prog)
	}
	return f, count, nil
}
