// Command connectsync keeps DocuSign Connect configurations as code.
package main

import (
	"os"

	"github.com/connectsync/connectsync/pkg/cli"
)

func main() { os.Exit(cli.Main()) }
