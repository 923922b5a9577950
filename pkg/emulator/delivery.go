package emulator

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The delivery side of Connect as the emulator keeps it: each account's
// failure log and Connect log (reference §2, the OpenAPI connectLog), and the
// historical republish batches submitted. The API endpoints are in
// connect_failures.go, connect_logs.go and connect_retry.go; RecordFailure
// and RecordLog are how whatever delivers events (a delivery engine, a test)
// writes to the logs.

// Connect log limits from DocuSign's descriptions of listEventLogs: "the 100
// most recent Connect log entries", "Log entries are deleted after 15 days".
const (
	MaxLogEntries = 100
	LogRetention  = 15 * 24 * time.Hour
)

// deliveryRecord is one entry of the failure log or the Connect log as stored.
type deliveryRecord struct {
	ID         string     `json:"id"`
	ConnectID  string     `json:"connectId"`
	ConfigURL  string     `json:"configUrl"`
	EnvelopeID string     `json:"envelopeId"`
	Status     string     `json:"status,omitempty"`
	Error      string     `json:"error,omitempty"`
	Subject    string     `json:"subject,omitempty"`
	Email      string     `json:"email,omitempty"`
	UserName   string     `json:"userName,omitempty"`
	Created    time.Time  `json:"created"`
	LastTry    time.Time  `json:"lastTry"`
	RetryCount int        `json:"retryCount"`
	Debug      []DebugLog `json:"debug,omitempty"`
	// Event is the JSON SIM event the post was about, so that the retry
	// queue can post it again; "" for entries from a seed or a test.
	Event string `json:"event,omitempty"`
}

