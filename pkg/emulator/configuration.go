package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Flag is one of DocuSign's string booleans: "true" or "false" on the wire.
// In a request (or a seed file) it also accepts a JSON boolean, any letter
// case, and "" or null for "not sent"; the emulator then stores and answers
// the lower-case string, as the real API did in the recorded calls.
type Flag string

// Flag values as DocuSign writes them.
const (
	True  Flag = "true"
	False Flag = "false"
)

// UnmarshalJSON accepts true, false, "true", "false" (any case), "" and null.
// Anything else is an error, so that the request is refused with
// INVALID_REQUEST_BODY rather than silently read as false.
func (f *Flag) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch string(data) {
	case "true":
		*f = True
		return nil
	case "false":
		*f = False
		return nil
	case "null":
		*f = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("a boolean field must be \"true\" or \"false\", got %s", data)
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		*f = True
	case "false":
		*f = False
	case "":
		*f = ""
	default:
		return fmt.Errorf("a boolean field must be \"true\" or \"false\", got %q", s)
	}
	return nil
}

// EventData is DocuSign's connectEventData: the message format of a configuration.
type EventData struct {
	Version     string   `json:"version"`
	Format      string   `json:"format,omitempty"`
	IncludeData []string `json:"includeData"`
}

// OAuthConfiguration is DocuSign's connectOAuthConfig, the per-configuration
// OAuth client Connect uses to call the listener. ClientSecret is write-only.
type OAuthConfiguration struct {
	AuthorizationServerURL string            `json:"authorizationServerUrl,omitempty"`
	ClientID               string            `json:"clientId,omitempty"`
	ClientSecret           string            `json:"clientSecret,omitempty"`
	Scope                  string            `json:"scope,omitempty"`
	CustomParameters       map[string]string `json:"customParameters,omitempty"`
}

// Configuration is one Connect configuration in DocuSign's wire shape
// (connectCustomConfiguration). The same type decodes requests and seed
// files and holds what the emulator stores.
//
// The fields up to EnableOAuthPerConfiguration are the ~29 keys the real API
// always answers, in the order of the recorded responses; once defaults are
// filled in they are never empty. The fields after it are absent from an
// answer when unset, as in the recordings. Password, SalesforceAuthcode and
// OAuthConfiguration.ClientSecret are stored but never answered.
type Configuration struct {
	ConnectID                         string     `json:"connectId"`
	ConfigurationType                 string     `json:"configurationType"`
	URLToPublishTo                    string     `json:"urlToPublishTo"`
	Name                              string     `json:"name"`
	AllowEnvelopePublish              Flag       `json:"allowEnvelopePublish"`
	DeliveryMode                      string     `json:"deliveryMode"`
	EnableLog                         Flag       `json:"enableLog"`
	IncludeDocuments                  Flag       `json:"includeDocuments"`
	IncludeCertificateOfCompletion    Flag       `json:"includeCertificateOfCompletion"`
	RequiresAcknowledgement           Flag       `json:"requiresAcknowledgement"`
	SignMessageWithX509Certificate    Flag       `json:"signMessageWithX509Certificate"`
	UseSoapInterface                  Flag       `json:"useSoapInterface"`
	IncludeTimeZoneInformation        Flag       `json:"includeTimeZoneInformation"`
	IncludeOAuth                      Flag       `json:"includeOAuth"`
	IncludeHMAC                       Flag       `json:"includeHMAC"`
	IntegratorManaged                 Flag       `json:"integratorManaged"`
	IncludeEnvelopeVoidReason         Flag       `json:"includeEnvelopeVoidReason"`
	IncludeSenderAccountasCustomField Flag       `json:"includeSenderAccountasCustomField"`
	EnvelopeEvents                    []string   `json:"envelopeEvents"`
	RecipientEvents                   []string   `json:"recipientEvents"`
	SoapNamespace                     string     `json:"soapNamespace"`
	AllUsers                          Flag       `json:"allUsers"`
	AllUsersExcept                    Flag       `json:"allUsersExcept"`
	IncludeCertSoapHeader             Flag       `json:"includeCertSoapHeader"`
	RequireMutualTLS                  Flag       `json:"requireMutualTls"`
	IncludeDocumentFields             Flag       `json:"includeDocumentFields"`
	PausePublish                      Flag       `json:"pausePublish"`
	EventData                         *EventData `json:"eventData"`
	EnableOAuthPerConfiguration       Flag       `json:"enableOAuthPerConfiguration"`

	UserIDs                           []string            `json:"userIds,omitempty"`
	GroupIDs                          []string            `json:"groupIds,omitempty"`
	Events                            []string            `json:"events,omitempty"`
	UserName                          string              `json:"userName,omitempty"`
	Password                          string              `json:"password,omitempty"`
	AllowSalesforcePublish            Flag                `json:"allowSalesforcePublish,omitempty"`
	SalesforceAPIVersion              string              `json:"salesforceApiVersion,omitempty"`
	SalesforceAuthcode                string              `json:"salesforceAuthcode,omitempty"`
	SalesforceCallBackURL             string              `json:"salesforceCallBackUrl,omitempty"`
	SalesforceDocumentsAsContentFiles Flag                `json:"salesforceDocumentsAsContentFiles,omitempty"`
	SfObjects                         []json.RawMessage   `json:"sfObjects,omitempty"`
	ExternalFolderID                  string              `json:"externalFolderId,omitempty"`
	ExternalFolderLabel               string              `json:"externalFolderLabel,omitempty"`
	SenderOverride                    string              `json:"senderOverride,omitempty"`
	SenderSelectableItems             []string            `json:"senderSelectableItems,omitempty"`
	OAuthConfiguration                *OAuthConfiguration `json:"oAuthConfiguration,omitempty"`
	DisabledBy                        string              `json:"disabledBy,omitempty"`
}

