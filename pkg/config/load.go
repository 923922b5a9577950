package config

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadOptions tunes Load. The zero value reads the process environment.
type LoadOptions struct {
	// LookupEnv resolves ${env.NAME}; default os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// SecretsOptional turns an unset ${env.…} in a secret field into a
	// warning, for every command but apply: only apply sends secrets, and a
	// job should not be given secrets it does not need (a pull request from
	// a fork has none).
	SecretsOptional bool
	// MaxFileSize refuses a file larger than this many bytes; 0 means
	// DefaultMaxFileSize.
	MaxFileSize int64
	// Context, when done, stops loading (Ctrl-C); nil means never.
	Context context.Context
}

// DefaultMaxFileSize is the largest file Load reads: real files are a few
// kilobytes, and a bigger one is a mistake (or /dev/zero).
const DefaultMaxFileSize = 16 << 20

// MaxDiagnostics is how many problems Load reports; the rest are counted.
const MaxDiagnostics = 1000

// DefaultFile is read when no -f is given.
const DefaultFile = "connectsync.yaml"

// Load reads the files (or the *.yaml/*.yml files of directories), validates
// them against the schema and the semantic rules, and returns the desired
// state. Problems come back together, sorted by place: Desired is nil when
// any is an error; warnings come with a usable Desired.
func Load(paths []string, opts LoadOptions) (*Desired, Diagnostics) {
	l := newLoader(opts)
	files := l.expand(paths)
	for _, f := range files {
		if l.interrupted() {
			return nil, l.d.list
		}
		l.readFile(f)
	}
	if l.interrupted() {
		return nil, l.d.list
	}
	l.build()
	ds := capDiagnostics(l.d.list.Sort())
	if ds.HasErrors() {
		return nil, ds
	}
	return l.out, ds
}

// Source is a file's name and content, for LoadSources.
type Source struct {
	Name string
	Data []byte
}

// LoadSources is Load over content already in memory (a file about to be
// written, say), named as given: the same checks, the same diagnostics.
func LoadSources(srcs []Source, opts LoadOptions) (*Desired, Diagnostics) {
	l := newLoader(opts)
	for _, s := range srcs {
		l.readData(s.Name, s.Data)
	}
	l.build()
	ds := capDiagnostics(l.d.list.Sort())
	if ds.HasErrors() {
		return nil, ds
	}
	return l.out, ds
}

// Expand lists the files Load would read for paths (a directory stands for
// its *.yaml and *.yml files; none means connectsync.yaml), sorted, with a
// diagnostic for each path that cannot be read.
func Expand(paths []string) ([]string, Diagnostics) {
	l := newLoader(LoadOptions{})
	files := l.expand(paths)
	return files, l.d.list.Sort()
}

// interrupted reports (once, as an error) that the run was cancelled.
func (l *loader) interrupted() bool {
	if l.opts.Context == nil || l.opts.Context.Err() == nil {
		return false
	}
	l.d.list = Diagnostics{{Severity: SeverityError, Message: "interrupted while reading the files"}}
	return true
}

// capDiagnostics keeps the first MaxDiagnostics problems, in file order,
// and says how many more there are: thousands of lines help nobody.
func capDiagnostics(ds Diagnostics) Diagnostics {
	if len(ds) <= MaxDiagnostics {
		return ds
	}
	rest := ds[MaxDiagnostics:]
	out := ds[:MaxDiagnostics:MaxDiagnostics]
	last := Diagnostic{Severity: SeverityNote, Pos: rest[0].Pos,
		Message: fmt.Sprintf("%d more problems are not shown (%d errors); fix these first", len(rest), rest.Count(SeverityError))}
	if rest.HasErrors() {
		last.Severity = SeverityError
	}
	return append(out, last)
}

func newLoader(opts LoadOptions) *loader {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	return &loader{opts: opts, defaults: map[string]fieldNode{}, brokenDefaults: map[string]bool{}, broken: map[string]map[string]bool{},
		secretEnv: map[string]envUse{}, plainEnv: map[string][]envUse{}}
}

// loader holds the state of one Load.
type loader struct {
	opts     LoadOptions
	d        diags
	docs     []*fileDoc
	out      *Desired
	defaults map[string]fieldNode
	// brokenDefaults and broken name the fields the schema rejected (per
	// configuration, keyed by file and path): rules that read them are skipped.
	brokenDefaults map[string]bool
	broken         map[string]map[string]bool
	defPos         *Pos
	polPos         *Pos
	// secretEnv and plainEnv record where each ${env.NAME} is read: into a
	// secret field, or into a plain one (which output prints).
	secretEnv map[string]envUse
	plainEnv  map[string][]envUse
}