// republishRecord is a historical republish batch as stored, with the
// listener's basic-auth credentials a delivery would send (the state file is
// private, like the configurations' passwords).
type republishRecord struct {
	ID        string    `json:"id"`
	Submitted time.Time `json:"submitted"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	UserName  string    `json:"userName,omitempty"`
	Password  string    `json:"password,omitempty"`
	Envelopes []string  `json:"envelopes"`
}

// Delivery is one Connect post to record with RecordFailure or RecordLog.
type Delivery struct {
	// ConnectID is the configuration the post went through.
	ConnectID  string
	EnvelopeID string
	// Status is the envelope's status the post reported: Sent, Delivered,
	// Completed, Declined, Voided...
	Status string
	// Error is why the post failed (the listener's status, a timeout...); ""
	// for a log entry of a post that succeeded.
	Error                    string
	Subject, Email, UserName string
	// Time is when the post was made; zero means the emulator's clock.
	Time time.Time
	// Debug are the steps of the post, answered as connectDebugLog by
	// GET .../connect/logs/{logId}?additional_info=true (log entries only).
	Debug []DebugLog
	// Event is the JSON SIM event posted (envelope-completed...), kept so
	// that the retry queue posts the same event again.
	Event string
	// RetryCount is how often the post had been retried before this one.
	RetryCount int
}

// DebugLog is DocuSign's connectDebugLog: one step of a Connect post.
type DebugLog struct {
	ConnectConfig    string       `json:"connectConfig,omitempty"`
	ErrorDetails     *ErrorDetail `json:"errorDetails,omitempty"`
	EventDateTime    string       `json:"eventDateTime,omitempty"`
	EventDescription string       `json:"eventDescription,omitempty"`
	Payload          string       `json:"payload,omitempty"`
}

// ErrorDetail is DocuSign's errorDetails inside a connectDebugLog.
type ErrorDetail struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// ConnectLog is DocuSign's connectLog, as the failure and log endpoints
// answer it: every value a string, dates as WireTime writes them, empty
// values left out.
type ConnectLog struct {
	AccountID       string     `json:"accountId,omitempty"`
	ConfigURL       string     `json:"configUrl,omitempty"`
	ConnectDebugLog []DebugLog `json:"connectDebugLog,omitempty"`
	ConnectID       string     `json:"connectId,omitempty"`
	Created         string     `json:"created,omitempty"`
	Email           string     `json:"email,omitempty"`
	EnvelopeID      string     `json:"envelopeId,omitempty"`
	Error           string     `json:"error,omitempty"`
	FailureID       string     `json:"failureId,omitempty"`
	FailureURI      string     `json:"failureUri,omitempty"`
	LastTry         string     `json:"lastTry,omitempty"`
	LogID           string     `json:"logId,omitempty"`
	LogURI          string     `json:"logUri,omitempty"`
	RetryCount      string     `json:"retryCount,omitempty"`
	RetryURI        string     `json:"retryUri,omitempty"`
	Status          string     `json:"status,omitempty"`
	Subject         string     `json:"subject,omitempty"`
	UserName        string     `json:"userName,omitempty"`
}

// WireTime writes a date-time as the emulator answers them: UTC with seven
// fractional digits, as DocuSign's .NET services write them (e.g. Connect's
// generatedDateTime, reference §11).
func WireTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// accountPath is the REST path of an account, relative to /restapi, as the
// *Uri fields give it.
func accountPath(accountID string) string { return "/v2.1/accounts/" + accountID }

// failure answers a failure-log record.
func (r deliveryRecord) failure(accountID string) ConnectLog {
	out := r.common(accountID)
	out.FailureID = r.ID
	out.FailureURI = accountPath(accountID) + "/connect/failures/" + r.ID
	out.LastTry = WireTime(r.LastTry)
	out.RetryCount = strconv.Itoa(r.RetryCount)
	out.RetryURI = accountPath(accountID) + "/connect/envelopes/" + r.EnvelopeID + "/retry_queue"
	return out
}

// log answers a Connect-log record; with debug, its connectDebugLog too.
func (r deliveryRecord) log(accountID string, debug bool) ConnectLog {
	out := r.common(accountID)
	out.LogID = r.ID
	out.LogURI = accountPath(accountID) + "/connect/logs/" + r.ID
	if debug {
		out.ConnectDebugLog = append([]DebugLog{}, r.Debug...)
	}
	return out
}

func (r deliveryRecord) common(accountID string) ConnectLog {
	return ConnectLog{
		AccountID: accountID, ConfigURL: r.ConfigURL, ConnectID: r.ConnectID, Created: WireTime(r.Created),
		Email: r.Email, EnvelopeID: r.EnvelopeID, Error: r.Error, Status: r.Status, Subject: r.Subject, UserName: r.UserName,
	}
}

// newEventID hands out the id of a new log entry, failure or republish
// batch: a GUID, stable for a given state, so seeded ids are the same on
// every run. DocuSign's id format for these is UNCONFIRMED.
func (s *state) newEventID(kind string) string {
	s.NextEventID++
	return stableGUID(kind, strconv.FormatInt(s.NextEventID, 10))
}

// RecordFailure writes a failed post to the account's failure log, as
// DocuSign does when a listener does not acknowledge a post of a
// configuration with requiresAcknowledgement (the caller applies that rule).
// A second failure of the same envelope through the same configuration
// updates its entry (lastTry, retryCount, error) instead of adding one. It
// returns the entry's failureId. The change is persisted.
func (e *Emulator) RecordFailure(accountID string, d Delivery) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, c, err := e.st.deliveryTarget(accountID, d)
	if err != nil {
		return "", fmt.Errorf("record failure: %w", err)
	}
	at := d.Time
	if at.IsZero() {
		at = e.now()
	}
	for i := range a.Failures {
		f := &a.Failures[i]
		if f.ConnectID == c.ConnectID && strings.EqualFold(f.EnvelopeID, d.EnvelopeID) {
			f.LastTry, f.Error, f.Status, f.Event = at, d.Error, cmpOr(d.Status, f.Status), cmpOr(d.Event, f.Event)
			f.RetryCount++
			return f.ID, e.persist()
		}
	}
	r := newRecord(e.st.newEventID("failure"), c, d, at)
	a.Failures = append(a.Failures, r)
	return r.ID, e.persist()
}

// RecordLog writes a post to the account's Connect log and returns its
// logId. As at DocuSign, nothing is recorded (and the id is "") when the
// configuration's enableLog is off; only the MaxLogEntries most recent
// entries are kept, for LogRetention. The change is persisted.
func (e *Emulator) RecordLog(accountID string, d Delivery) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, c, err := e.st.deliveryTarget(accountID, d)
	if err != nil {
		return "", fmt.Errorf("record log entry: %w", err)
	}
	if c.EnableLog != True {
		return "", nil
	}
	at := d.Time
	if at.IsZero() {
		at = e.now()
	}
	r := newRecord(e.st.newEventID("log"), c, d, at)
	a.Logs = append(a.Logs, r)
	a.expireLogs(e.now())
	return r.ID, e.persist()
}

func newRecord(id string, c *Configuration, d Delivery, at time.Time) deliveryRecord {
	return deliveryRecord{
		ID: id, ConnectID: c.ConnectID, ConfigURL: c.URLToPublishTo, EnvelopeID: d.EnvelopeID,
		Status: d.Status, Error: d.Error, Subject: d.Subject, Email: d.Email, UserName: d.UserName,
		Created: at, LastTry: at, Debug: append([]DebugLog(nil), d.Debug...), Event: d.Event, RetryCount: d.RetryCount,
	}
}

// deliveryTarget finds the account and configuration a post went through.
func (s *state) deliveryTarget(accountID string, d Delivery) (*account, *Configuration, error) {
	a := s.findAccount(accountID)
	if a == nil {
		return nil, nil, fmt.Errorf("no account %s", accountID)
	}
	if d.EnvelopeID == "" {
		return nil, nil, errors.New("no envelope id")
	}
	i := a.configuration(d.ConnectID)
	if i < 0 {
		return nil, nil, fmt.Errorf("account %s has no configuration with connectId %q", accountID, d.ConnectID)
	}
	return a, &a.Configurations[i], nil
}

// expireLogs drops log entries older than LogRetention, then all but the
// MaxLogEntries most recent.
func (a *account) expireLogs(now time.Time) {
	kept := a.Logs[:0]
	for _, l := range a.Logs {
		if now.Sub(l.Created) <= LogRetention {
			kept = append(kept, l)
		}
	}
	if len(kept) > MaxLogEntries {
		kept = kept[len(kept)-MaxLogEntries:]
	}
	a.Logs = kept
}

// Failures returns an account's failure log as the API answers it, for
// tests that check state without a call.
func (e *Emulator) Failures(accountID string) ([]ConnectLog, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(accountID)
	if a == nil {
		return nil, fmt.Errorf("no account %s", accountID)
	}
	out := make([]ConnectLog, 0, len(a.Failures))
	for _, f := range a.Failures {
		out = append(out, f.failure(a.AccountID))
	}
	return out, nil
}

// Logs returns an account's Connect log as GET .../connect/logs/{logId}
// with additional_info answers each entry, for tests.
func (e *Emulator) Logs(accountID string) ([]ConnectLog, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(accountID)
	if a == nil {
		return nil, fmt.Errorf("no account %s", accountID)
	}
	out := make([]ConnectLog, 0, len(a.Logs))
	for _, l := range a.Logs {
		out = append(out, l.log(a.AccountID, true))
	}
	return out, nil
}

// Republish is a historical republish batch the emulator accepted.
type Republish struct {
	TransactionID string
	Submitted     time.Time
	// Name, URL, UserName and Password are the ad hoc configuration's.
	// Password is a secret: for tests only, never print it.
	Name, URL, UserName, Password string
	Envelopes                     []string
}

// Republishes returns the historical republish batches of an account, oldest
// first, for tests.
func (e *Emulator) Republishes(accountID string) ([]Republish, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(accountID)
	if a == nil {
		return nil, fmt.Errorf("no account %s", accountID)
	}
	var out []Republish
	for _, r := range a.Republishes {
		out = append(out, Republish{TransactionID: r.ID, Submitted: r.Submitted, Name: r.Name, URL: r.URL, UserName: r.UserName, Password: r.Password,
			Envelopes: append([]string(nil), r.Envelopes...)})
	}
	return out, nil
}

func cmpOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
