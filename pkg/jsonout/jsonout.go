// Package jsonout writes a large JSON document a part at a time, byte for
// byte as encoding/json writes it whole: a plan or an audit of a thousand
// accounts is megabytes of JSON, which json.Marshal would build in one
// buffer grown by doubling (and, indented, copy once more).
package jsonout

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// Indented writes v, a struct, as json.Encoder with SetIndent("", "  ")
// does (HTML escaped, a newline at the end).
func Indented(w io.Writer, v any) error { return write(w, v, true) }

// Compact writes v, a struct, as json.Marshal does.
func Compact(w io.Writer, v any) error { return write(w, v, false) }

// write writes the struct v field by field, each value through
// json.Marshal(Indent); the elements of its list fields one at a time.
func write(w io.Writer, v any, indent bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			bw.WriteString("null")
			if indent {
				bw.WriteByte('\n')
			}
			return bw.Flush()
		}
		rv = rv.Elem()
	}
	marshal := func(x any, prefix string) ([]byte, error) {
		if indent {
			return json.MarshalIndent(x, prefix, "  ")
		}
		return json.Marshal(x)
	}
	if rv.Kind() != reflect.Struct || !plain(rv.Type()) {
		data, err := marshal(v, "")
		if err != nil {
			return err
		}
		bw.Write(data)
		if indent {
			bw.WriteByte('\n')
		}
		return bw.Flush()
	}
	t := rv.Type()
	bw.WriteByte('{')
	first := true
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := rv.Field(i)
		if has(opts, "omitempty") && OmitEmpty(fv) || has(opts, "omitzero") && fv.IsZero() {
			continue
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		if indent {
			bw.WriteString("\n  ")
		}
		key, _ := json.Marshal(name)
		bw.Write(key)
		bw.WriteByte(':')
		if indent {
			bw.WriteByte(' ')
		}
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct {
			if err := writeList(bw, fv, indent, marshal); err != nil {
				return err
			}
			continue
		}
		data, err := marshal(fv.Interface(), "  ")
		if err != nil {
			return err
		}
		bw.Write(data)
	}
	if indent && !first {
		bw.WriteByte('\n')
	}
	bw.WriteByte('}')
	if indent {
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func writeList(bw *bufio.Writer, list reflect.Value, indent bool, marshal func(any, string) ([]byte, error)) error {
	if list.IsNil() {
		bw.WriteString("null")
		return nil
	}
	bw.WriteByte('[')
	for i := range list.Len() {
		if i > 0 {
			bw.WriteByte(',')
		}
		if indent {
			bw.WriteString("\n    ")
		}
		data, err := marshal(list.Index(i).Interface(), "    ")
		if err != nil {
			return err
		}
		bw.Write(data)
	}
	if indent && list.Len() > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteByte(']')
	return nil
}

// plain reports a struct written here field by field; any other (one that
// encodes itself, embeds a struct or has a ",string" field) is written
// whole by json.Marshal.
func plain(t reflect.Type) bool {
	m := reflect.TypeFor[json.Marshaler]()
	if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous || has(opts, "string") {
			return false
		}
	}
	return true
}

func has(opts, opt string) bool { return strings.Contains(","+opts+",", ","+opt+",") }

// OmitEmpty is encoding/json's test for omitempty: whether a field tagged
// so is left out.
func OmitEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
