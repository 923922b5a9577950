package config

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

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
		secretEnv: map[string]envUse{}, plainEnv: map[string][]envUse{}, aliases: map[string]int{}, ids: map[string]int{}}
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
	// aliases and ids index l.out.Accounts by alias and by lower-case id.
	aliases, ids map[string]int
	// def are the defaults by field number.
	def []*fieldNode
	// allAliases is every account's alias, for the configurations of all.
	allAliases []string
	// oracle, set by a test only, loads as connectsync did before the
	// quick check and the shared fields: the whole file through the
	// validator, and readConfigurations replaced.
	oracle func(l *loader, f *fileDoc)
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
	// bad are the JSON pointers the schema rejected; under holds each of
	// them and every pointer above it, so that broken is one lookup
	// whatever the number of errors.
	bad   map[string]bool
	under map[string]bool
}

func newFileDoc(name string, root *yaml.Node, bad []string) *fileDoc {
	f := &fileDoc{name: name, root: root}
	if len(bad) == 0 {
		return f
	}
	f.bad, f.under = make(map[string]bool, len(bad)), make(map[string]bool, 2*len(bad))
	for _, b := range bad {
		f.bad[b] = true
		for p := b; !f.under[p]; {
			f.under[p] = true
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return f
}

// hasBad reports whether the schema rejected anything in the file: only
// then are pointers worth building.
func (f *fileDoc) hasBad() bool { return len(f.bad) > 0 }

// fieldNode is a field as written: its value node and where it came from.
type fieldNode struct {
	file  string
	key   *yaml.Node
	value *yaml.Node
	// parent is the path of the mapping the key is in (defaults,
	// configurations[3]): path() is made only for a message.
	parent string
}

// path names the field in its file, e.g. configurations[3].events.
func (fn *fieldNode) path() string { return joinPath(fn.parent, fn.key.Value) }

// expand turns the paths given into the files to read: a file as given
// (following a symlink the user named), or a directory's *.yaml and *.yml
// files (the extension in any letter case). Only regular files are read: a
// FIFO or a device would hang or never end. A symlink inside a directory is followed only while it stays
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
			// Any letter case: Orders.YAML skipped without a word would
			// lose its configurations (and --prune would delete them).
			ext := strings.ToLower(filepath.Ext(e.Name()))
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
	if l.oracle == nil && quickValid(root) {
		l.docs = append(l.docs, newFileDoc(name, root, nil))
		return
	}
	convert := toSchemaValue
	if l.oracle != nil {
		convert = toValue
	}
	value, bad, ok := convert(name, root, &l.d)
	if !ok {
		return // too large to check further
	}
	bad = append(bad, checkSchema(name, root, value, &l.d)...)
	l.docs = append(l.docs, newFileDoc(name, root, bad))
}

// isListField reports whether a configuration key holds a list of strings.
func isListField(name string) bool {
	f, ok := LookupField(name)
	return ok && (f.Kind == KindSet || f.Kind == KindList)
}

// broken reports whether the schema rejected anything at or under pointer.
func (f *fileDoc) broken(pointer string) bool {
	return f.under[pointer]
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
		if l.oracle != nil {
			l.oracle(l, f)
			continue
		}
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
		if i, ok := l.aliases[a.Alias]; ok {
			prev := l.out.Accounts[i]
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: posOf(f.name, child(item, "alias")),
				Path: joinPath(path, "alias"), Message: fmt.Sprintf("account alias %q is declared twice", a.Alias),
				Hint: "give each account its own alias", Also: &prev.Pos})
			continue
		}
		if i := l.accountIndex(a.AccountID); i >= 0 {
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: posOf(f.name, child(item, "accountId")),
				Path: joinPath(path, "accountId"), Message: fmt.Sprintf("account %s is declared twice (aliases %q and %q)", a.AccountID, l.out.Accounts[i].Alias, a.Alias),
				Hint: "declare each account once", Also: &l.out.Accounts[i].Pos})
			continue
		}
		l.aliases[a.Alias] = len(l.out.Accounts)
		if isASCII(a.AccountID) {
			if _, dup := l.ids[strings.ToLower(a.AccountID)]; !dup {
				l.ids[strings.ToLower(a.AccountID)] = len(l.out.Accounts)
			}
		}
		l.out.Accounts = append(l.out.Accounts, a)
	}
}

