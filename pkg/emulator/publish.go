package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/connectsync/connectsync/pkg/connectevent"
)

// The sandbox delivers: an event sent with Publish (or POST
// /connectsync/sandbox/accounts/{accountId}/publish, or connectsync sandbox
// publish) goes through every configuration of the account that would send
// it at DocuSign, to its listener, in its data model, with its basic auth
// and signed with the account's HMAC keys (pkg/connectevent writes all of
// that, as `connectsync probe` does). What happens then is what DocuSign
// records: a post not acknowledged with a 2xx by a configuration with
// requiresAcknowledgement goes to the failure log (RecordFailure), and
// every post of a configuration with enableLog to the Connect log
// (RecordLog). The retry queue delivers again (connect_retry.go).
//
// Which configurations send an event (docs/docusign-fidelity.md, "Deliveries"):
//   - custom and customrecipient ones only, with allowEnvelopePublish on,
//     not paused (pausePublish: DocuSign queues) and not disabledBy;
//   - JSON SIM: the event is in events; the other models: its status
//     (Completed for envelope-completed) is in envelopeEvents or, for a
//     recipient event, recipientEvents, in DocuSign's sentence case exactly
//     (lower-case values "may never fire": the emulator's least kind choice);
//   - custom: the envelope's sender is covered (allUsers, userIds,
//     allUsersExcept as /users lists them); customrecipient (Recipient
//     Connect): its signer is. The emulator models no groups, so groupIds
//     cover nobody.
//
// The sandbox is a developer tool on a closed machine: it posts only to
// loopback listeners unless DeliverOptions.AllowRemote says otherwise; a
// configuration whose listener is elsewhere is reported as skipped and
// nothing is recorded. TLS is verified.

// DefaultDeliveryTimeout bounds one sandbox post. DocuSign waits 100 s for
// an acknowledgement; a sandbox run should not.
const DefaultDeliveryTimeout = 10 * time.Second

// DeliverOptions say how the sandbox delivers Connect posts.
type DeliverOptions struct {
	// AllowRemote lets deliveries go to listeners that are not on a loopback
	// address.
	AllowRemote bool
	// Timeout bounds each post (DefaultDeliveryTimeout when zero).
	Timeout time.Duration
	// Client sends the posts; nil means one that verifies TLS and follows
	// no redirect (a 3xx is an answer, and a failure).
	Client *http.Client
}

// PublishRequest is an event to send through an account's configurations.
type PublishRequest struct {
	AccountID string
	// Event is a JSON SIM envelope or recipient event, e.g. envelope-completed.
	Event string
	// EnvelopeID is the envelope the event is about; a new GUID when empty.
	EnvelopeID string
	// SenderID is the user who sent the envelope (a member of the account);
	// the sandbox user when empty. Its signer is another member of the account.
	SenderID string
}

// Post is what one configuration did with an event.
type Post struct {
	ConnectID, Name, URL string
	Model                string
	// Skipped says why the configuration sent nothing; "" when it posted.
	Skipped string
	// Status is the listener's HTTP status; 0 when it did not answer.
	Status int
	// Delivered is true when the listener acknowledged the post (2xx).
	Delivered bool
	// Error is why the post failed, in DocuSign's wording.
	Error string
	// Signatures is how many X-DocuSign-Signature headers the post carried;
	// BasicAuth whether it carried the configuration's user and password.
	Signatures int
	BasicAuth  bool
	// FailureID and LogID are the entries the post left, "" for none.
	FailureID, LogID string
	Duration         time.Duration
}

