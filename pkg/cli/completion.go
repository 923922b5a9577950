package cli

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// completion and man print what the release archives ship in completions/
// and manpages/ (see .goreleaser.yaml). Both are generated from the app's own
// commands and flags when they run, so they can never fall behind --help.

// completionShells are the shells `completion` writes a script for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

func completionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: " + strings.Join(completionShells, ", "),
		ArgsUsage: strings.Join(completionShells, "|"),
		// urfave/cli would add a "help" subcommand to the running command
		// only, which the scripts would then complete for this one alone.
		HideHelpCommand: true,
		Description: `Prints a script that completes connectsync's commands and flags (and file
names where a command takes files). Load it:

   bash:        source <(connectsync completion bash)        # or save it to
                ~/.local/share/bash-completion/completions/connectsync
   zsh:         connectsync completion zsh > "${fpath[1]}/_connectsync"
                (or: source <(connectsync completion zsh), after compinit)
   fish:        connectsync completion fish > ~/.config/fish/completions/connectsync.fish
   powershell:  connectsync completion powershell | Out-String | Invoke-Expression
                (add that line to $PROFILE to keep it)`,
		Action: func(c *cli.Context) error {
			switch {
			case c.NArg() == 0:
				return usageError(fmt.Sprintf("completion needs one shell: %s (e.g. connectsync completion bash)", strings.Join(completionShells, ", ")))
			case c.NArg() > 1:
				return usageError(fmt.Sprintf("completion takes one shell (%s), got also %q", strings.Join(completionShells, ", "), c.Args().Get(1)))
			}
			shell := c.Args().First()
			tree, err := completionTree(c.App)
			if err != nil {
				return err
			}
			switch shell {
			case "bash":
				return writeBashCompletion(env.Stdout, c.App.Name, tree)
			case "zsh":
				return writeZshCompletion(env.Stdout, c.App.Name, tree)
			case "fish":
				return writeFishCompletion(env.Stdout, c.App.Name, tree)
			case "powershell":
				return writePowerShellCompletion(env.Stdout, c.App.Name, tree)
			}
			return usageError(fmt.Sprintf("unknown shell %q; use one of %s", shell, strings.Join(completionShells, ", ")))
		},
	}
}

func manCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:            "man",
		Usage:           "print the manual page (roff), documenting every command and flag",
		HideHelpCommand: true, // as for completion
		Description: `Prints connectsync(1) in roff. Read it with:

   connectsync man | man -l -

or install it: connectsync man | gzip > /usr/local/share/man/man1/connectsync.1.gz`,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			page, err := manPage(c.App)
			if err != nil {
				return err
			}
			_, err = env.Stdout.Write(page)
			return err
		},
	}
}

// manPage is urfave/cli's markdown documentation of the app, rendered to
// roff by go-md2man as App.ToMan does, with the usage texts made literal
// first: "*.yaml" would otherwise turn into italics, and the indented
// examples of a description into one run-on paragraph.
func manPage(app *cli.App) ([]byte, error) {
	md, err := app.ToMarkdown()
	if err != nil {
		return nil, err
	}
	return md2man.Render([]byte(fmt.Sprintf("%% %s 1\n\n%s", app.Name, literalMarkdown(md)))), nil
}

var (
	loneStar      = regexp.MustCompile(`(^|[^*\\])\*([^*]|$)`)
	indentExample = regexp.MustCompile(`^ {3}(\S)`)
)

// literalMarkdown escapes single asterisks (the template marks flag names
// with **, never *) and turns lines indented by three spaces, as examples in
// the --help descriptions are, into indented code, outside code fences.
func literalMarkdown(md string) string {
	lines := strings.Split(md, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for loneStar.MatchString(l) {
			l = loneStar.ReplaceAllString(l, `$1\*$2`)
		}
		lines[i] = indentExample.ReplaceAllString(l, "    $1")
	}
	return strings.Join(lines, "\n")
}

// completionNode is one command of the tree as the scripts see it: where it
// is (its words after the program name), the words that may follow it, its
// flags, and which of those take a value (the next word is then not a
// command).
type completionNode struct {
	path     []string // each entry: the command's name and its aliases
	commands []completionWord
	flags    []completionWord
	values   []string // flags (as written, e.g. --file, -f) that take a value
}

type completionWord struct {
	names []string // as typed: "plan", or "--file" and "-f"
	usage string
}

