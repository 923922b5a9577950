package config

import (
	"fmt"
	"regexp"
	"strings"
)

var aliasRun = regexp.MustCompile(`[^a-z0-9]+`)

// maxAlias is the longest alias SuggestAlias makes from a name (before the id).
const maxAlias = 24

// SuggestAlias makes an alias for an account the files do not declare
// (found through userinfo): its name in lower case with words joined by
// "-", e.g. "Acme Corp (demo)" → acme-corp-demo, cut after a word to at
// most 24 characters. The account id's first
// eight characters are added when the name gives nothing or the alias is
// taken.
func SuggestAlias(name, accountID string, taken func(alias string) bool) string {
	base := strings.Trim(aliasRun.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(base) > maxAlias { // keep whole words
		if cut := strings.LastIndexByte(base[:maxAlias+1], '-'); cut > 0 {
			base = base[:cut]
		} else {
			base = base[:maxAlias]
		}
	}
	short := strings.ToLower(accountID[:min(8, len(accountID))])
	alias := base
	if base == "" {
		base = "account"
		alias = base + "-" + short
	}
	if taken(alias) {
		alias = base + "-" + short
	}
	for i := 2; taken(alias); i++ {
		alias = fmt.Sprintf("%s-%s-%d", base, short, i)
	}
	return alias
}
