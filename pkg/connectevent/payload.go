package connectevent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// How a message is written, per data model (testdata/README.md has the
// sources; docs/docusign-fidelity.md, "Deliveries", what stays UNCONFIRMED):
//
//	JSON SIM        {"event","apiVersion","uri","retryCount","configurationId","generatedDateTime",
//	                 "data":{"accountId","userId","envelopeId"[,"recipientId"][,"envelopeSummary"]}}
//	                envelopeSummary only when eventData.includeData asks for something
//	                ("event-focused": DocuSign's JSON SIM page), its parts per includeData.
//	JSON aggregate  the same message, envelopeSummary always ("envelope-focused").
//	XML (both)      <DocuSignEnvelopeInformation> with EnvelopeStatus (recipient
//	                statuses, envelope status and dates, custom fields, documents),
//	                DocumentPDFs with includeDocuments, TimeZone with
//	                includeTimeZoneInformation; compact, as captured deliveries are.

// Message is one Connect post about one event.
type Message struct {
	// Event is the JSON SIM event name, e.g. envelope-completed.
	Event     string
	AccountID string
	// UserID is the user the message is about: the envelope's sender.
	UserID string
	// ConfigurationID is the connectId of the configuration that sends it.
	ConfigurationID string
	// RetryCount is how often this post was retried before.
	RetryCount int
	// Generated is when the message was made (generatedDateTime).
	Generated time.Time
	Envelope  Envelope
}

// Options are the settings of the configuration that shape its messages.
type Options struct {
	Model Model
	// IncludeData is eventData.includeData (JSON models): recipients, tabs,
	// custom_fields and documents are written; other values add nothing.
	IncludeData []string
	// IncludeDocuments (XML models) adds DocumentPDFs; IncludeTimeZone
	// (includeTimeZoneInformation) TimeZone and TimeZoneOffset;
	// IncludeVoidReason (includeEnvelopeVoidReason) the void reason.
	IncludeDocuments, IncludeTimeZone, IncludeVoidReason bool
}

// Payload is a message written for the wire: the exact bytes to post (and
// to sign) and their Content-Type.
type Payload struct {
	Body        []byte
	ContentType string
}

// Build writes a message in the configuration's data model.
func Build(m Message, o Options) (Payload, error) {
	if err := CheckEvent(m.Event); err != nil {
		return Payload{}, err
	}
	if m.AccountID == "" || m.Envelope.ID == "" {
		return Payload{}, fmt.Errorf("a message needs an account id and an envelope id")
	}
	model := o.Model
	if model == "" {
		model = JSONSIM
	}
	var body []byte
	var err error
	if model.JSON() {
		body, err = buildJSON(m, o, model == JSONAggregate)
	} else {
		body = buildXML(m, o)
	}
	if err != nil {
		return Payload{}, err
	}
	return Payload{Body: body, ContentType: model.ContentType()}, nil
}

// jsonTime writes a date-time as DocuSign's REST API and Connect do: UTC with
// seven fractional digits (generatedDateTime "2026-01-13T07:09:58.9584687Z").
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

type jsonMessage struct {
	Event             string   `json:"event"`
	APIVersion        string   `json:"apiVersion"`
	URI               string   `json:"uri"`
	RetryCount        int      `json:"retryCount"`
	ConfigurationID   any      `json:"configurationId"`
	GeneratedDateTime string   `json:"generatedDateTime"`
	Data              jsonData `json:"data"`
}

type jsonData struct {
	AccountID       string        `json:"accountId"`
	UserID          string        `json:"userId"`
	EnvelopeID      string        `json:"envelopeId"`
	RecipientID     string        `json:"recipientId,omitempty"`
	EnvelopeSummary *jsonEnvelope `json:"envelopeSummary,omitempty"`
}

