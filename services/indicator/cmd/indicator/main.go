// Command indicator serves the indicator service: performance indicators
// of pledges, their yearly targets and actuals, and how far each is
// achieved.
package main

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/indicator/migrations"
	indicatorservice "github.com/gongyak/gongyak/services/indicator/service"
)

func main() {
	service.Main(service.Spec{Name: "indicator", Schema: migrations.Schema, Migrations: migrations.FS, CallsPledge: true,
		Register: func(ctx context.Context, s *grpcserver.Server, d service.Deps) (func(), error) {
			indicatorservice.Register(ctx, s, d.Pool, d.Pledge, time.Now)
			return nil, nil
		}})
}
