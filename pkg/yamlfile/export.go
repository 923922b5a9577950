package yamlfile

// How does export turn live configurations back into a file?
//
// Every live configuration connectsync may manage (custom and
// customrecipient, not integrator-managed) becomes a configurations entry,
// so that the export plans with no create, no delete and nothing unmanaged.
// Each entry holds the fields the live one has, in the Fields order, minus:
//   - fields equal to DocuSign's default (Field.Default, or empty when the
//     API leaves the field out), so the file stays small; a field left out
//     is simply not managed, so planning the file changes nothing. Always
//     written: name, urlToPublishTo, allowEnvelopePublish (whether it is on
//     is the first thing a reader asks) and deliveryMode (it names the data
//     model; DocuSign's default "" is written as "" with a comment);
//   - configurationType custom (the file's default);
//   - read-only fields (connectId, integratorManaged, disabledBy): connectId
//     is written only to pin configurations that share a name (each of them
//     is exported, pinned), and disabledBy becomes a comment.
//
// Values are written as DocuSign stores them, letter case included: export
// never changes a webhook by itself. validate and audit point out values
// DocuSign documents otherwise (lower-case events); with Fix, export writes
// the documented spelling instead and the first plan shows exactly those
// corrections as updates.
//
// Secrets are never exported, and DocuSign never returns them anyway. Where a
// configuration evidently has one (userName set: a password; an OAuth
// clientId: a clientSecret) the file says `${env.CONNECT_PASSWORD_<NAME>}`
// with a comment, so an update cannot send it empty.
//
// Left out, each with a comment naming it: configurations connectsync never
// manages (other types, integrator-managed) and any the file format cannot
// express (a value DocuSign added after this version, say). The last are
// found by running the file through the loader's own checks, so an exported
// file always loads; plan never prunes them (see Unexpressible).

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/connectsync/connectsync/pkg/config"
	"github.com/connectsync/connectsync/schema"
)

// Exported is an exported file and what a person needs to know about it.
type Exported struct {
	YAML []byte
	// Configurations is the number of configurations written.
	Configurations int
	// EnvVars name the ${env.…} placeholders written for secrets, sorted:
	// they must be set before apply.
	EnvVars []string
	// Left describes each live configuration left out, and why.
	Left []string
	// Corrected counts the values Fix wrote in DocuSign's documented
	// spelling instead of the live one.
	Corrected int
}

// ExportOptions tune Export.
type ExportOptions struct {
	// Fix writes the spelling DocuSign documents where the live value
	// differs only in letter case (envelope and recipient events in
	// sentence case, eventData.version in lower case), each with a comment;
	// planning the file then shows these corrections as updates.
	Fix bool
}

// Export writes the live configurations of accounts (from config.FromWire,
// with Account set to the alias) as a connectsync file in fmt's canonical
// form: planning it against the same accounts shows no changes (with Fix:
// only the corrections). See the comment at the top of the file.
func Export(accounts []config.Account, live []config.Connect, opts ExportOptions) (Exported, error) {
	e := exporter{accounts: accounts, multi: len(accounts) > 1, skip: map[string]string{}, pinned: map[string]bool{}, fix: opts.Fix}
	e.pick(live)
	data, err := e.render()
	if err != nil {
		return Exported{}, err
	}
	// Leave out what the loader refuses, then check that the rest loads.
	if bad := e.refused(data); len(bad) > 0 {
		if why, ok := bad[-1]; ok {
			return Exported{}, fmt.Errorf("export: the exported file does not load: %s", why)
		}
		for i, why := range bad {
			e.skip[exportKey(e.entries[i].c)] = "the file format cannot express it as it is: " + why
		}
		if data, err = e.render(); err != nil {
			return Exported{}, err
		}
		if bad := e.refused(data); len(bad) > 0 {
			return Exported{}, fmt.Errorf("export: the exported file does not load: %v", bad)
		}
	}
	if data, err = Format("export.yaml", data); err != nil {
		return Exported{}, fmt.Errorf("export: %w", err)
	}
	out := Exported{YAML: data, Configurations: len(e.entries), Left: e.left(), Corrected: e.corrected}
	for _, en := range e.entries {
		for _, v := range en.secrets {
			out.EnvVars = append(out.EnvVars, v)
		}
	}
	slices.Sort(out.EnvVars)
	return out, nil
}

