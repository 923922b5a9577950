package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// This file maps DocuSign's wire shape (docusign.Configuration, string
// booleans and all) to and from the domain Connect. Both directions go
// through a JSON object so that the field table drives them and fields
// unknown to either side pass through untouched.

// FromWire converts a live configuration into a Connect holding every field
// the API returned, normalised (booleans as bool, lists as []string), plus
// the server-set integratorManaged and disabledBy.
func FromWire(account string, w docusign.Configuration) Connect {
	raw := wireObject(w)
	c := Connect{
		Account:   account,
		Name:      w.Name,
		ConnectID: w.ConnectID,
		Fields:    map[string]any{},
	}
	for _, f := range Fields {
		if v, ok := raw[f.Name]; ok {
			c.Fields[f.Name] = fromJSON(f, v)
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
