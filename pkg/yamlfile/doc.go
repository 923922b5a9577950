// Package yamlfile writes connectsync files: export (live configurations as
// a new file), import (one live configuration added to an existing file,
// as text, so that everything else stays byte for byte) and fmt (a file
// rewritten in its canonical form). All three keep comments. pkg/config
// reads files; this package writes them, and checks what it writes by
// reading it back through pkg/config.
package yamlfile
