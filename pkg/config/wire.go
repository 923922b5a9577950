package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/jsonout"
)

// This file maps DocuSign's wire shape (docusign.Configuration, string
// booleans and all) to and from the domain Connect, driven by the field
// table. FromWire, which plan and audit run for every live configuration,
// reads the typed fields directly; Overlay, run once per write, goes
// through a JSON object so that fields unknown to either side pass through
// untouched.

// FromWire converts a live configuration into a Connect holding every field
// the API returned, normalised (booleans as bool, lists as []string), plus
// the server-set integratorManaged and disabledBy. A field is there when
// the configuration's JSON would have it (omitempty, omitzero), with the
// value a JSON round trip would give: TestFromWireMatchesTheJSONRoundTrip
// holds it to the round trip it replaces.
func FromWire(account string, w docusign.Configuration) Connect {
	c := Connect{
		Account:   account,
		Name:      w.Name,
		ConnectID: w.ConnectID,
		Fields:    make(map[string]any, 16),
	}
	v := reflect.ValueOf(&w).Elem()
	for _, a := range wireAccessors() {
		if val, ok := a.read(v.Field(a.index)); ok {
			c.Fields[a.field.Name] = val
		}
	}
	// DocuSign always answers deliveryMode, "" for its default (aggregate);
	// the wire type leaves "" out, so put it back: a live configuration's
	// data model is then known (DataModel reads "" as aggregate).
	if _, ok := c.Fields["deliveryMode"]; !ok {
		c.Fields["deliveryMode"] = ""
	}
	if w.IntegratorManaged != nil {
		c.Fields["integratorManaged"] = bool(*w.IntegratorManaged)
	}
	if w.DisabledBy != "" {
		c.Fields["disabledBy"] = w.DisabledBy
	}
	return c
}

// wireAccessor reads one field of the field table from a wire struct.
type wireAccessor struct {
	field Field
	index int  // in the struct
	omit  omit // the JSON tag's omitempty or omitzero
	sub   []wireAccessor
}

type omit int

const (
	omitNever omit = iota
	omitEmpty
	omitZero
)

// wireAccessors maps the field table onto docusign.Configuration's fields
// by their JSON names, once.
var wireAccessors = sync.OnceValue(func() []wireAccessor {
	return accessorsFor(reflect.TypeFor[docusign.Configuration](), Fields)
})

func accessorsFor(t reflect.Type, fields []Field) []wireAccessor {
	byName := map[string]int{}
	omits := map[string]omit{}
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		byName[name] = i
		switch {
		case strings.Contains(","+opts+",", ",omitzero,"):
			omits[name] = omitZero
		case strings.Contains(","+opts+",", ",omitempty,"):
			omits[name] = omitEmpty
		}
	}
	var out []wireAccessor
	for _, f := range fields {
		i, ok := byName[f.Name]
		if !ok {
			continue // not on the wire type: never in its JSON either
		}
		a := wireAccessor{field: f, index: i, omit: omits[f.Name]}
		if ft := t.Field(i).Type; f.Kind == KindObject && ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			a.sub = accessorsFor(ft.Elem(), f.Sub)
		}
		out = append(out, a)
	}
	return out
}

// read returns the normalised value of one wire field, and whether the
// field's JSON holds it at all.
func (a wireAccessor) read(v reflect.Value) (any, bool) {
	switch {
	case a.omit == omitZero && v.IsZero(),
		a.omit == omitEmpty && jsonout.OmitEmpty(v):
		return nil, false
	case v.Kind() == reflect.Pointer && v.IsNil():
		return fromJSON(a.field, nil), true // encoded as null
	}
	switch a.field.Kind {
	case KindString:
		if v.Kind() == reflect.String {
			return jsonText(v.String()), true
		}
	case KindBool:
		if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Bool {
			return v.Elem().Bool(), true
		}
	case KindSet, KindList:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String {
			out := make([]string, v.Len())
			for i := range out {
				out[i] = jsonText(v.Index(i).String())
			}
			return out, true
		}
	case KindObject:
		if a.sub != nil {
			elem := v.Elem()
			out := map[string]any{}
			for _, s := range a.sub {
				if val, ok := s.read(elem.Field(s.index)); ok {
					out[s.field.Name] = val
				}
			}
			return out, true
		}
	case KindStringMap:
		if m, ok := v.Interface().(map[string]string); ok {
			out := make(map[string]string, len(m))
			for k, s := range m {
				out[jsonText(k)] = jsonText(s)
			}
			return out, true
		}
	}
	// Any other shape (sfObjects, a list of objects) takes the JSON round
	// trip: rare, and exact by construction.
	data, err := json.Marshal(v.Interface())
	if err != nil {
		panic(fmt.Sprintf("config: encode %s: %v", a.field.Name, err))
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		panic(fmt.Sprintf("config: decode %s: %v", a.field.Name, err))
	}
	return fromJSON(a.field, generic), true
}