// Publish sends an event through every configuration of the account that
// would send it at DocuSign (see above) and returns the envelope id and
// what each configuration did, in the account's order. Deliveries are made
// one after the other, each bounded by DeliverOptions.Timeout.
func (e *Emulator) Publish(ctx context.Context, req PublishRequest) (envelopeID string, posts []Post, err error) {
	if err := connectevent.CheckEvent(req.Event); err != nil {
		return "", nil, err
	}
	envelopeID = strings.TrimSpace(req.EnvelopeID)
	if envelopeID == "" {
		envelopeID = newGUID()
	} else if !isGUID(envelopeID) {
		return "", nil, fmt.Errorf("envelope id %q: want a GUID such as 93be49ab-1c2d-4e5f-8a9b-f752070d71ec", envelopeID)
	}
	e.mu.RLock()
	a := e.st.findAccount(req.AccountID)
	if a == nil {
		e.mu.RUnlock()
		return "", nil, fmt.Errorf("no account %s in the sandbox", req.AccountID)
	}
	accountID := a.AccountID
	senderID := cmpOr(req.SenderID, SandboxUserID)
	sender := a.member(senderID)
	if sender == nil {
		e.mu.RUnlock()
		return "", nil, fmt.Errorf("user %s is not a member of account %s", senderID, accountID)
	}
	from, to := person(*sender), person(signerFor(a, sender.UserID))
	configs := make([]Configuration, len(a.Configurations))
	for i, c := range a.Configurations {
		configs[i] = c.clone()
	}
	e.mu.RUnlock()

	now := e.now()
	env := connectevent.SampleEnvelope(envelopeID, req.Event, now, from, to)
	for _, c := range configs {
		p := Post{ConnectID: c.ConnectID, Name: c.Name, URL: c.URLToPublishTo, Model: string(modelOf(&c))}
		if p.Skipped = whyNotSent(&c, req.Event, from.UserID, to.UserID); p.Skipped == "" {
			p = e.deliver(ctx, accountID, &c, req.Event, env, 0)
		}
		posts = append(posts, p)
	}
	return envelopeID, posts, nil
}

func person(u AccountUser) connectevent.Person {
	return connectevent.Person{UserID: u.UserID, Name: u.UserName, Email: u.Email}
}

// signerFor picks the sample envelope's signer: the first active member of
// the account other than the sender (the sender signs alone otherwise).
func signerFor(a *account, senderID string) AccountUser {
	for _, u := range a.Users {
		if !strings.EqualFold(u.UserID, senderID) && u.Status == "Active" && !u.Admin {
			return u
		}
	}
	if m := a.member(senderID); m != nil {
		return *m
	}
	return AccountUser{UserID: senderID}
}

func modelOf(c *Configuration) connectevent.Model {
	var version, format string
	if c.EventData != nil {
		version, format = c.EventData.Version, c.EventData.Format
	}
	return connectevent.ModelOf(c.DeliveryMode, version, format)
}

// whyNotSent says why a configuration does not send an event, "" when it does.
func whyNotSent(c *Configuration, event, senderID, signerID string) string {
	switch {
	case c.ConfigurationType != "custom" && c.ConfigurationType != "customrecipient":
		return fmt.Sprintf("a %s configuration: the sandbox delivers custom and customrecipient ones only", c.ConfigurationType)
	case c.AllowEnvelopePublish != True:
		return "allowEnvelopePublish is off"
	case c.PausePublish == True:
		return "publishing is paused (pausePublish): DocuSign queues the events"
	case c.DisabledBy != "":
		return "disabled by " + c.DisabledBy
	}
	model := modelOf(c)
	if model == connectevent.JSONSIM {
		if !slices.Contains(c.Events, event) {
			return fmt.Sprintf("%s is not in its events", event)
		}
	} else {
		status, list, field := connectevent.LegacyStatus(event), c.EnvelopeEvents, "envelopeEvents"
		if connectevent.IsRecipientEvent(event) {
			list, field = c.RecipientEvents, "recipientEvents"
		}
		switch {
		case status == "":
			return fmt.Sprintf("the %s model has no event for %s", model, event)
		case !slices.Contains(list, status):
			if containsFold(list, status) {
				return fmt.Sprintf("%s holds %q not in DocuSign's sentence case %q: the sandbox does not fire it", field, list[slices.IndexFunc(list, func(s string) bool { return strings.EqualFold(s, status) })], status)
			}
			return fmt.Sprintf("%s is not in its %s", status, field)
		}
	}
	who, id := "the sender", senderID
	if c.ConfigurationType == "customrecipient" {
		who, id = "the signer (Recipient Connect)", signerID
	}
	if !covers(c, id) {
		if c.AllUsers != True && len(c.UserIDs) == 0 && len(c.GroupIDs) > 0 {
			return fmt.Sprintf("it covers users through groupIds only, which the sandbox does not model, so not %s %s", who, id)
		}
		return fmt.Sprintf("it does not cover %s %s", who, id)
	}
	return ""
}

