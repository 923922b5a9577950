package delivery

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// Options say what a failures or logs report is about.
type Options struct {
	// Tool names the program, e.g. "connectsync 1.2.0".
	Tool   string
	Window Window
	// Name keeps only the failures of configurations of this name (--name),
	// ConnectID those of this configuration (--connect-id); both may be set.
	Name, ConnectID string
	// Envelope keeps only the log entries of this envelope (logs --envelope).
	Envelope string
}

// Input is what was read of one account.
type Input struct {
	Alias, AccountID string
	// Configs name the entries' configurations.
	Configs []Config
	// Entries are the failure-log or Connect-log entries read.
	Entries []docusign.LogEntry
	// Err is why the account could not be read; the rest is then empty.
	Err error
}

// FailuresReport is what `failures` prints.
type FailuresReport struct {
	FormatVersion string            `json:"format_version"`
	Kind          string            `json:"kind"`
	Tool          string            `json:"tool"`
	Since         time.Time         `json:"since"`
	Until         time.Time         `json:"until"`
	Name          string            `json:"name,omitempty"`
	ConnectID     string            `json:"connect_id,omitempty"`
	Summary       FailuresSummary   `json:"summary"`
	Accounts      []FailuresAccount `json:"accounts"`
}

// FailuresSummary counts a failures report.
type FailuresSummary struct {
	Accounts int `json:"accounts"`
	// Failed accounts could not be read.
	Failed   int `json:"failed"`
	Failures int `json:"failures"`
	// Configurations is how many configurations have failures.
	Configurations int `json:"configurations"`
}

// FailuresAccount is one account's failed deliveries.
type FailuresAccount struct {
	Alias     string `json:"alias"`
	AccountID string `json:"account_id"`
	Error     string `json:"error,omitempty"`
	// Configurations are those with failures, the one that failed last first.
	Configurations []Health  `json:"configurations"`
	Failures       []Failure `json:"failures"`
}

// BuildFailures builds the failures report, accounts in the given order.
func BuildFailures(inputs []Input, opts Options) *FailuresReport {
	r := &FailuresReport{FormatVersion: FormatVersion, Kind: KindFailures, Tool: opts.Tool, Since: opts.Window.Since.UTC(), Until: opts.Window.Until.UTC(),
		Name: opts.Name, ConnectID: opts.ConnectID, Accounts: []FailuresAccount{}}
	for _, in := range inputs {
		a := FailuresAccount{Alias: in.Alias, AccountID: in.AccountID, Configurations: []Health{}, Failures: []Failure{}}
		r.Summary.Accounts++
		if in.Err != nil {
			a.Error = redact(in.Err.Error())
			r.Summary.Failed++
			r.Accounts = append(r.Accounts, a)
			continue
		}
		for _, f := range Failures(in.Entries, in.Configs, opts.Window) {
			if Selected(f, opts.Name, opts.ConnectID) {
				a.Failures = append(a.Failures, f)
			}
		}
		if h := ByConfiguration(a.Failures); h != nil {
			a.Configurations = h
		}
		r.Summary.Failures += len(a.Failures)
		r.Summary.Configurations += len(a.Configurations)
		r.Accounts = append(r.Accounts, a)
	}
	return r
}

// Selected reports whether a failure is of the configuration a --name and
// a --connect-id choose (each only when given).
func Selected(f Failure, name, connectID string) bool {
	return (name == "" || f.Configuration == name) && (connectID == "" || f.ConnectID == connectID)
}

// LogsReport is what `logs` prints.
type LogsReport struct {
	FormatVersion string        `json:"format_version"`
	Kind          string        `json:"kind"`
	Tool          string        `json:"tool"`
	Since         time.Time     `json:"since"`
	Until         time.Time     `json:"until"`
	Envelope      string        `json:"envelope,omitempty"`
	Summary       LogsSummary   `json:"summary"`
	Accounts      []LogsAccount `json:"accounts"`
}