type exporter struct {
	accounts []config.Account
	multi    bool
	all      []config.Connect  // every live configuration, sorted
	skip     map[string]string // exportKey(c) → why it is left out
	pinned   map[string]bool   // account + name written with connectId: it has a twin
	entries  []entry           // what the last render wrote, in order
	fix      bool
	// corrected counts the values the last render wrote corrected (Fix).
	corrected int
}

func exportKey(c config.Connect) string { return c.Account + "\x00" + c.ConnectID }

// pick sorts the live configurations and decides which never go in the file.
func (e *exporter) pick(live []config.Connect) {
	e.all = slices.Clone(live)
	slices.SortFunc(e.all, func(a, b config.Connect) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Name, b.Name), compareIDs(a.ConnectID, b.ConnectID))
	})
	seen := map[string]bool{} // account + name of the configurations exported
	for _, c := range e.all {
		if why := unmanaged(c); why != "" {
			e.skip[exportKey(c)] = why
			continue
		}
		n := c.Account + "\x00" + c.Name
		if seen[n] {
			e.pinned[n] = true // configurations sharing a name are each pinned by connectId
		}
		seen[n] = true
	}
}

// unmanaged says why connectsync never manages c, or "" when it may.
func unmanaged(c config.Connect) string {
	if c.Managed() {
		return ""
	}
	if im, _ := c.Bool("integratorManaged"); im {
		return "integrator-managed: an integration owns it"
	}
	return c.Type() + " configuration: connectsync manages only custom and customrecipient"
}

// compareIDs orders connectIds numerically when they are numbers.
func compareIDs(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(a, b)
}

func (e *exporter) left() []string {
	var out []string
	for _, c := range e.all {
		if why, ok := e.skip[exportKey(c)]; ok {
			out = append(out, fmt.Sprintf("%s: %q (connectId %s): %s", c.Account, c.Name, c.ConnectID, why))
		}
	}
	return out
}