// shellSafe is what a command or flag name may look like to be written into
// the scripts unquoted.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// completionTree walks the app: the root first, then every visible command
// and subcommand, depth first.
func completionTree(app *cli.App) ([]completionNode, error) {
	root, err := newCompletionNode(nil, app.VisibleCommands(), app.VisibleFlags(), false)
	if err != nil {
		return nil, err
	}
	nodes := []completionNode{root}
	var walk func(path [][]string, cmds []*cli.Command) error
	walk = func(path [][]string, cmds []*cli.Command) error {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			p := append(slices.Clone(path), c.Names())
			n, err := newCompletionNode(p, c.VisibleCommands(), c.VisibleFlags(), true)
			if err != nil {
				return err
			}
			nodes = append(nodes, n)
			if err := walk(p, c.Subcommands); err != nil {
				return err
			}
		}
		return nil
	}
	return nodes, walk(nil, app.VisibleCommands())
}

func newCompletionNode(path [][]string, cmds []*cli.Command, flags []cli.Flag, addHelp bool) (completionNode, error) {
	n := completionNode{}
	for _, names := range path {
		n.path = append(n.path, names[0])
	}
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		for _, name := range c.Names() {
			if !shellSafe.MatchString(name) {
				return n, fmt.Errorf("command name %q cannot be completed", name)
			}
		}
		n.commands = append(n.commands, completionWord{names: c.Names(), usage: c.Usage})
	}
	hasHelp := false
	for _, f := range flags {
		var w completionWord
		for _, name := range f.Names() {
			if !shellSafe.MatchString(name) {
				return n, fmt.Errorf("flag name %q cannot be completed", name)
			}
			hasHelp = hasHelp || name == "help"
			w.names = append(w.names, dashed(name))
		}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			w.usage = d.GetUsage()
			if d.TakesValue() {
				n.values = append(n.values, w.names...)
			}
		}
		n.flags = append(n.flags, w)
	}
	// Every command answers --help, though urfave/cli adds the flag to a
	// command only when that command runs.
	if addHelp && !hasHelp {
		n.flags = append(n.flags, completionWord{names: []string{"--help", "-h"}, usage: "show help"})
	}
	return n, nil
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// aliasKeys are every way to write the node's path (its commands' aliases).
func aliasKeys(tree []completionNode, n completionNode) []string {
	keys := []string{""}
	for depth := range n.path {
		parent := findNode(tree, n.path[:depth])
		var names []string
		for _, c := range parent.commands {
			if c.names[0] == n.path[depth] {
				names = c.names
			}
		}
		var next []string
		for _, k := range keys {
			for _, name := range names {
				next = append(next, strings.TrimPrefix(k+" "+name, " "))
			}
		}
		keys = next
	}
	return keys
}

func findNode(tree []completionNode, path []string) completionNode {
	for _, n := range tree {
		if slices.Equal(n.path, path) {
			return n
		}
	}
	return completionNode{}
}

func allNames(words []completionWord) []string {
	var out []string
	for _, w := range words {
		out = append(out, w.names...)
	}
	return out
}

func writeBashCompletion(w io.Writer, prog string, tree []completionNode) error {
	fn := "_" + strings.ReplaceAll(prog, "-", "_") + "_completion"
	var b strings.Builder
	fmt.Fprintf(&b, `# bash completion for %[1]s (generated by "%[1]s completion bash").
# Load it in this shell with: source <(%[1]s completion bash)
# or save it as ~/.local/share/bash-completion/completions/%[1]s

# %[2]s_data PATH sets commands, flags and values (the flags that take a
# value) for the command at PATH, the command words typed so far.
%[2]s_data() {
	case $1 in
`, prog, fn)
	for _, n := range tree {
		fmt.Fprintf(&b, "\t%s)\n\t\tcommands='%s'\n\t\tflags='%s'\n\t\tvalues='%s'\n\t\t;;\n",
			bashPatterns(aliasKeys(tree, n)), strings.Join(allNames(n.commands), " "),
			strings.Join(allNames(n.flags), " "), strings.Join(n.values, " "))
	}
	fmt.Fprintf(&b, `	*) commands='' flags='' values='' ;;
	esac
}

%[1]s() {
	local cur=${COMP_WORDS[COMP_CWORD]} path='' i w commands flags values
	# Find the command the words before the cursor name, skipping flags and
	# the values of flags that take one.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		%[1]s_data "$path"
		if [[ $w == -* ]]; then
			if [[ $w != *=* && " $values " == *" $w "* ]]; then
				((i++))
			fi
		elif [[ " $commands " == *" $w "* ]]; then
			path=${path:+$path }$w
		fi
	done
	%[1]s_data "$path"
	COMPREPLY=()
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	if ((COMP_CWORD > 1)) && [[ $prev == -* && " $values " == *" $prev "* ]]; then
		return 0 # a flag's value: file names (complete -o default)
	fi
	# The words are plain names (no spaces, quotes or globs); no mapfile,
	# which the bash 3.2 of macOS lacks.
	# shellcheck disable=SC2207
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	fi
	return 0
}

complete -o default -F %[1]s %[2]s
`, fn, prog)
	_, err := io.WriteString(w, b.String())
	return err
}

