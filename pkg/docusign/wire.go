package docusign

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// This file holds DocuSign's wire shapes for Connect and the codec for its quirks.
// DocuSign sends every boolean and every count as a JSON string ("true", "4"), but
// has been seen to accept real JSON booleans in requests. Decoding here accepts
// both; encoding always produces DocuSign's own string form.

// Bool is a DocuSign string boolean: "true" or "false" on the wire.
type Bool bool

// MarshalJSON encodes b as DocuSign does: the string "true" or "false".
func (b Bool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte(`"true"`), nil
	}
	return []byte(`"false"`), nil
}

// UnmarshalJSON accepts "true"/"false" in any letter case, JSON booleans, and "",
// which DocuSign uses for "not set" and which decodes as false.
func (b *Bool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch string(data) {
	case "true", `"true"`:
		*b = true
		return nil
	case "false", "null", `"false"`, `""`:
		*b = false
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("docusign: boolean: want \"true\" or \"false\", got %s", data)
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		*b = true
	case "false", "":
		*b = false
	default:
		return fmt.Errorf("docusign: boolean: want \"true\" or \"false\", got %q", s)
	}
	return nil
}

// BoolPtr returns a pointer to a Bool, for optional fields.
func BoolPtr(v bool) *Bool { b := Bool(v); return &b }

// Int is a DocuSign string number such as totalRecords: "4" on the wire.
type Int int

// MarshalJSON encodes i as DocuSign does: a decimal string.
func (i Int) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(strconv.Itoa(int(i)))), nil
}

// UnmarshalJSON accepts a decimal string, a JSON number, "" and null (both zero).
func (i *Int) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	s := string(data)
	if s == "null" {
		*i = 0
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*i = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("docusign: number: got %q", s)
	}
	*i = Int(n)
	return nil
}

// Configuration is DocuSign's connectCustomConfiguration: one Connect
// configuration (an account-level webhook).
// https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/
//
// Optional booleans are pointers so that "not sent" differs from "false".
// Lists are omitted only when nil: an empty list is sent as [], so that an
// update can empty a list whether DocuSign's PUT merges or replaces.
// Fields DocuSign adds later, unknown to this type, are kept in Unknown on decode
// and sent back on encode, so that an update never drops them.
type Configuration struct {
	ConnectID         string `json:"connectId,omitempty"`
	Name              string `json:"name,omitempty"`
	ConfigurationType string `json:"configurationType,omitempty"`
	URLToPublishTo    string `json:"urlToPublishTo,omitempty"`

	AllowEnvelopePublish *Bool    `json:"allowEnvelopePublish,omitempty"`
	AllUsers             *Bool    `json:"allUsers,omitempty"`
	AllUsersExcept       *Bool    `json:"allUsersExcept,omitempty"`
	UserIDs              []string `json:"userIds,omitzero"`
	GroupIDs             []string `json:"groupIds,omitzero"`

	DeliveryMode    string     `json:"deliveryMode,omitempty"`
	Events          []string   `json:"events,omitzero"`
	EnvelopeEvents  []string   `json:"envelopeEvents,omitzero"`
	RecipientEvents []string   `json:"recipientEvents,omitzero"`
	EventData       *EventData `json:"eventData,omitempty"`

	EnableLog                         *Bool  `json:"enableLog,omitempty"`
	RequiresAcknowledgement           *Bool  `json:"requiresAcknowledgement,omitempty"`
	IncludeHMAC                       *Bool  `json:"includeHMAC,omitempty"`
	SignMessageWithX509Certificate    *Bool  `json:"signMessageWithX509Certificate,omitempty"`
	RequireMutualTLS                  *Bool  `json:"requireMutualTls,omitempty"`
	IncludeDocuments                  *Bool  `json:"includeDocuments,omitempty"`
	IncludeCertificateOfCompletion    *Bool  `json:"includeCertificateOfCompletion,omitempty"`
	IncludeDocumentFields             *Bool  `json:"includeDocumentFields,omitempty"`
	IncludeEnvelopeVoidReason         *Bool  `json:"includeEnvelopeVoidReason,omitempty"`
	IncludeSenderAccountasCustomField *Bool  `json:"includeSenderAccountasCustomField,omitempty"`
	IncludeTimeZoneInformation        *Bool  `json:"includeTimeZoneInformation,omitempty"`
	IncludeCertSoapHeader             *Bool  `json:"includeCertSoapHeader,omitempty"`
	UseSoapInterface                  *Bool  `json:"useSoapInterface,omitempty"`
	SoapNamespace                     string `json:"soapNamespace,omitempty"`
	PausePublish                      *Bool  `json:"pausePublish,omitempty"`

	UserName string `json:"userName,omitempty"`
	// Password is write-only: DocuSign does not return it.
	Password string `json:"password,omitempty"`

	IncludeOAuth                *Bool        `json:"includeOAuth,omitempty"`
	EnableOAuthPerConfiguration *Bool        `json:"enableOAuthPerConfiguration,omitempty"`
	OAuthConfiguration          *OAuthConfig `json:"oAuthConfiguration,omitempty"`

	AllowSalesforcePublish            *Bool              `json:"allowSalesforcePublish,omitempty"`
	SalesforceAPIVersion              string             `json:"salesforceApiVersion,omitempty"`
	SalesforceAuthcode                string             `json:"salesforceAuthcode,omitempty"`
	SalesforceCallBackURL             string             `json:"salesforceCallBackUrl,omitempty"`
	SalesforceDocumentsAsContentFiles *Bool              `json:"salesforceDocumentsAsContentFiles,omitempty"`
	SFObjects                         []SalesforceObject `json:"sfObjects,omitzero"`
	ExternalFolderID                  string             `json:"externalFolderId,omitempty"`
	ExternalFolderLabel               string             `json:"externalFolderLabel,omitempty"`
	SenderOverride                    string             `json:"senderOverride,omitempty"`
	SenderSelectableItems             []string           `json:"senderSelectableItems,omitzero"`

	// Server-set fields.
	IntegratorManaged *Bool  `json:"integratorManaged,omitempty"`
	DisabledBy        string `json:"disabledBy,omitempty"`

	// Unknown holds response fields this type does not declare, verbatim.
	Unknown map[string]json.RawMessage `json:"-"`
}