// accountIndex finds an account declared with this id (in any letter
// case), or -1; an empty id matches none.
func (l *loader) accountIndex(id string) int {
	if id == "" {
		return -1
	}
	if isASCII(id) {
		if i, ok := l.ids[strings.ToLower(id)]; ok {
			return i
		}
		if len(l.ids) == len(l.out.Accounts) {
			return -1 // every id is in the index
		}
	}
	return slices.IndexFunc(l.out.Accounts, func(o Account) bool { return strings.EqualFold(o.AccountID, id) })
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
		l.defaults[p.key.Value] = fieldNode{file: f.name, key: p.key, value: resolve(p.value), parent: "defaults"}
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
	if l.def == nil {
		l.def = make([]*fieldNode, len(Fields))
		for name, fn := range l.defaults {
			if i, ok := fieldNumber()[name]; ok {
				l.def[i] = &fn
			}
		}
	}
	// What each configuration is, whatever its accounts, is worked out
	// for all of them at once, on every core; then, in file order, they
	// are expanded per account, which reports problems.
	preps := make([]*itemPrep, len(seq.Content))
	interned := make([]valueCache, runtime.GOMAXPROCS(0))
	parallelFor(len(preps), func(worker, i int) { preps[i] = l.prepare(f, i, resolve(seq.Content[i]), &interned[worker]) })
	if n := len(l.out.Configurations) + len(preps)*max(len(l.out.Accounts), 1); cap(l.out.Configurations) < n {
		l.out.Configurations = slices.Grow(l.out.Configurations, n-len(l.out.Configurations))
	}
	for i, p := range preps {
		if p == nil {
			continue // without a valid name there is nothing to check it against
		}
		for _, k := range p.broken {
			l.markBroken(p.base, k)
		}
		for k := range l.brokenDefaults {
			l.markBroken(p.base, k)
		}
		l.expand1(p, l.targetAccounts(f, resolve(seq.Content[i]), p.accounts, p.base.Path))
	}
}

// parallelFor calls do(worker, 0) … do(worker, n-1), on every core
// (GOMAXPROCS workers, numbered from 0) when n is large.
func parallelFor(n int, do func(worker, i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers < 2 {
		for i := range n {
			do(0, i)
		}
		return
	}
	const chunk = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					do(w, i)
				}
			}
		})
	}
	wg.Wait()
}

// itemPrep is a configuration of a file as it is for every account: its
// identity, the fields it sets, their positions and the sources of its
// secrets, and the values of the fields without a ${…} reference.
type itemPrep struct {
	base       Connect
	accounts   *yaml.Node     // its accounts: list, if any
	broken     []string       // keys the schema rejected
	plan       []plannedField // the fields set, when some have a reference
	perAccount bool           // some field has a reference
	fieldPos   map[string]Pos
	secrets    map[string]string
	shared     map[string]any
}

// plannedField is a field a configuration sets: its defaults entry and its
// own key (both for a nested object, merged), and whether its value can
// differ between accounts (it holds a ${…} reference).
type plannedField struct {
	f          *Field
	nodes      [2]fieldNode
	n          int // nodes in use
	perAccount bool
}

// maxFields bounds len(Fields) for the fixed-size scratch arrays of prepare.
const maxFields = 64

