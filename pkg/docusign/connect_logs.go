package docusign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Connect's event logs and failure log share one wire shape, connectLog; the
// list answers are connectLogs. The reference leaves open the shape of an
// empty list, the date format and the ordering, so decoding here accepts
// every plausible form (docs/docusign-fidelity.md, "Delivery health").

// LogEntry is DocuSign's connectLog: one entry of the Connect log (logId set)
// or of the failure log (failureId set). Every value is a string on the wire;
// dates are UTC date-times in a format the reference does not fix (see ParseTime).
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/
type LogEntry struct {
	AccountID  string `json:"accountId,omitempty"`
	ConfigURL  string `json:"configUrl,omitempty"` // the listener; may hold user:password@
	ConnectID  string `json:"connectId,omitempty"`
	Created    string `json:"created,omitempty"`
	Email      string `json:"email,omitempty"`
	EnvelopeID string `json:"envelopeId,omitempty"`
	Error      string `json:"error,omitempty"`
	FailureID  string `json:"failureId,omitempty"`
	FailureURI string `json:"failureUri,omitempty"`
	LastTry    string `json:"lastTry,omitempty"`
	LogID      string `json:"logId,omitempty"`
	LogURI     string `json:"logUri,omitempty"`
	RetryCount Int    `json:"retryCount,omitempty"`
	RetryURI   string `json:"retryUri,omitempty"`
	// Status is the envelope's status for the post (Sent, Completed, ...).
	Status   string `json:"status,omitempty"`
	Subject  string `json:"subject,omitempty"`
	UserName string `json:"userName,omitempty"`
	// DebugLog is connectDebugLog, only in GetLog with additionalInfo.
	DebugLog []DebugLog `json:"connectDebugLog,omitempty"`
}

// DebugLog is DocuSign's connectDebugLog: one step of a Connect post.
type DebugLog struct {
	ConnectConfig    string        `json:"connectConfig,omitempty"` // the configuration's name
	ErrorDetails     *ErrorDetails `json:"errorDetails,omitempty"`
	EventDateTime    string        `json:"eventDateTime,omitempty"`
	EventDescription string        `json:"eventDescription,omitempty"`
	Payload          string        `json:"payload,omitempty"`
}

// LogList is DocuSign's connectLogs, the answer of both list calls: the
// failure log under failures, the Connect log under logs.
type LogList struct {
	Failures     []LogEntry `json:"failures"`
	Logs         []LogEntry `json:"logs"`
	TotalRecords Int        `json:"totalRecords"`
}

// rawAnswer receives a 2xx body as is, even an empty one (see decodeBody).
type rawAnswer []byte

// decodeLogList reads a list answer in any of the plausible forms: the
// connectLogs object (with the list under want, or else under the other
// key), a bare array, null, {} or an empty body (no entries).
func decodeLogList(data []byte, want string, red *redactor) ([]LogEntry, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	if data[0] == '[' {
		var entries []LogEntry
		if err := json.Unmarshal(data, &entries); err != nil {
			return nil, fmt.Errorf("decode answer: %w (%s)", err, summarizeBody("", data, red))
		}
		return entries, nil
	}
	var list LogList
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("decode answer: %w (%s)", err, summarizeBody("", data, red))
	}
	first, other := list.Logs, list.Failures
	if want == "failures" {
		first, other = other, first
	}
	if first != nil {
		return first, nil
	}
	return other, nil
}

// dateQuery is the from_date/to_date query of the two list calls; a zero
// time is left out (DocuSign: no lower bound, and "now" for to_date).
func dateQuery(from, to time.Time) string {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from_date", FormatTime(from))
	}
	if !to.IsZero() {
		q.Set("to_date", FormatTime(to))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// FormatTime writes a time as the from_date and to_date queries send it: UTC,
// RFC 3339 without fraction, e.g. 2026-11-01T08:00:00Z. The reference only
// says "UTC DateTime format".
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// timeLayouts are the date-time forms DocuSign is known or likely to write:
// ISO 8601 with or without an offset and with any fraction (.NET writes seven
// digits), and the US form of the older APIs and the console.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04:05",
	"2006-01-02",
}

