package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/connectsync/connectsync/pkg/yamlfile"
)

// ExportSummary says what export wrote and what to do next: how many
// configurations of how many accounts, how many were left out, and which
// variables the secrets need. output "" means stdout.
func ExportSummary(w io.Writer, out yamlfile.Exported, accounts int, output string) {
	if output == "" {
		output = "stdout"
	}
	fmt.Fprintf(w, "Exported %s of %s to %s", plural(out.Configurations, "configuration"), plural(accounts, "account"), Terminal(output))
	if len(out.Left) > 0 {
		fmt.Fprintf(w, "; %d left out (named at the end of the file)", len(out.Left))
	}
	fmt.Fprintln(w, ".")
	if out.Corrected > 0 {
		fmt.Fprintf(w, "--fix wrote %s in DocuSign's documented spelling (marked \"corrected from\"): the next plan shows them as updates.\n", plural(out.Corrected, "value"))
	}
	if len(out.EnvVars) > 0 {
		fmt.Fprintf(w, "Secrets are not exported: set %s before apply.\n", Terminal(strings.Join(out.EnvVars, ", ")))
	}
}

// ImportSummary says what import added and what to do next: the
// configuration, where, and which variables its secrets need.
func ImportSummary(w io.Writer, out yamlfile.Imported, account, file string) {
	fmt.Fprintln(w, Terminal(fmt.Sprintf("Imported %q (connectId %s) of account %s into %s at line %d.",
		out.Connect.Name, out.Connect.ConnectID, account, file, out.Line)))
	if len(out.EnvVars) > 0 {
		fmt.Fprintf(w, "Secrets are not exported: set %s before apply.\n", Terminal(strings.Join(out.EnvVars, ", ")))
	}
}
