package plan

import (
	"io"

	"github.com/connectsync/connectsync/pkg/jsonout"
)

// WriteJSON writes d as indented JSON, as json.Encoder with
// SetIndent("", "  ") writes it (HTML escaped, a newline at the end), an
// account at a time: a plan of many accounts is never one buffer.
func (d Document) WriteJSON(w io.Writer) error {
	return jsonout.Indented(w, d)
}
