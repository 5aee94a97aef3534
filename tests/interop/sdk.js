// tests/interop/sdk.js: drives a running patrol (through lighttpd) with the
// official SailPoint TypeScript SDK, sailpoint-api-client, used unchanged:
// the SDK fetches its token itself (multipart POST to /oauth/token) and
// calls the beta API the way a SailPoint integration would: it lists,
// creates, patches and deletes PATs and reads and writes the Duo
// configuration.
//
// Prints TAP test lines numbered from $TAP_START + 1 and, unless
// $TAP_NO_PLAN is set, the plan at the end. Exits 1 if a test failed.
//
// Environment: PATROL_BASE (http://127.0.0.1:PORT), ADMIN_ID, ADMIN_PAT_ID,
// ADMIN_PAT_SECRET, UNUSED_PAT_ID (a PAT of the same owner never used),
// SCOPED_PAT_ID / SCOPED_PAT_SECRET (scope sp:my-personal-access-tokens:read).
'use strict';

const {
  Configuration,
  PersonalAccessTokensBetaApi,
  MFAConfigurationBetaApi,
} = require('sailpoint-api-client');

const { env, ok, is, count, anyFailed } = require('./tap.js');

const base = env('PATROL_BASE');
const adminId = env('ADMIN_ID');
const patId = env('ADMIN_PAT_ID');
const patSecret = env('ADMIN_PAT_SECRET');
const unusedId = env('UNUSED_PAT_ID');
const scopedId = env('SCOPED_PAT_ID');
const scopedSecret = env('SCOPED_PAT_SECRET');

const TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ID_RE = /^[0-9a-f]{32}$/;

// The request example of setMFADuoConfig in the spec, and its response.
const DUO_EXAMPLE = {
  mfaMethod: 'duo-web',
  enabled: true,
  host: 'www.example.com',
  accessKey: 'qw123Y3QlA5UqocYpdU3rEkzrK2D497y',
  identityAttribute: 'email',
  configProperties: {
    skey: '12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B',
    ikey: 'Q123WE45R6TY7890ZXCV',
  },
};
const DUO_MASKED = {
  mfaMethod: 'duo-web',
  enabled: true,
  host: 'www.example.com',
  accessKey: 'q******y',
  identityAttribute: 'email',
  configProperties: { skey: '1******B', ikey: 'Q123WE45R6TY7890ZXCV' },
};

function sdkConfig(clientId, clientSecret) {
  return new Configuration({
    baseurl: base,
    clientId,
    clientSecret,
    tokenUrl: `${base}/oauth/token`,
  });
}

// Sorted-key JSON, to compare objects whatever the key order.
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k]);
    return o;
  }
  return v;
}

async function expectError(promise, name) {
  try {
    const r = await promise;
    ok(false, name, `resolved with status ${r && r.status}`);
    return null;
  } catch (e) {
    ok(true, name);
    return e;
  }
}