// envUse is a place a ${env.NAME} is read.
type envUse struct {
	pos  Pos
	path string
}

type fileDoc struct {
	name string
	root *yaml.Node
	bad  []string // JSON pointers the schema rejected
}

// fieldNode is a field as written: its value node and where it came from.
type fieldNode struct {
	file  string
	key   *yaml.Node
	value *yaml.Node
	path  string
}

// expand turns the paths given into the files to read: a file as given
// (following a symlink the user named), or a directory's *.yaml and *.yml
// files. Only regular files are read: a FIFO or a device would hang or
// never end. A symlink inside a directory is followed only while it stays
// in that directory's tree: a link to ~/.ssh/key.pem is not a config file.
func (l *loader) expand(paths []string) []string {
	if len(paths) == 0 {
		paths = []string{DefaultFile}
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			hint := "check the path (files are given with -f or as arguments)"
			if p == DefaultFile {
				hint = "create connectsync.yaml (see examples/quickstart.yaml) or pass -f PATH"
			}
			l.d.errorf(Pos{File: p}, "", hint, "cannot read: %s", errText(err))
			continue
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				l.d.errorf(Pos{File: p}, "", "name a YAML file or a directory of them", "is not a regular file (%s)", fileKind(st.Mode()))
				continue
			}
			files = append(files, filepath.Clean(p))
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			l.d.errorf(Pos{File: p}, "", "", "cannot read directory: %s", errText(err))
			continue
		}
		root, _ := filepath.EvalSymlinks(p)
		n := 0
		for _, e := range entries {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
				continue
			}
			n++
			name := filepath.Join(p, e.Name())
			if err := regularInTree(name, root); err != "" {
				l.d.errorf(Pos{File: name}, "", "keep config files in the directory, or pass the file itself with -f", "%s", err)
				continue
			}
			files = append(files, name)
		}
		if n == 0 {
			l.d.errorf(Pos{File: p}, "", "put *.yaml files in it or pass a file", "the directory holds no .yaml or .yml file")
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// regularInTree says why a directory entry is not read, or "": it must be
// a regular file, and a symlink must resolve inside root.
func regularInTree(name, root string) string {
	lst, err := os.Lstat(name)
	if err != nil {
		return "cannot read: " + errText(err)
	}
	if lst.Mode()&os.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(name)
		if err != nil {
			return "is a symlink that cannot be followed: " + errText(err)
		}
		if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "is a symlink to a file outside the directory; connectsync does not follow it"
		}
		if lst, err = os.Stat(target); err != nil {
			return "cannot read: " + errText(err)
		}
	}
	if !lst.Mode().IsRegular() {
		return fmt.Sprintf("is not a regular file (%s)", fileKind(lst.Mode()))
	}
	return ""
}

// fileKind names what a file that is not a regular file is.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0, m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeSymlink != 0:
		return "a symlink"
	}
	return "not a file"
}

func errText(err error) string {
	switch {
	case os.IsNotExist(err):
		return "no such file or directory"
	case os.IsPermission(err):
		return "permission denied"
	}
	return err.Error()
}

// readFile reads one file, refusing (without reading on) one larger than
// the cap or one that turned out not to be a regular file.
func (l *loader) readFile(name string) {
	data, d := ReadFile(name, l.opts.MaxFileSize)
	if d != nil {
		l.d.list = append(l.d.list, *d)
		return
	}
	l.readData(name, data)
}

// ReadFile reads one file as Load does: a regular file of at most maxSize
// bytes (0: DefaultMaxFileSize). A problem is a diagnostic naming the file.
func ReadFile(name string, maxSize int64) ([]byte, *Diagnostic) {
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	var d diags
	f, err := os.Open(name)
	if err != nil {
		d.errorf(Pos{File: name}, "", "", "cannot read: %s", errText(err))
		return nil, &d.list[0]
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		d.errorf(Pos{File: name}, "", "name a YAML file or a directory of them", "is not a regular file (%s)", fileKind(st.Mode()))
		return nil, &d.list[0]
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		d.errorf(Pos{File: name}, "", "", "cannot read: %s", errText(err))
		return nil, &d.list[0]
	}
	if int64(len(data)) > maxSize {
		d.errorf(Pos{File: name}, "", "split it, or raise CONNECTSYNC_MAX_FILE_SIZE (bytes) if it really is one file of webhooks",
			"is larger than %d bytes", maxSize)
		return nil, &d.list[0]
	}
	return data, nil
}

