package connectevent

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Model is one of Connect's four data models: how a configuration's posts
// are written (JSON or XML) and grouped (one message per event, SIM, or per
// envelope status, aggregate).
type Model string

// The four data models, named as connectsync's audit names them.
const (
	JSONSIM       Model = "json-sim"
	JSONAggregate Model = "json-aggregate"
	XMLAggregate  Model = "xml-aggregate"
	XMLSIM        Model = "xml-sim"
)

// ModelOf reads a configuration's data model from its deliveryMode and
// eventData as DocuSign stores them: deliveryMode SIM (any letter case) is
// SIM, anything else ("", Aggregate) aggregate, DocuSign's default; the
// messages are JSON when eventData.version is restv2.1 (any case) and
// eventData.format is not xml, XML otherwise (version "" means legacy).
func ModelOf(deliveryMode, version, format string) Model {
	json := strings.EqualFold(version, "restv2.1") && !strings.EqualFold(format, "xml")
	sim := strings.EqualFold(deliveryMode, "SIM")
	switch {
	case json && sim:
		return JSONSIM
	case json:
		return JSONAggregate
	case sim:
		return XMLSIM
	}
	return XMLAggregate
}

// JSON reports whether the model's messages are JSON.
func (m Model) JSON() bool { return m == JSONSIM || m == JSONAggregate }

// ContentType is the Content-Type of a post of this model. DocuSign's
// documents do not name it: UNCONFIRMED (docs/docusign-fidelity.md).
func (m Model) ContentType() string {
	if m.JSON() {
		return "application/json"
	}
	return "text/xml; charset=utf-8"
}

// eventStates says, for each envelope or recipient event connectsync can
// write, the state the envelope and its (single) signer are in when the
// event fires, and the legacy status that triggers it in envelopeEvents or
// recipientEvents ("" when no legacy event matches). Template and click
// events are not envelope messages; their payloads are left out.
var eventStates = map[string]struct {
	envelope, recipient string // REST statuses, lower case
	legacy              string // envelopeEvents / recipientEvents value
}{
	"envelope-sent":                  {"sent", "sent", "Sent"},
	"envelope-resent":                {"sent", "sent", ""},
	"envelope-delivered":             {"delivered", "delivered", "Delivered"},
	"envelope-completed":             {"completed", "completed", "Completed"},
	"envelope-declined":              {"declined", "declined", "Declined"},
	"envelope-voided":                {"voided", "sent", "Voided"},
	"envelope-corrected":             {"sent", "sent", ""},
	"envelope-purge":                 {"completed", "completed", ""},
	"envelope-deleted":               {"voided", "sent", ""},
	"envelope-discard":               {"created", "created", ""},
	"recipient-sent":                 {"sent", "sent", "Sent"},
	"recipient-resent":               {"sent", "sent", ""},
	"recipient-delivered":            {"delivered", "delivered", "Delivered"},
	"recipient-completed":            {"completed", "completed", "Completed"},
	"recipient-declined":             {"declined", "declined", "Declined"},
	"recipient-authenticationfailed": {"sent", "sent", "AuthenticationFailed"},
	"recipient-autoresponded":        {"sent", "autoresponded", "AutoResponded"},
	"recipient-reassign":             {"sent", "sent", ""},
	"recipient-delegate":             {"sent", "sent", ""},
	"recipient-finish-later":         {"delivered", "delivered", ""},
}

