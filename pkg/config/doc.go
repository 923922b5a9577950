// Package config turns connectsync files into the desired state: the
// accounts, the Connect configurations expanded per account, and the policy.
// It also maps configurations to and from DocuSign's wire shape, and writes
// live configurations back as a file (export).
//
// The file format is described in README.md ("The file format"); its source
// of truth is the JSON Schema schema/connectsync.schema.json, embedded by
// package schema.
//
// # The load pipeline
//
// Load runs every file through the same steps and returns all problems at
// once, each a Diagnostic with file:line:col and a fix, sorted by place:
//
//  1. expand: the paths given (-f and arguments), a directory standing for
//     its *.yaml and *.yml files; connectsync.yaml when none is given.
//  2. parse (yaml.go): YAML into nodes that keep their positions; aliases
//     are bounded so that an alias bomb is refused.
//  3. schema (schemacheck.go): each file against the JSON Schema, errors
//     reworded for people and placed on the offending node; the fields the
//     schema rejected are remembered, so that later rules skip them (one
//     message per mistake).
//  4. build (load.go): accounts from every file, then defaults and policy
//     (one block each across the files), then configurations: defaults
//     merged under each, ${env.NAME} and ${var.NAME} interpolated
//     (interpolate.go; secrets only from ${env.…}), one Connect per target
//     account. Names and connectIds must identify one configuration per
//     account.
//  5. rules (rules.go): the semantic rules the schema cannot express (URLs,
//     users, data model and events), then the policy (policy.go), which
//     validate reports and audit applies to live configurations too.
//
// Desired is nil when any diagnostic is an error; warnings come with it.
//
// # Where things live
//
//   - fields.go: the table of configuration fields (kind, default, secret,
//     read-only), which drives comparison, printing, the wire mapping and
//     export.
//   - rules.go: the semantic rules, each with its message and fix;
//     TestRules has a valid and an invalid case for every one.
//   - policy.go: the audit rules (HTTPS, HMAC, logging, allowed hosts, data
//     models, required events), their default severities and the policy:
//     block that changes them.
//   - wire.go: to and from docusign.Configuration (string booleans).
//   - export.go: live configurations back to a file that plans with no
//     changes.
package config