// readData parses and schema-checks one file's content.
func (l *loader) readData(name string, data []byte) {
	root, perr := ParseYAML(name, data)
	if perr != nil {
		l.d.list = append(l.d.list, *perr)
		return
	}
	value, bad, ok := toValue(name, root, &l.d)
	if !ok {
		return // too large to check further
	}
	bad = append(bad, checkSchema(name, root, value, &l.d)...)
	l.docs = append(l.docs, &fileDoc{name: name, root: root, bad: bad})
}

// isListField reports whether a configuration key holds a list of strings.
func isListField(name string) bool {
	f, ok := LookupField(name)
	return ok && (f.Kind == KindSet || f.Kind == KindList)
}

// broken reports whether the schema rejected anything at or under pointer.
func (f *fileDoc) broken(pointer string) bool {
	return slices.ContainsFunc(f.bad, func(b string) bool {
		return b == pointer || strings.HasPrefix(b, pointer+"/")
	})
}

func (l *loader) build() {
	l.out = &Desired{}
	for _, f := range l.docs {
		l.out.Files = append(l.out.Files, f.name)
	}
	for _, f := range l.docs {
		l.readAccounts(f)
	}
	for _, f := range l.docs {
		l.readDefaults(f)
		l.readPolicy(f)
	}
	if l.polPos == nil {
		l.out.Policy = DefaultPolicy()
	}
	for _, f := range l.docs {
		l.readConfigurations(f)
	}
	l.checkIdentities()
	l.checkSecretEnv()
	slices.SortStableFunc(l.out.Configurations, func(a, b Connect) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Name, b.Name))
	})
	for _, c := range l.out.Configurations {
		broken := l.broken[c.Pos.File+"\x00"+c.Path]
		checkConnect(c, broken, &l.d)
		if len(broken) == 0 {
			l.checkPolicy(c)
		}
	}
}

func (l *loader) readAccounts(f *fileDoc) {
	seq := child(f.root, "accounts")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	envOnly := Lookup{Env: l.opts.LookupEnv}
	for i, item := range seq.Content {
		item = resolve(item)
		path := fmt.Sprintf("accounts[%d]", i)
		if f.broken(fmt.Sprintf("/accounts/%d", i)) && (child(item, "alias") == nil || child(item, "accountId") == nil) {
			continue
		}
		a := Account{Pos: posOf(f.name, item), Environment: "demo", Vars: map[string]string{}}
		a.Alias = scalar(child(item, "alias"))
		a.AccountID = l.interp(f.name, child(item, "accountId"), joinPath(path, "accountId"), envOnly)
		a.BaseURI = strings.TrimRight(l.interp(f.name, child(item, "baseUri"), joinPath(path, "baseUri"), envOnly), "/")
		if e := scalar(child(item, "environment")); e != "" {
			a.Environment = e
		}
		if p := child(item, "prune"); p != nil {
			_ = p.Decode(&a.Prune)
		}
		for _, v := range pairs(child(item, "vars")) {
			a.Vars[v.key.Value] = l.interp(f.name, resolve(v.value), joinPath(path, "vars."+v.key.Value), envOnly)
		}
		if a.AccountID != "" && !isGUID(a.AccountID) && !isDigits(a.AccountID) {
			l.d.errorf(posOf(f.name, child(item, "accountId")), joinPath(path, "accountId"),
				"use the API account id (a GUID, shown in DocuSign Admin under Apps and Keys) or the account number",
				"accountId %q is neither a GUID nor an account number", excerpt(a.AccountID))
		}
		if prev, ok := l.out.Account(a.Alias); ok {
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: posOf(f.name, child(item, "alias")),
				Path: joinPath(path, "alias"), Message: fmt.Sprintf("account alias %q is declared twice", a.Alias),
				Hint: "give each account its own alias", Also: &prev.Pos})
			continue
		}
		if i := slices.IndexFunc(l.out.Accounts, func(o Account) bool { return strings.EqualFold(o.AccountID, a.AccountID) && a.AccountID != "" }); i >= 0 {
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: posOf(f.name, child(item, "accountId")),
				Path: joinPath(path, "accountId"), Message: fmt.Sprintf("account %s is declared twice (aliases %q and %q)", a.AccountID, l.out.Accounts[i].Alias, a.Alias),
				Hint: "declare each account once", Also: &l.out.Accounts[i].Pos})
			continue
		}
		l.out.Accounts = append(l.out.Accounts, a)
	}
}

