package emulator

import (
	"net/url"
	"slices"
	"strings"
)

// Validation of a configuration on create, update and seed load.
//
// The rules are the ones the reference supports (§3, §4): name and
// configurationType are required, configurationType is one of four values,
// a custom or customrecipient configuration needs a listener URL and either
// allUsers or userIds, and enumerated values must be among the documented
// ones. DocuSign answers one error at a time, so the first failing rule wins.

// Lookup tables are functions, not package variables, so nothing can change them.

// configurationTypes are the documented configurationType values, matched exactly.
func configurationTypes() []string {
	return []string{"custom", "customrecipient", "salesforce", "eOriginal"}
}

// simEvents are the `events` names of the JSON SIM model (OAS list, reference §4).
func simEvents() []string {
	return []string{
		"envelope-sent", "envelope-resent", "envelope-delivered", "envelope-completed", "envelope-declined",
		"envelope-voided", "envelope-corrected", "envelope-purge", "envelope-deleted", "envelope-discard",
		"recipient-sent", "recipient-resent", "recipient-delivered", "recipient-completed", "recipient-declined",
		"recipient-authenticationfailed", "recipient-autoresponded", "recipient-reassign", "recipient-delegate",
		"recipient-finish-later", "template-created", "template-modified", "template-deleted",
		"click-agreed", "click-declined",
	}
}

// envelopeStatuses and recipientStatuses are the legacy/aggregate event values.
// The OAS lists them lower case and newer docs sentence case; the real API
// accepted lower case, so they are matched without regard to case and stored verbatim.
func envelopeStatuses() []string {
	return []string{"sent", "delivered", "completed", "declined", "voided"}
}

func recipientStatuses() []string {
	return []string{"sent", "autoresponded", "delivered", "completed", "declined", "authenticationfailed"}
}

// includeDataValues are the OAS values plus prefill_tabs, which EX's sample uses.
func includeDataValues() []string {
	return []string{
		"attachments", "custom_fields", "documents", "extensions", "folders",
		"payment_tabs", "powerform", "prefill_tabs", "recipients", "tabs",
	}
}

// validate checks c (defaults already filled in) and returns the first problem.
func validate(c *Configuration) *apiError {
	if strings.TrimSpace(c.Name) == "" {
		return badRequest(CodeNameRequired, "The name of the Connect configuration is required.")
	}
	if c.ConfigurationType == "" {
		return badRequest(CodeConfigurationTypeRequired, "configurationType is required: one of %s.", strings.Join(configurationTypes(), ", "))
	}
	if !slices.Contains(configurationTypes(), c.ConfigurationType) {
		return badRequest(CodeInvalidConfigurationType, "Invalid configurationType %q: must be one of %s.", c.ConfigurationType, strings.Join(configurationTypes(), ", "))
	}
	if c.ConfigurationType == "custom" || c.ConfigurationType == "customrecipient" {
		if err := validateListener(c); err != nil {
			return err
		}
	}
	switch strings.ToLower(c.DeliveryMode) {
	case "", "sim", "aggregate":
	default:
		return badRequest(CodeInvalidDeliveryMode, "Invalid deliveryMode %q: must be SIM or Aggregate.", c.DeliveryMode)
	}
	if err := checkValues("events", c.Events, simEvents(), false); err != nil {
		return err
	}
	if err := checkValues("envelopeEvents", c.EnvelopeEvents, envelopeStatuses(), true); err != nil {
		return err
	}
	if err := checkValues("recipientEvents", c.RecipientEvents, recipientStatuses(), true); err != nil {
		return err
	}
	return validateEventData(c.EventData)
}

// validateListener checks what a custom configuration needs to deliver anything.
func validateListener(c *Configuration) *apiError {
	if strings.TrimSpace(c.URLToPublishTo) == "" {
		return badRequest(CodeURLRequired, "urlToPublishTo is required for a %s configuration.", c.ConfigurationType)
	}
	u, err := url.Parse(c.URLToPublishTo)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return badRequest(CodeInvalidURL, "Invalid urlToPublishTo %q: must be an absolute HTTPS URL.", c.URLToPublishTo)
	}
	// The OAS says userIds is required when allUsers is false; accounts
	// hold configurations with groupIds alone, so groups count too.
	if c.AllUsers != True && len(c.UserIDs) == 0 && len(c.GroupIDs) == 0 {
		return badRequest(CodeUsersRequired, "userIds is required when allUsers is false.")
	}
	return nil
}

// checkValues refuses a value that is not in allowed.
func checkValues(field string, values, allowed []string, anyCase bool) *apiError {
	for _, v := range values {
		ok := slices.Contains(allowed, v)
		if anyCase {
			ok = slices.Contains(allowed, strings.ToLower(v))
		}
		if !ok {
			return badRequest(CodeInvalidEvent, "Invalid value %q in %s.", v, field)
		}
	}
	return nil
}

func validateEventData(d *EventData) *apiError {
	version := strings.ToLower(d.Version)
	switch version {
	case "", "legacy", "restv2.1":
	default:
		return badRequest(CodeInvalidEventData, "Invalid eventData.version %q: must be legacy or restv2.1.", d.Version)
	}
	switch strings.ToLower(d.Format) {
	case "", "xml":
	case "json":
		if version != "restv2.1" {
			return badRequest(CodeInvalidEventData, "eventData.format json needs eventData.version restv2.1.")
		}
	default:
		return badRequest(CodeInvalidEventData, "Invalid eventData.format %q: must be json or xml.", d.Format)
	}
	for _, v := range d.IncludeData {
		if !slices.Contains(includeDataValues(), v) {
			return badRequest(CodeInvalidEventData, "Invalid value %q in eventData.includeData.", v)
		}
	}
	return nil
}
