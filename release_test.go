package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/connectsync/connectsync/pkg/cli"
)

// The release: .goreleaser.yaml, the Dockerfile and what the action expects
// of them. TestReleaseConfig holds them to each other on every go test;
// with goreleaser installed it also runs `goreleaser check`.
// TestReleaseSnapshot checks what `make release-snapshot` built.

// goreleaserConfig is the part of .goreleaser.yaml these tests read.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Before      struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	DockersV2 []struct {
		Dockerfile string   `yaml:"dockerfile"`
		Images     []string `yaml:"images"`
		Platforms  []string `yaml:"platforms"`
	} `yaml:"dockers_v2"`
}

func loadGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	b, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

var releasePlatforms = []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64", "windows_arm64"}

func TestReleaseConfig(t *testing.T) {
	c := loadGoreleaser(t)
	if c.Version != 2 || c.ProjectName != "connectsync" || len(c.Builds) != 1 || len(c.Archives) != 1 || len(c.DockersV2) != 1 {
		t.Fatalf("want a version 2 config of project connectsync with one build, one archive and one image: %+v", c)
	}
	b, a := c.Builds[0], c.Archives[0]
	var platforms []string
	for _, os := range b.Goos {
		for _, arch := range b.Goarch {
			platforms = append(platforms, os+"_"+arch)
		}
	}
	slices.Sort(platforms)
	want := slices.Sorted(slices.Values(releasePlatforms))
	if !slices.Equal(platforms, want) {
		t.Errorf("builds %v, want %v", platforms, want)
	}
	if b.Binary != "connectsync" || !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build: binary %q, env %v; want connectsync, static (CGO_ENABLED=0)", b.Binary, b.Env)
	}

	// Version and commit go where the Makefile and `connectsync version` put them.
	_, _ = cli.Version, cli.Commit // the variables exist (this fails to compile otherwise)
	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"Version", "Commit"} {
		x := "-X github.com/connectsync/connectsync/pkg/cli." + v + "="
		if !slices.ContainsFunc(b.Ldflags, func(l string) bool { return strings.Contains(l, x) }) || !bytes.Contains(makefile, []byte(x)) {
			t.Errorf("ldflags %v or the Makefile lacks %s", b.Ldflags, x)
		}
	}

	// The archive and checksum names action.yml downloads.
	script, err := os.ReadFile(actionScript)
	if err != nil {
		t.Fatal(err)
	}
	if a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" ||
		!bytes.Contains(script, []byte(`archive="connectsync_${tag#v}_${plat}.${ext}"`)) {
		t.Errorf("archive name_template %q and the action's archive name differ", a.NameTemplate)
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || len(a.FormatOverrides) != 1 || a.FormatOverrides[0].Goos != "windows" ||
		!slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) || !bytes.Contains(script, []byte("ext=zip")) {
		t.Errorf("archives: want tar.gz, zip for windows, as the action expects: %+v", a)
	}
	if c.Checksum.NameTemplate != "checksums.txt" || c.Checksum.Algorithm != "sha256" || !bytes.Contains(script, []byte(`"$url/checksums.txt"`)) {
		t.Errorf("checksum %+v: want checksums.txt, sha256, which the action verifies", c.Checksum)
	}
	for _, f := range []string{"LICENSE", "README.md", "completions/*", "manpages/*"} {
		if !slices.Contains(a.Files, f) {
			t.Errorf("the archives lack %s", f)
		}
	}
	for _, f := range a.Files {
		if !strings.Contains(f, "*") {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("archive file %s: %v", f, err)
			}
		}
	}

	// The hooks that write completions/ and manpages/ run real commands.
	hook := regexp.MustCompile(`go run \. ([a-z]+(?: [a-z]+)?) [>|]`)
	var ran []string
	for _, h := range c.Before.Hooks {
		m := hook.FindStringSubmatch(h)
		if m == nil {
			continue
		}
		var out bytes.Buffer
		env := cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, LookupEnv: func(string) (string, bool) { return "", false }}
		if code := cli.Run(context.Background(), append([]string{"connectsync"}, strings.Fields(m[1])...), env); code != 0 || out.Len() == 0 {
			t.Errorf("hook %q: connectsync %s exits %d:\n%s", h, m[1], code, out.String())
		}
		ran = append(ran, m[1])
	}
	for _, want := range []string{"completion bash", "completion zsh", "completion fish", "completion powershell", "man"} {
		if !slices.Contains(ran, want) {
			t.Errorf("no before hook runs connectsync %s", want)
		}
	}

	// The image: both Linux platforms, the binary where the Dockerfile copies it from.
	d := c.DockersV2[0]
	if !slices.Equal(d.Platforms, []string{"linux/amd64", "linux/arm64"}) || !slices.Equal(d.Images, []string{"ghcr.io/connectsync/connectsync"}) {
		t.Errorf("dockers_v2: %+v", d)
	}
	df, err := os.ReadFile(d.Dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nFROM gcr.io/distroless/static",           // no shell, CA certificates
		"\nCOPY ${TARGETPLATFORM}/connectsync ",     // where dockers_v2 puts each platform's binary
		"\nUSER 65532:65532",                        // not root
		`ENTRYPOINT ["/usr/local/bin/connectsync"]`, // the binary as entrypoint
	} {
		if !bytes.Contains(df, []byte(want)) {
			t.Errorf("Dockerfile lacks %q", strings.TrimSpace(want))
		}
	}

	goreleaser, err := exec.LookPath("goreleaser")
	if err != nil {
		t.Log("goreleaser is not installed: not running goreleaser check (go install github.com/goreleaser/goreleaser/v2@v2.15.1)")
		return
	}
	if out, err := exec.Command(goreleaser, "check").CombinedOutput(); err != nil {
		t.Errorf("goreleaser check: %v\n%s", err, out)
	}
}