// LogsSummary counts a logs report.
type LogsSummary struct {
	Accounts int `json:"accounts"`
	Failed   int `json:"failed"`
	Entries  int `json:"entries"`
	// Errors is how many entries record a failed post.
	Errors int `json:"errors"`
}

// LogsAccount is one account's Connect log entries.
type LogsAccount struct {
	Alias     string    `json:"alias"`
	AccountID string    `json:"account_id"`
	Error     string    `json:"error,omitempty"`
	Entries   []LogLine `json:"entries"`
}

// LogLine is one Connect log entry.
type LogLine struct {
	LogID         string `json:"log_id,omitempty"`
	EnvelopeID    string `json:"envelope_id"`
	Configuration string `json:"configuration,omitempty"`
	ConnectID     string `json:"connect_id,omitempty"`
	URL           string `json:"url,omitempty"`
	// Status is the envelope status posted.
	Status  string `json:"status,omitempty"`
	Error   string `json:"error,omitempty"`
	Created Time   `json:"created,omitzero"`
	// Debug are the steps of the post (logs --envelope: additional_info).
	Debug []DebugLine `json:"debug,omitempty"`
}

// DebugLine is one step of a post (DocuSign's connectDebugLog).
type DebugLine struct {
	Time          Time   `json:"time,omitzero"`
	Configuration string `json:"configuration,omitempty"`
	Description   string `json:"description,omitempty"`
	ErrorCode     string `json:"error_code,omitempty"`
	ErrorMessage  string `json:"error_message,omitempty"`
	Payload       string `json:"payload,omitempty"`
}

// BuildLogs builds the logs report: entries within the window (and of
// opts.Envelope when set), newest first, redacted.
func BuildLogs(inputs []Input, opts Options) *LogsReport {
	r := &LogsReport{FormatVersion: FormatVersion, Kind: KindLogs, Tool: opts.Tool, Since: opts.Window.Since.UTC(), Until: opts.Window.Until.UTC(),
		Envelope: opts.Envelope, Accounts: []LogsAccount{}}
	for _, in := range inputs {
		a := LogsAccount{Alias: in.Alias, AccountID: in.AccountID, Entries: []LogLine{}}
		r.Summary.Accounts++
		if in.Err != nil {
			a.Error = redact(in.Err.Error())
			r.Summary.Failed++
			r.Accounts = append(r.Accounts, a)
			continue
		}
		for _, e := range in.Entries {
			if opts.Envelope != "" && !strings.EqualFold(e.EnvelopeID, opts.Envelope) {
				continue
			}
			l := LogLine{LogID: e.LogID, EnvelopeID: e.EnvelopeID, ConnectID: e.ConnectID, URL: redact(e.ConfigURL), Status: e.Status,
				Error: redact(e.Error), Created: ParseTime(e.Created)}
			if !inWindow(opts.Window, l.Created) {
				continue
			}
			if c, ok := resolve(in.Configs, e.ConnectID, e.ConfigURL); ok {
				l.Configuration, l.ConnectID = c.Name, c.ConnectID
			}
			for _, d := range e.DebugLog {
				line := DebugLine{Time: ParseTime(d.EventDateTime), Configuration: d.ConnectConfig, Description: redact(d.EventDescription), Payload: redact(d.Payload)}
				if d.ErrorDetails != nil {
					line.ErrorCode, line.ErrorMessage = d.ErrorDetails.ErrorCode, redact(d.ErrorDetails.Message)
				}
				l.Debug = append(l.Debug, line)
			}
			a.Entries = append(a.Entries, l)
			if l.Error != "" {
				r.Summary.Errors++
			}
		}
		slices.SortStableFunc(a.Entries, func(x, y LogLine) int {
			return cmp.Or(y.Created.compare(x.Created), cmp.Compare(x.LogID, y.LogID))
		})
		r.Summary.Entries += len(a.Entries)
		r.Accounts = append(r.Accounts, a)
	}
	return r
}

