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
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/config"
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
	body, _ := json.Marshal(map[string]any{"cardText": string(text), "strict": *strict, "term": *term, "validateOnly": *dryRun})
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(api, "/")+"/v1/districts/"+*district+"/pledges:import", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if credential == "" {
		if raw, err := os.ReadFile(adminKeyFile(".data")); err == nil {
			credential = strings.TrimSpace(string(raw))
		}
	}
	if credential == "" {
		return errors.New("no credential: pass --credential (or GONGYAK_CREDENTIAL) with a token or API key allowed to import into the district; make run writes its development admin key to .data/admin.key")
	}
	req.Header.Set("Authorization", "Bearer "+credential)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("the API at %s did not answer (is `make run` running?): %w", api, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return apiError(resp.StatusCode, raw)
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
		Warnings           []struct {
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