// EventData is DocuSign's connectEventData: the payload format.
type EventData struct {
	Version     string   `json:"version,omitempty"`
	Format      string   `json:"format,omitempty"`
	IncludeData []string `json:"includeData,omitzero"`
}

// OAuthConfig is DocuSign's connectOAuthConfig, used when Connect authenticates
// to the listener with OAuth. ClientSecret is write-only.
type OAuthConfig struct {
	AuthorizationServerURL string            `json:"authorizationServerUrl,omitempty"`
	ClientID               string            `json:"clientId,omitempty"`
	ClientSecret           string            `json:"clientSecret,omitempty"`
	Scope                  string            `json:"scope,omitempty"`
	CustomParameters       map[string]string `json:"customParameters,omitempty"`
}

// SalesforceObject is DocuSign's connectSalesforceObject.
type SalesforceObject struct {
	Active         *Bool             `json:"active,omitempty"`
	Description    string            `json:"description,omitempty"`
	ID             string            `json:"id,omitempty"`
	Insert         *Bool             `json:"insert,omitempty"`
	OnCompleteOnly *Bool             `json:"onCompleteOnly,omitempty"`
	SelectFields   []SalesforceField `json:"selectFields,omitzero"`
	SFObject       string            `json:"sfObject,omitempty"`
	SFObjectName   string            `json:"sfObjectName,omitempty"`
	UpdateFields   []SalesforceField `json:"updateFields,omitzero"`
}

// SalesforceField is DocuSign's connectSalesforceField.
type SalesforceField struct {
	DSAttribute   string `json:"dsAttribute,omitempty"`
	DSLink        string `json:"dsLink,omitempty"`
	DSNode        string `json:"dsNode,omitempty"`
	ID            string `json:"id,omitempty"`
	SFField       string `json:"sfField,omitempty"`
	SFFieldName   string `json:"sfFieldName,omitempty"`
	SFFolder      string `json:"sfFolder,omitempty"`
	SFLockedValue string `json:"sfLockedValue,omitempty"`
}

// configurationAlias has Configuration's fields without its methods, so the
// custom codec below can reuse encoding/json for the declared fields.
type configurationAlias Configuration

