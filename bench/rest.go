package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// rest is the harness's own client of the suite's REST API, for setting
// up and checking the loads (not for measuring them).
type rest struct {
	base   string
	header http.Header
	client *http.Client
}

func newREST(addr, key string) *rest {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	return &rest{base: "http://" + addr, header: h, client: &http.Client{Timeout: 30 * time.Second}}
}

// call sends body (JSON, when not nil) and returns the response's body,
// failing unless the status is 200.
func (c *rest) call(method, path string, body any) ([]byte, error) {
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, in)
	if err != nil {
		return nil, err
	}
	req.Header = c.header.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, out)
	}
	return out, nil
}

// object calls and decodes the JSON object answered.
func (c *rest) object(method, path string, body any) (map[string]any, error) {
	b, err := c.call(method, path, body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}
