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
)

// RetryBatchSize is how many envelopes one retry-queue call carries. The
// reference sets no limit; 100 is DocuSign's usual page maximum.
const RetryBatchSize = 100

// RetryResult is DocuSign's connectFailureResult: what the retry queue said
// about one envelope (and, when DocuSign says so, one configuration).
type RetryResult struct {
	ConfigID      string `json:"configId,omitempty"`
	ConfigURL     string `json:"configUrl,omitempty"`
	EnvelopeID    string `json:"envelopeId,omitempty"`
	Status        string `json:"status,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
}

// refusalWords mark a status or message that says the envelope was not put
// on the queue. The reference documents no status values, so anything else
// (Success, Queued, an envelope status such as Sent, nothing) counts as
// accepted.
var refusalWords = []string{"fail", "error", "invalid", "notfound", "not found", "refuse", "reject", "denied", "unable", "cannot", "not allowed"}

// Refused reports whether DocuSign declined to retry the envelope, judging
// by the status and, when the status is empty, the message.
func (r RetryResult) Refused() bool {
	text := r.Status
	if strings.TrimSpace(text) == "" {
		text = r.StatusMessage
	}
	text = strings.ToLower(text)
	for _, w := range refusalWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// retryFilter is DocuSign's connectFailureFilter. synchronous "must be
// false" and false is its default, so it is left out.
type retryFilter struct {
	EnvelopeIDs []string `json:"envelopeIds"`
}

// decodeRetryResults reads connectFailureResults ({"retryQueue": [...]}),
// a bare array, or an empty answer (no per-envelope results).
func decodeRetryResults(data []byte, red *redactor) ([]RetryResult, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var err error
	var results []RetryResult
	if data[0] == '[' {
		err = json.Unmarshal(data, &results)
	} else {
		var wrapper struct {
			RetryQueue []RetryResult `json:"retryQueue"`
		}
		err = json.Unmarshal(data, &wrapper)
		results = wrapper.RetryQueue
	}
	if err != nil {
		return nil, fmt.Errorf("decode answer: %w (%s)", err, summarizeBody("", data, red))
	}
	for i, r := range results {
		r.ConfigURL, r.StatusMessage = red.text(r.ConfigURL), red.text(r.StatusMessage)
		results[i] = r
	}
	return results, nil
}

// RetryEnvelopes puts envelopes on the account's Connect retry queue, so
// that DocuSign publishes their failed posts again, RetryBatchSize envelopes
// per call. It returns DocuSign's results, which may be fewer than the
// envelopes (an asynchronous queue need not answer per envelope). When a
// call fails, the results of the calls before it come back with the error,
// which names the envelopes not sent. A retry-queue PUT is safe to repeat,
// so it is retried like any other PUT.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/retryforenvelopes/
func (c *Client) RetryEnvelopes(ctx context.Context, accountID string, envelopeIDs []string) ([]RetryResult, error) {
	if len(envelopeIDs) == 0 {
		return nil, fmt.Errorf("retry envelopes in account %s: no envelope ids", accountID)
	}
	var all []RetryResult
	for start := 0; start < len(envelopeIDs); start += RetryBatchSize {
		batch := envelopeIDs[start:min(start+RetryBatchSize, len(envelopeIDs))]
		var raw rawAnswer
		err := c.call(ctx, http.MethodPut, accountID, "connect/envelopes/retry_queue", retryFilter{EnvelopeIDs: batch}, &raw)
		var results []RetryResult
		if err == nil {
			results, err = decodeRetryResults(raw, c.red)
		}
		if err != nil {
			return all, fmt.Errorf("retry envelopes %s in account %s: %w", strings.Join(envelopeIDs[start:], ", "), accountID, err)
		}
		all = append(all, results...)
	}
	return all, nil
}

// RetryEnvelope puts one envelope on the account's Connect retry queue.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/retryforenvelope/
func (c *Client) RetryEnvelope(ctx context.Context, accountID, envelopeID string) ([]RetryResult, error) {
	err := errors.New("no envelope id")
	var results []RetryResult
	if envelopeID != "" {
		var raw rawAnswer
		err = c.call(ctx, http.MethodPut, accountID, "connect/envelopes/"+url.PathEscape(envelopeID)+"/retry_queue", nil, &raw)
		if err == nil {
			results, err = decodeRetryResults(raw, c.red)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("retry envelope %s in account %s: %w", envelopeID, accountID, err)
	}
	return results, nil
}

// PublishTransaction is DocuSign's envelopePublishTransaction: the batch a
// historical republish started. Counts are strings on the wire.
type PublishTransaction struct {
	ID                        string               `json:"envelopePublishTransactionId,omitempty"`
	ProcessingStatus          string               `json:"processingStatus,omitempty"`
	ApplyConnectSettings      string               `json:"applyConnectSettings,omitempty"`
	EnvelopeCount             Int                  `json:"envelopeCount,omitempty"`
	SubmittedForPublishing    Int                  `json:"submittedForPublishingEnvelopeCount,omitempty"`
	ProcessedEnvelopeCount    Int                  `json:"processedEnvelopeCount,omitempty"`
	NoActionRequiredEnvelopes Int                  `json:"noActionRequiredEnvelopeCount,omitempty"`
	ErrorCount                Int                  `json:"errorCount,omitempty"`
	ErrorRollups              []PublishErrorRollup `json:"envelopeLevelErrorRollups,omitempty"`
	FileLevelErrors           []string             `json:"fileLevelErrors,omitempty"`
	ResultsURI                string               `json:"resultsUri,omitempty"`
	SubmissionDate            string               `json:"submissionDate,omitempty"`
	SubmittedBy               *User                `json:"submittedByUserInfo,omitempty"`
}

// PublishErrorRollup is DocuSign's envelopePublishTransactionErrorRollup:
// how many envelopes failed with one kind of error.
type PublishErrorRollup struct {
	Count     Int    `json:"count,omitempty"`
	ErrorType string `json:"errorType,omitempty"`
}

// historicalRepublish is DocuSign's connectHistoricalEnvelopeRepublish.
type historicalRepublish struct {
	Config    Configuration `json:"config"`
	Envelopes []string      `json:"envelopes"`
}

// RepublishHistorical sends existing envelopes to a listener through an ad
// hoc configuration: DocuSign uses cfg as given (it does not read a stored
// configuration, so include everything, the password too) and publishes in
// the background (processingStatus "processing"). JSON only: DocuSign does
// not support XML, Salesforce or eOriginal configurations here.
//
// Like a create, the POST is sent once (retry.go): after a 429, 401, 5xx,
// a timeout or a dropped connection the error satisfies IsOutcomeUnknown,
// and the batch may or may not have started (DocuSign's Bulk Actions Log
// tells).
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/envelopepublish/createhistoricalenvelopepublishtransaction/
func (c *Client) RepublishHistorical(ctx context.Context, accountID string, cfg Configuration, envelopeIDs []string) (PublishTransaction, error) {
	errorf := func(err error) error {
		return fmt.Errorf("republish %d envelopes through %q in account %s: %w", len(envelopeIDs), cfg.Name, accountID, err)
	}
	if len(envelopeIDs) == 0 {
		return PublishTransaction{}, errorf(errors.New("no envelope ids"))
	}
	cfg.ConnectID = ""
	var raw rawAnswer
	if err := c.call(ctx, http.MethodPost, accountID, "connect/envelopes/publish/historical", historicalRepublish{Config: cfg, Envelopes: envelopeIDs}, &raw); err != nil {
		return PublishTransaction{}, errorf(err)
	}
	var tx PublishTransaction
	if len(bytes.TrimSpace(raw)) == 0 {
		return tx, nil // accepted without details
	}
	if err := decodeBody(raw, &tx, c.red); err != nil {
		return PublishTransaction{}, errorf(err)
	}
	for i, e := range tx.FileLevelErrors {
		tx.FileLevelErrors[i] = c.red.text(e)
	}
	return tx, nil
}