// ParseTime reads a date-time of a DocuSign answer. A time without an offset
// is UTC, as the reference says every one of these dates is. ok is false for
// an empty or unknown form; callers then keep the text as it is.
func ParseTime(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ListLogs returns the account's Connect log entries (posts of configurations
// with enableLog on) created between from and to; a zero time leaves that end
// open. DocuSign keeps the 100 most recent entries for 15 days.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/list/
func (c *Client) ListLogs(ctx context.Context, accountID string, from, to time.Time) ([]LogEntry, error) {
	var raw rawAnswer
	err := c.call(ctx, http.MethodGet, accountID, "connect/logs"+dateQuery(from, to), nil, &raw)
	var entries []LogEntry
	if err == nil {
		entries, err = decodeLogList(raw, "logs", c.red)
	}
	if err != nil {
		return nil, fmt.Errorf("list the Connect log of account %s: %w", accountID, err)
	}
	return redactEntries(entries, c.red), nil
}

// redacted is the entry with every text DocuSign wrote (the listener URL,
// the error, the debug log) cleared of the secrets the client knows
// (Options.Secrets, tokens) and of those recognisable by shape: a failed
// post's error may quote the listener's credentials.
func (e LogEntry) redacted(red *redactor) LogEntry {
	e.ConfigURL, e.Error, e.Subject = red.text(e.ConfigURL), red.text(e.Error), red.text(e.Subject)
	if e.DebugLog != nil {
		debug := make([]DebugLog, len(e.DebugLog))
		for i, d := range e.DebugLog {
			d.EventDescription, d.Payload = red.text(d.EventDescription), red.text(d.Payload)
			if d.ErrorDetails != nil {
				details := *d.ErrorDetails
				details.Message = red.text(details.Message)
				d.ErrorDetails = &details
			}
			debug[i] = d
		}
		e.DebugLog = debug
	}
	return e
}

func redactEntries(entries []LogEntry, red *redactor) []LogEntry {
	for i := range entries {
		entries[i] = entries[i].redacted(red)
	}
	return entries
}

// GetLog returns one Connect log entry; with additionalInfo, DocuSign adds
// its connectDebugLog (the steps of the post, with the payload).
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/get/
func (c *Client) GetLog(ctx context.Context, accountID, logID string, additionalInfo bool) (LogEntry, error) {
	errorf := func(err error) error {
		return fmt.Errorf("get Connect log entry %s of account %s: %w", logID, accountID, err)
	}
	if logID == "" {
		return LogEntry{}, errorf(errors.New("no logId"))
	}
	path := "connect/logs/" + url.PathEscape(logID)
	if additionalInfo {
		path += "?additional_info=true"
	}
	var raw rawAnswer
	if err := c.call(ctx, http.MethodGet, accountID, path, nil, &raw); err != nil {
		return LogEntry{}, errorf(err)
	}
	entry, err := decodeLogEntry(raw, logID, c.red)
	if err != nil {
		return LogEntry{}, errorf(err)
	}
	return entry.redacted(c.red), nil
}

// decodeLogEntry reads the answer of GetLog: a connectLog, or (as the
// configuration get answers a list wrapper) a connectLogs holding it.
func decodeLogEntry(data []byte, logID string, red *redactor) (LogEntry, error) {
	var probe struct {
		LogEntry
		Logs []LogEntry `json:"logs"`
	}
	if err := decodeBody(data, &probe, red); err != nil {
		return LogEntry{}, err
	}
	if probe.LogID != "" || probe.Logs == nil {
		return probe.LogEntry, nil
	}
	for _, e := range probe.Logs {
		if e.LogID == logID {
			return e, nil
		}
	}
	return LogEntry{}, ErrNotFound
}

// DeleteLog deletes one Connect log entry.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/delete/
func (c *Client) DeleteLog(ctx context.Context, accountID, logID string) error {
	err := errors.New("no logId")
	if logID != "" {
		err = c.call(ctx, http.MethodDelete, accountID, "connect/logs/"+url.PathEscape(logID), nil, nil)
	}
	if err != nil {
		return fmt.Errorf("delete Connect log entry %s of account %s: %w", logID, accountID, err)
	}
	return nil
}

// DeleteLogs deletes every Connect log entry of the account.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/deletelist/
func (c *Client) DeleteLogs(ctx context.Context, accountID string) error {
	if err := c.call(ctx, http.MethodDelete, accountID, "connect/logs", nil, nil); err != nil {
		return fmt.Errorf("delete the Connect log of account %s: %w", accountID, err)
	}
	return nil
}
