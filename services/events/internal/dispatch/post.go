package dispatch

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gongyak/gongyak/services/events/internal/postgres"
	"github.com/gongyak/gongyak/services/events/internal/webhook"
)

// post POSTs c's CloudEvent with the Standard Webhooks headers, signed
// with each live key, and returns the receiver's status; an error unless
// it was 2xx.
func post(ctx context.Context, client *http.Client, c postgres.Claimed) (int, error) {
	now := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/cloudevents+json; charset=utf-8")
	req.Header.Set("User-Agent", "gongyak-webhooks/1")
	req.Header.Set(webhook.HeaderID, c.EventID)
	req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(webhook.HeaderSignature, webhook.Signature(c.EventID, now, c.Body, c.Keys))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	drain(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("%w: HTTP %d", errStatus, resp.StatusCode)
	}
	return resp.StatusCode, nil
}
