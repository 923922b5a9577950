package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The action's install step downloads the release of its ref and checks it
// against checksums.txt before running it. These tests serve a fake release
// from loopback, laid out as GitHub serves one (and the repository's tags as
// git's dumb HTTP protocol serves them, for git ls-remote), and run
// action.yml's steps through the test runner.

const releasePath = "/connectsync/connectsync"

// fakeReleases is the fake github.com for the connectsync repository.
type fakeReleases struct {
	mu    sync.Mutex
	files map[string][]byte // URL path → body
	gets  []string
}

func (f *fakeReleases) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets = append(f.gets, r.URL.Path)
	b, ok := f.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(b)
}

func (f *fakeReleases) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.gets...)
}

// fakeArchive is a release archive as .goreleaser.yaml builds it, whose
// connectsync answers every command with its version.
func fakeArchive(t *testing.T, version, platform string) []byte {
	t.Helper()
	script := []byte(fmt.Sprintf("#!/bin/sh\necho \"connectsync %s (commit fake, %s release)\"\n", version, platform))
	extra := map[string]string{"LICENSE": "Apache License", "README.md": "# connectsync", "completions/connectsync.bash": "complete"}
	var buf bytes.Buffer
	if strings.HasPrefix(platform, "windows") {
		zw := zip.NewWriter(&buf)
		h := &zip.FileHeader{Name: "connectsync.exe", Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(script)
		for name, body := range extra {
			w, _ := zw.Create(name)
			w.Write([]byte(body))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	add := func(name string, mode int64, body []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	for name, body := range extra {
		add(name, 0o644, []byte(body))
	}
	add("connectsync", 0o755, script)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// addRelease publishes a release with archives for the platforms and its
// checksums.txt; corrupt names an archive whose listed checksum is wrong.
func (f *fakeReleases) addRelease(t *testing.T, tag string, platforms []string, corrupt string) {
	t.Helper()
	var sums strings.Builder
	for _, p := range platforms {
		ext := "tar.gz"
		if strings.HasPrefix(p, "windows") {
			ext = "zip"
		}
		name := fmt.Sprintf("connectsync_%s_%s.%s", strings.TrimPrefix(tag, "v"), p, ext)
		body := fakeArchive(t, tag, p)
		f.files[releasePath+"/releases/download/"+tag+"/"+name] = body
		sum := sha256.Sum256(body)
		if name == corrupt {
			sum = sha256.Sum256(append(body, 0))
		}
		fmt.Fprintf(&sums, "%x  %s\n", sum, name)
	}
	f.files[releasePath+"/releases/download/"+tag+"/checksums.txt"] = []byte(sums.String())
}

// The repository's tags: v1 (annotated) and v1.1.0, v1.2.3 and v1.3.0-rc.1
// on one commit, v1.2.10 and v2.0.0 on others.
const fakeInfoRefs = "" +
	"1111111111111111111111111111111111111111\trefs/heads/main\n" +
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\trefs/tags/v1\n" +
	"cccccccccccccccccccccccccccccccccccccccc\trefs/tags/v1^{}\n" +
	"cccccccccccccccccccccccccccccccccccccccc\trefs/tags/v1.1.0\n" +
	"dddddddddddddddddddddddddddddddddddddddd\trefs/tags/v1.2.10\n" +
	"cccccccccccccccccccccccccccccccccccccccc\trefs/tags/v1.2.3\n" +
	"cccccccccccccccccccccccccccccccccccccccc\trefs/tags/v1.3.0-rc.1\n" +
	"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\trefs/tags/v2\n" +
	"ffffffffffffffffffffffffffffffffffffffff\trefs/tags/v2.0.0\n"

func TestActionInstallsRelease(t *testing.T) {
	t.Parallel()
	linux := []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64", "windows_arm64"}
	rel := &fakeReleases{files: map[string][]byte{releasePath + ".git/info/refs": []byte(fakeInfoRefs)}}
	rel.addRelease(t, "v1.2.3", linux, "")
	rel.addRelease(t, "v1.1.0", linux, "")
	rel.addRelease(t, "v1.4.0", linux, "connectsync_1.4.0_linux_amd64.tar.gz")
	rel.addRelease(t, "v1.5.0", []string{"darwin_arm64"}, "") // no linux archive in checksums.txt
	rel.files[releasePath+"/releases/download/v1.5.0/connectsync_1.5.0_linux_amd64.tar.gz"] = fakeArchive(t, "v1.5.0", "linux_amd64")
	srv := httptest.NewServer(rel)
	defer srv.Close()

	tests := []struct {
		name      string
		ref       string            // github.action_ref
		with      map[string]string // inputs
		runner    map[string]string // RUNNER_OS, RUNNER_ARCH…
		wantFail  string            // in the log, when the job must fail before connectsync runs
		wantRun   string            // what the connectsync that ran printed
		wantBuilt bool              // built from source (the fake go) rather than downloaded
		wantGets  []string          // the release files downloaded, in order
	}{{
		name:     "a release tag",
		ref:      "v1.2.3",
		wantRun:  "connectsync v1.2.3 (commit fake, linux_amd64 release)",
		wantGets: []string{"v1.2.3/checksums.txt", "v1.2.3/connectsync_1.2.3_linux_amd64.tar.gz"},
	}, {
		name:     "a major tag: the newest release on its commit",
		ref:      "v1",
		wantRun:  "connectsync v1.2.3 (commit fake, linux_amd64 release)",
		wantGets: []string{"git: info/refs", "v1.2.3/checksums.txt", "v1.2.3/connectsync_1.2.3_linux_amd64.tar.gz"},
	}, {
		name:     "macOS on arm64",
		ref:      "v1.2.3",
		runner:   map[string]string{"RUNNER_OS": "macOS", "RUNNER_ARCH": "ARM64"},
		wantRun:  "connectsync v1.2.3 (commit fake, darwin_arm64 release)",
		wantGets: []string{"v1.2.3/checksums.txt", "v1.2.3/connectsync_1.2.3_darwin_arm64.tar.gz"},
	}, {
		name:     "Windows: a zip",
		ref:      "v1.2.3",
		runner:   map[string]string{"RUNNER_OS": "Windows", "RUNNER_ARCH": "X64"},
		wantRun:  "connectsync v1.2.3 (commit fake, windows_amd64 release)",
		wantGets: []string{"v1.2.3/checksums.txt", "v1.2.3/connectsync_1.2.3_windows_amd64.zip"},
	}, {
		name:     "the version input names a release",
		ref:      "main",
		with:     map[string]string{"version": "v1.1.0"},
		wantRun:  "connectsync v1.1.0 (commit fake, linux_amd64 release)",
		wantGets: []string{"v1.1.0/checksums.txt", "v1.1.0/connectsync_1.1.0_linux_amd64.tar.gz"},
	}, {
		name:     "a checksum mismatch stops the job",
		ref:      "v1.4.0",
		wantFail: "checksum mismatch for connectsync_1.4.0_linux_amd64.tar.gz",
		wantGets: []string{"v1.4.0/checksums.txt", "v1.4.0/connectsync_1.4.0_linux_amd64.tar.gz"},
	}, {
		name:     "an archive checksums.txt does not list stops the job",
		ref:      "v1.5.0",
		wantFail: "checksums.txt of connectsync v1.5.0 lists no connectsync_1.5.0_linux_amd64.tar.gz",
		wantGets: []string{"v1.5.0/checksums.txt", "v1.5.0/connectsync_1.5.0_linux_amd64.tar.gz"},
	}, {
		name:      "a branch builds from source",
		ref:       "main",
		wantBuilt: true,
	}, {
		name:      "a commit builds from source",
		ref:       "0123456789abcdef0123456789abcdef01234567",
		wantBuilt: true,
	}, {
		name:      "a release not published yet builds from source",
		ref:       "v1.9.9",
		wantBuilt: true,
		wantGets:  []string{"v1.9.9/checksums.txt"},
	}, {
		name:      "a major tag with no release on its commit builds from source",
		ref:       "v2",
		wantBuilt: true,
		wantGets:  []string{"git: info/refs"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel.mu.Lock()
			rel.gets = nil
			rel.mu.Unlock()
			r := newActionRunner(t, t.TempDir(), "http://127.0.0.1:1", "unused")
			r.runner["RUNNER_OS"], r.runner["RUNNER_ARCH"] = "Linux", "X64"
			for k, v := range tt.runner {
				r.runner[k] = v
			}
			r.runner["CONNECTSYNC_TEST_RELEASE_URL"] = srv.URL + releasePath
			r.github["action_ref"] = tt.ref
			r.github["action_repository"] = "connectsync/connectsync"
			with := merge(map[string]string{"command": "version"}, tt.with)
			if !tt.wantBuilt {
				// A download needs no Go: with setup-go on, the steps that
				// would install it must not run (the test runner refuses
				// uses: steps).
				with["setup-go"] = "true"
			}
			run := r.uses(t, with, nil)

			var gets []string
			for _, g := range rel.requests() {
				if strings.HasSuffix(g, ".git/info/refs") {
					gets = append(gets, "git: info/refs")
				} else if strings.Contains(g, ".git/") {
					continue // git looks for more of a dumb-HTTP repository (HEAD)
				} else {
					gets = append(gets, strings.TrimPrefix(g, releasePath+"/releases/download/"))
				}
			}
			if strings.Join(gets, " ") != strings.Join(tt.wantGets, " ") {
				t.Errorf("downloaded %q, want %q", gets, tt.wantGets)
			}
			_, built := run.steps["build"]
			if built != tt.wantBuilt {
				t.Errorf("built from source: %v, want %v\n%s", built, tt.wantBuilt, run.log)
			}
			if tt.wantFail != "" {
				if !run.failed || !strings.Contains(run.log, "::error title=connectsync action::"+tt.wantFail) {
					t.Errorf("want a failed step saying %q:\n%s", tt.wantFail, run.log)
				}
				if _, ran := run.steps["run"]; ran || built {
					t.Errorf("connectsync was run or built after a failed verification:\n%s", run.log)
				}
				if m, _ := filepath.Glob(filepath.Join(r.runner["RUNNER_TEMP"], "connectsync-bin", "*")); len(m) > 0 {
					t.Errorf("an unverified binary was installed: %v", m)
				}
				return
			}
			if run.failed {
				t.Fatalf("the job failed:\n%s", run.log)
			}
			if tt.wantBuilt {
				if st := run.steps["run"]; st.code != 0 || !strings.HasPrefix(st.stdout, "connectsync ") {
					t.Errorf("the built connectsync did not run:\n%s", run.log)
				}
				return
			}
			if got := run.steps["run"].stdout; !strings.Contains(got, tt.wantRun) {
				t.Errorf("connectsync printed %q, want %q\n%s", got, tt.wantRun, run.log)
			}
			if !strings.Contains(run.log, "matches checksums.txt") {
				t.Errorf("no checksum verification in the log:\n%s", run.log)
			}
		})
	}
}

// TestActionReleaseURLMustBeHTTPS: the test-only URL cannot send the
// download over plain http to another host.
func TestActionReleaseURLMustBeHTTPS(t *testing.T) {
	t.Parallel()
	s := runStep(t, map[string]string{
		"RUNNER_TEMP": t.TempDir(), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "ACTION_REF": "v1.2.3",
		"CONNECTSYNC_TEST_RELEASE_URL": "http://releases.example.com/connectsync/connectsync",
	}, "bash", actionScript, "install")
	if s.code == 0 || !strings.Contains(s.stderr, "is not https") {
		t.Errorf("exit %d\n%s%s", s.code, s.stdout, s.stderr)
	}
}
