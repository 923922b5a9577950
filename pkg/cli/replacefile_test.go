package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReplaceFile: fmt, import and export -o write through replaceFile. A
// new file gets 0644; a replaced one keeps its mode; a symlink stays a link
// to the rewritten file; no temporary file is left beside it.
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
	fresh := filepath.Join(dir, "fresh.yaml")
	if err := replaceFile(fresh, []byte("a")); err != nil {
		t.Fatal(err)
	}
	check(fresh, "a", 0o644)

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
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the directory holds %q, want the three files only", names)
	}
}
