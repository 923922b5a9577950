package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The failure log (reference §2):
//
//	GET    .../connect/failures?from_date=&to_date=  → 200 connectLogs {"failures":[...],"totalRecords":"N"}
//	DELETE .../connect/failures/{failureId}          → 200 connectDeleteFailureResult {} ("all" empties the log)

// logList is DocuSign's connectLogs. An empty list is left out, leaving
// {"totalRecords":"0"}, as for the configuration list (see doc.go).
type logList struct {
	Failures     []ConnectLog `json:"failures,omitempty"`
	Logs         []ConnectLog `json:"logs,omitempty"`
	TotalRecords string       `json:"totalRecords"`
}

// dateLayouts are the from_date/to_date forms accepted: ISO 8601 with or
// without an offset or a fraction, a bare date (midnight, as .NET reads
// it), and the US form.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02", "1/2/2006 3:04:05 PM", "1/2/2006"}

// dateWindow reads from_date and to_date: no from_date means no lower bound,
// no to_date means now (the reference's "defaults to the current date").
func (e *Emulator) dateWindow(r *http.Request) (from, to time.Time, err *apiError) {
	q := r.URL.Query()
	to = e.now()
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from_date", &from}, {"to_date", &to}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		t, ok := parseDate(v)
		if !ok {
			return from, to, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. %s %q is not a UTC date-time such as 2026-11-01T08:00:00Z.", p.name, v)
		}
		*p.into = t
	}
	if !from.IsZero() && from.After(to) {
		return from, to, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. from_date is after to_date.")
	}
	return from, to, nil
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// inWindow reports whether a record was created within [from, to].
func inWindow(r deliveryRecord, from, to time.Time) bool {
	return !r.Created.Before(from) && !r.Created.After(to)
}

func (e *Emulator) listFailures(r *http.Request, accountID string) (int, any, *apiError) {
	from, to, err := e.dateWindow(r)
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out logList
	for _, f := range e.st.findAccount(accountID).Failures {
		if inWindow(f, from, to) {
			out.Failures = append(out.Failures, f.failure(accountID))
		}
	}
	out.TotalRecords = strconv.Itoa(len(out.Failures))
	return http.StatusOK, out, nil
}

// deleteFailure removes one failure, or all of them with failureId "all".
func (e *Emulator) deleteFailure(r *http.Request, accountID string) (int, any, *apiError) {
	id := r.PathValue("failureId")
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	if strings.EqualFold(id, "all") {
		a.Failures = nil
	} else {
		i := findRecord(a.Failures, id)
		if i < 0 {
			return 0, nil, badRequest(CodeFailureNotFound, "No Connect failure with failureId %q in this account.", id)
		}
		a.Failures = append(a.Failures[:i:i], a.Failures[i+1:]...)
	}
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusOK, struct{}{}, nil
}

func findRecord(list []deliveryRecord, id string) int {
	for i := range list {
		if strings.EqualFold(list[i].ID, id) {
			return i
		}
	}
	return -1
}
