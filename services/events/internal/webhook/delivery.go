package webhook

import "time"

// The states of a delivery.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Dead      = "dead"
)

// Delivery is one event owed to one webhook.
type Delivery struct {
	ID         int64
	District   string
	Webhook    string
	EventID    string
	EventType  string
	Subject    string
	State      string
	Attempts   int
	LastStatus int
	LastError  string
	// NextAttempt is when it is due, while pending.
	NextAttempt time.Time
	CreateTime  time.Time
	DeliverTime time.Time // zero until delivered
}

// DeadLetter is a delivery given up on.
type DeadLetter struct {
	ID            int64
	Delivery      int64
	District      string
	Webhook       string
	EventID       string
	EventType     string
	Subject       string
	Attempts      int
	LastStatus    int
	LastError     string
	CreateTime    time.Time
	RedeliverTime time.Time // zero until redelivered
}