// jsonText is a string as a JSON round trip gives it back: each byte that
// is not valid UTF-8 becomes U+FFFD.
func jsonText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ToWire converts a desired Connect into the body of a create.
func ToWire(c Connect) docusign.Configuration {
	return Overlay(docusign.Configuration{}, c)
}

// Overlay returns live with c's fields written over it: the body of an
// update. Fields c does not set keep their live value (including fields this
// version of connectsync does not know); nested objects merge key by key.
func Overlay(live docusign.Configuration, c Connect) docusign.Configuration {
	obj := wireObject(live)
	obj["name"] = c.Name
	if c.ConnectID != "" {
		obj["connectId"] = c.ConnectID
	}
	for _, f := range Fields {
		v, ok := c.Fields[f.Name]
		if !ok {
			continue
		}
		if f.Kind == KindObject {
			merged, _ := obj[f.Name].(map[string]any)
			merged = maps.Clone(merged)
			if merged == nil {
				merged = map[string]any{}
			}
			for k, sv := range v.(map[string]any) {
				merged[k] = WireValue(sv)
			}
			obj[f.Name] = merged
			continue
		}
		obj[f.Name] = WireValue(v)
	}
	if _, ok := obj["configurationType"]; !ok {
		obj["configurationType"] = "custom"
	}
	data, err := json.Marshal(obj)
	if err != nil {
		panic(fmt.Sprintf("config: encode configuration: %v", err)) // only JSON values are stored
	}
	var out docusign.Configuration
	if err := json.Unmarshal(data, &out); err != nil {
		panic(fmt.Sprintf("config: decode configuration: %v", err))
	}
	return out
}

// wireObject turns a wire configuration into a generic JSON object.
func wireObject(w docusign.Configuration) map[string]any {
	data, err := json.Marshal(w)
	if err != nil {
		panic(fmt.Sprintf("config: encode configuration: %v", err))
	}
	obj := map[string]any{}
	if err := json.Unmarshal(data, &obj); err != nil {
		panic(fmt.Sprintf("config: decode configuration: %v", err))
	}
	return obj
}

// fromJSON normalises one field's JSON value by the field's kind.
func fromJSON(f Field, v any) any {
	switch f.Kind {
	case KindBool:
		switch b := v.(type) {
		case bool:
			return b
		case string:
			return b == "true" || b == "True" || b == "TRUE"
		}
		return false
	case KindString:
		s, _ := v.(string)
		return s
	case KindSet, KindList:
		list, _ := v.([]any)
		out := make([]string, 0, len(list))
		for _, item := range list {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case KindObject:
		obj, _ := v.(map[string]any)
		out := map[string]any{}
		for _, sub := range f.Sub {
			if sv, ok := obj[sub.Name]; ok {
				out[sub.Name] = fromJSON(sub, sv)
			}
		}
		return out
	case KindStringMap:
		obj, _ := v.(map[string]any)
		out := map[string]string{}
		for k, sv := range obj {
			out[k], _ = sv.(string)
		}
		return out
	}
	return v
}

// WireValue writes a normalised value in DocuSign's wire form: booleans and
// numbers as strings ("true", "3"), recursively. The plan compares values in
// this form, so that a file's true and the API's "true" are equal.
func WireValue(v any) any {
	switch t := v.(type) {
	case bool:
		if t {
			return "true"
		}
		return "false"
	case []string:
		return slices.Clone(t)
	case map[string]string:
		return maps.Clone(t)
	case map[string]any:
		out := map[string]any{}
		for k, sv := range t {
			out[k] = WireValue(sv)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, sv := range t {
			out[i] = WireValue(sv)
		}
		return out
	case int64, float64:
		return fmt.Sprint(t)
	}
	return v
}
