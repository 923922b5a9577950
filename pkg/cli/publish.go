package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/connectevent"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/emulator"
	"github.com/connectsync/connectsync/pkg/render"
)

// sandbox publish: the sandbox delivers an event to the listeners of an
// account's configurations, as DocuSign would when an envelope changes.

const (
	flagAllowRemote = "allow-remote-listeners"
	flagSender      = "sender"
)

func allowRemoteFlag() cli.Flag {
	return &cli.BoolFlag{Name: flagAllowRemote, Usage: "let the sandbox post to listeners that are not on loopback (it posts to loopback ones only by default)"}
}

type publishOptions struct {
	commonOptions
	Event       string
	EnvelopeID  string
	Sender      string
	AllowRemote bool
}

func sandboxPublishCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "publish",
		Usage: "deliver an event through the sandbox account's configurations to their listeners",
		Description: `Sends --event (a JSON SIM envelope or recipient event, e.g. envelope-completed)
about an envelope (--envelope-id, default a new one) through every
configuration of the sandbox account that would send it at DocuSign:
custom and customrecipient ones with allowEnvelopePublish, not paused,
subscribed to the event (events, or for the other data models its status
in envelopeEvents/recipientEvents, in sentence case), covering the
envelope's sender (customrecipient: its signer). Each listener gets the
message in its configuration's data model, with basic auth and signed with
the account's HMAC keys (connectsync hmac create --sandbox), exactly as
connectsync probe writes it.

As at DocuSign, a post a listener does not acknowledge with a 2xx goes to
the failure log (requiresAcknowledgement) and every post of a configuration
with enableLog to the Connect log, so connectsync failures, logs and retry
(which delivers again) work on a laptop. It uses the sandbox state, like
--sandbox (--sandbox-state), and posts to loopback listeners only unless
--allow-remote-listeners.

Exit codes: 0 every post was delivered, 1 a post failed, no configuration
sends the event, or a usage error.`,
		Flags: append(apiFlags(),
			&cli.StringFlag{Name: flagEvent, Usage: "the event to deliver (required): " + strings.Join(connectevent.Events(), ", ")},
			&cli.StringFlag{Name: flagEnvelopeID, Usage: "the envelope the event is about (default: a new random GUID)"},
			&cli.StringFlag{Name: flagSender, Usage: "the user id of the envelope's sender, a member of the account (default: the sandbox user)"},
			allowRemoteFlag()),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runSandboxPublish(c.Context, publishOptions{commonOptions: common, Event: c.String(flagEvent), EnvelopeID: c.String(flagEnvelopeID),
				Sender: c.String(flagSender), AllowRemote: c.Bool(flagAllowRemote)}, env)
		},
	}
}

func runSandboxPublish(ctx context.Context, o publishOptions, env Env) error {
	desired, ds := loadFiles(ctx, o.Files, env, false)
	if ds.HasErrors() {
		render.DiagnosticsText(env.Stderr, ds, nil)
		return errReported
	}
	if o.Event == "" {
		return usageError("name the event: connectsync sandbox publish --account ALIAS --event envelope-completed")
	}
	if err := connectevent.CheckEvent(o.Event); err != nil {
		return usageError("--event: " + err.Error())
	}
	if o.EnvelopeID != "" && !isGUID(o.EnvelopeID) {
		return usageError(fmt.Sprintf("--envelope-id %q is not an envelope id: DocuSign envelope ids are GUIDs such as 93be49ab-1c2d-4e5f-8a9b-f752070d71ec", o.EnvelopeID))
	}
	accounts, err := selectAccounts(desired, o.Accounts)
	if err != nil {
		return err
	}
	s := &session{desired: desired, accounts: accounts}
	a, err := oneAccount(s, "sandbox publish")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(o.SandboxState); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("sandbox state: %w", err)
		}
	}
	lock, err := lockSandbox(ctx, env, o.SandboxState, "connectsync sandbox publish", o.SandboxWait)
	if err != nil {
		return err
	}
	defer lock.Release()
	e, err := emulator.New(emulator.Options{StatePath: o.SandboxState, Deliver: emulator.DeliverOptions{AllowRemote: o.AllowRemote}})
	if err != nil {
		return fmt.Errorf("open the sandbox: %w", err)
	}
	for _, acct := range desired.Accounts {
		if err := e.EnsureAccount(acct.AccountID, acct.Alias); err != nil {
			return err
		}
	}
	id, posts, err := e.Publish(ctx, emulator.PublishRequest{AccountID: a.AccountID, Event: o.Event, EnvelopeID: o.EnvelopeID, SenderID: o.Sender})
	if err != nil {
		return usageError(fmt.Sprintf("account %s: %s", a.Alias, err))
	}
	w := env.Stdout
	fmt.Fprintf(w, "%s (%s): %s of envelope %s\n", a.Alias, a.AccountID, o.Event, id)
	var delivered, failed, skipped int
	for _, p := range posts {
		name := fmt.Sprintf("%s (%s)", render.Terminal(p.Name), p.ConnectID)
		if p.Skipped != "" {
			skipped++
			fmt.Fprintf(w, "  %-40s skipped: %s\n", name, render.Terminal(docusign.RedactText(p.Skipped)))
			continue
		}
		var extra []string
		if p.Signatures > 0 {
			extra = append(extra, fmt.Sprintf("%d signatures", p.Signatures))
		}
		if p.BasicAuth {
			extra = append(extra, "basic auth")
		}
		outcome := fmt.Sprintf("delivered: %d in %d ms", p.Status, p.Duration.Milliseconds())
		if !p.Delivered {
			failed++
			outcome = "failed: " + p.Error
			if p.FailureID != "" {
				extra = append(extra, "in the failure log")
			} else {
				extra = append(extra, "not in the failure log: requiresAcknowledgement is off")
			}
		} else {
			delivered++
		}
		if p.LogID != "" {
			extra = append(extra, "logged")
		}
		fmt.Fprintf(w, "  %-40s %s %s  %s (%s)\n", name, p.Model, render.Terminal(docusign.RedactText(p.URL)), render.Terminal(outcome), strings.Join(extra, ", "))
	}
	fmt.Fprintf(w, "Publish: %d delivered, %d failed, %d skipped.\n", delivered, failed, skipped)
	switch {
	case failed > 0:
		return &exitError{code: ExitError, msg: fmt.Sprintf("%s failed: fix the listener, then connectsync retry --sandbox --account %s --all delivers again", plural(failed, "post"), a.Alias)}
	case delivered == 0:
		return &exitError{code: ExitError, msg: fmt.Sprintf("no configuration of account %s sends %s (each says why above)", a.Alias, o.Event)}
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
