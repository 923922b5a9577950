package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The Connect log (reference §2; entries exist only for configurations with
// enableLog, see RecordLog):
//
//	GET    .../connect/logs?from_date=&to_date=      → 200 connectLogs {"logs":[...],"totalRecords":"N"}
//	GET    .../connect/logs/{logId}?additional_info= → 200 connectLog (connectDebugLog only with additional_info=true)
//	DELETE .../connect/logs                          → 200, empty body
//	DELETE .../connect/logs/{logId}                  → 200, empty body

func (e *Emulator) listLogs(r *http.Request, accountID string) (int, any, *apiError) {
	from, to, err := e.dateWindow(r)
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out logList
	for _, l := range e.liveLogs(accountID) {
		if inWindow(l, from, to) {
			out.Logs = append(out.Logs, l.log(accountID, false))
		}
	}
	out.TotalRecords = strconv.Itoa(len(out.Logs))
	return http.StatusOK, out, nil
}

// liveLogs are the account's log entries DocuSign would still have: the
// MaxLogEntries most recent of the last LogRetention. The caller holds e.mu.
func (e *Emulator) liveLogs(accountID string) []deliveryRecord {
	live := account{Logs: slices.Clone(e.st.findAccount(accountID).Logs)}
	live.expireLogs(e.now())
	return live.Logs
}

func (e *Emulator) getLog(r *http.Request, accountID string) (int, any, *apiError) {
	var debug bool
	switch v := strings.ToLower(r.URL.Query().Get("additional_info")); v {
	case "true":
		debug = true
	case "", "false":
	default:
		return 0, nil, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. additional_info must be true or false, got %q.", v)
	}
	id := r.PathValue("logId")
	e.mu.RLock()
	defer e.mu.RUnlock()
	logs := e.liveLogs(accountID)
	i := findRecord(logs, id)
	if i < 0 {
		return 0, nil, badRequest(CodeLogNotFound, "No Connect log entry with logId %q in this account.", id)
	}
	return http.StatusOK, logs[i].log(accountID, debug), nil
}

func (e *Emulator) deleteLog(r *http.Request, accountID string) (int, any, *apiError) {
	id := r.PathValue("logId")
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	a.expireLogs(e.now())
	i := findRecord(a.Logs, id)
	if i < 0 {
		return 0, nil, badRequest(CodeLogNotFound, "No Connect log entry with logId %q in this account.", id)
	}
	a.Logs = append(a.Logs[:i:i], a.Logs[i+1:]...)
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusOK, nil, nil
}

func (e *Emulator) deleteLogs(r *http.Request, accountID string) (int, any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.findAccount(accountID).Logs = nil
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusOK, nil, nil
}
