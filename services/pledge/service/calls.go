package service

import (
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"google.golang.org/grpc"
)

// Calls are the pledge binary's settings for the services it calls.
type Calls struct {
	// BudgetAddr, IndicatorAddr and ParticipationAddr are the addresses
	// of the services a card gathers its sections from.
	BudgetAddr, IndicatorAddr, ParticipationAddr string
	// SectionTimeout is the longest a card waits for one service's
	// section before marking it unavailable.
	SectionTimeout time.Duration
	// ImportLease is how long a card import is held by the process
	// running it (at least 1 s): after a crash, another takes it up once
	// this runs out.
	ImportLease time.Duration
}

// dial connects to the budget, indicator and participation services and
// returns the backends and a function that closes the connections.
func dial(calls Calls) (Backends, func(), error) {
	var conns []*grpc.ClientConn
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for _, addr := range []string{calls.BudgetAddr, calls.IndicatorAddr, calls.ParticipationAddr} {
		c, err := grpcclient.Dial(addr)
		if err != nil {
			closeAll()
			return Backends{}, nil, err
		}
		conns = append(conns, c)
	}
	return Backends{
		Budgets:        budgetv1.NewBudgetServiceClient(conns[0]),
		Indicators:     indicatorv1.NewIndicatorServiceClient(conns[1]),
		Participation:  participationv1.NewParticipationServiceClient(conns[2]),
		SectionTimeout: calls.SectionTimeout,
		ImportLease:    calls.ImportLease,
	}, closeAll, nil
}
