// Starts, stops and restarts a server process for the suite, keeping what it needs in a small
// JSON state file so that a restart can be triggered from a shell command
// (POLYSYNC_RESTART_CMD) by a test running in another process.
//
//   node lib/server-ctl.mjs restart --state FILE
//   node lib/server-ctl.mjs stop --state FILE
//
// The server runs in its own process group; stopping it signals that group only.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Couch } from './couch.mjs';

const READY_TIMEOUT_MS = Number(process.env.POLYSYNC_START_TIMEOUT_MS || 120_000);
const STOP_TIMEOUT_MS = 15_000;

function alive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `GET /` answers with JSON; fails early if the process dies. */
async function waitReady(state) {
  const couch = new Couch(state.url);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(state.pid)) {
      throw new Error(`server exited during start-up; see ${state.log}`);
    }
    try {
      const res = await couch.request('GET', '');
      if (res.status === 200 && typeof res.body === 'object' && !Buffer.isBuffer(res.body)) {
        return res.body;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`server did not answer GET / within ${READY_TIMEOUT_MS} ms; see ${state.log}`);
}

/**
 * Runs `cmd` with `sh -c` in `cwd`, output appended to `log`, and waits until `url` answers.
 * Returns the state, which is also written to `stateFile`.
 */
export async function startServer({ cmd, cwd, url, log, stateFile }) {
  const fd = openSync(log, 'a');
  let child;
  try {
    child = spawn('sh', ['-c', cmd], { cwd, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const state = { pid: child.pid, cmd, cwd, url, log, stateFile };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  await waitReady(state);
  return state;
}

export const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** A TCP port free on 127.0.0.1 right now. */
/**
 * The key file for a server whose data directory is fresh but whose `--storage` database is not:
 * one file per storage URI under `<root>/bench/target/keys`, so that a second run against the same
 * database opens the data keys the first one wrapped, instead of being refused at start.
 */
export function storageKeyFile(root, storage) {
  const dir = join(root, 'bench', 'target', 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `${createHash('sha256').update(storage).digest('hex').slice(0, 16)}.key`);
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** `http://NAME:PASSWORD@127.0.0.1:PORT` (or `https`), without credentials when `admin` is empty. */
export function urlFor(port, admin, scheme = 'http') {
  if (!admin) return `${scheme}://127.0.0.1:${port}`;
  const i = admin.indexOf(':');
  const user = encodeURIComponent(admin.slice(0, i));
  const password = encodeURIComponent(admin.slice(i + 1));
  return `${scheme}://${user}:${password}@127.0.0.1:${port}`;
}

/** The last `n` lines of a log file, or a note that there is none. */
export function tail(file, n = 40) {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-n).join('\n') : '(no log)';
}

export function tempDir(label, prefix = 'polysync-interop') {
  return mkdtempSync(join(tmpdir(), `${prefix}-${label}-`));
}

/**
 * Starts `template` (placeholders {port} {data} {admin}) on a free port with a fresh data
 * directory, `extra` appended to the command. Resolves once `GET /` answers (over `scheme`); the
 * state has `url` (with the admin's credentials), `pid`, `log` and `dir`.
 */
export async function startFromTemplate({ template, admin, cwd, extra = '', label = 'server', dir = tempDir(label),
  scheme = 'http' }) {
  const port = await freePort();
  const data = join(dir, 'data');
  const cmd =
    template
      .replaceAll('{port}', String(port))
      .replaceAll('{data}', shellQuote(data))
      .replaceAll('{admin}', shellQuote(admin)) + (extra ? ` ${extra}` : '');
  const state = {
    cmd,
    cwd: cwd || process.cwd(),
    url: urlFor(port, admin, scheme),
    log: join(dir, 'server.log'),
    stateFile: join(dir, 'server.json'),
  };
  try {
    Object.assign(state, await startServer(state), { dir });
  } catch (err) {
    // startServer records the pid before it waits: stop what it started, then fail.
    if (existsSync(state.stateFile)) await stopServer(JSON.parse(readFileSync(state.stateFile, 'utf8'))).catch(() => {});
    err.message += `\n(command: ${cmd}; last lines of ${state.log}:\n${tail(state.log)})`;
    throw err;
  }
  return state;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid two days) made with
 * openssl in `dir`, for the HTTPS tests: `{ cert, key }` paths. The test processes trust it
 * through NODE_EXTRA_CA_CERTS, so no client turns certificate checks off.
 */
export function makeCertificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '2',
      '-keyout', key, '-out', cert], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(`cannot make the test certificate with openssl (is it installed?): ${err.message}`);
  }
  return { cert, key };
}

/** Stops the process group started by `startServer`: SIGTERM, then SIGKILL after 15 s. */
export async function stopServer(state) {
  if (!alive(state.pid)) return;
  try {
    process.kill(-state.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(state.pid) && Date.now() < deadline) {
    await sleep(100);
  }
  if (alive(state.pid)) {
    try {
      process.kill(-state.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    while (alive(state.pid)) await sleep(100);
  }
}

export async function restartServer(stateFile) {
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  await stopServer(state);
  return startServer(state);
}

async function main(argv) {
  const [action, flag, stateFile] = argv;
  if (!['restart', 'stop'].includes(action) || flag !== '--state' || !stateFile) {
    console.error('usage: node lib/server-ctl.mjs restart|stop --state FILE');
    process.exit(2);
  }
  if (action === 'restart') {
    await restartServer(stateFile);
  } else {
    await stopServer(JSON.parse(readFileSync(stateFile, 'utf8')));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