// interp interpolates a plain scalar, reporting a failed reference at its place.
func (l *loader) interp(file string, n *yaml.Node, path string, lk Lookup) string {
	l.notePlainEnv(file, n, path)
	s, _ := l.interpOK(file, n, path, lk)
	return s
}

// notePlainEnv records the ${env.…} a plain value reads.
func (l *loader) notePlainEnv(file string, n *yaml.Node, path string) {
	if n == nil {
		return
	}
	for _, name := range envRefs(n.Value) {
		l.plainEnv[name] = append(l.plainEnv[name], envUse{posOf(file, n), path})
	}
}

// checkSecretEnv refuses a secret's variable read into a plain field: plans,
// audit reports and pull-request comments print plain fields, so the
// secret would be printed with them.
func (l *loader) checkSecretEnv() {
	for name, uses := range l.plainEnv {
		secret, ok := l.secretEnv[name]
		if !ok {
			continue
		}
		for _, u := range uses {
			field := u.path[strings.LastIndexByte(u.path, '.')+1:]
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: u.pos, Path: u.path,
				Message: fmt.Sprintf("${env.%s} is the secret of %s (%s): plans and pull-request comments print %s, so the secret would be printed", name, secret.path, secret.pos, field),
				Hint:    "give this value a variable of its own"})
		}
	}
}

func (l *loader) interpOK(file string, n *yaml.Node, path string, lk Lookup) (string, bool) {
	if n == nil {
		return "", true
	}
	s, err := interpolate(n.Value, lk)
	if err != nil {
		l.d.errorf(posOf(file, n), path, err.hint, "%s", err.msg)
		return "", false
	}
	return s, true
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func (l *loader) readDefaults(f *fileDoc) {
	m := child(f.root, "defaults")
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	if !l.claimBlock(&l.defPos, f, m, "defaults") {
		return
	}
	for _, p := range pairs(m) {
		if f.broken("/defaults/" + p.key.Value) {
			l.brokenDefaults[p.key.Value] = true
			continue
		}
		l.defaults[p.key.Value] = fieldNode{file: f.name, key: p.key, value: resolve(p.value), path: "defaults." + p.key.Value}
		l.out.DefaultKeys = append(l.out.DefaultKeys, p.key.Value)
		if fd, ok := LookupField(p.key.Value); ok && fd.Kind == KindObject {
			for _, sub := range pairs(p.value) {
				l.out.DefaultKeys = append(l.out.DefaultKeys, p.key.Value+"."+sub.key.Value)
			}
		}
	}
}

// claimBlock records where a block that may appear in one file only (defaults,
// policy) is declared, reporting a second one with both places.
func (l *loader) claimBlock(first **Pos, f *fileDoc, m *yaml.Node, name string) bool {
	pos := posOf(f.name, m)
	if *first != nil {
		l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: pos, Path: name,
			Message: name + " is declared in two files", Hint: "keep one " + name + " block", Also: *first})
		return false
	}
	*first = &pos
	return true
}