async function main() {
  const config = sdkConfig(patId, patSecret);
  const pats = new PersonalAccessTokensBetaApi(config);
  const mfa = new MFAConfigurationBetaApi(config);

  // The token, as the SDK fetched it.
  const token = await config.accessToken;
  ok(typeof token === 'string' && token.split('.').length === 3,
    'the SDK got an access token (multipart POST to /oauth/token)', token);

  // listPersonalAccessTokens with the spec's filter example shape.
  let r = await pats.listPersonalAccessTokens({
    ownerId: 'me',
    filters: 'lastUsed le 2099-01-01T00:00:00.000Z',
  });
  is(r.status, 200, "listPersonalAccessTokens({ownerId:'me', filters:'lastUsed le ...'}): 200");
  ok(/^application\/json/.test(r.headers['content-type']),
    'JSON content type', r.headers['content-type']);
  ok(Array.isArray(r.data), 'an array', JSON.stringify(r.data));
  is(r.data.map((p) => p.id), [patId],
    'lastUsed le 2099: only the PAT the SDK just used');
  const p = r.data[0] || {};
  is(Object.keys(p).sort(),
    ['accessTokenValiditySeconds', 'created', 'expirationDate', 'id',
      'lastUsed', 'managed', 'name', 'owner', 'scope'],
    'GetPersonalAccessTokenResponse fields');
  ok(ID_RE.test(p.id), 'id is 32 hex', p.id);
  is(p.name, 'sdk-main', 'name');
  is(p.scope, null, 'scope null (never set)');
  is(p.owner, { type: 'IDENTITY', id: adminId, name: 'SDK Admin' },
    'owner {type: IDENTITY, id, name}');
  ok(TIME_RE.test(p.created), 'created down to the millisecond', p.created);
  ok(TIME_RE.test(p.lastUsed), 'lastUsed set by the token request', p.lastUsed);
  ok(Math.abs(Date.parse(p.lastUsed) - Date.now()) < 120000,
    'lastUsed is about now', p.lastUsed);
  is(p.managed, false, 'managed false');

  r = await pats.listPersonalAccessTokens({ ownerId: 'me' });
  is(r.status, 200, "listPersonalAccessTokens({ownerId:'me'}): 200");
  is(r.data.map((x) => x.id), [patId, unusedId, scopedId],
    'without filters: every PAT of the caller, in creation order');
  const unused = r.data.find((x) => x.id === unusedId) || {};
  is(unused.lastUsed, null, 'a PAT never used has lastUsed null');
  const scoped = r.data.find((x) => x.id === scopedId) || {};
  is(scoped.scope, ['sp:my-personal-access-tokens:read'], 'scope as an array');

  r = await pats.listPersonalAccessTokens({ ownerId: 'me', filters: 'lastUsed isnull' });
  is(r.data.map((x) => x.id), [unusedId, scopedId], "filters: 'lastUsed isnull'");

  r = await pats.listPersonalAccessTokens({
    ownerId: adminId,
    filters: 'not lastUsed isnull or (lastUsed le 2000-01-01T00:00:00Z)',
  });
  is(r.data.map((x) => x.id), [patId], 'ownerId <own id> with not/or/parentheses');

  r = await pats.listPersonalAccessTokens();
  is(r.status, 200, 'listPersonalAccessTokens() without parameters (ORG_ADMIN): 200');
  ok(r.data.length >= 3, 'lists every PAT', r.data.length);

  let e = await expectError(
    pats.listPersonalAccessTokens({ ownerId: 'me', filters: 'name eq "sdk-main"' }),
    'an unsupported filter field is rejected');
  is(e && e.response && e.response.status, 400, 'unsupported filter field: 400');
  const env400 = (e && e.response && e.response.data) || {};
  is(env400.detailCode, '400.1 Bad Request Content', 'error envelope detailCode');
  ok(ID_RE.test(env400.trackingId || ''), 'error envelope trackingId', env400.trackingId);
  ok(Array.isArray(env400.messages) && env400.messages[0] &&
      env400.messages[0].locale === 'en-US' &&
      env400.messages[0].localeOrigin === 'DEFAULT' &&
      /name/.test(env400.messages[0].text),
    'error envelope messages[0] names the field', JSON.stringify(env400.messages));

  // Duo configuration.
  r = await mfa.getMFADuoConfig();
  is(r.status, 200, 'getMFADuoConfig() before any set: 200');
  is(canon(r.data), canon({
    mfaMethod: 'duo-web', enabled: false, host: null, accessKey: null,
    identityAttribute: null, configProperties: null,
  }), 'the default configuration');

  r = await mfa.setMFADuoConfig({ mfaDuoConfigBeta: DUO_EXAMPLE });
  is(r.status, 200, 'setMFADuoConfig(spec example): 200');
  is(canon(r.data), canon(DUO_MASKED),
    'set returns the spec response example (q******y, 1******B, ikey unchanged)');

  r = await mfa.getMFADuoConfig();
  is(r.status, 200, 'getMFADuoConfig(): 200');
  is(canon(r.data), canon(DUO_MASKED), 'get returns the masked configuration');

  // Read, modify, write back: the masked secrets keep the stored ones.
  const edited = { ...r.data, enabled: false, host: 'api-1234.duosecurity.com' };
  r = await mfa.setMFADuoConfig({ mfaDuoConfigBeta: edited });
  is(r.status, 200, 'setMFADuoConfig(get result, edited): 200');
  is(canon(r.data), canon({ ...DUO_MASKED, enabled: false, host: 'api-1234.duosecurity.com' }),
    'read-modify-write: edits applied, secrets still masked the same way');

  e = await expectError(
    mfa.setMFADuoConfig({ mfaDuoConfigBeta: { ...DUO_EXAMPLE, enabled: 'yes' } }),
    'a wrong type is rejected');
  is(e && e.response && e.response.status, 400, 'wrong type: 400');
  ok(/enabled/.test(JSON.stringify(e && e.response && e.response.data)),
    'wrong type: the message names the field',
    JSON.stringify(e && e.response && e.response.data));

  // A PAT scoped to listing its own PATs may list but not read MFA.
  const sconf = sdkConfig(scopedId, scopedSecret);
  r = await new PersonalAccessTokensBetaApi(sconf).listPersonalAccessTokens({ ownerId: 'me' });
  is(r.status, 200, 'scoped PAT: list 200');
  e = await expectError(new MFAConfigurationBetaApi(sconf).getMFADuoConfig(),
    'scoped PAT: getMFADuoConfig rejected');
  is(e && e.response && e.response.status, 403, 'scoped PAT: 403');
  is(e && e.response && e.response.data && e.response.data.detailCode, '403 Forbidden',
    'scoped PAT: 403 envelope');

  // createPersonalAccessToken: the caller owns it, the secret shown once.
  r = await pats.createPersonalAccessToken({
    createPersonalAccessTokenRequestBeta: {
      name: 'sdk-created',
      scope: ['sp:my-personal-access-tokens:read'],
      accessTokenValiditySeconds: 600,
    },
  });
  is(r.status, 200, 'createPersonalAccessToken: 200');
  const created = r.data || {};
  is(Object.keys(created).sort(),
    ['accessTokenValiditySeconds', 'created', 'expirationDate', 'id', 'name',
      'owner', 'scope', 'secret'],
    'CreatePersonalAccessTokenResponse fields (and expirationDate)');
  ok(ID_RE.test(created.id), 'created: id is 32 hex', created.id);
  ok(/^[0-9a-f]{64}$/.test(created.secret), 'created: a 64-hex secret');
  is(created.name, 'sdk-created', 'created: name');
  is(created.scope, ['sp:my-personal-access-tokens:read'], 'created: scope');
  is(created.owner, { type: 'IDENTITY', id: adminId, name: 'SDK Admin' },
    'created: owned by the caller');
  is(created.accessTokenValiditySeconds, 600, 'created: accessTokenValiditySeconds');
  ok(TIME_RE.test(created.created) && TIME_RE.test(created.expirationDate) &&
      Date.parse(created.expirationDate) - Date.parse(created.created) ===
      182 * 86400 * 1000,
  'created: expires pat.default_expiry (182 days) after its creation',
  `${created.created} ${created.expirationDate}`);

  // The new PAT works with the SDK, within its scope.
  const cconf = sdkConfig(created.id, created.secret);
  const cpats = new PersonalAccessTokensBetaApi(cconf);
  r = await cpats.listPersonalAccessTokens({ ownerId: 'me' });
  is(r.status, 200, 'the created PAT gets a token and lists');
  ok(r.data.some((x) => x.id === created.id), 'and sees itself', JSON.stringify(r.data));

  e = await expectError(pats.createPersonalAccessToken({
    createPersonalAccessTokenRequestBeta: { name: 'sdk-created' },
  }), 'createPersonalAccessToken with a name taken is rejected');
  is(e && e.response && e.response.status, 400, 'name taken: 400');
  ok(/sdk-created/.test(JSON.stringify(e && e.response && e.response.data)),
    'name taken: the message names it', JSON.stringify(e && e.response && e.response.data));
  e = await expectError(pats.createPersonalAccessToken({
    createPersonalAccessTokenRequestBeta: { name: 'x', accessTokenValiditySeconds: 5 },
  }), 'createPersonalAccessToken with a validity of 5 s is rejected');
  is(e && e.response && e.response.status, 400, 'validity 5: 400');

  // patchPersonalAccessToken (the SDK sends application/json-patch+json).
  r = await pats.patchPersonalAccessToken({
    id: created.id,
    jsonPatchOperationBeta: [
      { op: 'replace', path: '/name', value: 'sdk-patched' },
      { op: 'add', path: '/scope/-', value: 'idn:mfa-configuration:read' },
    ],
  });
  is(r.status, 200, 'patchPersonalAccessToken: 200');
  is(Object.keys(r.data).sort(),
    ['accessTokenValiditySeconds', 'created', 'expirationDate', 'id',
      'lastUsed', 'managed', 'name', 'owner', 'scope'],
    'patch returns GetPersonalAccessTokenResponse');
  is([r.data.id, r.data.name], [created.id, 'sdk-patched'], 'patched: name');
  is(r.data.scope, ['sp:my-personal-access-tokens:read', 'idn:mfa-configuration:read'],
    'patched: scope appended to');
  r = await pats.patchPersonalAccessToken({
    id: created.id,
    jsonPatchOperationBeta: [
      { op: 'replace', path: '/name', value: 'New name' },
      { op: 'replace', path: '/scope', value: ['sp:scopes:all'] },
    ],
  });
  is([r.status, r.data.name, r.data.scope], [200, 'New name', ['sp:scopes:all']],
    "patch with the spec's example");

  e = await expectError(pats.patchPersonalAccessToken({
    id: created.id,
    jsonPatchOperationBeta: [
      { op: 'replace', path: '/name', value: 'half-done' },
      { op: 'test', path: '/name', value: 'not this' },
    ],
  }), 'a patch whose test fails is rejected');
  is(e && e.response && e.response.status, 400, 'failed test: 400');
  ok(/operation 1/.test(JSON.stringify(e && e.response && e.response.data)),
    'failed test: the message names operation 1',
    JSON.stringify(e && e.response && e.response.data));
  e = await expectError(pats.patchPersonalAccessToken({
    id: created.id,
    jsonPatchOperationBeta: [{ op: 'replace', path: '/owner', value: { id: 'x' } }],
  }), 'a patch of /owner is rejected');
  is(e && e.response && e.response.status, 400, 'patch /owner: 400');
  r = await pats.listPersonalAccessTokens({ ownerId: 'me' });
  is(r.data.filter((x) => x.id === created.id).map((x) => x.name), ['New name'],
    'the rejected patches changed nothing');
  e = await expectError(pats.patchPersonalAccessToken({
    id: '0123456789abcdef0123456789abcdef', jsonPatchOperationBeta: [],
  }), 'a patch of an unknown id is rejected');
  is(e && e.response && e.response.status, 404, 'unknown id: 404');

  // deletePersonalAccessToken: 204; the deleted PAT's token fails at once.
  r = await pats.deletePersonalAccessToken({ id: created.id });
  is(r.status, 204, 'deletePersonalAccessToken: 204');
  is(r.data, '', '204: no body');
  e = await expectError(pats.deletePersonalAccessToken({ id: created.id }),
    'deleting it again is rejected');
  is(e && e.response && e.response.status, 404, 'deleting it again: 404');
  e = await expectError(cpats.listPersonalAccessTokens({ ownerId: 'me' }),
    "the deleted PAT's token is refused");
  is(e && e.response && e.response.status, 401, "deleted PAT's token: 401");

  // Paging parameters through axios (the SDK has none for this call).
  r = await pats.listPersonalAccessTokens({ ownerId: 'me' },
    { params: { sorters: '-name', limit: 1, offset: 1, count: true } });
  is(r.data.map((x) => x.name), ['sdk-scoped'], 'sorters=-name, limit=1, offset=1');
  is(r.headers['x-total-count'], '3', 'count=true: X-Total-Count');

  // Bad credentials: the SDK cannot get a token, so the call fails.
  const bad = sdkConfig(patId, `${patSecret.slice(0, -1)}x`);
  e = await expectError(
    new PersonalAccessTokensBetaApi(bad).listPersonalAccessTokens({ ownerId: 'me' }),
    'an SDK call with a wrong secret fails');
  ok(e && /401/.test(String(e.message)), 'it fails on the 401 of /oauth/token',
    e && e.message);
  const unknown = sdkConfig('0123456789abcdef0123456789abcdef', patSecret);
  e = await expectError(new MFAConfigurationBetaApi(unknown).getMFADuoConfig(),
    'an SDK call with an unknown client id fails');
  ok(e && /401/.test(String(e.message)), 'unknown client id: 401', e && e.message);
}

const timer = setTimeout(() => {
  ok(false, 'the SDK run finished within 90 seconds');
  finish();
}, 90000);

function finish() {
  clearTimeout(timer);
  if (!process.env.TAP_NO_PLAN) console.log(`1..${count()}`);
  process.exit(anyFailed() ? 1 : 0);
}

main().then(finish, (err) => {
  ok(false, 'the SDK run threw no unexpected error',
    (err && err.response)
      ? `${err.message}: ${err.response.status} ${JSON.stringify(err.response.data)}`
      : (err && err.stack) || String(err));
  finish();
});