// deliver posts one event to one configuration's listener and records the
// outcome as DocuSign would. The caller must not hold e.mu.
func (e *Emulator) deliver(ctx context.Context, accountID string, c *Configuration, event string, env connectevent.Envelope, retryCount int) Post {
	p := Post{ConnectID: c.ConnectID, Name: c.Name, URL: c.URLToPublishTo, Model: string(modelOf(c))}
	u, err := url.Parse(c.URLToPublishTo)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		p.Skipped = fmt.Sprintf("urlToPublishTo %q is not an absolute http(s) URL", c.URLToPublishTo)
		return p
	}
	if !e.opts.Deliver.AllowRemote && !isLoopbackHost(u.Hostname()) {
		p.Skipped = fmt.Sprintf("the listener %s is not on loopback: the sandbox delivers to loopback listeners only unless allowed (sandbox publish/serve --allow-remote-listeners)", u.Hostname())
		return p
	}
	now := e.now()
	var includeData []string
	if c.EventData != nil {
		includeData = c.EventData.IncludeData
	}
	payload, err := connectevent.Build(connectevent.Message{
		Event: event, AccountID: accountID, UserID: env.Sender.UserID, ConfigurationID: c.ConnectID,
		RetryCount: retryCount, Generated: now, Envelope: env,
	}, connectevent.Options{
		Model: modelOf(c), IncludeData: includeData, IncludeDocuments: c.IncludeDocuments == True,
		IncludeTimeZone: c.IncludeTimeZoneInformation == True, IncludeVoidReason: c.IncludeEnvelopeVoidReason == True,
	})
	if err != nil {
		p.Skipped = err.Error()
		return p
	}
	creds := connectevent.Credentials{UserName: c.UserName, Password: c.Password}
	if c.IncludeHMAC == True {
		creds.HMACKeys, _ = e.HMACKeys(accountID)
	}
	p.Signatures, p.BasicAuth = len(creds.HMACKeys), c.UserName != ""

	timeout := e.opts.Deliver.Timeout
	if timeout <= 0 {
		timeout = DefaultDeliveryTimeout
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	req, err := connectevent.NewRequest(pctx, c.URLToPublishTo, payload, creds)
	if err == nil {
		var resp *http.Response
		resp, err = e.deliveryClient().Do(req)
		if err == nil {
			resp.Body.Close()
			p.Status = resp.StatusCode
		}
	}
	p.Duration = time.Since(start)
	switch {
	case err != nil:
		p.Error = transportError(err)
	case p.Status < 200 || p.Status > 299:
		p.Error = fmt.Sprintf("The remote server returned an error: (%d) %s.", p.Status, http.StatusText(p.Status))
	default:
		p.Delivered = true
	}

	d := Delivery{
		ConnectID: c.ConnectID, EnvelopeID: env.ID, Status: sentenceStatus(env.Status), Error: p.Error,
		Subject: env.Subject, Email: env.Sender.Email, UserName: env.Sender.Name, Time: now, Event: event, RetryCount: retryCount,
	}
	if !p.Delivered && c.RequiresAcknowledgement == True {
		p.FailureID, _ = e.RecordFailure(accountID, d)
	}
	outcome := fmt.Sprintf("The listener answered %d %s in %d ms.", p.Status, http.StatusText(p.Status), p.Duration.Milliseconds())
	if p.Error != "" && p.Status == 0 {
		outcome = p.Error
	}
	d.Debug = []DebugLog{{
		ConnectConfig: c.Name, EventDateTime: WireTime(now),
		EventDescription: fmt.Sprintf("POST %s (%s, %s, %d signatures). %s", c.URLToPublishTo, p.Model, event, p.Signatures, outcome),
		Payload:          string(payload.Body),
	}}
	if p.Error != "" {
		d.Debug[0].ErrorDetails = &ErrorDetail{ErrorCode: "CONNECT_POST_FAILED", Message: p.Error}
	}
	p.LogID, _ = e.RecordLog(accountID, d)
	return p
}

