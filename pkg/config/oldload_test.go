package config

// The loader as it was before it shared a configuration's fields between
// its accounts, evaluated them in parallel and skipped the JSON Schema
// validator for valid files: the oracle of TestLoaderMatchesTheOldOne.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func oldNoteSecret(c *Connect, name, source string) {
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	c.Secrets[name] = source
}

func (l *loader) oldReadConfigurations(f *fileDoc) {
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
			if f.broken(fp) && !(isListField(p.key.Value) && !f.bad[fp] && resolve(p.value).Kind == yaml.SequenceNode) {
				broken[p.key.Value] = true
				continue
			}
			if _, ok := LookupField(p.key.Value); ok {
				own[p.key.Value] = fieldNode{file: f.name, key: p.key, value: resolve(p.value), parent: path}
			}
		}
		for k := range l.brokenDefaults {
			broken[k] = true
		}
		for field := range broken {
			l.markBroken(base, field)
		}
		for _, alias := range l.oldTargetAccounts(f, item, path) {
			acct, _ := l.out.Account(alias)
			c := base
			c.Account = alias
			c.Previously = slices.Clone(base.Previously)
			l.oldFillFields(&c, own, Lookup{Env: l.opts.LookupEnv, Vars: acct.Vars, Account: alias})
			l.out.Configurations = append(l.out.Configurations, c)
		}
	}
}

// targetAccounts resolves a configuration's accounts: list, or every account.
func (l *loader) oldTargetAccounts(f *fileDoc, item *yaml.Node, path string) []string {
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
func (l *loader) oldFillFields(c *Connect, own map[string]fieldNode, lk Lookup) {
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
			l.oldSetField(c, f, def, lk)
			l.oldSetField(c, f, mine, lk)
		case hasMine:
			l.oldSetField(c, f, mine, lk)
		case hasDef:
			l.oldSetField(c, f, def, lk)
		}
	}
}

// setField converts one written field into its normalised value. For objects
// it merges into what is already set.
func (l *loader) oldSetField(c *Connect, f Field, fn fieldNode, lk Lookup) {
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
			c.Fields[f.Name] = secret(fn.value, fn.path())
			oldNoteSecret(c, f.Name, fn.value.Value)
			break
		}
		c.Fields[f.Name] = str(fn.value, fn.path())
	case KindSet, KindList:
		list := make([]string, 0, len(fn.value.Content))
		for i, n := range fn.value.Content {
			n = resolve(n)
			item := fmt.Sprintf("%s[%d]", f.Name, i)
			c.FieldPos[item] = posOf(fn.file, n)
			list = append(list, str(n, fmt.Sprintf("%s[%d]", fn.path(), i)))
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
			subPath := joinPath(fn.path(), sub.Name)
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
					oldNoteSecret(c, dotted, v.Value)
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

// loadOracle is Load with the loader of before (see the top of the file).
func loadOracle(paths []string, opts LoadOptions) (*Desired, Diagnostics) {
	l := newLoader(opts)
	l.oracle = (*loader).oldReadConfigurations
	for _, f := range l.expand(paths) {
		l.readFile(f)
	}
	l.build()
	ds := capDiagnostics(l.d.list.Sort())
	if ds.HasErrors() {
		return nil, ds
	}
	return l.out, ds
}

// TestLoaderMatchesTheOldOne loads generated files, with several accounts,
// account vars, ${var.…} and ${env.…} references, secrets, defaults merged
// into nested objects, absent and pinned configurations, unknown accounts
// and schema errors, with the loader and with the one before (the oracle),
// and wants the same configurations, field by field and position by
// position, and the same problems.
func TestLoaderMatchesTheOldOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := func(name string) (string, bool) {
		switch name {
		case "PW", "SECRET":
			return "s3cret-" + name, true
		case "HOST":
			return "env.example.com", true
		}
		return "", false
	}
	const seeds = 200
	loaded := 0
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 99))
		text := generateLoadFile(r)
		path := filepath.Join(dir, fmt.Sprintf("f%d.yaml", seed))
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, optional := range []bool{false, true} {
			opts := LoadOptions{LookupEnv: env, SecretsOptional: optional}
			want, wantDs := loadOracle([]string{path}, opts)
			got, gotDs := Load([]string{path}, opts)
			if diff := cmp.Diff(wantDs.Error(), gotDs.Error()); diff != "" {
				t.Fatalf("seed %d: problems differ (-old +new):\n%s\nfile:\n%s", seed, diff, text)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("seed %d: configurations differ (-old +new):\n%s\nfile:\n%s", seed, diff, text)
			}
			if got != nil && len(got.Configurations) > 0 {
				loaded++
			}
		}
	}
	if testing.Verbose() {
		t.Logf("%d of %d loads gave configurations to compare", loaded, 2*seeds)
	}
	if loaded < 2*seeds/4 {
		t.Errorf("only %d of %d loads gave configurations to compare", loaded, 2*seeds)
	}
}

