package docusign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// AllFailures is the failureId that makes DeleteFailure empty the whole
// failure log of the account.
const AllFailures = "all"

// ListFailures returns the account's Connect failure log: the posts that
// failed (a listener that did not answer 200 in time) and DocuSign keeps
// retrying or gave up on, created between from and to (a zero time leaves
// that end open). The entries come in DocuSign's order; DocuSign does not
// paginate this list. Listener URLs, errors and subjects come back with
// secrets redacted (see LogEntry.redacted).
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/listfailures/
func (c *Client) ListFailures(ctx context.Context, accountID string, from, to time.Time) ([]LogEntry, error) {
	var raw rawAnswer
	err := c.call(ctx, http.MethodGet, accountID, "connect/failures"+dateQuery(from, to), nil, &raw)
	var entries []LogEntry
	if err == nil {
		entries, err = decodeLogList(raw, "failures", c.red)
	}
	if err != nil {
		return nil, fmt.Errorf("list the Connect failure log of account %s: %w", accountID, err)
	}
	return redactEntries(entries, c.red), nil
}

// DeleteFailure deletes one entry of the failure log, or every entry with
// AllFailures. DocuSign answers connectDeleteFailureResult, an object the
// reference gives no fields; it is not read.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/deletefailure/
func (c *Client) DeleteFailure(ctx context.Context, accountID, failureID string) error {
	err := errors.New("no failureId")
	if failureID != "" {
		err = c.call(ctx, http.MethodDelete, accountID, "connect/failures/"+url.PathEscape(failureID), nil, nil)
	}
	if err != nil {
		return fmt.Errorf("delete Connect failure %s of account %s: %w", failureID, accountID, err)
	}
	return nil
}
