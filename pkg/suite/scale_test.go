package suite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The load harnesses wait for gongyak run's word on the load: done, given
// up, or gongyak run gone; each line of the load is passed on, and all
// that was printed is in the log file.
func TestScaleLogWaitsForTheLoadsWord(t *testing.T) {
	for _, c := range []struct {
		name, script, err string
	}{
		{"loaded", "echo starting; echo 'scale: 2 of 5 districts'; echo 'scale: loaded 5 districts'; exec sleep 30", ""},
		{"stopped", "echo 'scale: 2 of 5 districts'; echo 'scale: stopped: the gateway refused'; exec sleep 30", "scale: stopped: the gateway refused"},
		{"ended", "exit 3", "gongyak run ended: exit status 3"},
		{"silent", "exec sleep 30", "the scale did not load: not within a second"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, err := NewScaleLog(filepath.Join(t.TempDir(), "run.log"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Start("gongyak", "/bin/sh", []string{"-c", c.script}, nil, lines, false)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Stop(time.Second) }) //nolint:errcheck // killed by the test
			ctx, cancel := context.WithTimeoutCause(t.Context(), time.Second, errors.New("not within a second"))
			defer cancel()
			var said []string
			err = lines.WaitLoaded(ctx, p, func(line string) { said = append(said, line) })
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
				t.Errorf("WaitLoaded: %v, want %q", err, c.err)
			}
			if (c.name == "loaded" || c.name == "stopped") && (len(said) != 2 || said[0] != "scale: 2 of 5 districts") {
				t.Errorf("the lines passed on: %q, want the load's from its first", said)
			}
			if c.name == "loaded" {
				if raw, _ := os.ReadFile(lines.Name()); !strings.Contains(string(raw), "starting\nscale: 2 of 5 districts\n") {
					t.Errorf("the log file holds %q, want every line printed", raw)
				}
			}
		})
	}
}
