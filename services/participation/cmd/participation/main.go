// Command participation serves the participation service: citizen
// participation programs, their members, submissions, evaluations and
// surveys, with personal data protected.
package main

import (
	"context"
	"errors"
	"flag"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/service"
	"github.com/gongyak/gongyak/services/participation/migrations"
	participationservice "github.com/gongyak/gongyak/services/participation/service"
)

func main() {
	var citizenKey string
	service.Main(service.Spec{Name: "participation", Schema: migrations.Schema, Migrations: migrations.FS, CallsPledge: true,
		Flags: func(fs *flag.FlagSet) {
			config.String(fs, &citizenKey, "citizen-key", "GONGYAK_CITIZEN_KEY", "",
				"secret key of the hash citizens are known by (32+ random characters); keep it: another key forgets who voted")
		},
		Register: func(_ context.Context, s *grpcserver.Server, d service.Deps) (func(), error) {
			hasher, err := personal.NewHasher(citizenKey)
			if err != nil {
				return nil, errors.New("GONGYAK_CITIZEN_KEY (--citizen-key): " + err.Error())
			}
			participationservice.Register(s, d.Pool, d.Pledge, hasher, time.Now)
			return nil, nil
		}})
}