// RetryReport is what `retry` prints: DocuSign's answer per envelope.
type RetryReport struct {
	FormatVersion string `json:"format_version"`
	Kind          string `json:"kind"`
	Tool          string `json:"tool"`
	Account       string `json:"account"`
	AccountID     string `json:"account_id"`
	// Selection is how the envelopes were chosen: "all" (the failure log
	// within since, of configuration name when set) or "envelopes" (named).
	Selection string       `json:"selection"`
	Since     *time.Time   `json:"since,omitempty"`
	Name      string       `json:"name,omitempty"`
	ConnectID string       `json:"connect_id,omitempty"`
	Summary   RetrySummary `json:"summary"`
	Results   []RetryLine  `json:"results"`
	// Error is why some envelopes were not sent (a call failed part way).
	Error string `json:"error,omitempty"`
}

// RetrySummary counts envelopes.
type RetrySummary struct {
	Requested int `json:"requested"`
	Accepted  int `json:"accepted"`
	Refused   int `json:"refused"`
	NotSent   int `json:"not_sent"`
}

// Retry outcomes of one envelope.
const (
	OutcomeAccepted = "accepted"
	OutcomeRefused  = "refused"
	OutcomeNotSent  = "not-sent"
)

// RetryLine is DocuSign's answer about one envelope (and configuration).
type RetryLine struct {
	EnvelopeID    string `json:"envelope_id"`
	Configuration string `json:"configuration,omitempty"`
	ConnectID     string `json:"connect_id,omitempty"`
	URL           string `json:"url,omitempty"`
	// Status and Message are DocuSign's, as answered.
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Outcome is accepted, refused or not-sent.
	Outcome string `json:"outcome"`
}

// RetryInput is what a retry sent and what DocuSign answered.
type RetryInput struct {
	Alias, AccountID string
	Selection        string
	Since            *time.Time
	Name, ConnectID  string
	// Requested are the envelopes sent, each once.
	Requested []string
	Results   []docusign.RetryResult
	Configs   []Config
	// Err is why a call failed; the requested envelopes without a result
	// were then not sent.
	Err error
}

// BuildRetry matches DocuSign's results to the envelopes requested, in
// their order. DocuSign need not answer per envelope (the queue is
// asynchronous): an envelope without a result counts as accepted, unless a
// call failed, when it was not sent.
func BuildRetry(in RetryInput, tool string) *RetryReport {
	r := &RetryReport{FormatVersion: FormatVersion, Kind: KindRetry, Tool: tool, Account: in.Alias, AccountID: in.AccountID,
		Selection: in.Selection, Name: in.Name, ConnectID: in.ConnectID, Results: []RetryLine{}}
	if in.Since != nil {
		since := in.Since.UTC()
		r.Since = &since
	}
	if in.Err != nil {
		r.Error = redact(in.Err.Error())
	}
	used := make([]bool, len(in.Results))
	line := func(res docusign.RetryResult) RetryLine {
		l := RetryLine{EnvelopeID: res.EnvelopeID, ConnectID: res.ConfigID, URL: redact(res.ConfigURL), Status: res.Status, Message: redact(res.StatusMessage), Outcome: OutcomeAccepted}
		if res.Refused() {
			l.Outcome = OutcomeRefused
		}
		if c, ok := resolve(in.Configs, res.ConfigID, res.ConfigURL); ok && (res.ConfigID != "" || res.ConfigURL != "") {
			l.Configuration, l.ConnectID = c.Name, c.ConnectID
		}
		return l
	}
	for _, id := range in.Requested {
		r.Summary.Requested++
		outcome := ""
		for i, res := range in.Results {
			if used[i] || !strings.EqualFold(strings.TrimSpace(res.EnvelopeID), id) {
				continue
			}
			used[i] = true
			l := line(res)
			l.EnvelopeID = id
			r.Results = append(r.Results, l)
			if outcome != OutcomeRefused {
				outcome = l.Outcome
			}
		}
		if outcome == "" {
			l := RetryLine{EnvelopeID: id, Outcome: OutcomeAccepted, Message: "DocuSign answered no status for this envelope"}
			if in.Err != nil {
				l.Outcome, l.Message = OutcomeNotSent, "not sent: "+r.Error
			}
			r.Results = append(r.Results, l)
			outcome = l.Outcome
		}
		switch outcome {
		case OutcomeAccepted:
			r.Summary.Accepted++
		case OutcomeRefused:
			r.Summary.Refused++
		default:
			r.Summary.NotSent++
		}
	}
	for i, res := range in.Results { // answers about envelopes not asked for
		if !used[i] {
			r.Results = append(r.Results, line(res))
		}
	}
	return r
}

