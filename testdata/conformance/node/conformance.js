'use strict';
// Drives a running connectsync DocuSign Connect emulator with DocuSign's
// official Node SDK (docusign-esign), unchanged: JWT grant, userinfo, then
// ConnectApi create, list, get, update, listUsers / getConnectAllUsers
// (every page), delete, the failure log (listEventFailureLogs,
// deleteEventFailureLog, retryEventForEnvelope(s)), the Connect log
// (listEventLogs, getEventLog), the HMAC keys (getConnectSecret,
// createConnectSecret, deleteConnectSecret), and a few error answers. Exits 1 on the first
// failed check. See README.md for how to run it.
//
// Environment (what `connectsync sandbox serve --tls` prints):
//   DOCUSIGN_AUTH_SERVER       https://127.0.0.1:PORT (the SDK always uses https for OAuth)
//   DOCUSIGN_INTEGRATION_KEY   the sandbox integration key
//   DOCUSIGN_USER_ID           the sandbox user
//   DOCUSIGN_PRIVATE_KEY_FILE  the sandbox private key (PEM)
//   NODE_EXTRA_CA_CERTS        the emulator's self-signed certificate
//   CONFORMANCE_NO_CONSENT_USER_ID  optional: a user without consent, to check consent_required

const fs = require('fs');
const docusign = require('docusign-esign');