func (l *loader) readConfigurations(f *fileDoc) {
	seq := child(f.root, "configurations")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range seq.Content {
		item = resolve(item)
		ptr := fmt.Sprintf("/configurations/%d", i)
		nameNode := child(item, "name")
		if f.broken(ptr+"/name") || nameNode == nil || item.Kind != yaml.MappingNode {
			continue // without a valid name there is nothing to check it against
		}
		path := fmt.Sprintf("configurations[%d]", i)
		base := Connect{
			Name:      nameNode.Value,
			ConnectID: scalar(child(item, "connectId")),
			Absent:    scalar(child(item, "state")) == "absent",
			Pos:       posOf(f.name, nameNode),
			Path:      path,
		}
		if prev := child(item, "previously"); prev != nil {
			_ = prev.Decode(&base.Previously)
		}
		own := map[string]fieldNode{}
		broken := map[string]bool{}
		for _, p := range pairs(item) {
			// A list with a bad item is still a list: the rules that only
			// ask whether it is there (is it the right list for the data
			// model?) still run, so that every independent mistake is
			// reported at once. A bad scalar or object is left out.
			fp := ptr + "/" + p.key.Value
			if f.broken(fp) && !(isListField(p.key.Value) && !slices.Contains(f.bad, fp) && resolve(p.value).Kind == yaml.SequenceNode) {
				broken[p.key.Value] = true
				continue
			}
			if _, ok := LookupField(p.key.Value); ok {
				own[p.key.Value] = fieldNode{file: f.name, key: p.key, value: resolve(p.value), path: joinPath(path, p.key.Value)}
			}
		}
		for k := range l.brokenDefaults {
			broken[k] = true
		}
		for field := range broken {
			l.markBroken(base, field)
		}
		for _, alias := range l.targetAccounts(f, item, path) {
			acct, _ := l.out.Account(alias)
			c := base
			c.Account = alias
			c.Previously = slices.Clone(base.Previously)
			l.fillFields(&c, own, Lookup{Env: l.opts.LookupEnv, Vars: acct.Vars, Account: alias})
			l.out.Configurations = append(l.out.Configurations, c)
		}
	}
}

// targetAccounts resolves a configuration's accounts: list, or every account.
func (l *loader) targetAccounts(f *fileDoc, item *yaml.Node, path string) []string {
	list := child(item, "accounts")
	if list == nil {
		if len(l.out.Accounts) == 0 {
			l.d.errorf(posOf(f.name, item), path, "add an accounts: list with alias and accountId (see examples/quickstart.yaml)",
				"no account is declared for this configuration")
		}
		aliases := make([]string, len(l.out.Accounts))
		for i, a := range l.out.Accounts {
			aliases[i] = a.Alias
		}
		return aliases
	}
	known := make([]string, len(l.out.Accounts))
	for i, a := range l.out.Accounts {
		known[i] = a.Alias
	}
	var out []string
	for i, n := range list.Content {
		n = resolve(n)
		if _, ok := l.out.Account(n.Value); !ok {
			hint := didYouMean(n.Value, known)
			if hint == "" {
				hint = "declare it under accounts:"
			}
			l.d.errorf(posOf(f.name, n), fmt.Sprintf("%s.accounts[%d]", path, i), hint, "unknown account %q", excerpt(n.Value))
			continue
		}
		out = append(out, n.Value)
	}
	return out
}

// fillFields sets c's fields from defaults and the configuration's own keys
// (which win; nested objects merge key by key), interpolating strings.
func (l *loader) fillFields(c *Connect, own map[string]fieldNode, lk Lookup) {
	c.Fields = map[string]any{}
	c.FieldPos = map[string]Pos{}
	if c.Absent {
		return // an absent configuration only needs its identity
	}
	for _, f := range Fields {
		def, hasDef := l.defaults[f.Name]
		mine, hasMine := own[f.Name]
		switch {
		case f.Kind == KindObject && hasDef && hasMine:
			l.setField(c, f, def, lk)
			l.setField(c, f, mine, lk)
		case hasMine:
			l.setField(c, f, mine, lk)
		case hasDef:
			l.setField(c, f, def, lk)
		}
	}
}

