package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// TestInterruptedSaysWhatMayHaveBeenDone: a Ctrl-C that cut short a create
// whose outcome is unknown says so, not only "interrupted": hmac create and
// republish tell the user to check what DocuSign did.
func TestInterruptedSaysWhatMayHaveBeenDone(t *testing.T) {
	var out strings.Builder
	if code := exitCode(fmt.Errorf("list: %w", context.Canceled), &out); code != ExitError || out.String() != "interrupted\n" {
		t.Errorf("a plain interruption: exit %d, %q", code, out.String())
	}
	out.Reset()
	unknown := &docusign.OutcomeUnknownError{Method: "POST", Path: "/restapi/v2.1/accounts/A/connect", Err: errors.Join(context.Canceled)}
	code := exitCode(fmt.Errorf("create configuration %q: %w", "orders", unknown), &out)
	if code != ExitError || !strings.HasPrefix(out.String(), "interrupted: ") || !strings.Contains(out.String(), "outcome unknown") {
		t.Errorf("an interrupted create: exit %d, %q; want interrupted: with the unknown outcome", code, out.String())
	}
}