// prepare works out configuration i of a file; nil when it has no valid
// name. It reports nothing and changes nothing in l, so that it can run
// for many configurations at once.
func (l *loader) prepare(f *fileDoc, i int, item *yaml.Node, cache *valueCache) *itemPrep {
	if item.Kind != yaml.MappingNode {
		return nil
	}
	var ptr string // the item's JSON pointer, needed only to look up schema errors
	if f.hasBad() {
		ptr = "/configurations/" + strconv.Itoa(i)
	}
	path := "configurations[" + strconv.Itoa(i) + "]"
	var nameNode, connectID, state, previously, accounts *yaml.Node
	var own [maxFields]fieldNode
	var has [maxFields]bool
	var broken []string
	for k, v := range mapEntries(item) {
		key := k.Value
		first := func(n **yaml.Node) { // the first of a key written twice, as child finds it
			if *n == nil {
				*n = resolve(v)
			}
		}
		switch key {
		case "name":
			first(&nameNode)
		case "connectId":
			first(&connectID)
		case "state":
			first(&state)
		case "previously":
			first(&previously)
		case "accounts":
			first(&accounts)
		}
		// A list with a bad item is still a list: the rules that only ask
		// whether it is there (is it the right list for the data model?)
		// still run, so that every independent mistake is reported at
		// once. A bad scalar or object is left out.
		if f.hasBad() {
			if fp := ptr + "/" + key; f.broken(fp) && !(isListField(key) && !f.bad[fp] && resolve(v).Kind == yaml.SequenceNode) {
				broken = append(broken, key)
				continue
			}
		}
		if n, ok := fieldNumber()[key]; ok {
			own[n], has[n] = fieldNode{file: f.name, key: k, value: resolve(v), parent: path}, true
		}
	}
	if f.broken(ptr+"/name") || nameNode == nil {
		return nil
	}
	p := &itemPrep{broken: broken, accounts: accounts, base: Connect{
		Name:      nameNode.Value,
		ConnectID: scalar(connectID),
		Absent:    scalar(state) == "absent",
		Pos:       posOf(f.name, nameNode),
		Path:      path,
	}}
	if previously != nil {
		_ = previously.Decode(&p.base.Previously)
	}
	var planBuf [maxFields]plannedField
	plan := planBuf[:0]
	npos := 0
	if !p.base.Absent { // an absent configuration only needs its identity
		for i := range Fields {
			f := &Fields[i]
			def := l.def[i]
			pf := plannedField{f: f}
			switch {
			case f.Kind == KindObject && def != nil && has[i]:
				pf.nodes, pf.n = [2]fieldNode{*def, own[i]}, 2
			case has[i]:
				pf.nodes[0], pf.n = own[i], 1
			case def != nil:
				pf.nodes[0], pf.n = *def, 1
			default:
				continue
			}
			for _, fn := range pf.nodes[:pf.n] {
				npos += 1 + len(fn.value.Content)
				pf.perAccount = pf.perAccount || f.Secret || interpolated(f) && hasReference(fn.value)
			}
			p.perAccount = p.perAccount || pf.perAccount
			plan = append(plan, pf)
		}
	}
	p.fieldPos = make(map[string]Pos, npos)
	p.shared = make(map[string]any, len(plan))
	for i := range plan {
		pf := &plan[i]
		for j := range pf.n {
			fieldMeta(p.fieldPos, &p.secrets, pf.f, &pf.nodes[j])
		}
		if !pf.perAccount {
			// Without a reference nothing is interpolated: no problem to
			// report, nothing to record, whatever the account.
			p.shared[pf.f.Name] = cache.value(pf, func() any { return l.fieldValue(&p.base, pf, Lookup{}) })
		}
	}
	if p.perAccount {
		p.plan = slices.Clone(plan)
	}
	return p
}

// expand1 adds a prepared configuration for each of its accounts. The
// fields without a ${…} reference are the same for every account and
// shared, as are the positions and the secrets' sources; only the fields
// with a reference are evaluated per account. A configuration without any
// is one Fields map for all its accounts: a file's configuration is not
// copied per account.
func (l *loader) expand1(p *itemPrep, targets []string) {
	for _, alias := range targets {
		c := p.base
		c.Account = alias
		c.Previously = slices.Clone(p.base.Previously)
		c.FieldPos, c.Secrets, c.Fields = p.fieldPos, p.secrets, p.shared
		if p.perAccount {
			lk := Lookup{Env: l.opts.LookupEnv, Vars: l.accountVars(alias), Account: alias}
			c.Fields = make(map[string]any, len(p.plan))
			for i := range p.plan {
				pf := &p.plan[i]
				if pf.perAccount {
					c.Fields[pf.f.Name] = l.fieldValue(&c, pf, lk)
				} else {
					c.Fields[pf.f.Name] = p.shared[pf.f.Name]
				}
			}
		}
		l.out.Configurations = append(l.out.Configurations, c)
	}
}

