// Starting a server from the runner's command template: the runner's own server, and a second
// one that a test starts with extra options (backoff.test.mjs). Process handling (its own
// process group, readiness by `GET /`, SIGTERM then SIGKILL) is the PouchDB suite's
// server-ctl.mjs.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, startServer, stopServer } from '../../lib/server-ctl.mjs';

export { makeCertificate, startServer, stopServer };

export const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

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

export function tempDir(label) {
  return mkdtempSync(join(tmpdir(), `polysync-interop-kinto-${label}-`));
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
