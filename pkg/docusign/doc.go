// Package docusign is a client for the DocuSign eSignature REST API v2.1
// Connect endpoints: account-level webhook configurations, and their delivery
// health: the failure log, the Connect log, the retry queue and historical
// republish.
// https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/
// https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectevents/
//
// One Client serves any number of accounts. For each call it:
//
//   - finds the account's base URI: Options.BaseURI, then Options.AccountBaseURIs,
//     then the OAuth userinfo answer (fetched once and cached);
//   - waits for a per-account limiter that stays under DocuSign's burst limit
//     and stops before sending when the hourly budget is known to be spent;
//   - gets a bearer token from Options.Auth (StaticToken or a JWTConfig grant,
//     cached and shared by all accounts);
//   - retries 429, rate-limit error codes, 5xx and connection errors with
//     exponential backoff and full jitter, except that a POST is retried only
//     when DocuSign certainly did not process it (see IsOutcomeUnknown);
//   - turns every failure into a typed error (*APIError, *RateLimitError,
//     *OutcomeUnknownError, *OAuthError, *ConsentRequiredError) whose message
//     says what to do.
//
// Options.Debug receives one trace block per HTTP attempt with every secret
// redacted. Nothing else is ever printed.
//
// Plain http:// is accepted only for loopback hosts (an emulator on
// 127.0.0.1), never for DocuSign itself, and TLS verification is never turned off.
package docusign