// accountVars returns the vars of the account with this alias.
func (l *loader) accountVars(alias string) map[string]string {
	if i, ok := l.aliases[alias]; ok {
		return l.out.Accounts[i].Vars
	}
	return nil
}

// interpolated reports whether a field's strings are interpolated.
func interpolated(f *Field) bool {
	switch f.Kind {
	case KindString, KindSet, KindList, KindObject:
		return true
	}
	return false
}

// hasReference reports whether any scalar under n holds "${".
func hasReference(n *yaml.Node) bool {
	n = resolve(n)
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return strings.Contains(n.Value, "${")
	}
	for _, c := range n.Content {
		if hasReference(c) {
			return true
		}
	}
	return false
}

// fieldMeta records where a written field and its items and keys are, and
// where each secret comes from: the same for every account.
func fieldMeta(pos map[string]Pos, secrets *map[string]string, f *Field, fn *fieldNode) {
	note := func(name, source string) {
		if *secrets == nil {
			*secrets = map[string]string{}
		}
		(*secrets)[name] = source
	}
	pos[f.Name] = posOf(fn.file, fn.value)
	switch f.Kind {
	case KindString:
		if f.Secret {
			note(f.Name, fn.value.Value)
		}
	case KindSet, KindList:
		for i, n := range fn.value.Content {
			pos[itemName(f.Name, i)] = posOf(fn.file, resolve(n))
		}
	case KindObject:
		for k, v := range mapEntries(fn.value) {
			sub, dotted, ok := subField(f, k.Value)
			if !ok {
				continue
			}
			v := resolve(v)
			pos[dotted] = posOf(fn.file, v)
			if sub.Secret && sub.Kind != KindSet && sub.Kind != KindStringMap {
				note(dotted, v.Value)
			}
		}
	}
}

// itemName is "events[2]": the key of a list item's position.
func itemName(field string, i int) string {
	if names := itemNames()[field]; i < len(names) {
		return names[i]
	}
	return field + "[" + strconv.Itoa(i) + "]"
}

// itemNames are the first item names of every list field, made once.
var itemNames = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for _, f := range Fields {
		if f.Kind == KindSet || f.Kind == KindList {
			for i := range 16 {
				m[f.Name] = append(m[f.Name], f.Name+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	return m
})

// subField returns the key name of a nested object field f, and its dotted
// name (eventData.version).
func subField(f *Field, name string) (*Field, string, bool) {
	for i := range f.Sub {
		if f.Sub[i].Name == name {
			return &f.Sub[i], dottedNames()[f.Name][i], true
		}
	}
	return nil, "", false
}

var dottedNames = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for _, f := range Fields {
		for _, s := range f.Sub {
			m[f.Name] = append(m[f.Name], f.Name+"."+s.Name)
		}
	}
	return m
})

// valueCache holds the list and object values of fields without a
// reference, by content: configurations that set the same events or
// eventData share one value (values are never changed once loaded).
type valueCache struct {
	m   map[string]any
	key []byte
}

// value returns the value of pf (which holds no reference), made by make
// unless an equal one was made before. Strings and booleans are not worth it.
func (vc *valueCache) value(pf *plannedField, make func() any) any {
	switch pf.f.Kind {
	case KindSet, KindList, KindObject:
	default:
		return make()
	}
	vc.key = append(vc.key[:0], pf.f.Name...)
	for i := range pf.n {
		vc.key = appendContent(append(vc.key, 0), pf.nodes[i].value)
	}
	if v, ok := vc.m[string(vc.key)]; ok {
		return v
	}
	v := make()
	if vc.m == nil {
		vc.m = map[string]any{}
	}
	vc.m[string(vc.key)] = v
	return v
}