// render writes the file with every configuration not skipped.
func (e *exporter) render() ([]byte, error) {
	e.entries = nil
	w := entryWriter{multi: e.multi, fix: e.fix, envNames: map[string]bool{}}
	accounts := "1 account"
	if len(e.accounts) != 1 {
		accounts = fmt.Sprintf("%d accounts", len(e.accounts))
	}
	root := yMapping()
	root.HeadComment = "yaml-language-server: $schema=" + schema.FileURL + "\n\n" +
		"Exported by connectsync from the live configurations of " + accounts + ".\n" +
		"Only the fields that differ from DocuSign's defaults are written, and only\n" +
		"the fields written are managed. Secrets are never exported: each is\n" +
		"written as ${env.NAME}; set those variables before apply."
	yAdd(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"})
	accts := &yaml.Node{Kind: yaml.SequenceNode}
	for _, a := range e.accounts {
		m := yMapping()
		yAdd(m, "alias", yStr(a.Alias))
		yAdd(m, "accountId", yStr(a.AccountID))
		yAdd(m, "environment", yStr(cmp.Or(a.Environment, "demo")))
		if a.BaseURI != "" {
			yAdd(m, "baseUri", yStr(a.BaseURI))
		}
		accts.Content = append(accts.Content, m)
	}
	yAdd(root, "accounts", accts)
	configs := &yaml.Node{Kind: yaml.SequenceNode}
	account := ""
	for _, c := range e.all {
		if _, skip := e.skip[exportKey(c)]; skip {
			continue
		}
		en := w.write(c, e.pinned[c.Account+"\x00"+c.Name])
		if e.multi && c.Account != account {
			en.node.HeadComment = strings.TrimSuffix("account "+c.Account+"\n"+en.node.HeadComment, "\n")
			account = c.Account
		}
		configs.Content = append(configs.Content, en.node)
		e.entries = append(e.entries, en)
	}
	e.corrected = w.corrected
	if len(configs.Content) == 0 {
		configs.Style = yaml.FlowStyle
	}
	yAdd(root, "configurations", configs)
	if left := e.left(); len(left) > 0 {
		root.FootComment = "Not exported:\n  " + strings.Join(left, "\n  ")
	}
	data, err := encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return data, nil
}

// encode writes a node tree with yaml.v3, two-space indented.
func encode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// entryWriter renders live configurations as configurations entries: each
// one export writes, and the one import adds to a file.
type entryWriter struct {
	// multi: the files declare several accounts, so each entry names its
	// account (accounts: [alias]) and env variable names include the alias.
	multi bool
	fix   bool
	// inherit names the fields the files' defaults set (config.Desired
	// DefaultKeys): an entry writes these even at DocuSign's default, or
	// it would inherit the defaults' value instead of the live one.
	inherit map[string]bool
	// envNames are the ${env.…} names taken, by this writer or the files.
	envNames  map[string]bool
	corrected int
}

// entry is one configuration written, with the env variables of its secrets.
type entry struct {
	c       config.Connect
	node    *yaml.Node
	secrets map[string]string // field (dotted when nested) → env variable name
}

// write renders c; pin writes its connectId (it has a twin of its name).
// Keys come in the order of config.Fields, which is the schema's.
func (w *entryWriter) write(c config.Connect, pin bool) entry {
	en := entry{c: c, secrets: map[string]string{}}
	m := yMapping()
	en.node = m
	yAdd(m, "name", yStr(c.Name))
	if w.multi {
		yAdd(m, "accounts", yFlowList([]string{c.Account}))
	}
	if pin {
		yAdd(m, "connectId", yStr(c.ConnectID))
		m.Content[len(m.Content)-1].LineComment = "pinned: the account has several configurations of this name"
	}
	if by := c.String("disabledBy"); by != "" {
		m.HeadComment = "DocuSign disabled this configuration (disabledBy: " + by + ")"
	}
	for _, f := range config.Fields {
		v, ok := c.Fields[f.Name]
		inherit := w.inherit[f.Name]
		if !ok && inherit && f.Default != nil {
			v, ok = f.Default, true // what DocuSign holds when it leaves the field out
		}
		if !ok && f.Name != "allowEnvelopePublish" && f.Name != "password" {
			continue
		}
		switch {
		case f.Name == "configurationType" && c.Type() == "custom" && !inherit:
		case f.Name == "allowEnvelopePublish":
			on, _ := c.Bool(f.Name)
			yAdd(m, f.Name, yBool(on))
		case f.Name == "urlToPublishTo" && config.Redact(fmt.Sprint(v)) != fmt.Sprint(v):
			// Credentials in the URL are a secret like the password.
			w.secret(m, &en, f.Name, "URL", "the URL holds credentials (user:password@), which stay out of files.")
		case f.Name == "password":
			if c.String("userName") != "" {
				w.secret(m, &en, "password", "PASSWORD", neverReturned)
			}
		case f.Name == "urlToPublishTo":
			if s, _ := v.(string); s != "" || inherit {
				yAdd(m, f.Name, yValue(s))
			}
		case f.Name == "deliveryMode":
			// Written even at DocuSign's "": it names the data model.
			yAdd(m, f.Name, yValue(v))
			if v == "" {
				// On the value: yaml.v3 writes a key's comment after the next key.
				m.Content[len(m.Content)-1].LineComment = "DocuSign's default: aggregate"
			}
		case f.Name == "envelopeEvents" || f.Name == "recipientEvents":
			list := dedupe(v.([]string))
			if len(list) == 0 && !inherit {
				continue
			}
			fixed, note := w.fixCase(f.Name, list)
			yAdd(m, f.Name, yValue(fixed))
			m.Content[len(m.Content)-1].LineComment = note // on the value: yaml.v3 misplaces a key's comment before a flow list
		case f.Secret:
			// DocuSign does not return secrets; those it did (none today) are not copied.
		case f.Kind == config.KindObject:
			if sub := w.object(&en, f, v); len(sub.Content) > 0 {
				yAdd(m, f.Name, sub)
			}
		case !isDefault(f, v) || inherit:
			if list, ok := v.([]string); ok && f.Kind == config.KindSet {
				v = dedupe(list) // a set: a repeat says nothing more
			}
			yAdd(m, f.Name, yValue(v))
		}
	}
	return en
}

// object writes a nested object's non-default keys; secrets become
// placeholders when the object evidently uses one.
func (w *entryWriter) object(en *entry, f config.Field, v any) *yaml.Node {
	obj, _ := v.(map[string]any)
	sub := yMapping()
	flow := true
	for _, sf := range f.Sub {
		sv, ok := obj[sf.Name]
		inherit := w.inherit[f.Name+"."+sf.Name]
		if !ok && inherit && sf.Default != nil {
			sv, ok = sf.Default, true
		}
		if f.Name == "oAuthConfiguration" && sf.Name == "clientSecret" {
			if obj["clientId"] != nil && obj["clientId"] != "" {
				w.secret(sub, en, "oAuthConfiguration.clientSecret", "OAUTH_CLIENT_SECRET", neverReturned)
				flow = false
			}
			continue
		}
		if !ok || sf.Secret || (isDefault(sf, sv) && !inherit) {
			continue
		}
		if sf.Kind == config.KindStringMap {
			flow = false
		}
		if version, ok := sv.(string); ok && f.Name == "eventData" && sf.Name == "version" && w.fix && version != strings.ToLower(version) {
			sv = strings.ToLower(version)
			w.corrected++
			flow = false
			yAdd(sub, sf.Name, yValue(sv))
			sub.Content[len(sub.Content)-1].LineComment = fmt.Sprintf("corrected from %q: DocuSign writes it in lower case", version)
			continue
		}
		if list, ok := sv.([]string); ok && sf.Kind == config.KindSet {
			sv = dedupe(list)
		}
		yAdd(sub, sf.Name, yValue(sv))
	}
	if flow {
		sub.Style = yaml.FlowStyle
	}
	return sub
}

// fixCase returns list with each event in DocuSign's sentence case when
// Fix asks for it, and a comment saying what was corrected ("" if nothing).
func (w *entryWriter) fixCase(field string, list []string) ([]string, string) {
	if !w.fix {
		return list, ""
	}
	out := make([]string, len(list))
	changed := false
	for i, v := range list {
		out[i] = v
		if want, ok := config.SentenceCase(field, v); ok && want != v {
			out[i], changed = want, true
		}
	}
	if !changed {
		return list, ""
	}
	w.corrected++
	return dedupe(out), fmt.Sprintf("corrected from [%s]: DocuSign's docs ask for sentence case", strings.Join(list, ", "))
}

// dedupe drops repeated values, keeping the first of each.
func dedupe(list []string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// neverReturned is the comment of a write-only secret's placeholder.
const neverReturned = "DocuSign never returns it; every update sends it, and one without it would clear it."

// secret writes field: ${env.CONNECT_<KIND>_<NAME>} with a comment saying
// why the value is not in the file.
func (w *entryWriter) secret(m *yaml.Node, en *entry, path, kind, why string) {
	field := path[strings.LastIndexByte(path, '.')+1:]
	name := "CONNECT_" + kind + "_"
	if w.multi {
		name += envWord(en.c.Account) + "_"
	}
	name += envWord(en.c.Name)
	if w.envNames[name] {
		name += "_" + envWord(en.c.ConnectID)
	}
	w.envNames[name] = true
	k := yStr(field)
	k.HeadComment = "secret: " + why + "\nSet " + name + " before apply."
	m.Content = append(m.Content, k, yStr("${env."+name+"}"))
	en.secrets[path] = name
}

var nonWord = regexp.MustCompile(`[^A-Z0-9]+`)

// envWord turns a name into an environment variable part: ORDERS_COMPLETED.
func envWord(s string) string {
	w := strings.Trim(nonWord.ReplaceAllString(strings.ToUpper(s), "_"), "_")
	if w == "" {
		return "X"
	}
	return w
}

// isDefault reports whether v is DocuSign's default for f (empty when the
// API leaves the field out unset).
func isDefault(f config.Field, v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		d, _ := f.Default.(bool)
		return t == d
	case string:
		d, _ := f.Default.(string)
		return t == d
	case []string:
		return len(t) == 0
	case map[string]string:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

// refused runs data through the loader (secrets resolve to a stand-in) and
// returns, by entry index, the first error of each configuration it refuses.
// Errors elsewhere are returned under index -1.
func (e *exporter) refused(data []byte) map[int]string {
	_, ds := config.LoadSources([]config.Source{{Name: "export.yaml", Data: data}}, config.LoadOptions{LookupEnv: standIn})
	out := map[int]string{}
	for _, d := range ds {
		if d.Severity != config.SeverityError {
			continue
		}
		i := -1
		if rest, ok := strings.CutPrefix(d.Path, "configurations["); ok {
			end := strings.IndexByte(rest, ']')
			if n, err := strconv.Atoi(rest[:max(end, 0)]); err == nil && n < len(e.entries) {
				i = n
			}
		}
		if _, seen := out[i]; !seen {
			out[i] = d.Text()
		}
	}
	return out
}

// standIn resolves every ${env.…} placeholder, so that checking a file
// written here does not depend on the caller's environment.
func standIn(name string) (string, bool) {
	if strings.HasPrefix(name, "CONNECT_URL_") {
		return "https://stand-in.invalid/", true // a URL placeholder must still look like one
	}
	return "secret", true
}

func yMapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func yAdd(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, yStr(k), v) }

func yStr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func yBool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func yFlowList(list []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range list {
		n.Content = append(n.Content, yStr(s))
	}
	return n
}

// yText writes a live value as a string the loader reads back unchanged:
// "${" (which it would interpolate) is escaped as "$${".
func yText(s string) *yaml.Node { return yStr(strings.ReplaceAll(s, "${", "$${")) }

// yValue writes a normalised field value.
func yValue(v any) *yaml.Node {
	switch t := v.(type) {
	case bool:
		return yBool(t)
	case string:
		return yText(t)
	case []string:
		n := yFlowList(nil)
		for _, s := range t {
			n.Content = append(n.Content, yText(s))
		}
		return n
	case map[string]string:
		m := yMapping()
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			yAdd(m, k, yText(t[k]))
		}
		return m
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return yStr(fmt.Sprint(v))
	}
	return &n
}

// Unexpressible says why the file format cannot express a live
// configuration connectsync may manage, or "" when it can: export would
// leave it out, so prune must not delete it either (a file could not have
// declared it, so its absence from the files says nothing).
func Unexpressible(c config.Connect) string {
	if !c.Managed() {
		return ""
	}
	c.Account = "probe"
	e := exporter{accounts: []config.Account{{Alias: c.Account, AccountID: "00000000-0000-4000-8000-000000000000"}},
		skip: map[string]string{}, pinned: map[string]bool{}}
	e.pick([]config.Connect{c})
	data, err := e.render()
	if err != nil {
		return err.Error()
	}
	for _, why := range e.refused(data) {
		return why
	}
	return ""
}
