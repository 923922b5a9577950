// Package delivery builds connectsync's delivery-health reports: what the
// failures, logs, retry and republish commands print, and the
// per-configuration health (failure count, last error, last failure) that
// audit turns into delivery-failures findings.
//
// Like pkg/audit's Build it is pure: it takes what the client read from
// DocuSign (failure-log and Connect-log entries, retry answers, the
// configurations to name them by) and returns values that pkg/render shows.
// Every text DocuSign answered goes through docusign.RedactText, since
// failure entries carry listener URLs that may hold user:password@.
package delivery

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// FormatVersion is the version of the JSON documents of this package
// (schema/delivery.schema.json); each also says its kind.
const FormatVersion = "1"

// Document kinds, the "kind" of each JSON document.
const (
	KindFailures  = "failures"
	KindLogs      = "logs"
	KindRetry     = "retry"
	KindRepublish = "republish"
)

// Window is the time range a report covers: --since to the time of the run.
type Window struct {
	Since, Until time.Time
}

// Contains reports whether t is within the window, both ends included.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Since) && !t.After(w.Until) }

// SinceForms says what --since accepts, for usage errors.
const SinceForms = "a duration such as 7d, 24h or 90m, a date such as 2026-11-01 (midnight UTC), or an RFC 3339 time such as 2026-11-01T08:00:00Z"

var sinceDuration = regexp.MustCompile(`^(?:(\d+)d)?((?:\d+(?:\.\d+)?(?:h|m|s))*)$`)

// ParseSince reads a --since value into the start of the window ending now.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	var since time.Time
	if m := sinceDuration.FindStringSubmatch(s); m != nil && s != "" {
		var d time.Duration
		if m[1] != "" {
			days, err := strconv.Atoi(m[1])
			if err != nil {
				return time.Time{}, fmt.Errorf("%q is too long ago; use %s", s, SinceForms)
			}
			d = time.Duration(days) * 24 * time.Hour
		}
		if m[2] != "" {
			more, err := time.ParseDuration(m[2])
			if err != nil {
				return time.Time{}, fmt.Errorf("%q: use %s", s, SinceForms)
			}
			d += more
		}
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q is no time at all; use %s", s, SinceForms)
		}
		since = now.Add(-d)
	} else if t, err := time.Parse("2006-01-02", s); err == nil {
		since = t
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		since = t.UTC()
	} else {
		return time.Time{}, fmt.Errorf("%q is not a duration, a date or a time; use %s", s, SinceForms)
	}
	if since.After(now) {
		return time.Time{}, fmt.Errorf("%q is in the future; use %s", s, SinceForms)
	}
	return since, nil
}

// Time is a date-time DocuSign answered: parsed when its form is known
// (docusign.ParseTime), otherwise kept as written. JSON writes RFC 3339 in
// UTC, or the text as it came.
type Time struct {
	t   time.Time
	raw string
}

// ParseTime reads a date-time of a DocuSign answer.
func ParseTime(s string) Time {
	if t, ok := docusign.ParseTime(s); ok {
		return Time{t: t}
	}
	return Time{raw: strings.TrimSpace(s)}
}

// At is a known time.
func At(t time.Time) Time { return Time{t: t.UTC()} }

// IsZero reports whether there is no time at all.
func (t Time) IsZero() bool { return t.t.IsZero() && t.raw == "" }

// Known reports whether the time was parsed; Time then returns it.
func (t Time) Known() bool { return !t.t.IsZero() }

// Time is the parsed time (zero when not Known).
func (t Time) Time() time.Time { return t.t }

// String is the time for people, "2026-11-07 09:12 UTC", or the text as written.
func (t Time) String() string {
	if t.Known() {
		return t.t.Format("2006-01-02 15:04 UTC")
	}
	return t.raw
}

// MarshalJSON writes RFC 3339 in UTC, or the text as written.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.Known() {
		return json.Marshal(t.t.Format(time.RFC3339))
	}
	return json.Marshal(t.raw)
}

// UnmarshalJSON reads what MarshalJSON wrote (for audit merge).
func (t *Time) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*t = ParseTime(s)
	return nil
}

// compare orders known times by time, before unknown ones.
func (t Time) compare(u Time) int {
	switch {
	case t.Known() && u.Known():
		return t.t.Compare(u.t)
	case t.Known():
		return 1
	case u.Known():
		return -1
	}
	return cmp.Compare(t.raw, u.raw)
}

// Config is what the reports need of a live configuration: how to name the
// configuration a log entry's connectId points at.
type Config struct {
	ConnectID string
	Name      string
	URL       string
}

