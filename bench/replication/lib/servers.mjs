// Starts and stops the servers the benchmark measures: Polysync through `./polysync serve`, and
// pouchdb-server (the reference) in its LevelDB and in-memory modes. Each runs in its own
// process group, with its output in a log file in its own temporary directory; stopping one
// signals that group only.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, shellQuote, storageKeyFile } from '../../../interop/lib/server-ctl.mjs';

const STOP_TIMEOUT_MS = 15_000;

/** `http://NAME:PASSWORD@127.0.0.1:PORT`, or without credentials when `admin` is empty. */
export function urlFor(port, admin) {
  if (!admin) return `http://127.0.0.1:${port}`;
  const i = admin.indexOf(':');
  const user = encodeURIComponent(admin.slice(0, i));
  const password = encodeURIComponent(admin.slice(i + 1));
  return `http://${user}:${password}@127.0.0.1:${port}`;
}

/** Splits a URL with credentials into a credential-free URL and its Basic header. */
export function splitCredentials(url) {
  const parsed = new URL(url);
  const headers = {};
  if (parsed.username || parsed.password) {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    headers.Authorization = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
    parsed.username = '';
    parsed.password = '';
  }
  return { root: parsed.toString().replace(/\/+$/, ''), headers };
}

/** One plain HTTP request to a server; the body is parsed when it is JSON. */
export async function request(baseUrl, method, path, body) {
  const { root, headers } = splitCredentials(baseUrl);
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(120_000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${root}/${path}`, init);
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body: parsed };
}

function alive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) the server's main process has used so far; null if unknown. */
export function cpuSeconds(server) {
  try {
    const stat = readFileSync(`/proc/${server.pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return null;
  }
}

/**
 * Runs `cmd` with `sh -c` in `cwd` (the command should `exec` the server so that its pid is the
 * server's), output to `dir/server.log`, and waits until `GET /` answers with JSON.
 */
async function startProcess({ label, cmd, cwd, dir, url, timeoutMs, note }) {
  const log = join(dir, 'server.log');
  const fd = openSync(log, 'a');
  let child;
  try {
    child = spawn('sh', ['-c', cmd], { cwd, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const server = { label, pid: child.pid, url, log, dir };
  note(`starting ${label} (pid ${server.pid}), log in ${log}`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(server.pid)) {
      const tail = readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`${label} exited during start-up; last lines of ${log}:\n${tail}`);
    }
    try {
      const res = await request(url, 'GET', '');
      if (res.status === 200 && typeof res.body === 'object') {
        server.welcome = res.body;
        return server;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  await stopServer(server);
  throw new Error(`${label} did not answer GET / within ${timeoutMs / 1000} s; see ${log}`);
}

/** Stops a server's process group: SIGTERM, then SIGKILL after 15 s. */
export async function stopServer(server) {
  if (!server || !alive(server.pid)) return;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(server.pid) && Date.now() < deadline) await sleep(100);
  if (alive(server.pid)) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    while (alive(server.pid)) await sleep(100);
  }
}

export function tempDir(label) {
  return mkdtempSync(join(tmpdir(), `polysync-bench-${label}-`));
}

/** How the benchmark starts Polysync unless told otherwise: the repository's launcher. */
export const DEFAULT_POLYSYNC_START = './polysync serve --port {port} --data {data} --admin {admin}';

/**
 * Polysync on a free port with a fresh data directory, through `start` (the repository's launcher
 * by default, which builds what is needed first) run from the repository root with `{port}`,
 * `{data}` and `{admin}` filled in; `storage` is passed as `--storage` when given.
 */
export async function startPolysync({ root, admin, storage, start = DEFAULT_POLYSYNC_START, timeoutMs, note }) {
  const port = await freePort();
  const dir = tempDir('polysync');
  const data = join(dir, 'data');
  const filled = start.replaceAll('{port}', String(port)).replaceAll('{data}', shellQuote(data))
    .replaceAll('{admin}', shellQuote(admin));
  const cmd = `exec ${filled}` +
    (storage ? ` --storage ${shellQuote(storage)} --key-file ${shellQuote(storageKeyFile(root, storage))}` : '');
  return startProcess({ label: 'polysync', cmd, cwd: root, dir, url: urlFor(port, admin), timeoutMs, note });
}

/**
 * pouchdb-server from this package's dependencies, on LevelDB (its default: leveldown, whose
 * prebuilt binary ships in the package) or in memory. Logging is set to warnings only, and the
 * log is not copied to stdout, so the reference does not pay for a log line per request (Polysync
 * logs no requests either). An admin is created as soon as it answers, so that it checks
 * credentials on every request as Polysync does.
 */
export async function startPouchdbServer({ label, inMemory, admin, timeoutMs, note }) {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('pouchdb-server/package.json');
  const bin = join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin['pouchdb-server']);
  const port = await freePort();
  const dir = tempDir(label);
  const config = join(dir, 'config.json');
  const settings = {
    log: { level: 'warning', file: join(dir, 'log.txt') },
    pouchdb_server: { 'no-stdout-logs': true },
  };
  writeFileSync(config, JSON.stringify(settings, null, 2) + '\n');
  // cwd is the temp dir: pouchdb-server writes its files there.
  const cmd =
    `exec ${shellQuote(process.execPath)} ${shellQuote(bin)} --port ${port} --host 127.0.0.1` +
    ` --dir ${shellQuote(dir)} --config ${shellQuote(config)} --no-color -n` +
    (inMemory ? ' --in-memory' : '');
  const server = await startProcess({ label, cmd, cwd: dir, dir, url: urlFor(port), timeoutMs, note });
  const i = admin.indexOf(':');
  const res = await request(server.url, 'PUT', `_config/admins/${encodeURIComponent(admin.slice(0, i))}`,
    JSON.stringify(admin.slice(i + 1)));
  if (res.status !== 200) {
    await stopServer(server);
    throw new Error(`could not create the admin on ${label}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  server.url = urlFor(port, admin);
  return server;
}
