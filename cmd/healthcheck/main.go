// Command healthcheck asks one part of the suite whether it serves, for
// container healthchecks: the images hold no shell, curl or wget, so each
// carries this small static probe beside its binary. It exits 0 when the
// target answers as healthy and 1, saying why, when it does not:
//
//	healthcheck grpc://127.0.0.1:9101              grpc.health.v1 Check of the whole server
//	healthcheck grpc://127.0.0.1:9101/pledge.v1.PledgeService   … of one service
//	healthcheck http://127.0.0.1:8080/readyz        an HTTP GET answering 2xx
//	healthcheck nats://127.0.0.1:4222               a NATS server greeting with INFO
//
// `healthcheck --copy-to DIR` copies the probe into DIR and exits: the
// compose stack puts it on a volume so that images without one of their own
// (the OpenTelemetry Collector's, Jaeger's) can be probed too.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 3*time.Second, "how long the target has to answer")
	copyTo := fs.String("copy-to", "", "copy this program into `DIR` (as DIR/healthcheck) and exit")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: healthcheck [--timeout 3s] grpc://HOST:PORT[/SERVICE] | http(s)://HOST:PORT/PATH | nats://HOST:PORT\n       healthcheck --copy-to DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return
		}
		os.Exit(2)
	}
	if *copyTo != "" {
		if err := copySelf(*copyTo); err != nil {
			fmt.Fprintln(os.Stderr, "healthcheck:", err)
			os.Exit(1)
		}
		return
	}
	if fs.NArg() != 1 {
		fs.Usage()
		os.Exit(2)
	}
	if err := probe(fs.Arg(0), *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}
