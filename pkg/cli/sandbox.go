package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/emulator"
	"github.com/connectsync/connectsync/pkg/lockfile"
	"github.com/connectsync/connectsync/pkg/render"
)

func sandboxCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "sandbox",
		Usage: "the built-in DocuSign Connect emulator",
		Subcommands: []*cli.Command{{
			Name:      "serve",
			Usage:     "run the emulator as an HTTP server on loopback",
			ArgsUsage: "[FILE|DIR...]",
			Description: `Serves DocuSign's Connect endpoints, OAuth token and userinfo on a loopback
address, with seeded accounts, and prints how to point connectsync or any
DocuSign SDK at it. State is kept in --state between runs. Stop with Ctrl-C.

The accounts of the connectsync files given with -f (or as arguments) are
created too, with a few sample users and foreign configurations, as
--sandbox does: e.g. sandbox serve -f examples/ lets every example plan
against the server.

The server delivers events as sandbox publish does, through
POST /connectsync/sandbox/accounts/{accountId}/publish with a JSON body
{"event": "envelope-completed", "envelopeId": "…" (optional)}, no token
needed; the retry queue delivers again. Deliveries go to loopback
listeners only, unless --allow-remote-listeners.`,
			Flags: []cli.Flag{
				fileFlag(),
				&cli.StringFlag{Name: "addr", Value: emulator.DefaultAddr, Usage: "loopback address to listen on (host:port)"},
				&cli.StringFlag{Name: "state", Value: emulator.DefaultStatePath, TakesFile: true, Usage: "state file (created with the seed when missing)"},
				&cli.StringFlag{Name: "seed", TakesFile: true, Usage: "seed file for a new state (default: the built-in seed)"},
				&cli.BoolFlag{Name: "tls", Usage: "serve HTTPS with a self-signed certificate (DocuSign's SDKs insist on https for OAuth)"},
				allowRemoteFlag(),
				sandboxWaitFlag(),
			},
			Action: func(c *cli.Context) error {
				cfg := emulator.ServeConfig{Addr: c.String("addr"), StatePath: c.String("state"), SeedPath: c.String("seed"), TLS: c.Bool("tls")}
				cfg.Options.Deliver.AllowRemote = c.Bool(flagAllowRemote)
				if files := append(c.StringSlice(flagFile), c.Args().Slice()...); len(files) > 0 {
					desired, ds := loadFiles(c.Context, files, env, false)
					if ds.HasErrors() {
						render.DiagnosticsText(env.Stderr, ds, nil)
						return errReported
					}
					for _, a := range desired.Accounts {
						cfg.Accounts = append(cfg.Accounts, emulator.NamedAccount{ID: a.AccountID, Name: a.Alias})
					}
				}
				// The server holds the state for as long as it runs; a
				// --sandbox run on it is told where to find the server.
				if dir := filepath.Dir(cfg.StatePath); dir != "." {
					if err := os.MkdirAll(dir, 0o700); err != nil {
						return fmt.Errorf("sandbox state: %w", err)
					}
				}
				lock, err := lockSandbox(c.Context, env, cfg.StatePath, "connectsync sandbox serve", c.Duration(flagSandboxWait))
				if err != nil {
					return err
				}
				defer lock.Release()
				cfg.Listening = func(url string) {
					me := lockfile.Me("connectsync sandbox serve")
					me.URL = url
					_ = lock.Update(me)
				}
				return emulator.Serve(c.Context, cfg, env.Stdout)
			},
		}, sandboxPublishCommand(env)},
	}
}
