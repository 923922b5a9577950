package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/connectsync/connectsync/pkg/lockfile"
)

// One process at a time uses a sandbox state file: a --sandbox run, sandbox
// publish and sandbox serve each hold the lock STATE.lock (an flock, so
// the operating system releases it when the holder exits, even on kill -9)
// from before they read the state until they are done with it. Two runs
// that each read the state, changed it and wrote it back would hand out
// the same connectId twice and lose each other's creates.

// lockSandbox takes the lock of the sandbox state at statePath, waiting up
// to wait for its holder and saying on stderr, once, whom it waits for.
func lockSandbox(ctx context.Context, env Env, statePath, command string, wait time.Duration) (*lockfile.Lock, error) {
	path := statePath + ".lock"
	l, err := lockfile.Acquire(ctx, path, lockfile.Me(command), wait, func(h lockfile.Holder) {
		fmt.Fprintf(env.Stderr, "Waiting for the sandbox state %s: %s uses it (up to --sandbox-lock-timeout %s)%s.\n", statePath, h, wait, serveHint(h, statePath, ";"))
	})
	var held *lockfile.HeldError
	if errors.As(err, &held) {
		hint := "; run again once it has finished, or raise --sandbox-lock-timeout, or use another --sandbox-state"
		if held.Holder.URL != "" {
			hint = serveHint(held.Holder, statePath, ":")
		}
		return nil, usageError(fmt.Sprintf("the sandbox state %s is in use by %s; waited %s%s", statePath, held.Holder, wait, hint))
	}
	return l, err
}

// serveHint tells how to use a sandbox server that holds the state instead
// of waiting for it.
func serveHint(h lockfile.Holder, statePath, sep string) string {
	if h.URL == "" {
		return ""
	}
	return fmt.Sprintf("%s it is a sandbox server at %s: point this command at it instead of --sandbox (export DOCUSIGN_AUTH_SERVER=%s DOCUSIGN_BASE_URI=%s and the DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID and DOCUSIGN_PRIVATE_KEY_FILE its banner prints), or use another --sandbox-state than %s",
		sep, h.URL, h.URL, h.URL, statePath)
}
