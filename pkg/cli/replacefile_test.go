package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReplaceFile: fmt, import and export --force replace a file through
// replaceFile. It keeps its mode; a symlink stays a link to the rewritten
// file; no temporary file is left beside it.
func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	check := func(name, want string, mode os.FileMode) {
		t.Helper()
		data, err := os.ReadFile(name)
		if err != nil || string(data) != want {
			t.Errorf("%s holds %q (%v), want %q", name, data, err, want)
		}
		if st, err := os.Stat(name); err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %v", name, st.Mode().Perm(), err, mode)
		}
	}
	private := filepath.Join(dir, "private.yaml")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := replaceFile(private, []byte("new")); err != nil {
		t.Fatal(err)
	}
	check(private, "new", 0o600)

	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink("private.yaml", link); err != nil {
		t.Fatal(err)
	}
	if err := replaceFile(link, []byte("through the link")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.yaml is no longer a symlink: %v", err)
	}
	check(private, "through the link", 0o600)

	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the directory holds %q, want the two files only", names)
	}
}

// TestExportToAPipe: export -o /dev/stdout (or a named pipe) writes into
// the pipe; it is not replaced by a regular file.
func TestExportToAPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "export.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan string, 1)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- string(data)
	}()
	if err := writeExport(fifo, []byte("version: 1\n")); err != nil {
		t.Fatal(err)
	}
	if data := <-got; data != "version: 1\n" {
		t.Errorf("the reader got %q", data)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", st.Mode(), err)
	}
}
