// tests/interop/tap.js: what the SDK scripts (sdk.js, burst.js) share: TAP
// lines numbered from $TAP_START + 1, and required environment variables.
'use strict';

let n = Number(process.env.TAP_START || 0);
let failed = 0;

// A required environment variable, or "Bail out!" and exit 1.
function env(name) {
  const v = process.env[name];
  if (!v) {
    console.log(`Bail out! ${name} is not set`);
    process.exit(1);
  }
  return v;
}

function ok(cond, name, detail) {
  n += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
  if (!cond) {
    failed += 1;
    if (detail !== undefined) {
      for (const line of String(detail).split('\n')) console.log(`# ${line}`);
    }
  }
  return cond;
}

function is(got, want, name) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  return ok(g === w, name, `got:  ${g}\nwant: ${w}`);
}

// The number of test lines so far, and whether one failed.
const count = () => n;
const anyFailed = () => failed > 0;

module.exports = { env, ok, is, count, anyFailed };