// bashPatterns writes case patterns for the keys, quoted.
func bashPatterns(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = "'" + k + "'"
	}
	return strings.Join(q, " | ")
}

// zshDescribe is "name:usage" for _describe, with colons in the name escaped.
func zshDescribe(words []completionWord) []string {
	var out []string
	for _, w := range words {
		for _, name := range w.names {
			out = append(out, singleQuote(strings.ReplaceAll(name, ":", `\:`)+":"+oneLine(w.usage)))
		}
	}
	return out
}

func writeZshCompletion(w io.Writer, prog string, tree []completionNode) error {
	fn := "_" + strings.ReplaceAll(prog, "-", "_")
	var b strings.Builder
	fmt.Fprintf(&b, `#compdef %[1]s
compdef %[2]s %[1]s
# zsh completion for %[1]s (generated by "%[1]s completion zsh").
# Save it as a file named _%[1]s in a directory of $fpath, or, after
# compinit, load it with: source <(%[1]s completion zsh)

# %[2]s_data PATH sets subcommands and switches (name:description) and
# valued (the switches that take a value) for the command at PATH. (Not
# "commands" or "options": zsh has parameters of those names.)
%[2]s_data() {
	case $1 in
`, prog, fn)
	for _, n := range tree {
		fmt.Fprintf(&b, "\t%s)\n\t\tsubcommands=(%s)\n\t\tswitches=(%s)\n\t\tvalued=(%s)\n\t\t;;\n",
			bashPatterns(aliasKeys(tree, n)), strings.Join(zshDescribe(n.commands), " "),
			strings.Join(zshDescribe(n.flags), " "), strings.Join(n.values, " "))
	}
	fmt.Fprintf(&b, `	*) subcommands=() switches=() valued=() ;;
	esac
}

%[1]s() {
	local -a subcommands switches valued names
	local cmdpath='' i w
	for ((i = 2; i < CURRENT; i++)); do
		w=${words[i]}
		%[1]s_data "$cmdpath"
		names=(${subcommands%%%%:*})
		if [[ $w == -* ]]; then
			if [[ $w != *=* ]] && ((${valued[(Ie)$w]})); then
				((i++))
			fi
		elif ((${names[(Ie)$w]})); then
			cmdpath=${cmdpath:+$cmdpath }$w
		fi
	done
	%[1]s_data "$cmdpath"
	if ((CURRENT > 2)) && [[ ${words[CURRENT-1]} == -* ]] && ((${valued[(Ie)${words[CURRENT-1]}]})); then
		_files
	elif [[ ${words[CURRENT]} == -* ]]; then
		_describe -t options 'option' switches
	elif ((${#subcommands})); then
		_describe -t commands 'command' subcommands
	else
		_files
	fi
}

# Loaded by compinit from $fpath: complete now. Sourced: compdef above did it.
if [[ ${funcstack[1]} == %[1]s ]]; then
	%[1]s "$@"
fi
`, fn)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFishCompletion(w io.Writer, prog string, tree []completionNode) error {
	fn := "__" + strings.ReplaceAll(prog, "-", "_")
	var b strings.Builder
	fmt.Fprintf(&b, `# fish completion for %[1]s (generated by "%[1]s completion fish").
# Save it as ~/.config/fish/completions/%[1]s.fish

# Every command path ("audit merge") and every flag that takes a value, after
# its command path ("plan --file").
`, prog)
	var paths, values []string
	for _, n := range tree {
		for _, k := range aliasKeys(tree, n) {
			if k != "" {
				paths = append(paths, singleQuote(k))
			}
			for _, v := range n.values {
				values = append(values, singleQuote(strings.TrimPrefix(k+" "+v, " ")))
			}
		}
	}
	fmt.Fprintf(&b, "set -g %s_paths %s\nset -g %s_values %s\n", fn, strings.Join(paths, " "), fn, strings.Join(values, " "))
	fmt.Fprintf(&b, `
# %[1]s_path prints the command path the words before the cursor name.
function %[1]s_path
	set -l path ''
	set -l skip 0
	for w in (commandline -opc)[2..-1]
		if test $skip = 1
			set skip 0
			continue
		end
		if string match -q -- '-*' $w
			if not string match -q -- '*=*' $w; and contains -- (string trim -- "$path $w") $%[1]s_values
				set skip 1
			end
			continue
		end
		if contains -- (string trim -- "$path $w") $%[1]s_paths
			set path (string trim -- "$path $w")
		end
	end
	echo $path
end

function %[1]s_at
	test (%[1]s_path) = "$argv[1]"
end


`, fn)
	for _, n := range tree {
		for _, k := range aliasKeys(tree, n) {
			cond := singleQuote(fn + "_at " + singleQuoteFish(k))
			if len(n.commands) > 0 {
				// Where a command can come, offer commands only (as bash does).
				fmt.Fprintf(&b, "complete -c %s -n %s -f\n", prog, cond)
			}
			for _, c := range n.commands {
				for _, name := range c.names {
					fmt.Fprintf(&b, "complete -c %s -n %s -a %s -d %s\n", prog, cond, name, singleQuote(oneLine(c.usage)))
				}
			}
			for _, f := range n.flags {
				var opts []string
				for _, name := range f.names {
					if strings.HasPrefix(name, "--") {
						opts = append(opts, "-l "+strings.TrimPrefix(name, "--"))
					} else {
						opts = append(opts, "-s "+strings.TrimPrefix(name, "-"))
					}
				}
				if slices.Contains(n.values, f.names[0]) {
					opts = append(opts, "-r")
				}
				fmt.Fprintf(&b, "complete -c %s -n %s %s -d %s\n", prog, cond, strings.Join(opts, " "), singleQuote(oneLine(f.usage)))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePowerShellCompletion(w io.Writer, prog string, tree []completionNode) error {
	var b strings.Builder
	fmt.Fprintf(&b, `# PowerShell completion for %[1]s (generated by "%[1]s completion powershell").
# Load it with: %[1]s completion powershell | Out-String | Invoke-Expression
# (add that line to $PROFILE to keep it).

Register-ArgumentCompleter -Native -CommandName '%[1]s', '%[1]s.exe' -ScriptBlock {
	param($wordToComplete, $commandAst, $cursorPosition)
	# For each command path ('' is the program itself): the commands that may
	# follow, its flags, and the flags that take a value.
	$commands = @{
`, prog)
	table := func(get func(completionNode) []string) {
		for _, n := range tree {
			for _, k := range aliasKeys(tree, n) {
				var q []string
				for _, s := range get(n) {
					q = append(q, psQuote(s))
				}
				fmt.Fprintf(&b, "\t\t%s = @(%s)\n", psQuote(k), strings.Join(q, ", "))
			}
		}
	}
	table(func(n completionNode) []string { return allNames(n.commands) })
	b.WriteString("\t}\n\t$flags = @{\n")
	table(func(n completionNode) []string { return allNames(n.flags) })
	b.WriteString("\t}\n\t$values = @{\n")
	table(func(n completionNode) []string { return n.values })
	b.WriteString(`	}
	$path = ''
	$skip = $false
	foreach ($element in ($commandAst.CommandElements | Select-Object -Skip 1)) {
		# Only the words before the one being completed.
		if ($element.Extent.EndOffset -ge $cursorPosition) { break }
		$word = $element.ToString()
		if ($skip) { $skip = $false; continue }
		if ($word.StartsWith('-')) {
			if (-not $word.Contains('=') -and ($values[$path] -contains $word)) { $skip = $true }
			continue
		}
		if ($commands[$path] -contains $word) { $path = ($path + ' ' + $word).Trim() }
	}
	if ($wordToComplete.StartsWith('-')) { $candidates = $flags[$path] } else { $candidates = $commands[$path] }
	# Nothing returned: PowerShell completes file names instead.
	$candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
		[System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
	}
}
`)
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// singleQuote quotes s for bash, zsh (and fish, via singleQuoteFish).
func singleQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// singleQuoteFish quotes s inside a fish condition (itself single-quoted by
// singleQuote): fish reads \' in single quotes.
func singleQuoteFish(s string) string { return `"` + s + `"` }

func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