// ConfigsFromWire takes the names from the configurations DocuSign listed.
func ConfigsFromWire(list []docusign.Configuration) []Config {
	out := make([]Config, len(list))
	for i, c := range list {
		out[i] = Config{ConnectID: c.ConnectID, Name: c.Name, URL: c.URLToPublishTo}
	}
	return out
}

// resolve finds the configuration of an entry: by connectId, or else by
// listener URL when exactly one configuration publishes there.
func resolve(configs []Config, connectID, url string) (Config, bool) {
	if connectID != "" {
		for _, c := range configs {
			if c.ConnectID == connectID {
				return c, true
			}
		}
		return Config{}, false
	}
	var found []Config
	for _, c := range configs {
		// Compared redacted: the client hands entries over with the
		// listener's credentials already removed.
		if url != "" && redact(c.URL) == redact(url) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return Config{}, false
}

// redact removes the secrets recognisable in text DocuSign answered.
func redact(s string) string { return docusign.RedactText(strings.TrimSpace(s)) }

// Failure is one failed delivery as the reports show it.
type Failure struct {
	FailureID  string `json:"failure_id,omitempty"`
	EnvelopeID string `json:"envelope_id"`
	// Configuration is the name of the configuration the post went through;
	// empty when its connectId names no live configuration (deleted since).
	Configuration string `json:"configuration,omitempty"`
	ConnectID     string `json:"connect_id,omitempty"`
	// URL is the listener posted to, credentials redacted.
	URL   string `json:"url,omitempty"`
	Error string `json:"error,omitempty"`
	// Status is the envelope status the post reported (Sent, Completed...).
	Status     string `json:"status,omitempty"`
	Created    Time   `json:"created,omitzero"`
	LastTry    Time   `json:"last_try,omitzero"`
	RetryCount int    `json:"retry_count"`
}

// last is when the post last failed: the last try, or when it was made.
func (f Failure) last() Time {
	if !f.LastTry.IsZero() {
		return f.LastTry
	}
	return f.Created
}

// Failures turns failure-log entries into report lines: named after their
// configuration, redacted, newest first. Entries outside w are left out
// (DocuSign filters by from_date and to_date, but the reference does not say
// on which date): an entry stays when it was made or last tried within w,
// or when neither date can be read.
func Failures(entries []docusign.LogEntry, configs []Config, w Window) []Failure {
	out := []Failure{}
	for _, e := range entries {
		f := Failure{
			FailureID: e.FailureID, EnvelopeID: e.EnvelopeID, ConnectID: e.ConnectID, URL: redact(e.ConfigURL),
			Error: redact(e.Error), Status: e.Status, Created: ParseTime(e.Created), LastTry: ParseTime(e.LastTry), RetryCount: int(e.RetryCount),
		}
		if !inWindow(w, f.Created, f.LastTry) {
			continue
		}
		if c, ok := resolve(configs, e.ConnectID, e.ConfigURL); ok {
			f.Configuration, f.ConnectID = c.Name, c.ConnectID
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Failure) int {
		return cmp.Or(b.Created.compare(a.Created), b.LastTry.compare(a.LastTry), cmp.Compare(a.EnvelopeID, b.EnvelopeID))
	})
	return out
}

// inWindow keeps an entry one of whose dates is in w, or none of whose
// dates can be read.
func inWindow(w Window, times ...Time) bool {
	known := false
	for _, t := range times {
		if t.Known() {
			known = true
			if w.Contains(t.Time()) {
				return true
			}
		}
	}
	return !known
}

// Health is one configuration's failed deliveries in a window.
type Health struct {
	Configuration string `json:"configuration,omitempty"`
	ConnectID     string `json:"connect_id,omitempty"`
	URL           string `json:"url,omitempty"`
	Failures      int    `json:"failures"`
	// LastError is the error of the failure that failed last.
	LastError   string `json:"last_error,omitempty"`
	LastFailure Time   `json:"last_failure,omitzero"`
}

// ByConfiguration counts failures per configuration (by connectId; entries
// of no known configuration count under their connectId or URL), the
// configuration that failed last first.
func ByConfiguration(failures []Failure) []Health {
	var out []Health
	index := map[string]int{}
	for _, f := range failures {
		key := cmp.Or(f.ConnectID, "url:"+f.URL)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, Health{Configuration: f.Configuration, ConnectID: f.ConnectID, URL: f.URL})
		}
		h := &out[i]
		h.Failures++
		if last := f.last(); h.LastFailure.IsZero() || last.compare(h.LastFailure) > 0 {
			h.LastFailure, h.LastError = last, f.Error
			if f.URL != "" {
				h.URL = f.URL
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Health) int {
		return cmp.Or(b.LastFailure.compare(a.LastFailure), cmp.Compare(a.Configuration, b.Configuration))
	})
	return out
}