// setField converts one written field into its normalised value. For objects
// it merges into what is already set.
func (l *loader) setField(c *Connect, f Field, fn fieldNode, lk Lookup) {
	c.FieldPos[f.Name] = posOf(fn.file, fn.value)
	str := func(n *yaml.Node, path string) string {
		l.notePlainEnv(fn.file, n, path)
		s, ok := l.interpOK(fn.file, n, path, lk)
		if !ok {
			l.markBroken(*c, f.Name) // already reported; keep rules off it
		}
		return s
	}
	secret := func(n *yaml.Node, path string) string {
		for _, name := range envRefs(n.Value) {
			if _, seen := l.secretEnv[name]; !seen {
				l.secretEnv[name] = envUse{posOf(fn.file, n), path}
			}
		}
		if !l.opts.SecretsOptional {
			s, ok := l.interpOK(fn.file, n, path, lk)
			if !ok {
				l.markBroken(*c, f.Name)
			}
			return s
		}
		s, err := interpolate(n.Value, lk)
		if err != nil {
			l.d.warnf(posOf(fn.file, n), path, err.hint, "%s; apply will need it", err.msg)
		}
		return s
	}
	switch f.Kind {
	case KindBool:
		var b bool
		_ = fn.value.Decode(&b)
		c.Fields[f.Name] = b
	case KindString:
		if f.Secret {
			c.Fields[f.Name] = secret(fn.value, fn.path)
			l.noteSecret(c, f.Name, fn.value.Value)
			break
		}
		c.Fields[f.Name] = str(fn.value, fn.path)
	case KindSet, KindList:
		list := make([]string, 0, len(fn.value.Content))
		for i, n := range fn.value.Content {
			n = resolve(n)
			item := fmt.Sprintf("%s[%d]", f.Name, i)
			c.FieldPos[item] = posOf(fn.file, n)
			list = append(list, str(n, fmt.Sprintf("%s[%d]", fn.path, i)))
		}
		c.Fields[f.Name] = list
	case KindObject:
		obj, _ := c.Fields[f.Name].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
		}
		for _, p := range pairs(fn.value) {
			sub, ok := LookupField(f.Name + "." + p.key.Value)
			if !ok {
				continue
			}
			v := resolve(p.value)
			dotted := f.Name + "." + sub.Name
			c.FieldPos[dotted] = posOf(fn.file, v)
			subPath := joinPath(fn.path, sub.Name)
			switch sub.Kind {
			case KindSet:
				list := make([]string, 0, len(v.Content))
				for i, n := range v.Content {
					list = append(list, str(resolve(n), fmt.Sprintf("%s[%d]", subPath, i)))
				}
				obj[sub.Name] = list
			case KindStringMap:
				m := map[string]string{}
				for _, kv := range pairs(v) {
					m[kv.key.Value] = str(resolve(kv.value), joinPath(subPath, kv.key.Value))
				}
				obj[sub.Name] = m
			default:
				if sub.Secret {
					obj[sub.Name] = secret(v, subPath)
					l.noteSecret(c, dotted, v.Value)
					break
				}
				obj[sub.Name] = str(v, subPath)
			}
		}
		c.Fields[f.Name] = obj
	case KindStringMap, KindObjectList:
		var d diags
		c.Fields[f.Name], _, _ = toValue(fn.file, fn.value, &d)
	}
}

func (l *loader) markBroken(c Connect, field string) {
	key := c.Pos.File + "\x00" + c.Path
	if l.broken[key] == nil {
		l.broken[key] = map[string]bool{}
	}
	l.broken[key][field] = true
}

func (l *loader) noteSecret(c *Connect, name, source string) {
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	c.Secrets[name] = source
}

// checkIdentities reports two configurations that claim the same live one:
// the same name for the same account (unless each pins its own connectId:
// an account may hold several configurations of one name), the same pinned
// connectId, or a name that another configuration lists under previously.
func (l *loader) checkIdentities() {
	type key struct{ account, name string }
	names := map[key]Connect{}
	pins := map[key]Connect{}
	for _, c := range l.out.Configurations {
		k := key{c.Account, c.Name}
		if first, dup := names[k]; dup && (c.ConnectID == "" || first.ConnectID == "") {
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: c.Pos, Path: joinPath(c.Path, "name"),
				Message: fmt.Sprintf("configuration %q is declared twice for account %s", c.Name, c.Account),
				Hint:    "rename one, limit each to different accounts with accounts: [...], or pin each to its live configuration with connectId", Also: &first.Pos})
			continue
		}
		if _, dup := names[k]; !dup {
			names[k] = c
		}
		if c.ConnectID != "" {
			pk := key{c.Account, c.ConnectID}
			if first, dup := pins[pk]; dup {
				l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: c.Pos, Path: joinPath(c.Path, "connectId"),
					Message: fmt.Sprintf("connectId %s is pinned by %q and %q in account %s", c.ConnectID, first.Name, c.Name, c.Account),
					Hint:    "pin each live configuration once", Also: &first.Pos})
			}
			pins[pk] = c
		}
	}
	for _, c := range l.out.Configurations {
		for _, old := range c.Previously {
			if other, ok := names[key{c.Account, old}]; ok && old != c.Name {
				l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: c.Pos, Path: joinPath(c.Path, "previously"),
					Message: fmt.Sprintf("%q lists %q under previously, but %q is still declared", c.Name, old, old),
					Hint:    "remove the old entry when renaming", Also: &other.Pos})
			}
		}
	}
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
