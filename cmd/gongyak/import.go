package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// importCard reads a text card and imports it through the REST API:
//
//	gongyak import card.txt --district gwangsan [--term 7] [--strict]
func importCard(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	district := fs.String("district", "", "the district the card belongs to, such as gwangsan (required)")
	term := fs.Int("term", 0, "the term (민선 n기) the card belongs to; when 0, the term of the card's first year")
	strict := fs.Bool("strict", false, "refuse the card when any line cannot be placed")
	dryRun := fs.Bool("dry-run", false, "check the card and report, writing nothing")
	var api, credential string
	config.String(fs, &api, "api", "GONGYAK_API", "http://"+config.DefaultAddrs["http"], "the REST API's address")
	config.String(fs, &credential, "credential", "GONGYAK_CREDENTIAL", "",
		"the token or API key sent as Authorization: Bearer; make run's development admin key (.data/admin.key) when empty")
	// Flags may come before or after the file.
	var files []string
	rest := args
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 || *district == "" {
		return errors.New("usage: gongyak import card.txt --district {district} [--term N] [--strict] [--dry-run] [--api URL] [--credential TOKEN]")
	}
	text, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	// One request_id for every send of this import: a retry after an
	// outage gets the import's result, and never imports twice.
	fields := map[string]any{"cardText": string(text), "strict": *strict, "term": *term, "validateOnly": *dryRun}
	if !*dryRun {
		fields["requestId"] = "cli-" + resourceid.New()
	}
	body, _ := json.Marshal(fields)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if credential == "" {
		if raw, err := os.ReadFile(adminKeyFile(".data")); err == nil {
			credential = strings.TrimSpace(string(raw))
		}
	}
	if credential == "" {
		return errors.New("no credential: pass --credential (or GONGYAK_CREDENTIAL) with a token or API key allowed to import into the district; make run writes its development admin key to .data/admin.key")
	}
	url := strings.TrimRight(api, "/") + "/v1/" + resourcename.District.Format(*district) + "/pledges:import"
	raw, err := postRetrying(ctx, url, credential, body)
	if err != nil {
		return err
	}
	var out struct {
		Pledge struct {
			Name  string `json:"name"`
			Title string `json:"title"`
		} `json:"pledge"`
		Created            bool `json:"created"`
		DepartmentsCreated int  `json:"departmentsCreated"`
		Indicators         int  `json:"indicators"`
		BudgetLines        int  `json:"budgetLines"`
		Programs           int  `json:"programs"`
		Submissions        int  `json:"submissions"`
		KeptFields         []struct {
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"keptFields"`
		Warnings []struct {
			Line    int    `json:"line"`
			Text    string `json:"text"`
			Message string `json:"message"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("the API answered %s", raw)
	}
	verb := "updated"
	switch {
	case *dryRun:
		verb = "checked (nothing written)"
	case out.Created:
		verb = "created"
	}
	fmt.Printf("%s %s\n  %s\n", verb, out.Pledge.Name, out.Pledge.Title)
	fmt.Printf("  budget lines %d, indicators %d, programs %d, submissions %d, departments created %d\n",
		out.BudgetLines, out.Indicators, out.Programs, out.Submissions, out.DepartmentsCreated)
	for _, k := range out.KeptFields {
		fmt.Printf("  kept %s as stored: %s\n", k.Field, k.Reason)
	}
	for _, w := range out.Warnings {
		if w.Line == 0 {
			fmt.Printf("  note: %s\n", w.Message)
			continue
		}
		fmt.Printf("  warning: line %d: %s: %q\n", w.Line, w.Message, w.Text)
	}
	return nil
}

// apiError says what a refused request was refused for, field by field.
func apiError(code int, raw []byte) error {
	var st struct {
		Message string `json:"message"`
		Details []struct {
			Violations []struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			} `json:"fieldViolations"`
		} `json:"details"`
	}
	if json.Unmarshal(raw, &st) != nil || st.Message == "" {
		return fmt.Errorf("the API answered %d: %s", code, raw)
	}
	msg := fmt.Sprintf("refused (%d): %s", code, st.Message)
	for _, d := range st.Details {
		for _, v := range d.Violations {
			msg += fmt.Sprintf("\n  %s: %s", v.Field, v.Description)
		}
	}
	return errors.New(msg)
}

// postRetrying posts body to url until it is answered for good: a 503 or
// 504 is sent again after the server's Retry-After (1 s without one) until
// ctx ends; no answer at all, for 10 s (a part of the suite restarting).
// It returns the body of a 200.
func postRetrying(ctx context.Context, url, credential string, body []byte) ([]byte, error) {
	var unanswered time.Time
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+credential)
		wait := time.Second
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK:
				return raw, nil
			case resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusGatewayTimeout:
				return nil, apiError(resp.StatusCode, raw)
			}
			if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
			err, unanswered = apiError(resp.StatusCode, raw), time.Time{}
		} else {
			if unanswered.IsZero() {
				unanswered = time.Now()
			}
			if time.Since(unanswered) > 10*time.Second {
				return nil, fmt.Errorf("the API at %s did not answer (is `make run` running?): %w", url, err)
			}
		}
		fmt.Fprintf(os.Stderr, "gongyak import: %v; sending again in %s\n", err, wait)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the API at %s did not take the import in time (is `make run` running?): %w", url, err)
		case <-time.After(wait):
		}
	}
}