// Events lists the events connectsync writes messages for, sorted: DocuSign's
// JSON SIM envelope and recipient events.
func Events() []string {
	out := make([]string, 0, len(eventStates))
	for e := range eventStates {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// CheckEvent refuses an event connectsync cannot write a message for.
func CheckEvent(event string) error {
	if _, ok := eventStates[event]; ok {
		return nil
	}
	if strings.HasPrefix(event, "template-") || strings.HasPrefix(event, "click-") {
		return fmt.Errorf("event %q: only envelope and recipient events can be sent (the payloads of template and click events are not documented)", event)
	}
	return fmt.Errorf("event %q is not one of DocuSign's envelope or recipient events (%s)", event, strings.Join(Events(), ", "))
}

// IsRecipientEvent reports whether an event is about a recipient rather than the
// envelope as a whole.
func IsRecipientEvent(event string) bool { return strings.HasPrefix(event, "recipient-") }

// LegacyStatus is the envelopeEvents (for envelope events) or
// recipientEvents (for recipient events) value that makes a configuration
// of the aggregate or XML models send this event, in DocuSign's sentence
// case; "" when those models have no such event.
func LegacyStatus(event string) string { return eventStates[event].legacy }

// Person is a DocuSign user or recipient.
type Person struct {
	UserID string
	Name   string
	Email  string
}

// Recipient is an envelope's recipient (a signer), as a message reports it.
type Recipient struct {
	Person
	// ID is recipientId ("1"); GUID is recipientIdGuid.
	ID, GUID     string
	RoutingOrder int
	// Status is the REST status in lower case: created, sent, delivered,
	// completed, declined, autoresponded.
	Status                            string
	Sent, Delivered, Signed, Declined time.Time
	DeclineReason                     string
}

// CustomField is an envelope text custom field.
type CustomField struct {
	ID, Name, Value string
}

// Document is a document of the envelope.
type Document struct {
	ID, Name string
	// PDF is the document's content, sent only when the configuration asks
	// for documents.
	PDF []byte
}

// Envelope is what a message says about an envelope.
type Envelope struct {
	ID      string
	Subject string
	// Status is the REST status in lower case: created, sent, delivered,
	// completed, declined, voided.
	Status                                        string
	Sender                                        Person
	Created, Sent, Delivered, Completed, Declined time.Time
	Voided, StatusChanged                         time.Time
	VoidedReason                                  string
	Recipients                                    []Recipient
	CustomFields                                  []CustomField
	Documents                                     []Document
}

// SamplePDF is the content of SampleEnvelope's document: a minimal PDF.
var SamplePDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// SampleEnvelope is a one-signer envelope in the state it has when event
// fires at time at: what `probe` and the sandbox send when there is no real
// envelope. Its times are spaced a minute apart before at, so the same
// inputs always give the same message.
func SampleEnvelope(envelopeID, event string, at time.Time, sender, signer Person) Envelope {
	st := eventStates[event]
	if st.envelope == "" {
		st.envelope, st.recipient = "sent", "sent"
	}
	at = at.UTC()
	env := Envelope{
		ID: envelopeID, Subject: "Please DocuSign: connectsync sample", Status: st.envelope, Sender: sender,
		Created: at.Add(-4 * time.Minute), StatusChanged: at,
		CustomFields: []CustomField{{ID: "1", Name: "source", Value: "connectsync"}},
		Documents:    []Document{{ID: "1", Name: "sample.pdf", PDF: SamplePDF}},
	}
	r := Recipient{Person: signer, ID: "1", GUID: sampleGUID(envelopeID), RoutingOrder: 1, Status: st.recipient}
	if st.envelope != "created" {
		env.Sent, r.Sent = at.Add(-3*time.Minute), at.Add(-3*time.Minute)
	}
	switch st.recipient {
	case "delivered":
		r.Delivered = at.Add(-2 * time.Minute)
	case "completed":
		r.Delivered, r.Signed = at.Add(-2*time.Minute), at.Add(-time.Minute)
	case "declined":
		r.Delivered, r.Declined, r.DeclineReason = at.Add(-2*time.Minute), at.Add(-time.Minute), "Declined in the connectsync sample."
	}
	switch env.Status {
	case "delivered":
		env.Delivered = r.Delivered
	case "completed":
		env.Delivered, env.Completed = r.Delivered, at
	case "declined":
		env.Delivered, env.Declined = r.Delivered, at
	case "voided":
		env.Voided, env.VoidedReason = at, "Voided in the connectsync sample."
	}
	env.Recipients = []Recipient{r}
	return env
}

// sampleGUID derives a stable recipientIdGuid from the envelope id, so that
// a sample message depends on its inputs only.
func sampleGUID(envelopeID string) string {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(strings.ToLower(envelopeID) + "/recipient/1") {
		h = (h ^ uint64(c)) * 1099511628211
	}
	s := fmt.Sprintf("%016x%016x", h, h*0x9e3779b97f4a7c15)
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:32]
}
