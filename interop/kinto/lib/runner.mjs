// Runs the Kinto interop suite with `node --test` against one Polysync server.
//
//   node lib/runner.mjs                      against $POLYSYNC_URL (already running)
//   node lib/runner.mjs --url URL            the same, URL given here
//   node lib/runner.mjs --start 'CMD'        starts the server with CMD first; CMD may use
//                                            {port}, {data} and {admin} (NAME:PASSWORD)
//
// Options: --admin NAME:PASSWORD (with --start; default admin:secret), and test files to run
// instead of all of test/.
//
// Gated files: test/backoff.test.mjs starts a second server with the Kinto backoff setting, so
// it needs the command (--start sets POLYSYNC_START_CMD), or a server already started that way
// (POLYSYNC_BACKOFF_URL); test/https.test.mjs and test/bearer.test.mjs start their own servers
// from the command too. When it is left out the runner says so, and with CI=true that is an
// error: CI must run everything.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCertificate, startFromTemplate, tempDir } from './servers.mjs';
import { requireAll, runNodeTest, runSuite, selectFiles } from '../../lib/suite.mjs';
import { KintoHttp, describe } from './http.mjs';
import { randomBytes } from 'node:crypto';

// Every server this run starts shares one key-encryption key (encryption at rest is on by
// default): a test may start a second server on the same storage, and the restart test restarts
// one, so a key per data directory would not do.
if (!process.env.POLYSYNC_MASTER_KEY) process.env.POLYSYNC_MASTER_KEY = randomBytes(32).toString('base64');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const SUITE_TIMEOUT_MS = 20 * 60_000;
const GATED = {
  'backoff.test.mjs': {
    ok: (env) => env.POLYSYNC_START_CMD || env.POLYSYNC_BACKOFF_URL,
    why: 'no way to start a server with the backoff setting (--start, or POLYSYNC_BACKOFF_URL)',
  },
  'https.test.mjs': {
    ok: (env) => env.POLYSYNC_START_CMD && env.INTEROP_TLS_CERT,
    why: 'no way to start a server with TLS (--start makes a certificate for it)',
  },
  'bearer.test.mjs': {
    ok: (env) => env.POLYSYNC_START_CMD,
    why: 'no way to start a server that trusts a token issuer (--start)',
  },
};

const log = (msg) => console.log(`[interop-kinto] ${msg}`);

function parseArgs(argv) {
  const opts = { mode: 'url', admin: 'admin:secret', files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--url') {
      opts.mode = 'url';
      opts.url = value();
    } else if (arg === '--start') {
      opts.mode = 'start';
      opts.cmd = value();
    } else if (arg === '--admin') {
      opts.admin = value();
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      opts.files.push(resolve(arg));
    }
  }
  if (!opts.admin.includes(':')) throw new Error('--admin needs NAME:PASSWORD');
  return opts;
}

const started = [];
const tempDirs = [];

async function startCommand(opts) {
  const dir = tempDir('server');
  tempDirs.push(dir);
  log(`starting the server: ${opts.cmd}`);
  const state = await startFromTemplate({ template: opts.cmd, admin: opts.admin, cwd: process.cwd(), dir });
  started.push(state);
  log(`server is up (pid ${state.pid}), log in ${state.log}`);
  // For https.test.mjs: a certificate its server serves and its test process trusts. Not
  // POLYSYNC_TLS_*: the servers this suite starts would read those as their own configuration.
  const tlsDir = tempDir('tls');
  tempDirs.push(tlsDir);
  const tls = makeCertificate(tlsDir);
  return {
    POLYSYNC_URL: state.url,
    POLYSYNC_START_CMD: opts.cmd,
    POLYSYNC_START_CWD: process.cwd(),
    POLYSYNC_ADMIN: opts.admin,
    INTEROP_TLS_CERT: tls.cert,
    INTEROP_TLS_KEY: tls.key,
    NODE_EXTRA_CA_CERTS: tls.cert,
  };
}

/** Says what `GET /v1/` answers before the tests run, so that a missing Kinto API is obvious. */
async function probe(url) {
  try {
    const res = await new KintoHttp({ base: url }).request('GET', '/');
    if (res.status === 200 && res.body?.settings) {
      log(`Kinto API: ${res.body.project_name} ${res.body.project_version}, http_api_version ` +
        `${res.body.http_api_version}, capabilities ${Object.keys(res.body.capabilities || {}).join(',')}`);
    } else {
      log(`WARNING: GET /v1/ answered ${describe(res)}; most tests will fail`);
    }
  } catch (err) {
    log(`WARNING: GET /v1/ failed: ${err.message}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const env = { ...process.env };
  if (opts.mode === 'start') Object.assign(env, await startCommand(opts));
  else if (opts.url) env.POLYSYNC_URL = opts.url;
  if (!env.POLYSYNC_URL) throw new Error('no server: set POLYSYNC_URL, or pass --url or --start');
  const { chosen, left } = selectFiles(ROOT, GATED, env, opts.files);
  requireAll(left, log);
  log(`target ${env.POLYSYNC_URL.replace(/\/\/[^@/]*@/, '//***@')}`);
  await probe(env.POLYSYNC_URL);
  return runNodeTest({ root: ROOT, files: chosen, env, testTimeoutMs: 10 * 60_000, suiteTimeoutMs: SUITE_TIMEOUT_MS, log });
}

await runSuite({ main, started, tempDirs, log, label: 'interop-kinto' });
