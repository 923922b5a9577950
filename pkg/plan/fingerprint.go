package plan

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/connectsync/connectsync/pkg/config"
)

// Fingerprint identifies an account's live configurations: any change to
// any of them (including ignored ones) changes it, and so does another
// account id, so that a saved plan never applies to another account that
// happens to look the same (two empty ones). Secret fields are left out, so
// a saved plan cannot serve to guess a secret offline.
//
// It is the SHA-256 of the JSON of {"account": lower-case id, "live": [{"id",
// "name", "fields"} sorted by id]}, written here as encoding/json writes it
// (sorted keys, HTML escaped) without building the value to marshal: audit
// fingerprints every account. Saved plans carry fingerprints, so the bytes
// must never change: TestFingerprintMatchesEncodingJSON holds them to
// encoding/json.
func Fingerprint(accountID string, live []config.Connect) string {
	order := make([]int, len(live))
	for i := range order {
		order[i] = i
	}
	// The same sort on the same keys as sorting the entries themselves,
	// so that configurations sharing an id keep the same order.
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(live[a].ConnectID, live[b].ConnectID) })
	secret := secretNames()
	e := &jsonWriter{}
	b := make([]byte, 0, 1024+1536*len(live))
	b = append(b, `{"account":`...)
	b = appendJSONString(b, strings.ToLower(accountID))
	b = append(b, `,"live":[`...)
	for n, i := range order {
		l := &live[i]
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, l.ConnectID)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, l.Name)
		b = append(b, `,"fields":`...)
		if l.Fields == nil {
			b = append(b, "null"...)
		} else {
			b = e.fields(b, l.Fields, secret)
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	if e.failed {
		b = nil // what json.Marshal's error left to hash
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// secrets are the secret fields: top-level ones, and the keys to leave out
// of nested objects.
type secrets struct {
	top map[string]bool
	sub map[string][]string
}

// secretNames are the secret fields, worked out once.
var secretNames = sync.OnceValue(secretFields)

func secretFields() secrets {
	s := secrets{top: map[string]bool{}, sub: map[string][]string{}}
	for _, name := range config.SecretFieldNames() {
		top, sub, nested := strings.Cut(name, ".")
		if !nested {
			s.top[top] = true
			continue
		}
		s.sub[top] = append(s.sub[top], sub)
	}
	return s
}

// jsonWriter writes JSON as encoding/json does; failed records that a
// value json.Marshal refuses was met.
type jsonWriter struct{ failed bool }

// appendFields writes a configuration's fields as a JSON object, secrets
// left out: a top-level secret field entirely, a nested one from its
// object (when the field is an object).
func (e *jsonWriter) fields(b []byte, fields map[string]any, secret secrets) []byte {
	// The usual keys are the field table's: walked in their sorted order,
	// their quoted forms made once. Any other key sends the map the long way.
	known := knownKeys()
	type kv struct {
		i int
		v any
	}
	var buf [64]kv
	present := buf[:0]
	for i, k := range known.names {
		if v, ok := fields[k]; ok {
			present = append(present, kv{i, v})
		}
	}
	if len(present) != len(fields) {
		return e.anyFields(b, fields, secret)
	}
	b = append(b, '{')
	first := true
	for _, p := range present {
		k := known.names[p.i]
		if secret.top[k] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, known.quoted[p.i]...)
		b = e.field(b, k, p.v, secret)
	}
	return append(b, '}')
}

// anyFields is fields for a map with keys outside the field table.
func (e *jsonWriter) anyFields(b []byte, fields map[string]any, secret secrets) []byte {
	return sortedObject(b, fields, func(k string) bool { return secret.top[k] },
		func(b []byte, k string, v any) []byte { return e.field(b, k, v, secret) })
}

// sortedObject writes a map as a JSON object, its keys sorted (as
// encoding/json does), leaving out those skip names, each value by write.
func sortedObject[V any](b []byte, m map[string]V, skip func(string) bool, write func([]byte, string, V) []byte) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		if skip == nil || !skip(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = write(b, k, m[k])
	}
	return append(b, '}')
}

// field writes one field's value, a nested object without its secrets.
func (e *jsonWriter) field(b []byte, k string, v any, secret secrets) []byte {
	if subs := secret.sub[k]; subs != nil {
		if obj, ok := v.(map[string]any); ok && obj != nil {
			return e.object(b, obj, subs)
		}
	}
	return e.value(b, v)
}

// knownKeys are the keys of a live configuration's fields (the field
// table's and the server-set ones), sorted, with their quoted form and
// the colon: "name":.
var knownKeys = sync.OnceValue(func() (k struct {
	names  []string
	quoted [][]byte
}) {
	for _, f := range config.Fields {
		k.names = append(k.names, f.Name)
	}
	k.names = append(k.names, "integratorManaged", "disabledBy")
	slices.Sort(k.names)
	k.names = slices.Compact(k.names)
	for _, n := range k.names {
		k.quoted = append(k.quoted, append(appendJSONString(nil, n), ':'))
	}
	return k
})

// appendJSON writes v as json.Marshal does: the common shapes of field
// values directly, anything else through json.Marshal itself.
func (e *jsonWriter) value(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if t {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case string:
		return appendJSONString(b, t)
	case []string:
		if t == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, s := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	case []any:
		if t == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.value(b, x)
		}
		return append(b, ']')
	case map[string]any:
		if t == nil {
			return append(b, "null"...)
		}
		return e.object(b, t, nil)
	case map[string]string:
		if t == nil {
			return append(b, "null"...)
		}
		return sortedObject(b, t, nil, func(b []byte, _ string, s string) []byte { return appendJSONString(b, s) })
	}
	data, err := json.Marshal(v)
	if err != nil {
		e.failed = true
	}
	return append(b, data...)
}

// appendObject writes a map as a JSON object with sorted keys, leaving out
// the keys in skip.
func (e *jsonWriter) object(b []byte, m map[string]any, skip []string) []byte {
	return sortedObject(b, m, func(k string) bool { return slices.Contains(skip, k) },
		func(b []byte, _ string, v any) []byte { return e.value(b, v) })
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as encoding/json does with HTML escaping:
// quotes, backslashes and control characters escaped (\n, \r, \t, \b, \f
// by name), <, > and & as \u003c…, U+2028 and U+2029 escaped, and each
// byte that is not valid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