// flagDefault pairs a flag field with the value the real API filled in when a
// create omitted it (NANGO recordings, reference §3).
type flagDefault struct {
	field *Flag
	def   Flag
}

// flags lists every always-present flag with its default.
func (c *Configuration) flags() []flagDefault {
	return []flagDefault{
		{&c.AllowEnvelopePublish, False}, // a new configuration is created disabled
		{&c.EnableLog, False},
		{&c.IncludeDocuments, False},
		{&c.IncludeCertificateOfCompletion, False},
		{&c.RequiresAcknowledgement, True}, // the one flag that defaults to true
		{&c.SignMessageWithX509Certificate, False},
		{&c.UseSoapInterface, False},
		{&c.IncludeTimeZoneInformation, False},
		{&c.IncludeOAuth, False},
		{&c.IncludeHMAC, False},
		{&c.IntegratorManaged, False},
		{&c.IncludeEnvelopeVoidReason, False},
		{&c.IncludeSenderAccountasCustomField, False},
		{&c.AllUsers, False},
		{&c.AllUsersExcept, False},
		{&c.IncludeCertSoapHeader, False},
		{&c.RequireMutualTLS, False},
		{&c.IncludeDocumentFields, False},
		{&c.PausePublish, False},
		{&c.EnableOAuthPerConfiguration, False},
	}
}

// fillDefaults sets every field the real API always answers to the value it
// answered when the request left the field out.
func (c *Configuration) fillDefaults() {
	for _, f := range c.flags() {
		if *f.field == "" {
			*f.field = f.def
		}
	}
	if c.EnvelopeEvents == nil {
		c.EnvelopeEvents = []string{}
	}
	if c.RecipientEvents == nil {
		c.RecipientEvents = []string{}
	}
	if c.EventData == nil {
		c.EventData = &EventData{}
	}
	if c.EventData.IncludeData == nil {
		c.EventData.IncludeData = []string{}
	}
}

// public returns the configuration as the API answers it: write-only secrets
// removed. The copy shares slices with c, which callers only read.
func (c Configuration) public() Configuration {
	c.Password = ""
	c.SalesforceAuthcode = ""
	if c.OAuthConfiguration != nil {
		o := *c.OAuthConfiguration
		o.ClientSecret = ""
		c.OAuthConfiguration = &o
	}
	return c
}

// clone returns a deep copy, so stored state never aliases a caller's value.
func (c Configuration) clone() Configuration {
	b, err := json.Marshal(c)
	if err != nil {
		// Configuration holds only strings, slices and raw JSON: it always marshals.
		panic(fmt.Sprintf("emulator: marshal configuration: %v", err))
	}
	var out Configuration
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("emulator: unmarshal configuration: %v", err))
	}
	return out
}

// Secret field names accepted by (*Emulator).StoredSecret.
const (
	SecretPassword           = "password"
	SecretSalesforceAuthcode = "salesforceAuthcode"
	SecretOAuthClientSecret  = "oAuthConfiguration.clientSecret"
)

// secret returns the stored value of a write-only field.
func (c *Configuration) secret(field string) (string, bool) {
	switch field {
	case SecretPassword:
		return c.Password, c.Password != ""
	case SecretSalesforceAuthcode:
		return c.SalesforceAuthcode, c.SalesforceAuthcode != ""
	case SecretOAuthClientSecret:
		if c.OAuthConfiguration == nil || c.OAuthConfiguration.ClientSecret == "" {
			return "", false
		}
		return c.OAuthConfiguration.ClientSecret, true
	}
	return "", false
}
