package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/pkg/delivery"
	"github.com/connectsync/connectsync/pkg/docusign"
)

// TestFileEntryFindsThePinnedTwin: probe and republish send the files'
// password of the configuration they act on. Of two entries sharing a name,
// each pinned by connectId (as export writes twins), the one pinned to the
// live configuration is its entry; the old lookup by name took whichever
// came last, so one twin's listener got the other's password. While a
// rename is pending (previously:), the entry under its new name is the old
// name's.
func TestFileEntryFindsThePinnedTwin(t *testing.T) {
	entry := func(name, pin, password string) config.Connect {
		return config.Connect{Name: name, ConnectID: pin, Fields: map[string]any{"password": password}}
	}
	renamed := entry("Orders v2", "", "renamed")
	renamed.Previously = []string{"Old orders"}
	entries := []config.Connect{
		entry("Orders", "101", "first"), entry("Orders", "102", "second"),
		entry("Signers", "", "signers"), {Name: "Gone", Absent: true},
		entry("Twins", "", "a"), entry("Twins", "", "b"),
		renamed,
	}
	list := []docusign.Configuration{
		{ConnectID: "101", Name: "Orders", ConfigurationType: "custom"},
		{ConnectID: "102", Name: "Orders", ConfigurationType: "custom"},
		{ConnectID: "103", Name: "Orders", ConfigurationType: "custom"},
		{ConnectID: "201", Name: "Signers", ConfigurationType: "custom"},
		{ConnectID: "301", Name: "Gone", ConfigurationType: "custom"},
		{ConnectID: "401", Name: "Twins", ConfigurationType: "custom"},
		{ConnectID: "501", Name: "Old orders", ConfigurationType: "custom"},
	}
	want := map[string]string{ // "" when the files hold no entry for it
		"101": "first", "102": "second",
		"103": "", // both entries pinned to others
		"201": "signers",
		"301": "", // state: absent
		"401": "", // which one is unknowable
		"501": "renamed",
	}
	for _, live := range list {
		d, ok := fileEntry(entries, list, live)
		if got := d.String("password"); ok != (want[live.ConnectID] != "") || got != want[live.ConnectID] {
			t.Errorf("%s %q: got %q (found %v), want %q", live.ConnectID, live.Name, got, ok, want[live.ConnectID])
		}
	}
}

// TestSelectorFind: --name, --connect-id, or both when they agree.
func TestSelectorFind(t *testing.T) {
	list := []docusign.Configuration{{ConnectID: "1", Name: "a"}, {ConnectID: "2", Name: "b"}, {ConnectID: "3", Name: "b"}}
	for _, tc := range []struct {
		sel  configSelector
		want string // the connectId found, or the start of the error
	}{
		{configSelector{Name: "a"}, "1"},
		{configSelector{ConnectID: "3"}, "3"},
		{configSelector{Name: "b", ConnectID: "2"}, "2"},
		{configSelector{Name: "b"}, `account x has 2 configurations named "b" (connectId 2, 3): pick one with --connect-id 2`},
		{configSelector{Name: "a", ConnectID: "2"}, `--connect-id 2 is "b" in account x, not "a"`},
		{configSelector{ConnectID: "9"}, `account x has no configuration with connectId 9 (it has "a" (connectId 1), "b" (connectId 2), "b" (connectId 3))`},
		{configSelector{Name: "z"}, `account x has no configuration named "z" (it has "a", "b", "b")`},
	} {
		c, err := tc.sel.find("x", list)
		got := c.ConnectID
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: got %q, want %q", tc.sel, got, tc.want)
		}
	}
}

// TestCheckSelected: failures and retry --all refuse a --name or
// --connect-id that names nothing, and say which accounts could not be
// read (the configuration may be there). A connectId of the failure log is
// accepted: its configuration may have been deleted, and its failures are
// still listed under it.
func TestCheckSelected(t *testing.T) {
	inputs := []delivery.Input{
		{Alias: "a", Configs: []delivery.Config{{ConnectID: "1", Name: "orders"}, {ConnectID: "2", Name: "orders"}},
			Entries: []docusign.LogEntry{{ConnectID: "9", EnvelopeID: "e"}}},
		{Alias: "b", Err: errors.New("403")},
	}
	for _, tc := range []struct {
		sel  configSelector
		want string // "" when accepted
	}{
		{configSelector{Name: "orders"}, ""},
		{configSelector{ConnectID: "2"}, ""},
		{configSelector{Name: "orders", ConnectID: "2"}, ""},
		{configSelector{ConnectID: "9"}, ""}, // deleted, still in the failure log
		{configSelector{Name: "signers"}, `no configuration named "signers" in account a (they have "orders"); account b could not be read (above)`},
		{configSelector{ConnectID: "7"}, `no configuration with connectId 7 in account a (they have "orders" (connectId 1), "orders" (connectId 2)); account b could not be read`},
		{configSelector{Name: "billing", ConnectID: "1"}, `--connect-id 1 is "orders" in account a, not "billing"`},
	} {
		err := checkSelected(tc.sel, inputs)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.sel, err, tc.want)
		}
	}
}
