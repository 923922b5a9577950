package config

import (
	"fmt"
	"strings"
)

// Lookup finds the value of a ${namespace.NAME} reference.
type Lookup struct {
	Env  func(name string) (string, bool)
	Vars map[string]string // nil: ${var.…} is not allowed here
	// Account names the account whose vars apply, for messages.
	Account string
}

// interpolate replaces ${env.NAME} and ${var.NAME} in s. "$${" writes a
// literal "${". It returns the first problem as an error whose message and
// hint are meant for a Diagnostic.
func interpolate(s string, lk Lookup) (string, *refError) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' { // $${ is an escaped ${
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", &refError{msg: fmt.Sprintf("unterminated reference in %q", excerpt(s)), hint: "close it with }"}
		}
		ref := s[i+2 : i+end]
		v, err := resolveRef(ref, lk)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

type refError struct{ msg, hint string }

// credentialVars are connectsync's own credentials, which a file must not
// copy into a configuration (and so into plans and PR comments).
var credentialVars = map[string]bool{"DOCUSIGN_ACCESS_TOKEN": true, "DOCUSIGN_PRIVATE_KEY": true}

func resolveRef(ref string, lk Lookup) (string, *refError) {
	ns, name, ok := strings.Cut(strings.TrimSpace(ref), ".")
	if !ok || name == "" {
		return "", &refError{msg: fmt.Sprintf("invalid reference ${%s}", ref), hint: "write ${env.NAME} or ${var.NAME}"}
	}
	switch ns {
	case "env":
		if credentialVars[name] {
			return "", &refError{msg: fmt.Sprintf("${env.%s} is connectsync's own credential; a file may not read it", name),
				hint: "it would end up in plans and pull-request comments; remove the reference"}
		}
		// Empty counts as unset: GitHub Actions passes a missing secret as "".
		if lk.Env != nil {
			if v, ok := lk.Env(name); ok && v != "" {
				return v, nil
			}
		}
		return "", &refError{msg: fmt.Sprintf("environment variable %s is not set (or is empty)", name),
			hint: fmt.Sprintf("export %s=… before running (in GitHub Actions, pass it from a secret with env:)", name)}
	case "var":
		if lk.Vars == nil {
			return "", &refError{msg: fmt.Sprintf("${var.%s} cannot be used here", name), hint: "vars belong to accounts; use them in configurations"}
		}
		if v, ok := lk.Vars[name]; ok {
			return v, nil
		}
		known := make([]string, 0, len(lk.Vars))
		for k := range lk.Vars {
			known = append(known, k)
		}
		hint := didYouMean(name, known)
		if hint == "" {
			hint = fmt.Sprintf("add it under vars: of account %s", lk.Account)
		}
		return "", &refError{msg: fmt.Sprintf("var %q is not set for account %s", name, lk.Account), hint: hint}
	}
	return "", &refError{msg: fmt.Sprintf("unknown reference namespace %q in ${%s}", ns, ref), hint: didYouMean(ns, []string{"env", "var"})}
}

// envRefs lists the ${env.NAME} references in s ($${ is not one).
func envRefs(s string) []string {
	var names []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return names
		}
		if i > 0 && s[i-1] == '$' {
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return names
		}
		if ns, name, ok := strings.Cut(strings.TrimSpace(s[i+2:i+end]), "."); ok && ns == "env" && name != "" {
			names = append(names, name)
		}
		s = s[i+end+1:]
	}
}