// TestReleaseSnapshot checks a snapshot release, the dist/ directory that
// `make release-snapshot` builds (it runs this test after goreleaser with
// CONNECTSYNC_RELEASE_DIST=dist): an archive per platform holding the binary,
// LICENSE, README.md, the completions and the man page; checksums.txt
// matching them; and, on linux/amd64, a binary that states its version.
func TestReleaseSnapshot(t *testing.T) {
	dist := os.Getenv("CONNECTSYNC_RELEASE_DIST")
	if dist == "" {
		t.Skip("CONNECTSYNC_RELEASE_DIST is not set: run make release-snapshot")
	}
	sums := map[string]string{}
	f, err := os.Open(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sum, name, ok := strings.Cut(sc.Text(), "  "); ok {
			sums[name] = sum
		}
	}
	archives, _ := filepath.Glob(filepath.Join(dist, "connectsync_*_*_*.*[pz]")) // .tar.gz, .zip; not the build directories
	if len(archives) != len(releasePlatforms) || len(sums) != len(archives) {
		t.Fatalf("%d archives %v and %d checksums; want %d of each", len(archives), archives, len(sums), len(releasePlatforms))
	}
	for _, p := range releasePlatforms {
		ext, exe := ".tar.gz", "connectsync"
		if strings.HasPrefix(p, "windows") {
			ext, exe = ".zip", "connectsync.exe"
		}
		m, _ := filepath.Glob(filepath.Join(dist, "connectsync_*_"+p+ext))
		if len(m) != 1 {
			t.Errorf("%s: archives %v", p, m)
			continue
		}
		data, err := os.ReadFile(m[0])
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(data)); sums[filepath.Base(m[0])] != got {
			t.Errorf("%s: checksums.txt says %s, the archive is %s", filepath.Base(m[0]), sums[filepath.Base(m[0])], got)
		}
		files := archiveFiles(t, data, ext == ".zip")
		for _, want := range []string{exe, "LICENSE", "README.md", "completions/connectsync.bash", "completions/_connectsync", "completions/connectsync.fish", "completions/connectsync.ps1", "manpages/connectsync.1.gz"} {
			if _, ok := files[want]; !ok {
				t.Errorf("%s lacks %s (has %v)", filepath.Base(m[0]), want, slices.Sorted(func(yield func(string) bool) {
					for k := range files {
						if !yield(k) {
							return
						}
					}
				}))
			}
		}
		if p == runtime.GOOS+"_"+runtime.GOARCH {
			bin := filepath.Join(t.TempDir(), exe)
			if err := os.WriteFile(bin, files[exe], 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "version").CombinedOutput()
			// "none" is GoReleaser's commit in a clone without a remote; the
			// binary's own default would be "unknown".
			if err != nil || !regexp.MustCompile(`^connectsync v\d+\.\d+\.\d+\S* \(commit ([0-9a-f]{7,}|none)\)`).Match(out) {
				t.Errorf("%s version: %v %q; want the version and commit set by ldflags", p, err, out)
			}
		}
	}
}

// archiveFiles reads a release archive into memory, by path.
func archiveFiles(t *testing.T, data []byte, isZip bool) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	if isZip {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = b
		}
		return files
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = b
	}
	return files
}
