package render

// Escaping of untrusted text, one helper per medium. Names, URLs, ids and
// error messages come from DocuSign (or whatever answers in its place) and
// from the files; printed raw, an ESC or OSC sequence would drive the
// terminal (clear it, set its title), a CR or LF would forge a line ("No
// changes."), a bidi override would reorder what is shown, and HTML or a
// backtick would escape a markdown code span. Each renderer passes every such
// value through the helper of its medium, at the point where it is written:
//
//   - text (terminal): Terminal;
//   - markdown: escapeMD (prose and HTML), escapeCode (inside a code span),
//     codeLine (a line of a fenced code block); each calls Terminal first;
//   - JSON: writeJSON. encoding/json escapes control characters and <, >,
//     &; writeJSON also escapes the C1 controls and bidi controls it leaves
//     raw, so that a JSON file shown in a terminal is inert too.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Terminal makes s inert on a terminal: control characters (C0 but for
// none, DEL, C1), bidi controls and line or paragraph separators become
// visible escapes such as \x1b, \r, \n and \u202e; invalid UTF-8 bytes
// become \xNN. Everything else, non-ASCII letters included, is kept.
func Terminal(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x20 || r == 0x7f || r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports the non-ASCII runes a terminal or a browser acts on:
// C1 controls, bidi marks, embeddings, overrides and isolates
// (U+061C, U+200E-200F, U+202A-202E, U+2066-2069), and the line and
// paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f,
		r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x2028 && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escapeMD makes s inert in markdown prose and in HTML (a <summary>):
// markdown punctuation is backslash-escaped and <, >, & become entities.
func escapeMD(s string) string {
	return mdEscaper.Replace(Terminal(s))
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "&", "&amp;", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`",
	"|", `\|`, "[", `\[`, "]", `\]`)

// escapeCode makes s safe inside a `code span`: a backtick would end the
// span (and whatever follows would render, HTML included), so it becomes '.
func escapeCode(s string) string { return strings.ReplaceAll(Terminal(s), "`", "'") }

// codeLine makes s one inert line of a fenced code block: no line break,
// and no ``` to close the block.
func codeLine(s string) string {
	return strings.ReplaceAll(Terminal(s), "```", "'''")
}

// writeJSON writes v as indented JSON with every rune unsafeRune names
// escaped as \uXXXX. Outside strings JSON has no such runes, so the
// document means the same.
func writeJSON(w io.Writer, v any) error { return encodeJSON(w, v, true) }

// encodeJSON is writeJSON with HTML escaping (<, >, & as \u003c…) on or off.
// The encoder writes straight through the escaping writer: a large plan is
// not held in memory once more.
func encodeJSON(w io.Writer, v any, escapeHTML bool) error {
	ew := &runeEscaper{w: w}
	enc := json.NewEncoder(ew)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return ew.flush()
}

// runeEscaper writes what it is given with every rune unsafeRune names as
// \uXXXX, holding back the bytes of a rune cut between two writes.
type runeEscaper struct {
	w       io.Writer
	pending []byte
	out     []byte
}

func (e *runeEscaper) Write(p []byte) (int, error) {
	n := len(p)
	if len(e.pending) > 0 {
		p = append(e.pending, p...)
		e.pending = nil
	}
	if !bytes.ContainsFunc(p, unsafeRune) && lastRuneComplete(p) {
		_, err := e.w.Write(p)
		return n, err
	}
	e.out = e.out[:0]
	for i := 0; i < len(p); {
		if !utf8.FullRune(p[i:]) {
			e.pending = append([]byte(nil), p[i:]...)
			break
		}
		r, size := utf8.DecodeRune(p[i:])
		if unsafeRune(r) {
			e.out = fmt.Appendf(e.out, `\u%04x`, r)
		} else {
			e.out = append(e.out, p[i:i+size]...)
		}
		i += size
	}
	_, err := e.w.Write(e.out)
	return n, err
}

// lastRuneComplete reports whether p does not end inside a rune.
func lastRuneComplete(p []byte) bool {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			return utf8.FullRune(p[i:])
		}
	}
	return true
}

func (e *runeEscaper) flush() error {
	if len(e.pending) == 0 {
		return nil
	}
	_, err := e.w.Write(e.pending) // not UTF-8: as it was
	e.pending = nil
	return err
}
