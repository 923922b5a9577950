package yamlfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/connectsync/connectsync/pkg/config"
)

// ImportOptions say which live configuration import adds.
type ImportOptions struct {
	// Account is the account the live configurations were read from.
	Account config.Account
	// Name and ConnectID select the configuration; either or both.
	Name, ConnectID string
}

// Imported is the target file with one configuration added.
type Imported struct {
	YAML []byte
	// Connect is the live configuration added.
	Connect config.Connect
	// Line is where its entry starts in YAML (1-based).
	Line int
	// EnvVars name the ${env.…} placeholders written for its secrets:
	// they must be set before apply.
	EnvVars []string
	// Placeholders are the fields written as ${env.…}, by field name (dotted
	// for nested ones): their live values stay out of the file.
	Placeholders map[string]string
}

// Import adds the live configuration opts selects to target, one of the
// files desired was loaded from, rendered as export renders it (see
// export.go): planning the files afterwards shows no change for it. live
// is the account's configurations (one list call, through
// config.FromWire). The rest of target is kept byte for byte (see
// insert.go).
//
// It refuses, saying why: a selection that matches no configuration or,
// by name, several (listing their connectIds); a configuration connectsync
// never manages or the file format cannot express; one the files already
// declare for the account (by name, pinned connectId or previously),
// naming where.
func Import(target config.Source, desired *config.Desired, live []config.Connect, opts ImportOptions) (Imported, error) {
	c, err := pickLive(live, opts)
	if err != nil {
		return Imported{}, err
	}
	what := fmt.Sprintf("%q (connectId %s)", c.Name, c.ConnectID)
	if why := unmanaged(c); why != "" {
		return Imported{}, fmt.Errorf("cannot import %s: %s", what, why)
	}
	if why := Unexpressible(c); why != "" {
		return Imported{}, fmt.Errorf("cannot import %s: the file format cannot express it as it is: %s", what, why)
	}
	if err := notDeclared(desired, c); err != nil {
		return Imported{}, err
	}
	// Pinned when the name alone would not say which: the account holds
	// several, or the files pin another configuration of that name.
	twins := 0
	for _, l := range live {
		if l.Name == c.Name && l.Managed() {
			twins++
		}
	}
	for _, d := range desired.ForAccount(c.Account) {
		if d.Name == c.Name {
			twins++
		}
	}
	w := entryWriter{multi: len(desired.Accounts) > 1, inherit: map[string]bool{}, envNames: map[string]bool{}}
	for _, k := range desired.DefaultKeys {
		w.inherit[k] = true
	}
	for _, name := range envNames(desired, target.Data) {
		w.envNames[name] = true
	}
	en := w.write(c, twins > 1)
	text, err := entryText(en.node)
	if err != nil {
		return Imported{}, err
	}
	out, line, err := insertEntry(target.Name, target.Data, text)
	if err != nil {
		return Imported{}, err
	}
	res := Imported{YAML: out, Connect: c, Line: line, Placeholders: en.secrets}
	for _, v := range en.secrets {
		res.EnvVars = append(res.EnvVars, v)
	}
	slices.Sort(res.EnvVars)
	return res, nil
}

// pickLive finds the configuration --name and --connect-id select.
func pickLive(live []config.Connect, opts ImportOptions) (config.Connect, error) {
	alias := opts.Account.Alias
	if opts.ConnectID != "" {
		i := slices.IndexFunc(live, func(c config.Connect) bool { return c.ConnectID == opts.ConnectID })
		if i < 0 {
			return config.Connect{}, fmt.Errorf("account %s has no configuration with connectId %s (it has: %s)", alias, opts.ConnectID, listLive(live))
		}
		if opts.Name != "" && live[i].Name != opts.Name {
			return config.Connect{}, fmt.Errorf("connectId %s of account %s is named %q, not %q; drop --name or correct it", opts.ConnectID, alias, live[i].Name, opts.Name)
		}
		return live[i], nil
	}
	var named []config.Connect
	var names []string
	for _, c := range live {
		if c.Name == opts.Name {
			named = append(named, c)
		}
		names = append(names, c.Name)
	}
	switch len(named) {
	case 0:
		msg := fmt.Sprintf("account %s has no configuration named %q", alias, opts.Name)
		if s := config.Suggest(opts.Name, names); s != "" {
			return config.Connect{}, fmt.Errorf("%s; did you mean %q?", msg, s)
		}
		return config.Connect{}, fmt.Errorf("%s (it has: %s)", msg, listLive(live))
	case 1:
		return named[0], nil
	}
	ids := make([]string, len(named))
	for i, c := range named {
		ids[i] = c.ConnectID
	}
	return config.Connect{}, fmt.Errorf("account %s has %d configurations named %q (connectIds %s); choose one with --connect-id",
		alias, len(named), opts.Name, strings.Join(ids, ", "))
}

func listLive(live []config.Connect) string {
	if len(live) == 0 {
		return "none"
	}
	parts := make([]string, len(live))
	for i, c := range live {
		parts[i] = fmt.Sprintf("%q %s", c.Name, c.ConnectID)
	}
	return strings.Join(parts, ", ")
}

// notDeclared refuses a configuration the files already claim for its
// account: an entry pinned to its connectId, an entry of its name without a
// pin, or one that renames it (previously).
func notDeclared(desired *config.Desired, c config.Connect) error {
	for _, d := range desired.ForAccount(c.Account) {
		switch {
		case d.ConnectID == c.ConnectID:
			return fmt.Errorf("%s: the files already declare connectId %s (as %q) for account %s; nothing to import (plan shows how it differs)",
				d.Pos, c.ConnectID, d.Name, c.Account)
		case d.ConnectID == "" && d.Name == c.Name:
			return fmt.Errorf("%s: the files already declare %q for account %s; nothing to import (plan shows how it differs; if the account holds several of that name, pin that entry with connectId first)",
				d.Pos, c.Name, c.Account)
		case d.ConnectID == "" && slices.Contains(d.Previously, c.Name):
			return fmt.Errorf("%s: %q renames %q (previously) for account %s, so the files already manage it", d.Pos, d.Name, c.Name, c.Account)
		}
	}
	return nil
}

var envRef = regexp.MustCompile(`\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}`)

// envNames lists the ${env.…} names the files use, so that a new
// placeholder does not share one by accident (the target may say more than
// what loaded: a URL placeholder is no secret).
func envNames(desired *config.Desired, target []byte) []string {
	var out []string
	for _, c := range desired.Configurations {
		for _, src := range c.Secrets {
			for _, m := range envRef.FindAllStringSubmatch(src, -1) {
				out = append(out, m[1])
			}
		}
	}
	for _, m := range envRef.FindAllSubmatch(target, -1) {
		out = append(out, string(m[1]))
	}
	return out
}
