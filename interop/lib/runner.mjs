// Runs the interop suite with `node --test` against one CouchDB-compatible server.
//
//   node lib/runner.mjs                      against $POLYSYNC_URL (already running)
//   node lib/runner.mjs --url URL            the same, URL given here
//   node lib/runner.mjs --start 'CMD'        starts the server with CMD first; CMD may use
//                                            {port}, {data} and {admin} (NAME:PASSWORD)
//   node lib/runner.mjs --reference          starts pouchdb-server (the reference) first
//
// Options: --admin NAME:PASSWORD (with --start; default admin:secret), --no-auth (with --start:
// the server has no authentication), and test files to run instead of all of test/.
//
// Gated files: test/auth.test.mjs needs POLYSYNC_AUTH=1, test/restart.test.mjs needs
// POLYSYNC_RESTART_CMD, test/https.test.mjs needs INTEROP_TLS_CMD (a command starting a second
// server with TLS, whose certificate the test processes trust through NODE_EXTRA_CA_CERTS),
// test/bearer.test.mjs needs INTEROP_SERVE_CMD (the command template, to start a server that
// trusts a token issuer). --start sets all four; --reference the first two (pouchdb-server has
// no TLS and no bearer tokens of its own). When a gated file is left out the
// runner says so, and with CI=true that is an error: CI must run everything.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Couch } from './couch.mjs';
import { freePort, makeCertificate, shellQuote, startServer, urlFor } from './server-ctl.mjs';
import { requireAll, runNodeTest, runSuite, selectFiles } from './suite.mjs';
import { randomBytes } from 'node:crypto';

// Every server this run starts shares one key-encryption key (encryption at rest is on by
// default): a test may start a second server on the same storage, and the restart test restarts
// one, so a key per data directory would not do.
if (!process.env.POLYSYNC_MASTER_KEY) process.env.POLYSYNC_MASTER_KEY = randomBytes(32).toString('base64');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const SERVER_CTL = join(HERE, 'server-ctl.mjs');
const SUITE_TIMEOUT_MS = 15 * 60_000;
const GATED = {
  'auth.test.mjs': { ok: (env) => env.POLYSYNC_AUTH, why: 'the target does not declare authentication (POLYSYNC_AUTH=1)' },
  'restart.test.mjs': { ok: (env) => env.POLYSYNC_RESTART_CMD, why: 'no restart command (POLYSYNC_RESTART_CMD)' },
  'https.test.mjs': { ok: (env) => env.INTEROP_TLS_CMD, why: 'no command that starts the server with TLS (INTEROP_TLS_CMD)' },
  'bearer.test.mjs': { ok: (env) => env.INTEROP_SERVE_CMD, why: 'no command that starts a server trusting a token issuer (INTEROP_SERVE_CMD)' },
};

const log = (msg) => console.log(`[interop] ${msg}`);

function parseArgs(argv) {
  const opts = { mode: 'url', admin: 'admin:secret', auth: true, files: [] };
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
    } else if (arg === '--reference') {
      opts.mode = 'reference';
    } else if (arg === '--admin') {
      opts.admin = value();
    } else if (arg === '--no-auth') {
      opts.auth = false;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      opts.files.push(resolve(arg));
    }
  }
  return opts;
}

/** Servers started here, stopped on exit. */
const started = [];
const tempDirs = [];

function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `polysync-interop-${label}-`));
  tempDirs.push(dir);
  return dir;
}

async function start({ label, cmd, cwd, url, dir = tempDir(label) }) {
  const state = { cmd, cwd: cwd || dir, url, log: join(dir, 'server.log'), stateFile: join(dir, 'server.json') };
  log(`starting ${label}: ${cmd}`);
  started.push(state);
  Object.assign(state, await startServer(state));
  log(`${label} is up (pid ${state.pid}), log in ${state.log}`);
  return state;
}

