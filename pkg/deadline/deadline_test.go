package deadline_test

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/deadline"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestEachMethodHasTheDeadlineOfItsKind(t *testing.T) {
	tests := []struct {
		method string
		want   time.Duration
	}{
		{"/gongyak.pledge.v1.PledgeService/GetPledge", 5 * time.Second},
		{"/gongyak.pledge.v1.PledgeService/ListPledges", 5 * time.Second},
		{"/gongyak.budget.v1.BudgetService/SummarizeBudgets", 5 * time.Second},
		{"/gongyak.pledge.v1.ApiKeyService/VerifyApiKey", 5 * time.Second},
		{"/grpc.health.v1.Health/Check", 5 * time.Second},
		{"/gongyak.pledge.v1.PledgeService/GetPledgeCard", 8 * time.Second},
		{"/gongyak.pledge.v1.PledgeService/RenderPledgeCard", 8 * time.Second},
		{"/gongyak.pledge.v1.PledgeService/CreatePledge", 15 * time.Second},
		{"/gongyak.budget.v1.BudgetService/UpdateBudget", 15 * time.Second},
		{"/gongyak.participation.v1.ParticipationService/CreateBallot", 15 * time.Second},
		{"/gongyak.pledge.v1.PledgeService/ChangePledgeStatus", 15 * time.Second},
		// A verb that merely begins like a read is a write.
		{"/gongyak.test.v1.Ledger/Getaway", 15 * time.Second},
		{"/gongyak.pledge.v1.PledgeService/ImportPledgeCard", 60 * time.Second},
		{"/gongyak.pledge.v1.ReportService/GetImplementationReport", 25 * time.Second},
		{"/gongyak.pledge.v1.ReportService/ExportImplementationReport", 25 * time.Second},
	}
	for _, tt := range tests {
		if got := deadline.For(tt.method); got != tt.want {
			t.Errorf("For(%s) = %v, want %v", tt.method, got, tt.want)
		}
	}
}

// hungBudgets is a budget service whose GetBudget never answers: it waits
// until the call is given up, and says so on canceled.
type hungBudgets struct {
	budgetv1.UnimplementedBudgetServiceServer
	canceled chan struct{}
}

func (h *hungBudgets) GetBudget(ctx context.Context, _ *budgetv1.GetBudgetRequest) (*budgetv1.Budget, error) {
	<-ctx.Done()
	h.canceled <- struct{}{}
	return nil, ctx.Err()
}

// margin is how much later than its deadline a call may end: the time to
// notice, on a busy machine.
const margin = 1500 * time.Millisecond

func TestAHungServiceCostsItsCallerTheMethodsDeadline(t *testing.T) {
	hung := &hungBudgets{canceled: make(chan struct{}, 10)}
	srv := grpc.NewServer()
	budgetv1.RegisterBudgetServiceServer(srv, hung)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis) //nolint:errcheck // stopped below
	t.Cleanup(srv.Stop)
	conn := dial(t, lis.Addr().String())
	// A first call (one the service does not implement) opens the
	// connection, so that its own goroutines count as there before.
	if _, err := budgetv1.NewBudgetServiceClient(conn).SummarizeBudgets(context.Background(), &budgetv1.SummarizeBudgetsRequest{}); status.Code(err) != codes.Unimplemented {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()

	tests := []struct {
		name    string
		timeout time.Duration // of the caller's own context; none when 0
		want    time.Duration
		message string
	}{
		{"a caller without a deadline", 0, deadline.Read, "the budget service did not answer within 5s"},
		{"a caller with a later deadline (the gateway's 30 s)", 30 * time.Second, deadline.Read, "the budget service did not answer within 5s"},
		{"a caller with a sooner deadline keeps it", time.Second, time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			_, err := budgetv1.NewBudgetServiceClient(conn).GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: "districts/gwangsan/pledges/x/budget"})
			took := time.Since(start)
			if status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("got %v, want DEADLINE_EXCEEDED", err)
			}
			if took < tt.want-100*time.Millisecond || took > tt.want+margin {
				t.Errorf("the call ended after %v; its deadline was %v", took, tt.want)
			}
			if tt.message != "" && status.Convert(err).Message() != tt.message {
				t.Errorf("message %q, want %q", status.Convert(err).Message(), tt.message)
			}
		})
	}
	t.Cleanup(func() {
		// Each hung call was given up on the server too, and nothing of
		// them is left waiting on the client.
		for range tests {
			select {
			case <-hung.canceled:
			case <-time.After(5 * time.Second):
				t.Error("a hung call was never canceled on the server")
			}
		}
		settled := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before+2 && time.Now().Before(settled) {
			time.Sleep(50 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before+2 {
			t.Errorf("%d goroutines after the calls ended, %d before", n, before)
		}
	})
}

// relaying is a budget service whose UpdateBudget at once passes on the
// deadline another service ran out of.
type relaying struct {
	budgetv1.UnimplementedBudgetServiceServer
}

func (relaying) UpdateBudget(context.Context, *budgetv1.UpdateBudgetRequest) (*budgetv1.Budget, error) {
	return nil, apierr.ToStatus(&apierr.Error{Code: codes.DeadlineExceeded, Message: "the pledge service did not answer within 5s"}).Err()
}

func TestADeadlinePassedOnKeepsItsMessage(t *testing.T) {
	srv := grpc.NewServer()
	budgetv1.RegisterBudgetServiceServer(srv, relaying{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis) //nolint:errcheck // stopped below
	t.Cleanup(srv.Stop)
	_, err = budgetv1.NewBudgetServiceClient(dial(t, lis.Addr().String())).UpdateBudget(context.Background(), &budgetv1.UpdateBudgetRequest{})
	if st := status.Convert(err); st.Code() != codes.DeadlineExceeded || st.Message() != "the pledge service did not answer within 5s" {
		t.Errorf("got %v %q, want the pledge service's deadline passed on", st.Code(), st.Message())
	}
}

func TestAStoppedProcessCostsItsCallerTheMethodsDeadline(t *testing.T) {
	// A listener nobody accepts on: the kernel completes the connection,
	// and nothing more ever answers, as with a process stopped by SIGSTOP.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	conn := dial(t, lis.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err = budgetv1.NewBudgetServiceClient(conn).GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: "districts/gwangsan/pledges/x/budget"})
	took := time.Since(start)
	if c := status.Code(err); c != codes.DeadlineExceeded && c != codes.Unavailable {
		t.Fatalf("got %v, want DEADLINE_EXCEEDED or UNAVAILABLE", err)
	}
	if took > deadline.Read+margin {
		t.Errorf("the call ended after %v; its deadline was %v", took, deadline.Read)
	}
	if st := status.Convert(err); st.Code() == codes.DeadlineExceeded && st.Message() != "the budget service did not answer within 5s" {
		t.Errorf("the error %q does not say which service did not answer", st.Message())
	}
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpcclient.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