// Refused lists the envelopes DocuSign refused, each once, with why.
func (r *RetryReport) Refused() []RetryLine {
	var out []RetryLine
	for _, l := range r.Results {
		if l.Outcome == OutcomeRefused && !slices.ContainsFunc(out, func(x RetryLine) bool { return strings.EqualFold(x.EnvelopeID, l.EnvelopeID) }) {
			out = append(out, l)
		}
	}
	return out
}

// RepublishReport is what `republish` prints: the batch DocuSign started.
type RepublishReport struct {
	FormatVersion string      `json:"format_version"`
	Kind          string      `json:"kind"`
	Tool          string      `json:"tool"`
	Account       string      `json:"account"`
	AccountID     string      `json:"account_id"`
	Configuration string      `json:"configuration"`
	ConnectID     string      `json:"connect_id"`
	URL           string      `json:"url"`
	Envelopes     []string    `json:"envelopes"`
	Transaction   Transaction `json:"transaction"`
}

// Transaction is DocuSign's envelopePublishTransaction.
type Transaction struct {
	ID               string   `json:"id,omitempty"`
	ProcessingStatus string   `json:"processing_status,omitempty"`
	Envelopes        int      `json:"envelopes"`
	Submitted        int      `json:"submitted"`
	Processed        int      `json:"processed"`
	NoActionRequired int      `json:"no_action_required"`
	Errors           int      `json:"errors"`
	ErrorTypes       []Rollup `json:"error_types,omitempty"`
	FileLevelErrors  []string `json:"file_level_errors,omitempty"`
	SubmissionDate   Time     `json:"submission_date,omitzero"`
	ResultsURI       string   `json:"results_uri,omitempty"`
}

// Rollup is how many envelopes failed with one kind of error.
type Rollup struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// BuildRepublish builds the republish report.
func BuildRepublish(alias, accountID string, cfg Config, envelopes []string, tx docusign.PublishTransaction, tool string) *RepublishReport {
	r := &RepublishReport{FormatVersion: FormatVersion, Kind: KindRepublish, Tool: tool, Account: alias, AccountID: accountID,
		Configuration: cfg.Name, ConnectID: cfg.ConnectID, URL: redact(cfg.URL), Envelopes: slices.Clone(envelopes),
		Transaction: Transaction{
			ID: tx.ID, ProcessingStatus: tx.ProcessingStatus, Envelopes: int(tx.EnvelopeCount), Submitted: int(tx.SubmittedForPublishing),
			Processed: int(tx.ProcessedEnvelopeCount), NoActionRequired: int(tx.NoActionRequiredEnvelopes), Errors: int(tx.ErrorCount),
			SubmissionDate: ParseTime(tx.SubmissionDate), ResultsURI: tx.ResultsURI,
		}}
	for _, e := range tx.ErrorRollups {
		r.Transaction.ErrorTypes = append(r.Transaction.ErrorTypes, Rollup{Type: redact(e.ErrorType), Count: int(e.Count)})
	}
	for _, e := range tx.FileLevelErrors {
		r.Transaction.FileLevelErrors = append(r.Transaction.FileLevelErrors, redact(e))
	}
	return r
}
