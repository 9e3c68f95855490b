package pledge

import (
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
)

// ProjectType is 사업유형.
type ProjectType int16

// Project types, numbered as gongyak.pledge.v1.ProjectType.
const (
	ProjectTypeUnspecified ProjectType = iota
	ProjectTypeNew
	ProjectTypeContinuing
)

// ImplementingLevel is 사업주체.
type ImplementingLevel int16

// Implementing levels, numbered as gongyak.pledge.v1.ImplementingLevel.
const (
	ImplementingLevelUnspecified ImplementingLevel = iota
	ImplementingLevelNational
	ImplementingLevelMetropolitan
	ImplementingLevelLocal
)

// CompletionTiming is 완료시기.
type CompletionTiming int16

// Completion timings, numbered as gongyak.pledge.v1.CompletionTiming.
const (
	CompletionTimingUnspecified CompletionTiming = iota
	CompletionTimingWithinTerm
	CompletionTimingAfterTerm
)

// Status is 추진상황.
type Status int16

// Statuses, numbered as gongyak.pledge.v1.PledgeStatus.
const (
	StatusUnspecified Status = iota
	StatusCompleted
	StatusCompletedContinuing
	StatusOnTrack
	StatusPartial
	StatusOnHold
	StatusAbandoned
)

// FundingSource is 재원, numbered as gongyak.type.v1.FundingSource.
type FundingSource int16

// Funding sources.
const (
	FundingSourceUnspecified FundingSource = iota
	FundingSourceNational
	FundingSourceMetropolitan
	FundingSourceLocal
	FundingSourcePrivateOther
)

// Pledge is one election pledge (공약) with every prose and log section of
// its card. Department references are ids within the pledge's district.
type Pledge struct {
	DistrictID            string
	ID                    string
	Term                  int
	Code                  string
	Title                 string
	ProjectType           ProjectType
	ImplementingLevels    []ImplementingLevel
	CompletionTiming      CompletionTiming
	OwningDepartment      string
	OwningTeam            string
	RelatedDepartments    []string
	AllDepartmentsRelated bool
	Contacts              []Contact
	RequiredBudget        RequiredBudget
	Status                Status
	StatusChangeTime      time.Time
	Background            []BackgroundPoint
	Overview              Overview
	FinalGoal             string
	YearlyGoals           []YearlyGoal
	ProgressLog           []DatedEntry
	FuturePlans           []DatedEntry
	Risks                 []Risk
	Photos                []Photo

	Revision               int64
	CreateTime, UpdateTime time.Time
	DeleteTime             time.Time // zero unless deleted
}

// Name returns the pledge's resource name.
func (p Pledge) Name() string { return PledgeName(p.DistrictID, p.ID) }

// CheckLive refuses to change a deleted pledge.
func (p Pledge) CheckLive() error {
	if !p.DeleteTime.IsZero() {
		return apierr.FailedPrecondition("pledge %s was deleted", p.Name())
	}
	return nil
}

// Contact is an official in charge (담당자).
type Contact struct {
	Name     string `json:"name,omitempty"`
	Position string `json:"position,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// RequiredBudget is 소요예산 as the card writes it.
type RequiredBudget struct {
	Label     string         `json:"label,omitempty"`
	AmountWon int64          `json:"amount_won,omitempty"`
	Shares    []FundingShare `json:"shares,omitempty"`
}

// FundingShare is one source's share of the required budget (구 100).
type FundingShare struct {
	Source  FundingSource `json:"source"`
	Label   string        `json:"label,omitempty"`
	Percent int           `json:"percent"`
}

// BackgroundPoint is one point of 추진배경.
type BackgroundPoint struct {
	Label string `json:"label,omitempty"`
	Text  string `json:"text"`
}

// Overview is 추진개요.
type Overview struct {
	Period   Period   `json:"period,omitzero"`
	Methods  []Bullet `json:"methods,omitempty"`
	Contents []Bullet `json:"contents,omitempty"`
}

// Period is the span of years a pledge runs (기간).
type Period struct {
	Label     string `json:"label,omitempty"`
	StartYear int    `json:"start_year,omitempty"`
	EndYear   int    `json:"end_year,omitempty"`
	OpenEnded bool   `json:"open_ended,omitempty"`
}

// Bullet is one point of a nested list, with its sub-points.
type Bullet struct {
	Text     string   `json:"text"`
	Children []Bullet `json:"children,omitempty"`
}

// YearlyGoal is one year's goal (연차별 달성 목표).
type YearlyGoal struct {
	Year int    `json:"year"`
	Goal string `json:"goal"`
}

// DatedEntry is one row of 그간 추진사항 or 향후 추진계획; its sequence is
// its place in the list, from 1.
type DatedEntry struct {
	Date  DateLabel `json:"date"`
	Items []Bullet  `json:"items,omitempty"`
}

// Risk is an expected problem and its countermeasure.
type Risk struct {
	Problem        string `json:"problem,omitempty"`
	Countermeasure string `json:"countermeasure,omitempty"`
}

// Photo is a photo of 관련사진.
type Photo struct {
	Caption string `json:"caption,omitempty"`
	Text    string `json:"text,omitempty"`
	URI     string `json:"uri,omitempty"`
}

// StatusChange records one change of status: who, when and why.
type StatusChange struct {
	DistrictID, PledgeID string
	Number               int64
	Previous, Status     Status
	Reason               string
	Actor                string
	Time                 time.Time
	// EffectiveDate is the day the change took effect: as given when it
	// was recorded late, else the day it was made (Asia/Seoul).
	EffectiveDate Date
	// UpdateTime is when the record was last written.
	UpdateTime time.Time
}

// Name returns the status change's resource name.
func (c StatusChange) Name() string {
	return StatusChangeName(c.DistrictID, c.PledgeID, c.Number)
}