// UnmarshalJSON decodes a configuration and keeps undeclared fields in Unknown.
// The keys are looked over first, without decoding: only a configuration
// with an undeclared key (rare) is decoded a second time to keep it.
func (c *Configuration) UnmarshalJSON(data []byte) error {
	var a configurationAlias
	if err := json.Unmarshal(data, &a); err != nil {
		return err
	}
	if allKeysKnown(data, configurationKeys()) {
		*c = Configuration(a)
		return nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	known := configurationKeys()
	for k, v := range all {
		if _, ok := known[k]; ok {
			continue
		}
		if a.Unknown == nil {
			a.Unknown = map[string]json.RawMessage{}
		}
		a.Unknown[k] = v
	}
	*c = Configuration(a)
	return nil
}

// allKeysKnown reports whether every key of the JSON object in data (valid
// JSON, already decoded once) is in known, spelt exactly. It answers false
// when unsure (an escaped key), which only costs the full decode.
func allKeysKnown(data []byte, known map[string]struct{}) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return bytes.HasPrefix(data[i:], []byte("null"))
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; {
		if data[i] != '"' {
			return false
		}
		end := bytes.IndexByte(data[i+1:], '"')
		if end < 0 {
			return false
		}
		key := data[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false // an escaped key: let the full decode read it
		}
		if _, ok := known[string(key)]; !ok {
			return false
		}
		i = skipSpace(data, i+end+2)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		if i = skipValue(data, skipSpace(data, i+1)); i < 0 {
			return false
		}
		if i = skipSpace(data, i); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i < len(data)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// skipValue returns the index just after the JSON value that starts at i,
// or -1.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				if i = skipString(data, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ']' && !isSpace(data[i]) {
		i++ // a number, true, false or null
	}
	return i
}

// skipString returns the index just after the string that starts at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// MarshalJSON encodes a configuration, adding back the fields kept in Unknown.
// An Unknown entry never overrides or adds a declared field, even one left
// empty: the typed field is the only source for the keys this type knows.
func (c Configuration) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal(configurationAlias(c))
	if err != nil || len(c.Unknown) == 0 {
		return data, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, err
	}
	known := configurationKeys()
	for k, v := range c.Unknown {
		if _, declared := known[k]; !declared {
			all[k] = v
		}
	}
	return json.Marshal(all)
}

var configurationKeys = sync.OnceValue(func() map[string]struct{} {
	keys := map[string]struct{}{}
	t := reflect.TypeFor[Configuration]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = struct{}{}
		}
	}
	return keys
})

// ConfigurationList is DocuSign's connectConfigResults, the answer of the list
// call and, oddly, of the get-one call too.
type ConfigurationList struct {
	Configurations []Configuration `json:"configurations"`
	TotalRecords   Int             `json:"totalRecords"`
}

// ErrorDetails is DocuSign's error body: {"errorCode": "...", "message": "..."}.
type ErrorDetails struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// User is one entry of a configuration's users (DocuSign's userInfo).
type User struct {
	UserID     string `json:"userId"`
	UserName   string `json:"userName"`
	Email      string `json:"email"`
	UserStatus string `json:"userStatus"`
	UserType   string `json:"userType,omitempty"`
}

// UserPage is DocuSign's integratedUserInfoList: one page of a configuration's users.
type UserPage struct {
	AllUsersSelected Bool   `json:"allUsersSelected"`
	StartPosition    Int    `json:"startPosition"`
	EndPosition      Int    `json:"endPosition"`
	ResultSetSize    Int    `json:"resultSetSize"`
	TotalSetSize     Int    `json:"totalSetSize"`
	NextURI          string `json:"nextUri"`
	PreviousURI      string `json:"previousUri"`
	Users            []User `json:"users"`
}

// UserInfo is the OAuth userinfo answer: who the token belongs to and which
// accounts it reaches, with each account's base URI.
// https://developers.docusign.com/platform/auth/reference/user-info
type UserInfo struct {
	Sub      string        `json:"sub"`
	Name     string        `json:"name"`
	Email    string        `json:"email"`
	Accounts []UserAccount `json:"accounts"`
}

// UserAccount is one account in a userinfo answer. BaseURI has no /restapi.
type UserAccount struct {
	AccountID   string `json:"account_id"`
	IsDefault   Bool   `json:"is_default"` // a JSON boolean; some SDKs send a string
	AccountName string `json:"account_name"`
	BaseURI     string `json:"base_uri"`
}
