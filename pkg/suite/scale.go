package suite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// ScaleLog keeps what `gongyak run --scale` prints in a file and passes
// on the lines of the load ("scale: …"), for WaitLoaded: the load harnesses
// (make bench, make bench-report) start the suite with it as the output.
type ScaleLog struct {
	mu   sync.Mutex
	file *os.File
	seen chan string
}

// NewScaleLog writes to the file at path, made or emptied.
func NewScaleLog(path string) (*ScaleLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &ScaleLog{file: f, seen: make(chan string, 16)}, nil
}

// Name is the file's path.
func (l *ScaleLog) Name() string { return l.file.Name() }

func (l *ScaleLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.file.Write(p) //nolint:errcheck // the lines still reach the harness
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if strings.HasPrefix(line, "scale:") {
			select {
			case l.seen <- line:
			default: // progress the harness is too busy to read
			}
		}
	}
	return len(p), nil
}

// WaitLoaded waits until gongyak run, p, says the scale is loaded (or
// found loaded), passing each line of the load to say. It fails when the
// load stopped, p ended, or ctx ended first.
func (l *ScaleLog) WaitLoaded(ctx context.Context, p *Process, say func(line string)) error {
	for {
		select {
		case line := <-l.seen:
			say(line)
			if strings.HasPrefix(line, "scale: stopped") {
				return errors.New(line)
			}
			if strings.HasPrefix(line, "scale: loaded") {
				return nil
			}
		case <-p.Done():
			return fmt.Errorf("gongyak run ended: %v (see %s)", p.Err(), l.Name())
		case <-ctx.Done():
			return fmt.Errorf("the scale did not load: %w (see %s)", context.Cause(ctx), l.Name())
		}
	}
}
