package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/plan"
)

// The commands that act on one live configuration (probe, republish, users)
// find it here, and find its entry in the files.

const flagConnectID = "connect-id"

// configSelector names one live configuration: by --name, or by
// --connect-id where several share the name (DocuSign allows it, and export
// pins each of them by its connectId).
type configSelector struct{ Name, ConnectID string }

func connectIDFlag() cli.Flag {
	return &cli.StringFlag{Name: flagConnectID, Usage: "the configuration's connectId (instead of --name, or beside it where several share the name)"}
}

func selectorOf(c *cli.Context) configSelector {
	return configSelector{Name: c.String(flagName), ConnectID: strings.TrimSpace(c.String(flagConnectID))}
}

func (sel configSelector) given() bool { return sel.Name != "" || sel.ConnectID != "" }

// picks reports whether the configuration of name and connectID is the one
// sel names: by its connectId when given, else by its name.
func (sel configSelector) picks(name, connectID string) bool {
	if sel.ConnectID != "" {
		return connectID == sel.ConnectID
	}
	return name == sel.Name
}

// disagree is the error of a --connect-id whose configuration (named name,
// in account alias) is not the --name given beside it; nil when they agree.
func (sel configSelector) disagree(alias, name string) error {
	if sel.Name == "" || name == sel.Name {
		return nil
	}
	return usageError(fmt.Sprintf("--connect-id %s is %q in account %s, not %q: give one of the two, or both as they are", sel.ConnectID, name, alias, sel.Name))
}

// describe is how an error lists a configuration: by name, with its
// connectId when sel chooses by connectId.
func (sel configSelector) describe(name, connectID string) string {
	if sel.ConnectID != "" {
		return fmt.Sprintf("%q (connectId %s)", name, connectID)
	}
	return fmt.Sprintf("%q", name)
}

// find returns the one live configuration sel names.
func (sel configSelector) find(alias string, list []docusign.Configuration) (docusign.Configuration, error) {
	var found []docusign.Configuration
	var names []string
	for _, c := range list {
		if sel.picks(c.Name, c.ConnectID) {
			found = append(found, c)
		}
		names = append(names, sel.describe(c.Name, c.ConnectID))
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	switch {
	case len(found) == 1:
		if err := sel.disagree(alias, found[0].Name); err != nil {
			return docusign.Configuration{}, err
		}
		return found[0], nil
	case len(found) == 0 && sel.ConnectID != "":
		return docusign.Configuration{}, usageError(fmt.Sprintf("account %s has no configuration with connectId %s (it has %s)", alias, sel.ConnectID, strings.Join(names, ", ")))
	case len(found) == 0:
		return docusign.Configuration{}, usageError(fmt.Sprintf("account %s has no configuration named %q (it has %s)", alias, sel.Name, strings.Join(names, ", ")))
	}
	var ids []string
	for _, c := range found {
		ids = append(ids, c.ConnectID)
	}
	return docusign.Configuration{}, usageError(fmt.Sprintf("account %s has %d configurations named %q (connectId %s): pick one with --connect-id %s",
		alias, len(found), sel.Name, strings.Join(ids, ", "), ids[0]))
}

// fileEntry is the files' entry for the live configuration cfg of list
// (its account's configurations): the one a plan matches to it
// (plan.EntryOf), found by its pin, its name or a name it had.
func fileEntry(entries []config.Connect, list []docusign.Configuration, cfg docusign.Configuration) (config.Connect, bool) {
	live := make([]config.Connect, len(list))
	for i, w := range list {
		live[i] = config.FromWire("", w)
	}
	return plan.EntryOf(entries, live, cfg.ConnectID)
}