// appendContent writes what a node holds (its kind, scalar values and
// structure, aliases followed), enough to tell two values apart.
func appendContent(b []byte, n *yaml.Node) []byte {
	n = resolve(n)
	if n == nil {
		return append(b, 'n')
	}
	switch n.Kind {
	case yaml.ScalarNode:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(n.Value)), 10)
		b = append(b, ':')
		return append(b, n.Value...)
	case yaml.MappingNode:
		b = append(b, 'm')
		for k, v := range mapEntries(n) {
			b = appendContent(appendContent(b, k), v)
		}
	case yaml.SequenceNode:
		b = append(b, 'q')
		for _, c := range n.Content {
			b = appendContent(b, c)
		}
	default:
		b = append(b, '?')
	}
	return append(b, ';')
}

// fieldValue converts one written field into its normalised value: for a
// nested object, its defaults entry and its own key merged key by key.
func (l *loader) fieldValue(c *Connect, pf *plannedField, lk Lookup) any {
	var v any
	for i := range pf.n {
		v = l.nodeValue(c, pf.f, &pf.nodes[i], v, lk)
	}
	return v
}

// plain interpolates a plain string of field f, recording the ${env.…} it
// reads; a failed reference is reported and keeps the rules off the field.
func (l *loader) plain(c *Connect, f *Field, file string, n *yaml.Node, path string, lk Lookup) string {
	if !strings.Contains(n.Value, "${") {
		return n.Value // nothing to interpolate or record
	}
	l.notePlainEnv(file, n, path)
	s, ok := l.interpOK(file, n, path, lk)
	if !ok {
		l.markBroken(*c, f.Name) // already reported; keep rules off it
	}
	return s
}

// secret interpolates a secret of field f, recording the ${env.…} it
// reads; unset, it is an error only for the commands that send it.
func (l *loader) secret(c *Connect, f *Field, file string, n *yaml.Node, path string, lk Lookup) string {
	for _, name := range envRefs(n.Value) {
		if _, seen := l.secretEnv[name]; !seen {
			l.secretEnv[name] = envUse{posOf(file, n), path}
		}
	}
	if !l.opts.SecretsOptional {
		s, ok := l.interpOK(file, n, path, lk)
		if !ok {
			l.markBroken(*c, f.Name)
		}
		return s
	}
	s, err := interpolate(n.Value, lk)
	if err != nil {
		l.d.warnf(posOf(file, n), path, err.hint, "%s; apply will need it", err.msg)
	}
	return s
}

// nodeValue converts one written field; prev is what an object merges into.
func (l *loader) nodeValue(c *Connect, f *Field, fn *fieldNode, prev any, lk Lookup) any {
	switch f.Kind {
	case KindBool:
		return decodeBool(fn.value)
	case KindString:
		if f.Secret {
			return l.secret(c, f, fn.file, fn.value, fn.path(), lk)
		}
		return l.plain(c, f, fn.file, fn.value, fn.path(), lk)
	case KindSet, KindList:
		list := make([]string, 0, len(fn.value.Content))
		for i, n := range fn.value.Content {
			n = resolve(n)
			if !strings.Contains(n.Value, "${") {
				list = append(list, n.Value)
				continue
			}
			list = append(list, l.plain(c, f, fn.file, n, fmt.Sprintf("%s[%d]", fn.path(), i), lk))
		}
		return list
	case KindObject:
		obj := map[string]any{}
		if m, ok := prev.(map[string]any); ok {
			obj = maps.Clone(m)
		}
		for k, v := range mapEntries(fn.value) {
			sub, _, ok := subField(f, k.Value)
			if !ok {
				continue
			}
			v := resolve(v)
			subPath := joinPath(fn.path(), sub.Name)
			switch sub.Kind {
			case KindSet:
				list := make([]string, 0, len(v.Content))
				for i, n := range v.Content {
					list = append(list, l.plain(c, f, fn.file, resolve(n), fmt.Sprintf("%s[%d]", subPath, i), lk))
				}
				obj[sub.Name] = list
			case KindStringMap:
				m := map[string]string{}
				for _, kv := range pairs(v) {
					m[kv.key.Value] = l.plain(c, f, fn.file, resolve(kv.value), joinPath(subPath, kv.key.Value), lk)
				}
				obj[sub.Name] = m
			default:
				if sub.Secret {
					obj[sub.Name] = l.secret(c, f, fn.file, v, subPath, lk)
					break
				}
				obj[sub.Name] = l.plain(c, f, fn.file, v, subPath, lk)
			}
		}
		return obj
	case KindStringMap, KindObjectList:
		var d diags
		v, _, _ := toValue(fn.file, fn.value, &d)
		return v
	}
	return nil
}