// deliveryClient is the client sandbox posts go through.
func (e *Emulator) deliveryClient() *http.Client {
	if c := e.opts.Deliver.Client; c != nil {
		return c
	}
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// transportError words a post that got no answer as DocuSign's log does.
func transportError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "The operation has timed out"
	case strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "tls:"):
		return "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."
	}
	return "Unable to connect to the remote server"
}

func sentenceStatus(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newGUID makes a random version-4 GUID, for an envelope published without one.
func newGUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// redeliver posts a failure the retry queue took back to its
// configuration again, as the envelope's current state (the event it
// failed with, or the one its status names), retryCount one more.
func (e *Emulator) redeliver(ctx context.Context, accountID string, f deliveryRecord) {
	e.mu.RLock()
	a := e.st.findAccount(accountID)
	i := a.configuration(f.ConnectID)
	if i < 0 {
		e.mu.RUnlock()
		return // the configuration is gone: nothing to post to
	}
	c := a.Configurations[i].clone()
	sender := connectevent.Person{Name: f.UserName, Email: f.Email}
	for _, u := range a.Users {
		if f.Email != "" && strings.EqualFold(u.Email, f.Email) {
			sender = person(u)
		}
	}
	signer := person(signerFor(a, sender.UserID))
	e.mu.RUnlock()
	if c.AllowEnvelopePublish != True || c.PausePublish == True {
		return
	}
	event := f.Event
	if connectevent.CheckEvent(event) != nil {
		event = "envelope-" + strings.ToLower(f.Status)
		if connectevent.CheckEvent(event) != nil {
			event = "envelope-sent"
		}
	}
	env := connectevent.SampleEnvelope(f.EnvelopeID, event, e.now(), sender, signer)
	if f.Subject != "" {
		env.Subject = f.Subject
	}
	e.deliver(ctx, accountID, &c, event, env, f.RetryCount+1)
}

// RoutePublish is the sandbox's own endpoint for Publish, which `sandbox
// serve` exposes (DocuSign has no such endpoint: envelopes trigger Connect).
// No token is needed: the server listens on loopback only.
const RoutePublish = "POST /connectsync/sandbox/accounts/{accountId}/publish"

// publishAnswer is RoutePublish's answer.
type publishAnswer struct {
	EnvelopeID string       `json:"envelopeId"`
	Posts      []postAnswer `json:"posts"`
}

type postAnswer struct {
	ConnectID  string `json:"connectId"`
	Name       string `json:"name"`
	URL        string `json:"url"`
	Model      string `json:"model"`
	Skipped    string `json:"skipped,omitempty"`
	Status     int    `json:"status,omitempty"`
	Delivered  bool   `json:"delivered"`
	Error      string `json:"error,omitempty"`
	Signatures int    `json:"signatures"`
	BasicAuth  bool   `json:"basicAuth"`
	FailureID  string `json:"failureId,omitempty"`
	LogID      string `json:"logId,omitempty"`
	DurationMS int64  `json:"durationMs"`
}

// handlePublish serves RoutePublish: {"event", "envelopeId", "senderId"}.
func (e *Emulator) handlePublish(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Event      string `json:"event"`
		EnvelopeID string `json:"envelopeId"`
		SenderID   string `json:"senderId"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeJSON(w, err.Status, err)
		return
	}
	id, posts, err := e.Publish(r.Context(), PublishRequest{AccountID: r.PathValue("accountId"), Event: body.Event, EnvelopeID: body.EnvelopeID, SenderID: body.SenderID})
	if err != nil {
		writeJSON(w, http.StatusBadRequest, badRequest(CodeInvalidRequestParameter, "%s", err))
		return
	}
	out := publishAnswer{EnvelopeID: id, Posts: []postAnswer{}}
	for _, p := range posts {
		out.Posts = append(out.Posts, postAnswer{ConnectID: p.ConnectID, Name: p.Name, URL: p.URL, Model: p.Model, Skipped: p.Skipped,
			Status: p.Status, Delivered: p.Delivered, Error: p.Error, Signatures: p.Signatures, BasicAuth: p.BasicAuth,
			FailureID: p.FailureID, LogID: p.LogID, DurationMS: p.Duration.Milliseconds()})
	}
	writeJSON(w, http.StatusOK, out)
}
