package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The retry queue and historical republish (reference §2):
//
//	PUT  .../connect/envelopes/retry_queue             connectFailureFilter → 200 connectFailureResults
//	PUT  .../connect/envelopes/{envelopeId}/retry_queue                     → 200 connectFailureResults
//	POST .../connect/envelopes/publish/historical      connectHistoricalEnvelopeRepublish → 201 envelopePublishTransaction
//
// A retried envelope leaves the failure log and is delivered again at once
// (publish.go); a post that fails again goes back to the log. A republish
// batch is stored (with the basic-auth credentials a delivery needs), not
// delivered.

// Retry statuses the emulator answers. The reference documents none; a
// client must not rely on these (docs/docusign-fidelity.md).
const (
	RetryStatusQueued  = "Success"
	RetryStatusRefused = "Failed"
)

// retryResult is DocuSign's connectFailureResult.
type retryResult struct {
	ConfigID      string `json:"configId,omitempty"`
	ConfigURL     string `json:"configUrl,omitempty"`
	EnvelopeID    string `json:"envelopeId"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
}

// retryResults is DocuSign's connectFailureResults.
type retryResults struct {
	RetryQueue []retryResult `json:"retryQueue"`
}

func (e *Emulator) retryEnvelopes(r *http.Request, accountID string) (int, any, *apiError) {
	var filter struct {
		EnvelopeIDs []string `json:"envelopeIds"`
		Synchronous Flag     `json:"synchronous"`
	}
	if err := decodeBody(r, &filter); err != nil {
		return 0, nil, err
	}
	if filter.Synchronous == True {
		return 0, nil, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. synchronous must be false.")
	}
	if len(filter.EnvelopeIDs) == 0 {
		return 0, nil, badRequest(CodeInvalidRequestBody, "envelopeIds is required: the envelopes to retry.")
	}
	return e.retry(r, accountID, filter.EnvelopeIDs)
}

func (e *Emulator) retryEnvelope(r *http.Request, accountID string) (int, any, *apiError) {
	return e.retry(r, accountID, []string{r.PathValue("envelopeId")})
}

// retry takes each envelope off the failure log, with one result per
// failure (configuration) it had; an envelope with no failure is refused.
// Each envelope is answered once, however often it is listed. Then each
// failure taken is delivered again (publish.go), before the answer, so
// that the failure log is settled when a client reads it next: a post that
// fails again is back in the log, with retryCount one more.
func (e *Emulator) retry(r *http.Request, accountID string, envelopeIDs []string) (int, any, *apiError) {
	out, taken, err := e.takeFailures(accountID, envelopeIDs)
	if err != nil {
		return 0, nil, err
	}
	// At once, so that a retry of many failures takes one delivery timeout
	// at most, well within a client's timeout for the call.
	var wg sync.WaitGroup
	for _, f := range taken {
		wg.Go(func() { e.redeliver(r.Context(), accountID, f) })
	}
	wg.Wait()
	return http.StatusOK, out, nil
}

// takeFailures removes the failures of the envelopes from the log and
// answers the retry queue's results.
func (e *Emulator) takeFailures(accountID string, envelopeIDs []string) (retryResults, []deliveryRecord, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	out := retryResults{RetryQueue: []retryResult{}}
	var seen []string
	var taken []deliveryRecord
	for _, id := range envelopeIDs {
		id = strings.TrimSpace(id)
		if containsFold(seen, id) {
			continue
		}
		seen = append(seen, id)
		if !isGUID(id) {
			out.RetryQueue = append(out.RetryQueue, retryResult{EnvelopeID: id, Status: RetryStatusRefused, StatusMessage: "Invalid envelope id: want a GUID."})
			continue
		}
		n := len(out.RetryQueue)
		a.Failures = slices.DeleteFunc(a.Failures, func(f deliveryRecord) bool {
			if !strings.EqualFold(f.EnvelopeID, id) {
				return false
			}
			out.RetryQueue = append(out.RetryQueue, retryResult{ConfigID: f.ConnectID, ConfigURL: f.ConfigURL, EnvelopeID: f.EnvelopeID, Status: RetryStatusQueued, StatusMessage: "Queued for republish."})
			taken = append(taken, f)
			return true
		})
		if len(out.RetryQueue) == n {
			out.RetryQueue = append(out.RetryQueue, retryResult{EnvelopeID: id, Status: RetryStatusRefused, StatusMessage: "The envelope has no failure in the Connect failure log of this account."})
		}
	}
	if err := e.persist(); err != nil {
		return out, nil, internalError(err)
	}
	return out, taken, nil
}

// publishTransaction is DocuSign's envelopePublishTransaction.
type publishTransaction struct {
	ID                     string        `json:"envelopePublishTransactionId"`
	ProcessingStatus       string        `json:"processingStatus"`
	ApplyConnectSettings   string        `json:"applyConnectSettings"`
	EnvelopeCount          string        `json:"envelopeCount"`
	SubmittedForPublishing string        `json:"submittedForPublishingEnvelopeCount"`
	Processed              string        `json:"processedEnvelopeCount"`
	NoActionRequired       string        `json:"noActionRequiredEnvelopeCount"`
	ErrorCount             string        `json:"errorCount"`
	ErrorRollups           []struct{}    `json:"envelopeLevelErrorRollups"`
	FileLevelErrors        []string      `json:"fileLevelErrors"`
	SubmissionDate         string        `json:"submissionDate"`
	SubmittedBy            submitterInfo `json:"submittedByUserInfo"`
}

type submitterInfo struct {
	UserID   string `json:"userId"`
	UserName string `json:"userName"`
	Email    string `json:"email"`
}

// republishHistorical validates the ad hoc configuration like a create (it
// is not stored as one), refuses what DocuSign says it does not support
// (Salesforce, eOriginal, XML) and stores the batch.
func (e *Emulator) republishHistorical(r *http.Request, accountID string) (int, any, *apiError) {
	var body struct {
		Config    *Configuration `json:"config"`
		Envelopes []string       `json:"envelopes"`
	}
	if err := decodeBody(r, &body); err != nil {
		return 0, nil, err
	}
	if body.Config == nil {
		return 0, nil, badRequest(CodeInvalidRequestBody, "config is required: the whole Connect configuration to publish through.")
	}
	c := body.Config.clone()
	c.fillDefaults()
	if err := validate(&c); err != nil {
		return 0, nil, err
	}
	switch {
	case c.ConfigurationType != "custom" && c.ConfigurationType != "customrecipient":
		return 0, nil, badRequest(CodeInvalidConfigurationType, "Historical republish does not support %s configurations.", c.ConfigurationType)
	case c.EventData.Version != "restv2.1" || strings.EqualFold(c.EventData.Format, "xml"):
		return 0, nil, badRequest(CodeInvalidEventData, "Historical republish sends JSON only: set eventData.version to restv2.1 (XML is not supported).")
	}
	var envelopes []string
	for _, id := range body.Envelopes {
		id = strings.TrimSpace(id)
		if !isGUID(id) {
			return 0, nil, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. Envelope %q is not an envelope id (a GUID).", id)
		}
		if !containsFold(envelopes, id) {
			envelopes = append(envelopes, id)
		}
	}
	if len(envelopes) == 0 {
		return 0, nil, badRequest(CodeInvalidRequestBody, "envelopes is required: the envelopes to republish.")
	}
	t, _ := e.tokens.lookup(r.Header.Get("Authorization"), e.now())
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	now := e.now()
	rec := republishRecord{ID: e.st.newEventID("publish"), Submitted: now, Name: c.Name, URL: c.URLToPublishTo, UserName: c.UserName, Password: c.Password, Envelopes: envelopes}
	a.Republishes = append(a.Republishes, rec)
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	var by submitterInfo
	if m := a.member(t.userID); m != nil {
		by = submitterInfo{UserID: m.UserID, UserName: m.UserName, Email: m.Email}
	}
	n := strconv.Itoa(len(envelopes))
	return http.StatusCreated, publishTransaction{
		ID: rec.ID, ProcessingStatus: "processing", ApplyConnectSettings: "false",
		EnvelopeCount: n, SubmittedForPublishing: n, Processed: "0", NoActionRequired: "0", ErrorCount: "0",
		ErrorRollups: []struct{}{}, FileLevelErrors: []string{}, SubmissionDate: WireTime(now), SubmittedBy: by,
	}, nil
}

// decodeBody reads a JSON request body into v (field names without regard
// to case, unknown fields ignored, as for configurations).
func decodeBody(r *http.Request, v any) *apiError {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if jerr := json.Unmarshal(body, v); jerr != nil {
		return badRequest(CodeInvalidRequestBody, "The request body is missing or improperly formatted. %s", describeJSONError(jerr))
	}
	return nil
}