// decodeBool reads a boolean the schema accepted, without yaml's
// reflection for the six spellings YAML 1.2 has.
func decodeBool(n *yaml.Node) bool {
	if n.ShortTag() == "!!bool" {
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
	}
	var b bool
	_ = n.Decode(&b)
	return b
}

// targetAccounts resolves a configuration's accounts: list, or every account.
func (l *loader) targetAccounts(f *fileDoc, item, list *yaml.Node, path string) []string {
	if list == nil {
		if len(l.out.Accounts) == 0 {
			l.d.errorf(posOf(f.name, item), path, "add an accounts: list with alias and accountId (see examples/quickstart.yaml)",
				"no account is declared for this configuration")
		}
		if len(l.allAliases) != len(l.out.Accounts) {
			l.allAliases = make([]string, len(l.out.Accounts))
			for i, a := range l.out.Accounts {
				l.allAliases[i] = a.Alias
			}
		}
		return l.allAliases // read only
	}
	var out []string
	for i, n := range list.Content {
		n = resolve(n)
		if _, ok := l.aliases[n.Value]; !ok {
			known := make([]string, len(l.out.Accounts))
			for i, a := range l.out.Accounts {
				known[i] = a.Alias
			}
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

func (l *loader) markBroken(c Connect, field string) {
	key := c.Pos.File + "\x00" + c.Path
	if l.broken[key] == nil {
		l.broken[key] = map[string]bool{}
	}
	l.broken[key][field] = true
}

// checkIdentities reports two configurations that claim the same live one:
// the same name for the same account (unless each pins its own connectId:
// an account may hold several configurations of one name), the same pinned
// connectId, or a name that another configuration lists under previously.
func (l *loader) checkIdentities() {
	type key struct{ account, name string }
	all := l.out.Configurations
	names := make(map[key]int, len(all)) // the first configuration of each name
	pins := map[key]int{}
	posOf := func(i int) *Pos { p := all[i].Pos; return &p }
	for i, c := range all {
		k := key{c.Account, c.Name}
		if first, dup := names[k]; dup && (c.ConnectID == "" || all[first].ConnectID == "") {
			l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: c.Pos, Path: joinPath(c.Path, "name"),
				Message: fmt.Sprintf("configuration %q is declared twice for account %s", c.Name, c.Account),
				Hint:    "rename one, limit each to different accounts with accounts: [...], or pin each to its live configuration with connectId", Also: posOf(first)})
			continue
		}
		if _, dup := names[k]; !dup {
			names[k] = i
		}
		if c.ConnectID != "" {
			pk := key{c.Account, c.ConnectID}
			if first, dup := pins[pk]; dup {
				l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: c.Pos, Path: joinPath(c.Path, "connectId"),
					Message: fmt.Sprintf("connectId %s is pinned by %q and %q in account %s", c.ConnectID, all[first].Name, c.Name, c.Account),
					Hint:    "pin each live configuration once", Also: posOf(first)})
			}
			pins[pk] = i
		}
	}
	for _, c := range all {
		for _, old := range c.Previously {
			if other, ok := names[key{c.Account, old}]; ok && old != c.Name {
				l.d.list = append(l.d.list, Diagnostic{Severity: SeverityError, Pos: c.Pos, Path: joinPath(c.Path, "previously"),
					Message: fmt.Sprintf("%q lists %q under previously, but %q is still declared", c.Name, old, old),
					Hint:    "remove the old entry when renaming", Also: posOf(other)})
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
