package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/emulator"
)

func sandboxCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "sandbox",
		Usage: "the built-in DocuSign Connect emulator",
		Subcommands: []*cli.Command{{
			Name:  "serve",
			Usage: "run the emulator as an HTTP server on loopback",
			Description: `Serves DocuSign's Connect endpoints, OAuth token and userinfo on a loopback
address, with seeded accounts, and prints how to point connectsync or any
DocuSign SDK at it. State is kept in --state between runs. Stop with Ctrl-C.`,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "addr", Value: emulator.DefaultAddr, Usage: "loopback address to listen on (host:port)"},
				&cli.StringFlag{Name: "state", Value: emulator.DefaultStatePath, TakesFile: true, Usage: "state file (created with the seed when missing)"},
				&cli.StringFlag{Name: "seed", TakesFile: true, Usage: "seed file for a new state (default: the built-in seed)"},
				&cli.BoolFlag{Name: "tls", Usage: "serve HTTPS with a self-signed certificate (DocuSign's SDKs insist on https for OAuth)"},
			},
			Action: func(c *cli.Context) error {
				if err := noArgs(c); err != nil {
					return err
				}
				return emulator.Serve(c.Context, emulator.ServeConfig{
					Addr: c.String("addr"), StatePath: c.String("state"), SeedPath: c.String("seed"), TLS: c.Bool("tls"),
				}, env.Stdout)
			},
		}},
	}
}
