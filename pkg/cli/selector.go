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

// find returns the one live configuration sel names.
func (sel configSelector) find(alias string, list []docusign.Configuration) (docusign.Configuration, error) {
	var found []docusign.Configuration
	var names []string
	for _, c := range list {
		if sel.ConnectID != "" && c.ConnectID == sel.ConnectID || sel.ConnectID == "" && c.Name == sel.Name {
			found = append(found, c)
		}
		if sel.ConnectID != "" {
			names = append(names, fmt.Sprintf("%q (connectId %s)", c.Name, c.ConnectID))
		} else {
			names = append(names, fmt.Sprintf("%q", c.Name))
		}
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	switch {
	case len(found) == 1 && sel.Name != "" && found[0].Name != sel.Name:
		return docusign.Configuration{}, usageError(fmt.Sprintf("--connect-id %s is %q in account %s, not %q: give one of the two, or both as they are",
			sel.ConnectID, found[0].Name, alias, sel.Name))
	case len(found) == 1:
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