// jsonEnvelope is the envelope object of the REST API (strings throughout),
// as envelopeSummary carries it.
type jsonEnvelope struct {
	Status                string            `json:"status"`
	DocumentsURI          string            `json:"documentsUri"`
	RecipientsURI         string            `json:"recipientsUri"`
	AttachmentsURI        string            `json:"attachmentsUri"`
	EnvelopeURI           string            `json:"envelopeUri"`
	EmailSubject          string            `json:"emailSubject"`
	EnvelopeID            string            `json:"envelopeId"`
	SigningLocation       string            `json:"signingLocation"`
	CustomFieldsURI       string            `json:"customFieldsUri"`
	NotificationURI       string            `json:"notificationUri"`
	EnableWetSign         string            `json:"enableWetSign"`
	AllowMarkup           string            `json:"allowMarkup"`
	AllowReassign         string            `json:"allowReassign"`
	CreatedDateTime       string            `json:"createdDateTime"`
	LastModifiedDateTime  string            `json:"lastModifiedDateTime"`
	DeliveredDateTime     string            `json:"deliveredDateTime,omitempty"`
	SentDateTime          string            `json:"sentDateTime,omitempty"`
	CompletedDateTime     string            `json:"completedDateTime,omitempty"`
	DeclinedDateTime      string            `json:"declinedDateTime,omitempty"`
	VoidedDateTime        string            `json:"voidedDateTime,omitempty"`
	VoidedReason          string            `json:"voidedReason,omitempty"`
	StatusChangedDateTime string            `json:"statusChangedDateTime"`
	DocumentsCombinedURI  string            `json:"documentsCombinedUri"`
	CertificateURI        string            `json:"certificateUri"`
	TemplatesURI          string            `json:"templatesUri"`
	Sender                jsonSender        `json:"sender"`
	Recipients            *jsonRecipients   `json:"recipients,omitempty"`
	CustomFields          *jsonCustomFields `json:"customFields,omitempty"`
	EnvelopeDocuments     []jsonDocument    `json:"envelopeDocuments,omitempty"`
}

type jsonSender struct {
	UserName  string `json:"userName"`
	UserID    string `json:"userId"`
	AccountID string `json:"accountId"`
	Email     string `json:"email"`
}

type jsonRecipients struct {
	Signers             []jsonSigner `json:"signers"`
	Agents              []struct{}   `json:"agents"`
	Editors             []struct{}   `json:"editors"`
	Intermediaries      []struct{}   `json:"intermediaries"`
	CarbonCopies        []struct{}   `json:"carbonCopies"`
	CertifiedDeliveries []struct{}   `json:"certifiedDeliveries"`
	InPersonSigners     []struct{}   `json:"inPersonSigners"`
	Seals               []struct{}   `json:"seals"`
	SigningGroups       []struct{}   `json:"signingGroups"`
	Witnesses           []struct{}   `json:"witnesses"`
	RecipientCount      string       `json:"recipientCount"`
	CurrentRoutingOrder string       `json:"currentRoutingOrder"`
}

type jsonSigner struct {
	Tabs              *jsonTabs `json:"tabs,omitempty"`
	CreationReason    string    `json:"creationReason"`
	IsBulkRecipient   string    `json:"isBulkRecipient"`
	Name              string    `json:"name"`
	Email             string    `json:"email"`
	RecipientID       string    `json:"recipientId"`
	RecipientIDGUID   string    `json:"recipientIdGuid"`
	RequireIDLookup   string    `json:"requireIdLookup"`
	UserID            string    `json:"userId,omitempty"`
	RoutingOrder      string    `json:"routingOrder"`
	Status            string    `json:"status"`
	CompletedCount    string    `json:"completedCount"`
	DeclinedDateTime  string    `json:"declinedDateTime,omitempty"`
	DeclinedReason    string    `json:"declinedReason,omitempty"`
	SignedDateTime    string    `json:"signedDateTime,omitempty"`
	DeliveredDateTime string    `json:"deliveredDateTime,omitempty"`
	SentDateTime      string    `json:"sentDateTime,omitempty"`
	DeliveryMethod    string    `json:"deliveryMethod"`
	RecipientType     string    `json:"recipientType"`
}

type jsonTabs struct {
	SignHereTabs []jsonTab `json:"signHereTabs"`
}

type jsonTab struct {
	StampType   string `json:"stampType"`
	Name        string `json:"name"`
	TabLabel    string `json:"tabLabel"`
	DocumentID  string `json:"documentId"`
	RecipientID string `json:"recipientId"`
	PageNumber  string `json:"pageNumber"`
	XPosition   string `json:"xPosition"`
	YPosition   string `json:"yPosition"`
	TabID       string `json:"tabId"`
	TabType     string `json:"tabType"`
	Status      string `json:"status,omitempty"`
}