let checks = 0;
function check(what, ok, detail) {
  checks++;
  if (!ok) {
    const extra = detail === undefined ? '' : ': ' + JSON.stringify(detail);
    throw new Error('check failed: ' + what + extra);
  }
}

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`conformance: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

// apiError runs a call that must fail and returns the HTTP answer.
async function apiError(what, call) {
  try {
    await call();
  } catch (err) {
    check(what + ': the SDK saw an HTTP answer', err.response !== undefined, String(err));
    return err.response;
  }
  check(what + ': the call should have failed', false);
  return undefined;
}

// withResponse calls an SDK method in callback form to see the headers too.
function withResponse(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, (err, data, response) => (err ? reject(err) : resolve({ data, response })));
  });
}

async function main() {
  const authServer = required('DOCUSIGN_AUTH_SERVER');
  const integrationKey = required('DOCUSIGN_INTEGRATION_KEY');
  const userId = required('DOCUSIGN_USER_ID');
  const privateKey = fs.readFileSync(required('DOCUSIGN_PRIVATE_KEY_FILE'));
  const oauthHost = new URL(authServer).host; // the SDK wants the host without scheme

  // --- OAuth: JWT grant and userinfo -------------------------------------
  const api = new docusign.ApiClient();
  api.setOAuthBasePath(oauthHost);
  const scopes = ['signature', 'impersonation'];
  const tokenAnswer = await api.requestJWTUserToken(integrationKey, userId, scopes, privateKey, 3600);
  const token = tokenAnswer.body.access_token;
  check('token', typeof token === 'string' && token.length > 0, tokenAnswer.body);
  check('token_type Bearer', tokenAnswer.body.token_type === 'Bearer', tokenAnswer.body);
  check('expires_in', tokenAnswer.body.expires_in > 0, tokenAnswer.body);

  const wrongKey = await apiError('JWT grant for an unknown integration key', () =>
    api.requestJWTUserToken('00000000-0000-4000-8000-000000000000', userId, scopes, privateKey, 3600));
  check('unknown integration key: 400 invalid_grant', wrongKey.status === 400 && wrongKey.data.error === 'invalid_grant', wrongKey.data);

  const noConsentUser = process.env.CONFORMANCE_NO_CONSENT_USER_ID;
  if (noConsentUser) {
    const consent = await apiError('JWT grant without consent', () =>
      api.requestJWTUserToken(integrationKey, noConsentUser, scopes, privateKey, 3600));
    check('consent_required', consent.status === 400 && consent.data.error === 'consent_required', consent.data);
  }

  const info = await api.getUserInfo(token);
  check('userinfo sub', info.sub === userId, info);
  const account = info.accounts.find((a) => a.isDefault === 'true');
  check('a default account', account !== undefined, info.accounts);
  check('base_uri without /restapi', !account.baseUri.endsWith('/restapi'), account);
  const accountId = account.accountId;

  // setBasePath also derives the OAuth host from the REST host, so set it again.
  api.setBasePath(account.baseUri + '/restapi');
  api.setOAuthBasePath(oauthHost);
  api.addDefaultHeader('Authorization', 'Bearer ' + token);
  const connect = new docusign.ConnectApi(api);

  // --- create --------------------------------------------------------------
  const desired = {
    name: 'conformance-node',
    configurationType: 'custom',
    urlToPublishTo: 'https://hooks.example.com/docusign',
    allUsers: 'true',
    allowEnvelopePublish: 'true',
    deliveryMode: 'SIM',
    eventData: { version: 'restv2.1' },
    events: ['envelope-sent', 'envelope-completed'],
    includeHMAC: 'true',
    userName: 'listener',
    password: 'listener-secret',
  };
  const created = await connect.createConfiguration(accountId, { connectCustomConfiguration: desired });
  const connectId = created.connectId;
  check('connectId is a numeric string', /^[0-9]+$/.test(connectId), created);
  check('flags are strings', created.allowEnvelopePublish === 'true' && created.includeHMAC === 'true' && created.enableLog === 'false', created);
  check('requiresAcknowledgement defaults to "true"', created.requiresAcknowledgement === 'true', created);
  check('events stored', JSON.stringify(created.events) === JSON.stringify(desired.events), created);
  check('password never answered', created.password === undefined, created);

  // --- list, with the rate-limit headers -------------------------------------
  const listed = await withResponse(connect.listConfigurations.bind(connect), accountId);
  const ids = listed.data.configurations.map((c) => c.connectId);
  check('list has the new configuration', ids.includes(connectId), ids);
  check('totalRecords is a string count', listed.data.totalRecords === String(ids.length), listed.data.totalRecords);
  for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-burstlimit-limit', 'x-burstlimit-remaining']) {
    check(h + ' header', /^[0-9]+$/.test(String(listed.response.headers[h])), listed.response.headers);
  }
  check('foreign configurations are listed', listed.data.configurations.some((c) => c.configurationType === 'salesforce'), ids);

  // --- get: the list wrapper with one item ---------------------------------
  const got = await connect.getConfiguration(accountId, connectId);
  check('get answers the list wrapper', got.totalRecords === '1' && got.configurations.length === 1, got);
  check('get answers the configuration', got.configurations[0].name === desired.name, got);

  // --- update: PUT the whole object, connectId in the body -----------------
  const update = Object.assign({}, desired, { connectId, name: 'conformance-node-renamed', enableLog: true });
  const updated = await connect.updateConfiguration(accountId, { connectCustomConfiguration: update });
  check('update answers the stored object', updated.connectId === connectId && updated.name === update.name, updated);
  check('JSON boolean answered as a string', updated.enableLog === 'true', updated);

  // --- users: every page ----------------------------------------------------
  // The SDK turns a JSON null into the string "null" (convertToType String),
  // so a nextUri of null at the last page arrives as "null": page by position.
  const isNull = (v) => v === null || v === undefined || v === 'null';
  const seen = new Set();
  let total = -1;
  for (let start = 0; ; ) {
    const page = await connect.listUsers(accountId, connectId, { count: '50', startPosition: String(start) });
    total = Number(page.totalSetSize);
    check('page startPosition', page.startPosition === String(start), page.startPosition);
    check('allUsersSelected', page.allUsersSelected === 'true', page.allUsersSelected);
    check('previousUri null on the first page only', isNull(page.previousUri) === (start === 0), page.previousUri);
    for (const u of page.users) seen.add(u.userId);
    const size = Number(page.resultSetSize);
    check('resultSetSize matches users', size === page.users.length && size > 0, page.resultSetSize);
    start += size;
    check('nextUri null on the last page only', isNull(page.nextUri) === (start >= total), page.nextUri);
    if (start >= total) break;
  }
  check('users span several pages', total > 50, total);
  check('every user seen once', seen.size === total, { seen: seen.size, total });

  const all = await connect.getConnectAllUsers(accountId, connectId, { count: '10' });
  check('all users: isIncluded', all.users.length === 10 && all.users.every((u) => u.isIncluded === 'true'), all.users);

  // --- delete ---------------------------------------------------------------
  await connect.deleteConfiguration(accountId, connectId);
  const gone = await apiError('get after delete', () => connect.getConfiguration(accountId, connectId));
  check('deleted: 400 with an errorCode', gone.status === 400 && typeof gone.data.errorCode === 'string', gone.data);
  const after = await connect.listConfigurations(accountId);
  check('list no longer has it', !(after.configurations || []).some((c) => c.connectId === connectId), after);

  // --- delivery health: the failure log, the retry queue, the Connect log ------
  // The sandbox's Acme (the default account) has two failed posts of its
  // legacy webhook; Globex has two Connect log entries.
  const weekAgo = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
  const failureLog = await connect.listEventFailureLogs(accountId, { fromDate: weekAgo });
  const failures = failureLog.failures || [];
  check('listEventFailureLogs: two failures', failures.length === 2 && failureLog.totalRecords === '2', failureLog);
  for (const f of failures) {
    check('failure: ids and counts are strings', /^[0-9a-f-]{36}$/.test(f.envelopeId) && /^[0-9a-f-]{36}$/.test(f.failureId) &&
      /^[0-9]+$/.test(f.retryCount) && /^[0-9]+$/.test(f.connectId), f);
    check('failure: UTC dates, listener and error', /Z$/.test(f.created) && /Z$/.test(f.lastTry) && f.configUrl && f.error, f);
  }
  const before = await connect.listEventFailureLogs(accountId, { toDate: weekAgo });
  check('an empty failure log: totalRecords "0"', before.totalRecords === '0' && !(before.failures && before.failures.length), before);

  const deleted = await connect.deleteEventFailureLog(accountId, failures[0].failureId);
  check('deleteEventFailureLog answers an object', typeof deleted === 'object' && deleted !== null, deleted);
  const retried = await connect.retryEventForEnvelope(accountId, failures[1].envelopeId);
  check('retryEventForEnvelope: queued', retried.retryQueue.length === 1 && retried.retryQueue[0].envelopeId === failures[1].envelopeId &&
    retried.retryQueue[0].status === 'Success' && retried.retryQueue[0].configId === failures[1].connectId, retried);
  const emptied = await connect.listEventFailureLogs(accountId);
  check('failure log empty after the delete and the retry', emptied.totalRecords === '0', emptied);

  const neverFailed = '00000000-0000-4000-8000-000000000001';
  const refused = await connect.retryEventForEnvelopes(accountId, { connectFailureFilter: { envelopeIds: [neverFailed], synchronous: 'false' } });
  check('retryEventForEnvelopes: an envelope that never failed is refused', refused.retryQueue.length === 1 &&
    refused.retryQueue[0].envelopeId === neverFailed && refused.retryQueue[0].status === 'Failed' && refused.retryQueue[0].statusMessage, refused);
  const sync = await apiError('synchronous retry', () =>
    connect.retryEventForEnvelopes(accountId, { connectFailureFilter: { envelopeIds: [neverFailed], synchronous: 'true' } }));
  check('synchronous must be false: 400 INVALID_REQUEST_PARAMETER', sync.status === 400 && sync.data.errorCode === 'INVALID_REQUEST_PARAMETER', sync.data);

  const globex = info.accounts.find((a) => a.accountName === 'Globex Sandbox');
  check('Globex is reachable', globex !== undefined, info.accounts);
  const logs = await connect.listEventLogs(globex.accountId, { fromDate: weekAgo });
  check('listEventLogs: two entries without the debug log', logs.totalRecords === '2' && logs.logs.length === 2 &&
    logs.logs.every((l) => /^[0-9a-f-]{36}$/.test(l.logId) && l.connectDebugLog === undefined && l.status), logs);
  const entry = await connect.getEventLog(globex.accountId, logs.logs[0].logId, { additionalInfo: 'true' });
  check('getEventLog', entry.logId === logs.logs[0].logId && entry.envelopeId === logs.logs[0].envelopeId, entry);

  // --- HMAC keys: getConnectSecret, createConnectSecret, deleteConnectSecret --
  // DocuSign documents no answer body (the SDK returns none): the emulator
  // answers {"secrets": [...]} like the Admin API, read from the response.
  const keysListed = await withResponse(connect.getConnectSecret.bind(connect), globex.accountId);
  const keysBefore = keysListed.response.data.secrets;
  check('getConnectSecret: 200, Globex\'s key truncated', keysListed.response.status === 200 && Array.isArray(keysBefore) &&
    keysBefore.length === 1 && /^.{4}\.\.\.$/.test(keysBefore[0]), keysListed.response.data);
  const keyMade = await withResponse(connect.createConnectSecret.bind(connect), globex.accountId);
  const keysNow = keyMade.response.data.secrets;
  check('createConnectSecret: 201, the new key whole and last', keyMade.response.status === 201 && keysNow.length === 2 &&
    /^[A-Za-z0-9+/]{43}=$/.test(keysNow[1]) && keysNow[0] === keysBefore[0], keyMade.response.status);
  const keyDeleted = await withResponse(connect.deleteConnectSecret.bind(connect), globex.accountId, '1');
  check('deleteConnectSecret: 200', keyDeleted.response.status === 200, keyDeleted.response.status);
  const keysAfter = (await withResponse(connect.getConnectSecret.bind(connect), globex.accountId)).response.data.secrets;
  check('keyId is the 1-based index: the new key moved up', keysAfter.length === 1 && keysAfter[0] === keysNow[1].slice(0, 4) + '...', keysAfter);
  const noSuchKey = await apiError('delete a key that does not exist', () => connect.deleteConnectSecret(globex.accountId, '9'));
  check('no key 9: 400 CONNECT_HMAC_KEY_NOT_FOUND', noSuchKey.status === 400 && noSuchKey.data.errorCode === 'CONNECT_HMAC_KEY_NOT_FOUND', noSuchKey.data);

  // --- DocuSign's error bodies ------------------------------------------------
  const invalid = await apiError('create without a name', () =>
    connect.createConfiguration(accountId, { connectCustomConfiguration: { configurationType: 'custom' } }));
  check('validation: 400 errorDetails', invalid.status === 400 && invalid.data.errorCode && invalid.data.message, invalid.data);

  const badToken = new docusign.ApiClient();
  badToken.setBasePath(account.baseUri + '/restapi');
  badToken.addDefaultHeader('Authorization', 'Bearer not-a-token');
  const unauthorized = await apiError('bad token', () => new docusign.ConnectApi(badToken).listConfigurations(accountId));
  check('bad token: 401 USER_AUTHENTICATION_FAILED', unauthorized.status === 401 && unauthorized.data.errorCode === 'USER_AUTHENTICATION_FAILED', unauthorized.data);

  console.log(`conformance: ${checks} checks passed against ${account.baseUri} with docusign-esign ${require('docusign-esign/package.json').version}`);
}

main().catch((err) => {
  const detail = err.response ? ` (HTTP ${err.response.status}: ${JSON.stringify(err.response.data)})` : '';
  console.error(`conformance: ${err.message}${detail}`);
  process.exit(1);
});
