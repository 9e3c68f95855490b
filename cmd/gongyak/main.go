// Command gongyak is the suite's own command line:
//
//	gongyak run      start the whole suite on this machine (make run)
//	gongyak import   import a pledge card exported to text
//	gongyak idp      serve the development OpenID provider
//	gongyak scale    load synthetic data at scale into a running suite
//	gongyak nats     serve NATS with JetStream, the change events' stream
//
// Run `gongyak <command> -h` for a command's flags.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "run":
		err = runSuite(ctx, os.Args[2:])
	case "import":
		err = importCard(ctx, os.Args[2:])
	case "idp":
		err = runIDP(ctx, os.Args[2:], os.Stdout)
	case "scale":
		err = scaleCommand(ctx, os.Args[2:])
	case "nats":
		err = runNATS(ctx, os.Args[2:], os.Stdout)
	case "help", "-h", "--help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "gongyak: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gongyak:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: gongyak <command> [flags]

commands:
  run      start the whole suite on this machine: PostgreSQL (unless
           DATABASE_URL is set), every service, the gateway
  import   import a pledge card exported to text:
           gongyak import card.txt --district gwangsan [--term 7] [--strict]
  idp      serve the development OpenID provider (sign-in for make run and
           the tests; prints its users' passwords: development only):
           gongyak idp [--addr 127.0.0.1:9100] [--data .data/idp] [--users FILE]
  scale    load synthetic districts, pledges, plans, indicators, histories
           and programs into a running suite through its gRPC APIs:
           gongyak scale [--size 243x150] [--seed 1] [--credential KEY]
           gongyak scale --expect [--size 243x150] prints what the report
           must show, counted by the generator
  nats     serve NATS with JetStream and the stream of change events
           (gongyak run starts it): gongyak nats [--addr 127.0.0.1:4222]
           [--data .data/nats]
`)
}
