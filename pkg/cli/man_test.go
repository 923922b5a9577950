// The release tag leaves urfave/cli's markdown rendering out, and with it
// what this test renders the page with.

//go:build !urfave_cli_no_docs

package cli

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// TestManPageIsCurrent: the embedded man page (connectsync.1, what `man`
// prints) is the one the app's commands and flags make now. After changing
// a command or flag, rewrite it with
//
//	go test ./pkg/cli -run TestManPageIsCurrent -update
func TestManPageIsCurrent(t *testing.T) {
	app := newApp(Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, LookupEnv: os.LookupEnv})
	app.Setup() // adds --help, --version and the help command, as a run does
	want, err := renderManPage(app)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("connectsync.1", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(manPage, want) {
		t.Errorf("pkg/cli/connectsync.1 is not the man page of the commands and flags as they are: run\n\tgo test ./pkg/cli -run TestManPageIsCurrent -update")
	}
}

// renderManPage is urfave/cli's markdown documentation of the app, rendered
// to roff by go-md2man as App.ToMan does, with the usage texts made literal
// first: "*.yaml" would otherwise turn into italics, and the indented
// examples of a description into one run-on paragraph.
func renderManPage(app *cli.App) ([]byte, error) {
	md, err := app.ToMarkdown()
	if err != nil {
		return nil, err
	}
	return md2man.Render([]byte(fmt.Sprintf("%% %s 1\n\n%s", app.Name, literalMarkdown(md)))), nil
}

var (
	loneStar      = regexp.MustCompile(`(^|[^*\\])\*([^*]|$)`)
	indentExample = regexp.MustCompile(`^ {3}(\S)`)
)

// literalMarkdown escapes single asterisks (the template marks flag names
// with **, never *) and turns lines indented by three spaces, as examples in
// the --help descriptions are, into indented code, outside code fences.
func literalMarkdown(md string) string {
	lines := strings.Split(md, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for loneStar.MatchString(l) {
			l = loneStar.ReplaceAllString(l, `$1\*$2`)
		}
		lines[i] = indentExample.ReplaceAllString(l, "    $1")
	}
	return strings.Join(lines, "\n")
}