// generateLoadFile writes a random file of a few accounts and
// configurations, with a mistake now and then.
func generateLoadFile(r *rand.Rand) string {
	pick := func(list ...string) string { return list[r.IntN(len(list))] }
	// valid or, one time in 20, one of the mistakes
	either := func(good []string, bad ...string) string {
		if len(bad) > 0 && r.IntN(20) == 0 {
			return pick(bad...)
		}
		return pick(good...)
	}
	var b strings.Builder
	b.WriteString("version: 1\naccounts:\n")
	accounts := 1 + r.IntN(4)
	for i := range accounts {
		fmt.Fprintf(&b, "  - alias: a%d\n    accountId: %08d-1111-4222-8333-944455556666\n", i, i)
		if r.IntN(20) > 0 {
			fmt.Fprintf(&b, "    vars: { host: h%d.example.com, n: \"%d\" }\n", i, i)
		}
	}
	field := func() string {
		switch r.IntN(16) {
		case 0:
			return "urlToPublishTo: " + either([]string{`"https://hooks.example.com/x"`, `"https://${var.host}/hook"`, `"https://${env.HOST}/${var.n}"`, `"https://h.example.com/$${literal}"`, `"https://${var.host}"`},
				`"https://${var.nope}/x"`, `"ftp://bad"`, `"https://${env.PW}/leak"`)
		case 1:
			return "allUsers: " + either([]string{"true"}, `"true"`, "false")
		case 2:
			return "deliveryMode: " + either([]string{"SIM", "aggregate", "sim"}, "bogus")
		case 3:
			return "eventData: { version: " + either([]string{"restv2.1", "restv2.1, format: json", "legacy", "RESTV2.1", "restv2.1, includeData: [tabs]"}, "bogus") + " }"
		case 4:
			return "events: [" + either([]string{"envelope-sent", "envelope-sent, envelope-completed", `"envelope-${var.n}"`}, "envelope-sent, envelope-sent") + "]"
		case 5:
			return "envelopeEvents: [" + either([]string{"Sent", "sent, Completed", "Sent, Voided"}) + "]"
		case 6:
			return "password: " + either([]string{"${env.PW}"}, "${env.MISSING}", "hunter2")
		case 7:
			return "userName: " + either([]string{"svc", "${var.host}"}, "${env.PW}")
		case 8:
			return "oAuthConfiguration: { clientId: " + pick("c1", `"${var.n}"`) + either([]string{"", `, clientSecret: "${env.SECRET}"`}, `, clientSecret: "${env.NOPE}"`) +
				pick("", ", customParameters: { a: b }", `, customParameters: { a: "${var.host}" }`) + " }"
		case 9:
			return "includeHMAC: " + either([]string{"true", "false"}, "yes")
		case 10:
			return "enableLog: " + either([]string{"true", "false"}, "maybe")
		case 11:
			return "allowEnvelopePublish: true"
		case 12:
			return "configurationType: " + pick("custom", "customrecipient")
		case 13:
			return "recipientEvents: [" + pick("Sent", "sent") + "]"
		case 14:
			return either([]string{"requiresAcknowledgement: true"}, "enabledLog: true")
		}
		return "userIds: [" + pick("u1", "u1, u2", `"${var.n}"`) + "]"
	}
	// fields writes n random fields, each key once (but for a rare mistake).
	fields := func(indent string, n int) {
		used := map[string]bool{}
		for range n {
			f := field()
			key, _, _ := strings.Cut(f, ":")
			if used[key] && r.IntN(20) > 0 {
				continue
			}
			used[key] = true
			b.WriteString(indent + f + "\n")
		}
	}
	b.WriteString("defaults:\n  urlToPublishTo: https://hooks.example.com/default\n  allUsers: true\n")
	if r.IntN(3) > 0 {
		fields("  ", 1+r.IntN(5))
	}
	b.WriteString("configurations:\n")
	for i := range 1 + r.IntN(6) {
		fmt.Fprintf(&b, "  - name: %s\n", either([]string{fmt.Sprintf("c%d", i)}, "dup", `""`))
		switch r.IntN(8) {
		case 0:
			b.WriteString("    state: absent\n")
		case 1:
			fmt.Fprintf(&b, "    connectId: \"%d\"\n", 22210000+i)
		case 2:
			more := []string{""}
			if accounts > 1 {
				more = append(more, fmt.Sprintf(", a%d", accounts-1))
			}
			b.WriteString("    accounts: [a0" + either(more, ", zz") + "]\n")
		case 3:
			b.WriteString("    previously: [" + either([]string{"old"}, "c0") + "]\n")
		}
		fields("    ", r.IntN(7))
	}
	return b.String()
}
