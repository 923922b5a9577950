package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/cli"
)

// TestReadmeCommandsMatchHelp: the README's command table names exactly
// the commands `connectsync help` lists (subcommands as "audit merge"), so
// the two cannot drift apart.
func TestReadmeCommandsMatchHelp(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(data)
	if i := strings.Index(section, "## Commands"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section[3:], "\n## "); i >= 0 {
		section = section[:i+3]
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z]+(?: [a-z]+)?)[^`]*` \\|")
	var readme []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		readme = append(readme, m[1])
	}
	help := cli.CommandNames()
	slices.Sort(readme)
	slices.Sort(help)
	if !slices.Equal(readme, help) {
		t.Errorf("README command table: %q\nhelp lists:           %q", readme, help)
	}
}
