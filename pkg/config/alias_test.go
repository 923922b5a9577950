package config_test

import (
	"testing"

	"github.com/connectsync/connectsync/pkg/config"
)

func TestSuggestAlias(t *testing.T) {
	t.Parallel()
	taken := map[string]bool{"acme-corp-demo": true}
	for _, tc := range []struct{ name, id, want string }{
		{"Acme Corp (demo)", "e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b", "acme-corp-demo-e1a2b3c4"},
		{"Globex Sandbox", "b2c3d4e5-f6a7-4b80-9c1d-2e3f4a5b6c7d", "globex-sandbox"},
		{"", "c3d4e5f6-a7b8-4c91-8d2e-3f4a5b6c7d8e", "account-c3d4e5f6"},
		{"  ***  ", "18204417", "account-18204417"},
		{"Ünïcode Inc.", "d4e5f6a7-b8c9-4da2-9e3f-4a5b6c7d8e9f", "n-code-inc"},
		{"Umbrella (sandbox user is not an administrator)", "d4e5f6a7-b8c9-4da2-9e3f-4a5b6c7d8e9f", "umbrella-sandbox-user-is"},
		{"Supercalifragilisticexpialidocious", "d4e5f6a7", "supercalifragilisticexpi"},
	} {
		if got := config.SuggestAlias(tc.name, tc.id, func(a string) bool { return taken[a] }); got != tc.want {
			t.Errorf("SuggestAlias(%q, %q) = %q, want %q", tc.name, tc.id, got, tc.want)
		}
	}
}
