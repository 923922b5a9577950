// Package emulator is connectsync's DocuSign Connect emulator (the
// "sandbox"): an http.Handler that behaves like DocuSign's eSignature REST
// API v2.1 for account-level Connect configurations, and like DocuSign's
// OAuth server for the JWT grant, as ../../testdata/reference describes them.
// It is shaped after DocuSign, never after connectsync's client, and imports
// no other connectsync package but pkg/connectevent, so the two cannot
// quietly agree on something the real API would not do. pkg/connectevent is
// DocuSign's message format only (the payloads of Connect posts and their
// HMAC signatures), a leaf of the standard library checked against
// DocuSign's samples: the sandbox's deliveries and `connectsync probe` both
// write posts with it, so they cannot drift apart. TestImportsOnlyTheFormat
// keeps that rule.
//
// # Endpoints
//
// At one host (the OAuth host and every account's base URI):
//
//	GET    /restapi/v2.1/accounts/{accountId}/connect                        list: {"configurations":[...],"totalRecords":"N"}
//	POST   /restapi/v2.1/accounts/{accountId}/connect                        create: 201 + the stored configuration
//	PUT    /restapi/v2.1/accounts/{accountId}/connect                        update (connectId in the body): 200 + stored
//	GET    /restapi/v2.1/accounts/{accountId}/connect/{connectId}            the list wrapper with one item
//	DELETE /restapi/v2.1/accounts/{accountId}/connect/{connectId}            200, empty body (Content-Length: 0)
//	GET    /restapi/v2.1/accounts/{accountId}/connect/{connectId}/users      integratedUserInfoList, paginated
//	GET    /restapi/v2.1/accounts/{accountId}/connect/{connectId}/all/users  integratedConnectUserInfoList, paginated
//	GET    /restapi/v2.1/accounts/{accountId}/connect/failures               connectLogs {"failures":[...],"totalRecords":"N"} (from_date, to_date)
//	DELETE /restapi/v2.1/accounts/{accountId}/connect/failures/{failureId}   200 {} ("all" empties the failure log)
//	GET    /restapi/v2.1/accounts/{accountId}/connect/logs                   connectLogs {"logs":[...],"totalRecords":"N"} (from_date, to_date)
//	DELETE /restapi/v2.1/accounts/{accountId}/connect/logs                   200, empty body (every entry)
//	GET    /restapi/v2.1/accounts/{accountId}/connect/logs/{logId}           connectLog; connectDebugLog only with additional_info=true
//	DELETE /restapi/v2.1/accounts/{accountId}/connect/logs/{logId}           200, empty body
//	PUT    /restapi/v2.1/accounts/{accountId}/connect/envelopes/retry_queue  connectFailureFilter → connectFailureResults
//	PUT    /restapi/v2.1/accounts/{accountId}/connect/envelopes/{envelopeId}/retry_queue  connectFailureResults
//	POST   /restapi/v2.1/accounts/{accountId}/connect/envelopes/publish/historical        201 envelopePublishTransaction
//	GET    /restapi/v2.1/accounts/{accountId}/connect/secret                 200 {"secrets":["Vc2r...", ...]} (HMAC keys, truncated)
//	POST   /restapi/v2.1/accounts/{accountId}/connect/secret                 201 {"secrets":[..., "<new key in full>"]}
//	DELETE /restapi/v2.1/accounts/{accountId}/connect/secret/{keyId}         200, empty body (keyId: 1-based index)
//	POST   /oauth/token                                                      JWT grant
//	GET    /oauth/userinfo                                                   userinfo
//	POST   /connectsync/sandbox/accounts/{accountId}/publish                 the sandbox's own: deliver an event (no token)
//
// {accountId} is the account GUID (any letter case) or its external account
// number. DocuSign's other Connect endpoints (oauth, mobile_notifiers)
// answer 501 NOT_IMPLEMENTED_BY_EMULATOR; other paths 404
// RESOURCE_NOT_FOUND; a wrong method 405 METHOD_NOT_ALLOWED.
//
// Answers with a body are application/json; charset=utf-8. Every flag is a
// string "true"/"false"; every count is a string. A stored configuration is
// answered with DocuSign's defaults filled in exactly as the recorded real
// calls show (testdata/nango-*.json): 29 keys always present,
// requiresAcknowledgement "true", every other flag "false", deliveryMode "",
// soapNamespace "", envelopeEvents and recipientEvents [], eventData
// {"version":"","includeData":[]}; userIds, groupIds, events, userName,
// password, the Salesforce fields, sfObjects, oAuthConfiguration and
// disabledBy are absent unless set. connectId is a server-generated numeric
// string, unique across accounts.
//
// # Requests
//
// Flags may be sent as JSON booleans or as strings in any letter case ("" or
// null means not sent); they are always answered as lower-case strings.
// envelopeEvents, recipientEvents, events and deliveryMode are stored as
// sent. Write-only secrets (password, salesforceAuthcode,
// oAuthConfiguration.clientSecret) are stored but never answered; tests read
// them with StoredSecret.
//
// Validation on create and update, first failure wins, each a 400:
//   - name is required (CONNECT_NAME_REQUIRED);
//   - configurationType is required (CONNECT_CONFIGURATION_TYPE_REQUIRED) and is
//     exactly custom, customrecipient, salesforce or eOriginal
//     (INVALID_CONNECT_CONFIGURATION_TYPE); a create only makes custom and
//     customrecipient ones (DocuSign's create page lists only those two;
//     Salesforce and eOriginal configurations come from their products);
//   - for custom and customrecipient: urlToPublishTo is required
//     (CONNECT_URL_REQUIRED) and an absolute http or https URL (INVALID_CONNECT_URL;
//     http is accepted, as accounts hold plain-http listeners), and allUsers
//     "false" needs a non-empty userIds or groupIds (CONNECT_USERS_REQUIRED:
//     the OAS says "userIds required when allUsers is false", and accounts
//     hold configurations with groupIds alone);
//   - deliveryMode is "", SIM or Aggregate in any letter case (INVALID_CONNECT_DELIVERY_MODE);
//   - events are the OAS's JSON SIM names, exactly (lower case); envelopeEvents
//     and recipientEvents are the documented statuses in any letter case
//     (INVALID_CONNECT_EVENT);
//   - eventData.version is "", legacy or restv2.1; format json or xml, json only
//     with restv2.1; includeData values from the OAS list plus prefill_tabs
//     (INVALID_CONNECT_EVENT_DATA).
//
// A malformed body, a wrong JSON type or a flag that is not a boolean answers
// 400 INVALID_REQUEST_BODY.
//
// # Choices where the reference says UNCONFIRMED
//
// Where DocuSign's behaviour is not known, the emulator does what is least
// kind to a client, so a client that copes with the emulator copes with
// DocuSign:
//
//   - PUT replaces. Every field the PUT body leaves out goes back to its
//     default; an omitted password, userName, userIds or oAuthConfiguration
//     is cleared. Send the whole object with every update.
//   - PUT needs connectId in the body (CONNECT_ID_REQUIRED) and validates like a
//     create, so name and configurationType are required on every update.
//   - connectId, integratorManaged and disabledBy are server-set: ignored in a
//     create (a new configuration is never integrator-managed) and kept from
//     the stored configuration on an update.
//   - Duplicate names in one account are allowed: DocuSign identifies a
//     configuration by connectId only.
//   - Unknown request fields are ignored, and field names match without
//     regard to letter case (DocuSign's .NET binding plausibly does both; an
//     EX sample sends IncludeHMAC).
//   - userIds are not checked against the account's users: unknown ids are
//     stored and simply cover no one.
//   - An account with no configurations lists as {"totalRecords":"0"}, with no
//     configurations key, as DocuSign commonly omits empty lists.
//   - Integrator-managed and Salesforce configurations can be updated and
//     deleted like any other; keeping away from them is the client's job.
//   - /users lists the users the configuration covers (all with allUsers, all
//     but userIds with allUsersExcept, userIds otherwise); list_included_users
//     is accepted and ignored. count defaults to DefaultUsersCount (100); a
//     larger count is lowered to MaxUsersCount (100); count < 1 or a negative
//     start_position answers 400 INVALID_REQUEST_PARAMETER. nextUri and
//     previousUri are relative to /restapi and null at the ends. An empty page
//     has users [] and endPosition = startPosition.
//   - Rate limiting: 429 by default (Limits.ExceededStatus = 400 imitates
//     DocuSign answering the code with 400), body
//     {"errorCode":"HOURLY_APIINVOCATION_LIMIT_EXCEEDED"|"BURST_APIINVOCATION_LIMIT_EXCEEDED","message":...},
//     no Retry-After. The burst window slides. Every REST call to an existing
//     account counts and carries the rate-limit headers, failed ones
//     included, except those refused by the limit itself (which carry them
//     too). Calls naming an unknown account and OAuth calls are not limited
//     and carry no rate-limit headers.
//   - Tokens are opaque, kept in memory only (a restart revokes them), and
//     checked on every call. JWT assertions get no clock leeway, and must
//     carry iat and exp.
//
// Delivery health (the failure log, the Connect log, the retry queue and
// historical republish; docs/docusign-fidelity.md has the client's side):
//
//   - Entries are connectLog objects: every value a string, dates in UTC
//     with seven fractional digits (WireTime, as .NET writes them), empty
//     values left out; failureId and logId are GUIDs. Lists are oldest
//     first; an empty list is {"totalRecords":"0"} with no list key.
//   - from_date and to_date filter on created, both ends included. They
//     accept ISO 8601 with or without offset and fraction, a bare date
//     (midnight UTC, as .NET reads it) and the US form; anything else, or
//     from_date after to_date, answers 400 INVALID_REQUEST_PARAMETER. No
//     to_date means now.
//   - The Connect log keeps the MaxLogEntries (100) most recent entries for
//     LogRetention (15 days), as DocuSign's descriptions say; RecordLog
//     records nothing for a configuration with enableLog off. The failure
//     log keeps every entry until it is retried or deleted; a second failure
//     of one envelope through one configuration updates its entry (lastTry,
//     retryCount, error).
//   - The retry queue answers each listed envelope once: one result per
//     failure it had, status "Success" (configId and configUrl set); the
//     failure leaves the log and is delivered again before the answer (at
//     DocuSign the queue works later), as the event it failed with, with
//     retryCount one more: a post that fails again is back in the log. An
//     envelope with no failure, or an id that is not a GUID, is refused with
//     status "Failed". synchronous must be absent or
//     false (400 INVALID_REQUEST_PARAMETER); no envelopeIds answers 400
//     INVALID_REQUEST_BODY. The status strings are the emulator's own.
//   - Historical republish validates config like a create and also refuses
//     configurationType salesforce or eOriginal
//     (INVALID_CONNECT_CONFIGURATION_TYPE) and anything but
//     eventData.version restv2.1 with JSON (INVALID_CONNECT_EVENT_DATA),
//     since DocuSign says it sends JSON only; every envelope must be a GUID
//     (INVALID_REQUEST_PARAMETER, naming it). The batch is stored (with the
//     listener's basic-auth credentials, which a delivery needs) and
//     answered 201 with processingStatus "processing".
//   - Unknown failureId or logId: 400 CONNECT_FAILURE_NOT_FOUND or
//     CONNECT_LOG_NOT_FOUND (emulator's codes).
//   - RecordFailure and RecordLog write posts to the logs (the delivery
//     engine uses them, and tests); seeds can hold both (SeedAccount.Failures, .Logs).
//
// HMAC keys (connect_secret.go): DocuSign documents no answer body
// (UNCONFIRMED). The emulator answers the shape of DocuSign's Admin API for
// organization secrets, {"secrets": [strings]}: GET each key truncated to
// its first 4 characters and "...", POST (201) the same list with the new
// key in full, last. A key is 32 random bytes in base64 (44 characters, as
// DocuSign's look). DELETE's keyId is the 1-based index (DocuSign's docs);
// later keys move up; an index past the end is 400
// CONNECT_HMAC_KEY_NOT_FOUND, one that is not a positive number 400
// INVALID_REQUEST_PARAMETER. There is no limit on the number of keys.
//
// # The sandbox delivers
//
// Publish (and its endpoint above; connectsync sandbox publish) sends an
// event through every configuration of the account that would send it:
// custom and customrecipient, allowEnvelopePublish on, not paused or
// disabledBy; the event in events (JSON SIM) or its sentence-case status in
// envelopeEvents/recipientEvents (other models; lower-case values do not
// fire, the least kind reading); the sender (custom) or the signer
// (customrecipient) covered as /users lists them (groups are not modelled,
// so groupIds cover nobody). Each post is written by pkg/connectevent in
// the configuration's data model with its includeData, basic auth from
// userName and the stored password, and with includeHMAC one
// X-DocuSign-Signature per account key. Posts go to loopback listeners only
// unless DeliverOptions.AllowRemote; others are skipped, recording nothing.
// A 2xx answer is delivered; anything else (or no answer within
// DeliverOptions.Timeout, 10 s by default) fails, worded as DocuSign's log
// words it ("The remote server returned an error: (503) Service
// Unavailable.", "The operation has timed out", "Unable to connect to the
// remote server"), and with requiresAcknowledgement is recorded in the
// failure log. With enableLog every post is logged, its payload in the
// debug log. A redirect is not followed (it fails).
//
// # Errors
//
// REST errors are {"errorCode": ..., "message": ...}. The checks run in this
// order on every Connect call:
//
//	401 USER_AUTHENTICATION_FAILED                   missing, unknown or expired token (DocuSign's code)
//	400 USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT    unknown account, or the user is not an (active) member of it;
//	                                                 the two answer alike (the emulator's choice: the reference names no code)
//	400 ACCOUNT_LACKS_PERMISSIONS                    Connect is disabled on the account; the message says so
//	                                                 (DocuSign's code; pairing it with Connect disabled is UNCONFIRMED)
//	403 USER_LACKS_PERMISSIONS                       the user is not an account administrator (DocuSign's code;
//	                                                 403 as one third-party test saw on a Connect create)
//
// and then the endpoint's own: 400 CONNECT_CONFIGURATION_NOT_FOUND for an
// unknown connectId (emulator's), the validation codes above (emulator's),
// 400 INVALID_REQUEST_BODY and INVALID_REQUEST_PARAMETER. The rate limit is
// checked before all of them. A change that cannot be written to the state
// file answers 500 UNSPECIFIED_ERROR and is rolled back.
//
// OAuth errors are {"error": ..., "error_description": ...} with 400:
// invalid_request (no assertion), unsupported_grant_type, invalid_grant
// (descriptions issuer_not_found, no_valid_keys_or_signatures, expired
// assertion, invalid audience, user_not_found, iat is required), invalid_scope
// (scope lacks signature or impersonation) and consent_required (DocuSign's,
// reference §8). userinfo with a bad token answers 401 {"error":"invalid_token"}.
//
// # Seed and state
//
// A new emulator starts from Options.Seed, or DefaultSeed: the accounts
// AccountAcme (the sandbox user's default; 242 users, three pages; a
// Salesforce, an integrator-managed and an ordinary custom configuration,
// whose listener is down: two posts in the failure log),
// AccountGlobex (a customrecipient configuration for three users with a
// password, a JSON SIM one with an OAuth client secret and includeHMAC;
// two Connect log entries; one HMAC key, GlobexHMACKey), AccountInitech
// (Connect disabled), AccountUmbrella (sandbox user not an administrator)
// and AccountHooli (sandbox user not a member); users SandboxUserID (consent
// given) and NoConsentUserID (administrator of Acme, no consent). The
// built-in integration SandboxIntegrationKey is always present; its key pair
// is generated with a new state and kept in it (SandboxCredentials). A seed
// file is JSON in the Seed type's shape: see testdata/seed.example.json.
//
// With Options.StatePath the state is a JSON file, loaded if it exists and
// otherwise created from the seed, and rewritten atomically after every
// change (temporary file in the same directory, fsync, rename), mode 0600
// since it holds the secrets. Without it the state is in memory.
//
// # Use
//
// In-process (connectsync's --sandbox, tests):
//
//	srv, err := emulator.Start(emulator.Options{StatePath: ".connectsync/sandbox.json"})
//	defer srv.Close()
//	srv.Emulator.EnsureAccount(accountID, "name") // every account named in the files
//	creds := srv.Emulator.SandboxCredentials()     // JWT grant against srv.URL
//
// As a server, `connectsync sandbox serve` calls Serve, which prints the
// environment for connectsync and the DocuSign SDKs. StartTLS and
// ServeConfig.TLS serve HTTPS with a self-signed certificate, because the
// SDKs hard-code https:// for the OAuth host.
//
// # Faults and counters
//
// Options.Faults, SetLatency, AddFault and ClearFaults inject latency, errors
// before or after a change is stored, dropped connections and slow answers
// (see FaultRule); Calls, CallCounts and ResetCalls count requests per route.
package emulator
