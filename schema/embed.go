// Package schema embeds the JSON Schemas of connectsync's file format and of its
// JSON outputs. go:embed cannot reach "../", so the files embed themselves here.
package schema

import (
	_ "embed"
)

// File is the JSON Schema (draft 2020-12) of connectsync's YAML file format.
// It is the source of truth for which keys a file may hold; editors read it
// through the yaml-language-server modeline, and `connectsync schema` prints it.
//
//go:embed connectsync.schema.json
var File []byte

// FileURL is the schema's $id, the address editors use.
const FileURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/connectsync.schema.json"

// Plan is the JSON Schema of the JSON plan (plan --format json, plan --out).
//
//go:embed plan.schema.json
var Plan []byte

// PlanURL is the plan schema's $id.
const PlanURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/plan.schema.json"

// Audit is the JSON Schema of the audit report (audit --format json, the
// input of audit merge).
//
//go:embed audit.schema.json
var Audit []byte

// AuditURL is the audit schema's $id.
const AuditURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/audit.schema.json"

// Validate is the JSON Schema of validate --format json.
//
//go:embed validate.schema.json
var Validate []byte

// ValidateURL is the validate report schema's $id.
const ValidateURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/validate.schema.json"

// Users is the JSON Schema of users --format json.
//
//go:embed users.schema.json
var Users []byte

// UsersURL is the users schema's $id.
const UsersURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/users.schema.json"

// Apply is the JSON Schema of apply --format json.
//
//go:embed apply.schema.json
var Apply []byte

// ApplyURL is the apply report schema's $id.
const ApplyURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/apply.schema.json"

// Delivery is the JSON Schema of the delivery-health reports (failures,
// logs, retry and republish with --format json).
//
//go:embed delivery.schema.json
var Delivery []byte

// DeliveryURL is the delivery schema's $id.
const DeliveryURL = "https://raw.githubusercontent.com/connectsync/connectsync/main/schema/delivery.schema.json"
