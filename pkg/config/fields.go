package config

import "sync"

// Kind is how connectsync reads, compares and prints a configuration field.
type Kind int

// Field kinds.
const (
	KindString Kind = iota
	KindBool
	KindSet        // a list of strings whose order does not matter
	KindList       // a list whose order matters (compared as a whole)
	KindObject     // a nested object compared key by key (eventData, oAuthConfiguration)
	KindStringMap  // a map of strings compared as a whole (customParameters)
	KindObjectList // a list of objects compared as a whole (sfObjects)
)

// Field describes one DocuSign connectCustomConfiguration field: its kind, its
// default, and whether it is secret. The schema in schema/ says which fields a
// file may hold; this table says how to treat them. A test keeps the two in step.
type Field struct {
	Name string
	Kind Kind
	// Default is the value DocuSign returns when a create omitted the field
	// (recorded from the real API), so that "absent" and "default" compare equal.
	// nil means the API leaves the field out when unset.
	Default any
	// Secret values are never printed. WriteOnly ones are not returned by the API
	// either, so they cannot be compared and are sent with every write.
	Secret, WriteOnly bool
	// FoldCase compares values ignoring letter case (deliveryMode).
	FoldCase bool
	// Sub lists the keys of a KindObject field.
	Sub []Field
}

var eventDataFields = []Field{
	{Name: "version", Kind: KindString, Default: ""},
	{Name: "format", Kind: KindString},
	{Name: "includeData", Kind: KindSet, Default: []string{}},
}

var oauthFields = []Field{
	{Name: "authorizationServerUrl", Kind: KindString},
	{Name: "clientId", Kind: KindString},
	{Name: "clientSecret", Kind: KindString, Secret: true, WriteOnly: true},
	{Name: "scope", Kind: KindString},
	{Name: "customParameters", Kind: KindStringMap},
}

// Fields is every writable connectCustomConfiguration field, in the order
// plans print them.
var Fields = []Field{
	{Name: "configurationType", Kind: KindString},
	{Name: "urlToPublishTo", Kind: KindString},
	{Name: "allowEnvelopePublish", Kind: KindBool, Default: false},
	{Name: "allUsers", Kind: KindBool, Default: false},
	{Name: "allUsersExcept", Kind: KindBool, Default: false},
	{Name: "userIds", Kind: KindSet, Default: []string{}},
	{Name: "groupIds", Kind: KindSet, Default: []string{}},
	{Name: "deliveryMode", Kind: KindString, Default: "", FoldCase: true},
	{Name: "eventData", Kind: KindObject, Sub: eventDataFields},
	{Name: "events", Kind: KindSet, Default: []string{}},
	{Name: "envelopeEvents", Kind: KindSet, Default: []string{}},
	{Name: "recipientEvents", Kind: KindSet, Default: []string{}},
	{Name: "enableLog", Kind: KindBool, Default: false},
	{Name: "requiresAcknowledgement", Kind: KindBool, Default: true},
	{Name: "includeHMAC", Kind: KindBool, Default: false},
	{Name: "signMessageWithX509Certificate", Kind: KindBool, Default: false},
	{Name: "requireMutualTls", Kind: KindBool, Default: false},
	{Name: "includeDocuments", Kind: KindBool, Default: false},
	{Name: "includeCertificateOfCompletion", Kind: KindBool, Default: false},
	{Name: "includeDocumentFields", Kind: KindBool, Default: false},
	{Name: "includeEnvelopeVoidReason", Kind: KindBool, Default: false},
	{Name: "includeSenderAccountasCustomField", Kind: KindBool, Default: false},
	{Name: "includeTimeZoneInformation", Kind: KindBool, Default: false},
	{Name: "includeCertSoapHeader", Kind: KindBool, Default: false},
	{Name: "useSoapInterface", Kind: KindBool, Default: false},
	{Name: "soapNamespace", Kind: KindString, Default: ""},
	{Name: "pausePublish", Kind: KindBool, Default: false},
	{Name: "userName", Kind: KindString},
	{Name: "password", Kind: KindString, Secret: true, WriteOnly: true},
	{Name: "includeOAuth", Kind: KindBool, Default: false},
	{Name: "enableOAuthPerConfiguration", Kind: KindBool, Default: false},
	{Name: "oAuthConfiguration", Kind: KindObject, Sub: oauthFields},
	{Name: "allowSalesforcePublish", Kind: KindBool},
	{Name: "salesforceApiVersion", Kind: KindString},
	{Name: "salesforceAuthcode", Kind: KindString, Secret: true, WriteOnly: true},
	{Name: "salesforceCallBackUrl", Kind: KindString},
	{Name: "salesforceDocumentsAsContentFiles", Kind: KindBool},
	{Name: "sfObjects", Kind: KindObjectList},
	{Name: "externalFolderId", Kind: KindString},
	{Name: "externalFolderLabel", Kind: KindString},
	{Name: "senderOverride", Kind: KindString},
	{Name: "senderSelectableItems", Kind: KindList},
}

// ReadOnlyFields are set by DocuSign; a file may not write them. connectId may
// only appear on a configuration, to pin it.
var ReadOnlyFields = map[string]string{
	"connectId":         "DocuSign assigns it; write it on a configuration only to pin an existing one",
	"disabledBy":        "DocuSign sets it when it disables a configuration",
	"integratorManaged": "DocuSign sets it for configurations an integrator manages; connectsync leaves those alone",
}

// LookupField returns the field named name (a top-level field, or a dotted
// nested one such as eventData.version).
func LookupField(name string) (Field, bool) {
	f, ok := fieldIndex()[name]
	return f, ok
}

// fieldNumber is each top-level field's index in Fields.
var fieldNumber = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(Fields))
	for i, f := range Fields {
		m[f.Name] = i
	}
	return m
})

// fieldIndex is Fields by name, nested ones dotted: the loader looks a
// field up for every key of every configuration.
var fieldIndex = sync.OnceValue(func() map[string]Field {
	m := make(map[string]Field, 2*len(Fields))
	for _, f := range Fields {
		m[f.Name] = f
		for _, s := range f.Sub {
			m[f.Name+"."+s.Name] = s
		}
	}
	return m
})

// SecretFieldNames lists the dotted names of every secret field.
func SecretFieldNames() []string {
	var names []string
	for _, f := range Fields {
		if f.Secret {
			names = append(names, f.Name)
		}
		for _, s := range f.Sub {
			if s.Secret {
				names = append(names, f.Name+"."+s.Name)
			}
		}
	}
	return names
}
