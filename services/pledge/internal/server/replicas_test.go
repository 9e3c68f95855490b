package server_test

import (
	"context"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/gongyak/gongyak/services/pledge/service"
	"github.com/jackc/pgx/v5"
	"google.golang.org/genproto/googleapis/type/date"
)

// replica is one pledge service process's API, called by a system admin.
type replica struct {
	districts pledgev1.DistrictServiceClient
	pledges   pledgev1.PledgeServiceClient
}

// newReplicas starts n pledge services on one database, each with its own
// pool, as a deployment runs several; it returns them and the database's
// URL (as the admin).
func newReplicas(t *testing.T, n int) ([]replica, string) {
	t.Helper()
	url := pgtest.NewDatabase(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	issuer := authtest.NewIssuer(t)
	token := issuer.Token(t, "admin", "system-admin")
	var out []replica
	for range n {
		pool, err := pgdb.Open(t.Context(), pgtest.ServiceURL(url, migrations.Schema), migrations.Schema, "replica")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		conn, _ := grpctest.Serve(t, authtest.Authenticator(nil, issuer.AsSystem()), func(s *grpcserver.Server) {
			if err := service.Register(t.Context(), s, pool, service.Backends{}, time.Second); err != nil {
				t.Fatal(err)
			}
		})
		admin := authtest.WithToken(conn, token)
		out = append(out, replica{districts: pledgev1.NewDistrictServiceClient(admin), pledges: pledgev1.NewPledgeServiceClient(admin)})
	}
	return out, url
}

// listening waits until n connections listen for changes to districts.
func listening(t *testing.T, admin *pgx.Conn, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var got int
		if err := admin.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND state = 'idle' AND query = 'LISTEN "pledge_district_changes"'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			time.Sleep(20 * time.Millisecond) // the watcher marks itself listening as its LISTEN returns
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replicas listen for district changes", got, n)
		}
	}
}

// read is what a replica says of the district gwangsan and its pledge:
// the district's name and the last year the pledge's term gives it.
func (r replica) read(t *testing.T, pledgeName string) (string, int32) {
	t.Helper()
	d, err := r.districts.GetDistrict(context.Background(), &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.pledges.GetPledge(context.Background(), &pledgev1.GetPledgeRequest{Name: pledgeName})
	if err != nil {
		t.Fatal(err)
	}
	return d.GetDisplayName(), p.GetValidYears().GetLastYear()
}

// TestADistrictChangedThroughOneReplicaIsSeenByTheOtherWithinASecond runs
// two replicas, each keeping the districts it reads: one renames the
// district and moves its term's end; it reads the change at once, the
// other within a second.
func TestADistrictChangedThroughOneReplicaIsSeenByTheOtherWithinASecond(t *testing.T) {
	replicas, url := newReplicas(t, 2)
	a, b := replicas[0], replicas[1]
	ctx := context.Background()
	if _, err := a.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{District: gwangsan(), DistrictId: "gwangsan"}); err != nil {
		t.Fatal(err)
	}
	p, err := a.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "9기 공약"}})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	listening(t, admin, 2)
	for _, r := range replicas {
		if name, last := r.read(t, p.GetName()); name != "광산구" || last != 2030 {
			t.Fatalf("before any change a replica reads %q, term ending %d", name, last)
		}
	}

	// The replicas keep what they read: a change no notification tells of
	// (made with the triggers off) goes unseen.
	if _, err := admin.Exec(ctx, `ALTER TABLE pledge.districts DISABLE TRIGGER USER;
		UPDATE pledge.districts SET display_name = '숨은구';
		ALTER TABLE pledge.districts ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if name, _ := b.read(t, p.GetName()); name != "광산구" {
		t.Fatalf("a replica read the district again, %q, though nothing told it of a change", name)
	}

	d, err := a.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	d.DisplayName = "광산구청"
	d.Terms[2].EndDate = &date.Date{Year: 2031, Month: 6, Day: 30}
	if _, err := a.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{District: d, UpdateMask: mask("display_name", "terms")}); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	if name, last := a.read(t, p.GetName()); name != "광산구청" || last != 2031 {
		t.Errorf("the replica that wrote reads %q, term ending %d", name, last)
	}
	for {
		name, last := b.read(t, p.GetName())
		if name == "광산구청" && last == 2031 {
			break
		}
		if time.Since(changed) > time.Second {
			t.Fatalf("a second after the change the other replica still reads %q, term ending %d", name, last)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