/** Starts the server under test from a user command (Polysync). */
async function startCommand(opts) {
  const port = await freePort();
  const data = tempDir('data');
  const admin = opts.auth ? opts.admin : undefined;
  const cmd = opts.cmd
    .replaceAll('{port}', String(port))
    .replaceAll('{data}', shellQuote(data))
    .replaceAll('{admin}', shellQuote(opts.admin));
  const state = await start({ label: 'server', cmd, cwd: process.cwd(), url: urlFor(port, admin) });
  const tls = makeCertificate(tempDir('tls'));
  return {
    POLYSYNC_URL: state.url,
    POLYSYNC_AUTH: opts.auth ? '1' : '',
    POLYSYNC_RESTART_CMD: `${shellQuote(process.execPath)} ${shellQuote(SERVER_CTL)} restart --state ${shellQuote(state.stateFile)}`,
    // A second server, with TLS, for test/https.test.mjs: {port} is left for the test to fill.
    // Not POLYSYNC_*: the servers this suite starts read those as their own configuration.
    INTEROP_TLS_CMD: opts.cmd
      .replaceAll('{data}', shellQuote(tempDir('tls-data')))
      .replaceAll('{admin}', shellQuote(opts.admin))
      + ` --tls-cert ${shellQuote(tls.cert)} --tls-key ${shellQuote(tls.key)}`,
    INTEROP_TLS_CWD: process.cwd(),
    INTEROP_TLS_ADMIN: opts.admin,
    // The command itself, for a test that starts a server of its own with extra options
    // (test/bearer.test.mjs); {port}, {data} and {admin} are left for it to fill.
    INTEROP_SERVE_CMD: opts.cmd,
    INTEROP_SERVE_CWD: process.cwd(),
    INTEROP_SERVE_ADMIN: opts.admin,
    // The test processes trust that certificate as Node trusts any CA: no verification is turned off.
    NODE_EXTRA_CA_CERTS: tls.cert,
  };
}


/**
 * pouchdb-server with an admin account, so that it authenticates like Polysync does (a wrong
 * password gets 401). The main instance is in-memory; the one for the restart test keeps its
 * data on disk (LevelDB), since an in-memory server forgets everything when it restarts.
 */
async function startReference(opts) {
  const require = createRequire(import.meta.url);
  let pkg;
  try {
    pkg = require.resolve('pouchdb-server/package.json');
  } catch {
    throw new Error('pouchdb-server is not installed: run `npm ci` (with dev dependencies) in interop/');
  }
  const bin = join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin['pouchdb-server']);
  const [user, password] = [opts.admin.slice(0, opts.admin.indexOf(':')), opts.admin.slice(opts.admin.indexOf(':') + 1)];

  async function one(label, inMemory) {
    const port = await freePort();
    const dir = tempDir(label);
    // cwd is the temp dir: pouchdb-server writes log.txt and config.json into it.
    const cmd =
      `exec ${shellQuote(process.execPath)} --require ${shellQuote(join(HERE, 'reference-selector-fix.cjs'))}` +
      ` ${shellQuote(bin)} --port ${port} --host 127.0.0.1` +
      ` --dir ${shellQuote(dir)} --config ${shellQuote(join(dir, 'config.json'))} --no-color` +
      (inMemory ? ' --in-memory' : '');
    const state = await start({ label, cmd, cwd: dir, url: urlFor(port), dir });
    // Admin party until the first admin exists; from then on credentials are checked.
    const res = await new Couch(state.url).request('PUT', `_config/admins/${encodeURIComponent(user)}`, {
      body: JSON.stringify(password),
      headers: { 'Content-Type': 'application/json' },
    });
    if (res.status !== 200) throw new Error(`could not create the admin on ${label}: ${res.status}`);
    state.url = urlFor(port, opts.admin);
    return state;
  }

  const main = await one('reference', true);
  const durable = await one('reference-durable', false);
  // The state file must carry the URL with credentials for the readiness check after a restart.
  writeFileSync(durable.stateFile, JSON.stringify(durable, null, 2));
  return {
    POLYSYNC_URL: main.url,
    POLYSYNC_AUTH: '1',
    POLYSYNC_RESTART_URL: durable.url,
    POLYSYNC_RESTART_CMD: `${shellQuote(process.execPath)} ${shellQuote(SERVER_CTL)} restart --state ${shellQuote(durable.stateFile)}`,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const env = { ...process.env };
  if (opts.mode === 'start') Object.assign(env, await startCommand(opts));
  else if (opts.mode === 'reference') Object.assign(env, await startReference(opts));
  else if (opts.url) env.POLYSYNC_URL = opts.url;
  if (!env.POLYSYNC_URL) {
    throw new Error('no server: set POLYSYNC_URL, or pass --url, --start or --reference');
  }
  const { chosen, left } = selectFiles(ROOT, GATED, env, opts.files);
  requireAll(left, log);
  log(`target ${env.POLYSYNC_URL.replace(/\/\/[^@/]*@/, '//***@')}`);
  return runNodeTest({ root: ROOT, files: chosen, env, testTimeoutMs: 5 * 60_000, suiteTimeoutMs: SUITE_TIMEOUT_MS, log });
}

await runSuite({ main, started, tempDirs, log, label: 'interop' });