type jsonCustomFields struct {
	TextCustomFields []jsonCustomField `json:"textCustomFields"`
	ListCustomFields []struct{}        `json:"listCustomFields"`
}

type jsonCustomField struct {
	FieldID  string `json:"fieldId"`
	Name     string `json:"name"`
	Show     string `json:"show"`
	Required string `json:"required"`
	Value    string `json:"value"`
}

type jsonDocument struct {
	DocumentID            string `json:"documentId"`
	DocumentIDGUID        string `json:"documentIdGuid"`
	Name                  string `json:"name"`
	Type                  string `json:"type"`
	URI                   string `json:"uri"`
	Order                 string `json:"order"`
	Pages                 string `json:"pages"`
	Display               string `json:"display"`
	IncludeInDownload     string `json:"includeInDownload"`
	SignerMustAcknowledge string `json:"signerMustAcknowledge"`
	TemplateRequired      string `json:"templateRequired"`
	AuthoritativeCopy     string `json:"authoritativeCopy"`
	PDFBytes              string `json:"PDFBytes"`
}

func buildJSON(m Message, o Options, aggregate bool) ([]byte, error) {
	env := m.Envelope
	msg := jsonMessage{
		Event:             m.Event,
		APIVersion:        "v2.1",
		URI:               "/restapi/v2.1/accounts/" + m.AccountID + "/envelopes/" + env.ID,
		RetryCount:        m.RetryCount,
		ConfigurationID:   configurationID(m.ConfigurationID),
		GeneratedDateTime: jsonTime(m.Generated),
		Data:              jsonData{AccountID: m.AccountID, UserID: m.UserID, EnvelopeID: env.ID},
	}
	if IsRecipientEvent(m.Event) && len(env.Recipients) > 0 {
		msg.Data.RecipientID = env.Recipients[0].ID
	}
	include := func(part string) bool { return slices.Contains(o.IncludeData, part) }
	if aggregate || len(o.IncludeData) > 0 {
		msg.Data.EnvelopeSummary = envelopeSummary(m, o, include)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msg); err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// configurationID writes the connectId as a JSON number, as the captured
// deliveries show it (it is a numeric string in the API); a connectId that
// is not a number stays a string.
func configurationID(id string) any {
	if _, err := strconv.ParseUint(id, 10, 64); err == nil {
		return json.Number(id)
	}
	return id
}

func envelopeSummary(m Message, o Options, include func(string) bool) *jsonEnvelope {
	env := m.Envelope
	base := "/envelopes/" + env.ID
	s := &jsonEnvelope{
		Status: env.Status, DocumentsURI: base + "/documents", RecipientsURI: base + "/recipients",
		AttachmentsURI: base + "/attachments", EnvelopeURI: base, EmailSubject: env.Subject, EnvelopeID: env.ID,
		SigningLocation: "online", CustomFieldsURI: base + "/custom_fields", NotificationURI: base + "/notification",
		EnableWetSign: "true", AllowMarkup: "false", AllowReassign: "true",
		CreatedDateTime: jsonTime(env.Created), LastModifiedDateTime: jsonTime(env.StatusChanged),
		DeliveredDateTime: jsonTime(env.Delivered), SentDateTime: jsonTime(env.Sent), CompletedDateTime: jsonTime(env.Completed),
		DeclinedDateTime: jsonTime(env.Declined), VoidedDateTime: jsonTime(env.Voided),
		StatusChangedDateTime: jsonTime(env.StatusChanged),
		DocumentsCombinedURI:  base + "/documents/combined", CertificateURI: base + "/documents/certificate", TemplatesURI: base + "/templates",
		Sender: jsonSender{UserName: env.Sender.Name, UserID: env.Sender.UserID, AccountID: m.AccountID, Email: env.Sender.Email},
	}
	if o.IncludeVoidReason {
		s.VoidedReason = env.VoidedReason
	}
	if include("recipients") || include("tabs") {
		rs := &jsonRecipients{RecipientCount: strconv.Itoa(len(env.Recipients)), CurrentRoutingOrder: "1",
			Agents: []struct{}{}, Editors: []struct{}{}, Intermediaries: []struct{}{}, CarbonCopies: []struct{}{},
			CertifiedDeliveries: []struct{}{}, InPersonSigners: []struct{}{}, Seals: []struct{}{}, SigningGroups: []struct{}{}, Witnesses: []struct{}{},
			Signers: []jsonSigner{}}
		for _, r := range env.Recipients {
			sg := jsonSigner{
				CreationReason: "sender", IsBulkRecipient: "false", Name: r.Name, Email: r.Email, RecipientID: r.ID,
				RecipientIDGUID: r.GUID, RequireIDLookup: "false", UserID: r.UserID, RoutingOrder: strconv.Itoa(r.RoutingOrder),
				Status: r.Status, CompletedCount: map[bool]string{true: "1", false: "0"}[r.Status == "completed"],
				DeclinedDateTime: jsonTime(r.Declined), DeclinedReason: r.DeclineReason, SignedDateTime: jsonTime(r.Signed),
				DeliveredDateTime: jsonTime(r.Delivered), SentDateTime: jsonTime(r.Sent), DeliveryMethod: "email", RecipientType: "signer",
			}
			if include("tabs") {
				tab := jsonTab{StampType: "signature", Name: "SignHere", TabLabel: "Signature 1", DocumentID: "1", RecipientID: r.ID,
					PageNumber: "1", XPosition: "100", YPosition: "150", TabID: r.GUID, TabType: "signhere"}
				if r.Status == "completed" {
					tab.Status = "signed"
				}
				sg.Tabs = &jsonTabs{SignHereTabs: []jsonTab{tab}}
			}
			rs.Signers = append(rs.Signers, sg)
		}
		s.Recipients = rs
	}
	if include("custom_fields") {
		cf := &jsonCustomFields{TextCustomFields: []jsonCustomField{}, ListCustomFields: []struct{}{}}
		for _, f := range env.CustomFields {
			cf.TextCustomFields = append(cf.TextCustomFields, jsonCustomField{FieldID: f.ID, Name: f.Name, Show: "true", Required: "false", Value: f.Value})
		}
		s.CustomFields = cf
	}
	if include("documents") {
		for i, d := range env.Documents {
			s.EnvelopeDocuments = append(s.EnvelopeDocuments, jsonDocument{
				DocumentID: d.ID, DocumentIDGUID: sampleGUID(env.ID + "/document/" + d.ID), Name: d.Name, Type: "content",
				URI: base + "/documents/" + d.ID, Order: strconv.Itoa(i + 1), Pages: "1", Display: "inline", IncludeInDownload: "true",
				SignerMustAcknowledge: "no_interaction", TemplateRequired: "false", AuthoritativeCopy: "false",
				PDFBytes: base64.StdEncoding.EncodeToString(d.PDF),
			})
		}
	}
	return s
}

// xmlTime writes a date-time as the XML messages do: without a zone (the
// account's; the sandbox says UTC) and with .NET's fraction, trailing zeros
// dropped ("2020-12-21T08:29:09.383").
func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.9999999") }

// sentence turns a REST status into the XML messages' form: Completed,
// AutoResponded.
func sentence(status string) string {
	if status == "autoresponded" {
		return "AutoResponded"
	}
	if status == "" {
		return ""
	}
	return strings.ToUpper(status[:1]) + status[1:]
}

// xmlWriter writes compact XML in a fixed element order.
type xmlWriter struct{ b bytes.Buffer }

func (w *xmlWriter) open(name string)  { w.b.WriteString("<" + name + ">") }
func (w *xmlWriter) close(name string) { w.b.WriteString("</" + name + ">") }

// elem writes <name>text</name>, or <name /> when text is empty.
func (w *xmlWriter) elem(name, text string) {
	if text == "" {
		w.b.WriteString("<" + name + " />")
		return
	}
	w.open(name)
	xml.EscapeText(&w.b, []byte(text))
	w.close(name)
}

// date writes a date element only when the event happened.
func (w *xmlWriter) date(name string, t time.Time) {
	if !t.IsZero() {
		w.elem(name, xmlTime(t))
	}
}

func buildXML(m Message, o Options) []byte {
	env := m.Envelope
	w := &xmlWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
	w.b.WriteString(`<DocuSignEnvelopeInformation xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.docusign.net/API/3.0">`)
	w.open("EnvelopeStatus")
	w.open("RecipientStatuses")
	for _, r := range env.Recipients {
		w.open("RecipientStatus")
		w.elem("Type", "Signer")
		w.elem("Email", r.Email)
		w.elem("UserName", r.Name)
		w.elem("RoutingOrder", strconv.Itoa(r.RoutingOrder))
		w.date("Sent", r.Sent)
		w.date("Delivered", r.Delivered)
		w.date("Signed", r.Signed)
		w.date("Declined", r.Declined)
		if r.DeclineReason == "" {
			w.b.WriteString(`<DeclineReason xsi:nil="true" />`)
		} else {
			w.elem("DeclineReason", r.DeclineReason)
		}
		w.elem("Status", sentence(r.Status))
		w.elem("RecipientIPAddress", "")
		w.elem("CustomFields", "")
		w.open("TabStatuses")
		w.open("TabStatus")
		w.elem("TabType", "SignHere")
		w.elem("Status", map[bool]string{true: "Signed", false: "Active"}[r.Status == "completed"])
		w.elem("XPosition", "100")
		w.elem("YPosition", "150")
		w.elem("TabLabel", "Signature 1")
		w.elem("TabName", "SignHere")
		w.elem("TabValue", "")
		w.elem("DocumentID", "1")
		w.elem("PageNumber", "1")
		w.close("TabStatus")
		w.close("TabStatuses")
		w.elem("AccountStatus", "Active")
		w.elem("RecipientId", r.GUID)
		w.close("RecipientStatus")
	}
	w.close("RecipientStatuses")
	w.b.WriteString("<TimeGenerated>" + m.Generated.UTC().Format("2006-01-02T15:04:05.0000000") + "</TimeGenerated>")
	w.elem("EnvelopeID", env.ID)
	w.elem("Subject", env.Subject)
	w.elem("UserName", env.Sender.Name)
	w.elem("Email", env.Sender.Email)
	w.elem("Status", sentence(env.Status))
	w.date("Created", env.Created)
	w.date("Sent", env.Sent)
	w.date("Delivered", env.Delivered)
	if !env.Completed.IsZero() {
		w.date("Signed", env.Completed)
	}
	w.date("Completed", env.Completed)
	w.date("Declined", env.Declined)
	w.elem("ACStatus", "Original")
	w.elem("ACStatusDate", xmlTime(env.Created))
	w.elem("ACHolder", env.Sender.Name)
	w.elem("ACHolderEmail", env.Sender.Email)
	w.elem("ACHolderLocation", "DocuSign")
	w.elem("SigningLocation", "Online")
	w.elem("SenderIPAddress", "")
	w.elem("EnvelopePDFHash", "")
	w.open("CustomFields")
	for _, f := range env.CustomFields {
		w.open("CustomField")
		w.elem("Name", f.Name)
		w.elem("Show", "true")
		w.elem("Required", "false")
		w.elem("Value", f.Value)
		w.elem("CustomFieldType", "Text")
		w.close("CustomField")
	}
	w.close("CustomFields")
	w.elem("AutoNavigation", "true")
	w.elem("EnvelopeIdStamping", "true")
	w.elem("AuthoritativeCopy", "false")
	if o.IncludeVoidReason && env.VoidedReason != "" {
		w.elem("VoidReason", env.VoidedReason)
	}
	w.open("DocumentStatuses")
	for i, d := range env.Documents {
		w.open("DocumentStatus")
		w.elem("ID", d.ID)
		w.elem("Name", d.Name)
		w.elem("TemplateName", "")
		w.elem("Sequence", strconv.Itoa(i+1))
		w.close("DocumentStatus")
	}
	w.close("DocumentStatuses")
	w.close("EnvelopeStatus")
	if o.IncludeDocuments {
		w.open("DocumentPDFs")
		for _, d := range env.Documents {
			w.open("DocumentPDF")
			w.elem("Name", d.Name)
			w.elem("PDFBytes", base64.StdEncoding.EncodeToString(d.PDF))
			w.elem("DocumentID", d.ID)
			w.elem("DocumentType", "CONTENT")
			w.close("DocumentPDF")
		}
		w.close("DocumentPDFs")
	}
	if o.IncludeTimeZone {
		w.elem("TimeZone", "UTC")
		w.elem("TimeZoneOffset", "0")
	}
	w.close("DocuSignEnvelopeInformation")
	return w.b.Bytes()
}
