package main

import "testing"

func TestParsePgbench(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      pgbenchResult
		err       bool
	}{
		{name: "PostgreSQL 15, TPC-B", out: `pgbench (15.8 (Debian 15.8-0+deb12u1))
starting vacuum...end.
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 32
query mode: prepared
number of clients: 32
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 23456
number of failed transactions: 3 (0.013%)
latency average = 13.642 ms
initial connection time = 35.120 ms
tps = 2345.678901 (without initial connection time)
`, want: pgbenchResult{TPS: 2345.678901, Latency: 13.642, Failed: 3}},
		{name: "older, two tps lines: the first", out: `latency average = 1.5 ms
tps = 100.5 (including connections establishing)
tps = 101.25 (excluding connections establishing)
`, want: pgbenchResult{TPS: 100.5, Latency: 1.5}},
		{name: "a failed run", out: "pgbench: error: connection to server failed\n", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePgbench(tc.out)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want one: %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
