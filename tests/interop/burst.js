// tests/interop/burst.js: the official SailPoint TypeScript SDK
// (sailpoint-api-client, unchanged) in a burst over patrol's per-token rate
// limit (limits.requests_per_token per limits.window_seconds): with the
// SDK's own retry settings (Configuration.retriesConfig, axios-retry) told
// to retry 429 and to wait the Retry-After patrol sends, every call of the
// burst completes; with SailPoint's documented example settings, which
// retry only network errors and 5xx (axios-retry 3.9's default condition),
// the calls over the limit fail with the 429 and its body.
//
// Prints TAP lines numbered from $TAP_START + 1 (no plan). Exits 1 if a
// test failed. Environment: PATROL_BASE, ADMIN_PAT_ID, ADMIN_PAT_SECRET,
// LIMIT (requests per window), WINDOW (seconds).
'use strict';

const {
  Configuration,
  PersonalAccessTokensBetaApi,
  MFAConfigurationBetaApi,
  axiosRetry,
} = require('sailpoint-api-client');

const { env, ok, anyFailed } = require('./tap.js');

const base = env('PATROL_BASE');
const patId = env('ADMIN_PAT_ID');
const patSecret = env('ADMIN_PAT_SECRET');
const limit = Number(env('LIMIT'));
const window = Number(env('WINDOW'));

function sdkConfig() {
  return new Configuration({
    baseurl: base,
    clientId: patId,
    clientSecret: patSecret,
    tokenUrl: `${base}/oauth/token`,
  });
}

// A burst of `count` calls at once, alternating the PAT listing and the
// Duo configuration, on one access token.
function burst(config, count) {
  const pats = new PersonalAccessTokensBetaApi(config);
  const mfa = new MFAConfigurationBetaApi(config);
  const calls = [];
  for (let i = 0; i < count; i += 1) {
    calls.push(i % 2 ? pats.listPersonalAccessTokens({ ownerId: 'me' })
      : mfa.getMFADuoConfig());
  }
  return Promise.allSettled(calls);
}

async function main() {
  const count = 3 * limit;

  // Told to retry 429 after Retry-After seconds: the whole burst completes.
  const retried = [];
  const config = sdkConfig();
  config.retriesConfig = {
    retries: 5,
    retryCondition: (e) => axiosRetry.isNetworkOrIdempotentRequestError(e)
      || (e.response !== undefined && e.response.status === 429),
    retryDelay: (k, e) => {
      const s = Number(e.response && e.response.headers['retry-after']);
      return (s > 0 ? s : 1) * 1000;
    },
    onRetry: (k, e) => {
      retried.push([e.response && e.response.status,
        e.response && e.response.headers['retry-after']]);
    },
  };
  const wms = window * 1000;
  await new Promise((res) => { setTimeout(res, wms - (Date.now() % wms) + 100); });
  const t0 = Date.now();
  let r = await burst(config, count);
  const good = r.filter((x) => x.status === 'fulfilled'
    && x.value.status === 200).length;
  ok(good === count, `a burst of ${count} SDK calls over ${limit} per ${window} s `
    + 'completes when the SDK retries 429', r.filter((x) => x.status === 'rejected')
    .map((x) => String(x.reason && x.reason.message)).slice(0, 3).join('\n'));
  const on429 = retried.filter(([s]) => s === 429);
  // count - limit when the burst fits in one window; fewer when a slow
  // server (mod_fcgid starting its processes) spreads it over several.
  ok(on429.length >= 1, `the SDK met 429 and retried (${on429.length} `
    + `retries on 429, ${retried.length} in all)`);
  ok(on429.every(([, ra]) => /^[0-9]+$/.test(ra) && Number(ra) >= 1
    && Number(ra) <= window), 'each 429 had Retry-After: whole seconds within the window',
  JSON.stringify(on429.slice(0, 5)));
  const secs = (Date.now() - t0) / 1000;
  ok(secs >= window - 1 && secs < 4 * window + 5, `it took the windows it needed `
    + `(${secs.toFixed(1)} s)`);

  // SailPoint's documented example (retries 4, exponential delay, the
  // default condition): 429 is not retried, the calls over the limit fail
  // with patrol's 429 and its body, the others succeed.
  // A fresh window (windows are whole multiples of the window since the
  // epoch), so that the burst usually meets one limit; a slow server may
  // spread it over two, hence "some", not "exactly limit".
  await new Promise((res) => { setTimeout(res, wms - (Date.now() % wms) + 100); });
  const doc = sdkConfig();
  doc.retriesConfig = { retries: 4, retryDelay: axiosRetry.exponentialDelay };
  r = await burst(doc, 2 * limit);
  const rejected = r.filter((x) => x.status === 'rejected');
  ok(rejected.length >= 1 && rejected.length <= limit
    && rejected.every((x) => x.reason && x.reason.response
      && x.reason.response.status === 429),
  `with SailPoint's example retry settings ${rejected.length} of ${2 * limit} `
    + 'calls fail, each on a 429 (429 is not retried by default)',
  rejected.map((x) => String(x.reason && x.reason.message)).slice(0, 3).join('\n'));
  const e = rejected.length > 0 ? rejected[0].reason : null;
  ok(e && e.response && e.response.status === 429
    && e.response.data && e.response.data.message === ' Rate Limit Exceeded '
    && /^[0-9]+$/.test(e.response.headers['retry-after']),
  'such a failure is the 429 with the spec\'s body and Retry-After',
  e && e.response ? `${e.response.status} ${JSON.stringify(e.response.data)}` : String(e));
}

const timer = setTimeout(() => {
  ok(false, 'the burst finished within 60 seconds');
  process.exit(1);
}, 60000);

main().then(() => {
  clearTimeout(timer);
  process.exit(anyFailed() ? 1 : 0);
}, (err) => {
  ok(false, 'the burst threw no unexpected error', (err && err.stack) || String(err));
  process.exit(1);
});
