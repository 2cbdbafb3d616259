// Kinto benchmark: the real Kinto.js 17 client (in-memory adapter, Node) pushes N records
// through Collection#sync() into an empty collection of Polysync's Kinto API, then a fresh client
// pulls them through sync(). Best of --runs, next to Kinto 26.2's own figures and the targets.
// Usage: README.md beside this file, or `--help`.
//
// Progress goes to stderr; the result table (Markdown) goes to stdout.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import KintoModule from 'kinto';
// The memory adapter of Kinto.js's CommonJS build (its ES build cannot be loaded by Node as is).
import MemoryModule from 'kinto/lib/cjs/adapters/memory.js';
import { freePort, shellQuote, storageKeyFile } from '../../interop/lib/server-ctl.mjs';

const Kinto = KintoModule.default;
const Memory = MemoryModule.default;
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

const USAGE = `Usage: bench/kinto/run.sh [options]

  --records N          records pushed, then pulled, per run (default 10000)
  --runs N             timed runs; the best one counts (default 3)
  --storage URI        Polysync's storage (./polysync serve --storage URI; default: embedded
                       SQLite in a fresh data directory)
  --url URL            use a server that is already running, e.g.
                       http://admin:secret@127.0.0.1:5984 (its admin's credentials included)
  --admin NAME:PW      the admin of the server started here (default admin:secret)
  --no-warmup          skip the untimed warm-up run
  --start-timeout S    how long the server may take to answer, its build included (default 900)
  --keep               keep the server's temporary directory (log, data)
`;

// Kinto 26.2.0 with Kinto.js 17.1.1 on the same kind of machine: 10,000 records of about 300
// bytes, pushed by one sync() (400 batches of 25) and pulled by a fresh client's sync().
const REFERENCE = {
  push: { memory: 16.8, postgresql: 136 },
  pull: { memory: 0.3, postgresql: 0.39 },
};
const TARGET = { push: 3, pull: 0.3 };
const REFERENCE_RECORDS = 10_000;

class UsageError extends Error {}

function parseArgs(argv) {
  const o = { records: 10_000, runs: 3, storage: '', url: '', admin: 'admin:secret', warmup: true, startTimeout: 900, keep: false };
  const int = (name, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} needs an integer >= ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--records': o.records = int(arg, value(), 1); break;
      case '--runs': o.runs = int(arg, value(), 1); break;
      case '--storage': o.storage = value(); break;
      case '--url': o.url = value().replace(/\/+$/, ''); break;
      case '--admin': o.admin = value(); break;
      case '--no-warmup': o.warmup = false; break;
      case '--start-timeout': o.startTimeout = int(arg, value(), 1); break;
      case '--keep': o.keep = true; break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new UsageError(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  if (!o.admin.includes(':')) throw new UsageError('--admin needs NAME:PASSWORD');
  if (o.url && o.storage) throw new UsageError('--storage applies to the server started here, not to --url');
  return o;
}

const note = (msg) => process.stderr.write(`[bench-kinto] ${msg}\n`);
const hideStorage = (uri) => uri.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

// ------------------------------------------------------------------ server

/** `{root, auth}`: the server's URL without credentials, and the admin's Basic header. */
function target(url) {
  const u = new URL(url);
  const auth = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { root: u.toString().replace(/\/+$/, ''), auth };
}

async function request(t, method, path, body) {
  const res = await fetch(`${t.root}${path}`, {
    method,
    headers: { Accept: 'application/json', Authorization: t.auth, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Keep the text.
  }
  return { status: res.status, body: parsed };
}

const alive = (pid) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startPolysync(o) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'polysync-bench-kinto-'));
  const log = join(dir, 'server.log');
  const cmd =
    `exec ./polysync serve --port ${port} --data ${shellQuote(join(dir, 'data'))} --admin ${shellQuote(o.admin)}` +
    (o.storage ? ` --storage ${shellQuote(o.storage)} --key-file ${shellQuote(storageKeyFile(ROOT, o.storage))}` : '');
  const fd = openSync(log, 'a');
  let child;
  try {
    child = spawn('sh', ['-c', cmd], { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const i = o.admin.indexOf(':');
  const url = `http://${encodeURIComponent(o.admin.slice(0, i))}:${encodeURIComponent(o.admin.slice(i + 1))}@127.0.0.1:${port}`;
  const server = { pid: child.pid, dir, log, url };
  note(`starting polysync (pid ${server.pid}), log in ${log}`);
  const deadline = Date.now() + o.startTimeout * 1000;
  while (Date.now() < deadline) {
    if (!alive(server.pid)) {
      throw new Error(`polysync exited during start-up; last lines of ${log}:\n${readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}`);
    }
    try {
      if ((await request(target(url), 'GET', '/v1/')).status === 200) return server;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  await stopServer(server);
  throw new Error(`polysync did not answer GET /v1/ within ${o.startTimeout} s; see ${log}`);
}

async function stopServer(server) {
  if (!server || !alive(server.pid)) return;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (alive(server.pid) && Date.now() < deadline) await sleep(100);
  if (alive(server.pid)) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

/** CPU seconds (user + system) the server's process has used so far; null if unknown. */
function serverCpu(server) {
  if (!server) return null;
  try {
    const stat = readFileSync(`/proc/${server.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Starts measuring wall time and the CPU time of this process and of the server. */
function clock(server) {
  const wall = performance.now();
  const client = process.cpuUsage();
  const srv = serverCpu(server);
  return () => {
    const c = process.cpuUsage(client);
    const s = serverCpu(server);
    return {
      seconds: (performance.now() - wall) / 1000,
      clientCpu: (c.user + c.system) / 1e6,
      serverCpu: s === null || srv === null ? null : s - srv,
    };
  };
}

// ------------------------------------------------------------------ figures

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** About 300 bytes of JSON once the server has added id and last_modified. */
function makeRecord(i) {
  const n = String(i).padStart(6, '0');
  return {
    type: 'note',
    n: i,
    title: `Note ${n} ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`,
    tags: [WORDS[i % 10], WORDS[(i + 3) % 10]],
    author: { name: `user-${i % 97}`, device: `device-${i % 13}` },
    created: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    done: i % 3 === 0,
    body: randomBytes(30).toString('hex'),
  };
}

/**
 * A Kinto.js client whose requests are counted; one collection with the memory adapter. With
 * `tape`, a Map from request to answer: `record` fills it with every answer the server gives,
 * `replay` answers every request from it without asking the server (what the client alone costs).
 */
function client(t, bucket, { tape, mode } = {}) {
  const counts = { requests: 0, batches: 0 };
  const kinto = new Kinto({
    remote: `${t.root}/v1`,
    bucket,
    headers: { Authorization: t.auth },
    timeout: 300_000,
    adapter: () => new Memory(),
  });
  kinto.api.http.fetchFunc = async (url, options) => {
    counts.requests += 1;
    if (String(url).endsWith('/batch')) counts.batches += 1;
    const key = `${options?.method || 'GET'} ${url}`;
    if (mode === 'replay') {
      const answer = tape.get(key);
      if (!answer) throw new Error(`replay: no recorded answer for ${key}`);
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    const res = await fetch(url, options);
    if (mode !== 'record') return res;
    const body = await res.arrayBuffer();
    tape.set(key, { body, status: res.status, headers: [...res.headers] });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { coll: kinto.collection('notes'), counts };
}

function gc() {
  if (global.gc) global.gc();
}

/** One push and one pull of `n` records through a fresh bucket; seconds for each. */
async function round(t, n, server) {
  const bucket = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  let res = await request(t, 'PUT', `/v1/buckets/${bucket}`, { data: {} });
  if (res.status !== 201) throw new Error(`PUT /v1/buckets/${bucket} answered ${res.status} ${JSON.stringify(res.body)}`);
  res = await request(t, 'PUT', `/v1/buckets/${bucket}/collections/notes`, { data: {} });
  if (res.status !== 201) throw new Error(`PUT collection answered ${res.status} ${JSON.stringify(res.body)}`);
  try {
    const a = client(t, bucket);
    for (let i = 0; i < n; i++) await a.coll.create(makeRecord(i));
    gc();
    let stop = clock(server);
    const pushed = await a.coll.sync();
    const push = stop();
    if (!pushed.ok || pushed.published.length !== n) {
      throw new Error(`push: ok=${pushed.ok}, published ${pushed.published.length} of ${n}, errors ${JSON.stringify(pushed.errors).slice(0, 500)}`);
    }

    const b = client(t, bucket);
    gc();
    stop = clock(server);
    const pulled = await b.coll.sync();
    const pull = stop();
    if (!pulled.ok || pulled.created.length !== n) {
      throw new Error(`pull: ok=${pulled.ok}, created ${pulled.created.length} of ${n}`);
    }

    // The same pull once more with the server's answers recorded (not timed), then replayed from
    // memory to a fresh client (timed): the client's own share of a pull, the server's being nil.
    const tape = new Map();
    await client(t, bucket, { tape, mode: 'record' }).coll.sync();
    const d = client(t, bucket, { tape, mode: 'replay' });
    gc();
    stop = clock(null);
    const replayed = await d.coll.sync();
    const clientAlone = stop();
    if (!replayed.ok || replayed.created.length !== n) {
      throw new Error(`replayed pull: ok=${replayed.ok}, created ${replayed.created.length} of ${n}`);
    }
    return { push, pull, clientAlone, pushRequests: a.counts.requests, batches: a.counts.batches, pullRequests: b.counts.requests };
  } finally {
    await request(t, 'DELETE', `/v1/buckets/${bucket}`).catch(() => {});
  }
}

// ------------------------------------------------------------------ output

const fmtS = (s) => (s < 1 ? s.toFixed(3) : s < 10 ? s.toFixed(2) : s.toFixed(1));
const fmtRate = (n) => Math.round(n).toLocaleString('en-US');

function table(o, results, server) {
  const best = {
    push: results.reduce((a, r) => (r.push.seconds < a.seconds ? r.push : a), results[0].push),
    pull: results.reduce((a, r) => (r.pull.seconds < a.seconds ? r.pull : a), results[0].pull),
  };
  const scale = o.records === REFERENCE_RECORDS ? '' : ` (Kinto's figures are for ${REFERENCE_RECORDS.toLocaleString('en-US')} records)`;
  const cpu = (x) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(2));
  const out = [];
  out.push(`## Kinto.js sync(): ${o.records.toLocaleString('en-US')} records, best of ${results.length} run(s)${scale}`);
  out.push('');
  out.push(`Server: ${server}. Client: Kinto.js 17.1.1, memory adapter, Node ${process.versions.node}, ${cpus().length} CPUs.`);
  out.push('');
  out.push('| figure | Polysync s | records/s | Kinto 26.2 memory s | Kinto 26.2 PostgreSQL s | target s | met |');
  out.push('|---|---:|---:|---:|---:|---:|:---:|');
  for (const figure of ['push', 'pull']) {
    const s = best[figure].seconds;
    out.push(
      `| ${figure} | ${fmtS(s)} | ${fmtRate(o.records / s)} | ${REFERENCE[figure].memory} | ${REFERENCE[figure].postgresql} | ` +
        `≤ ${TARGET[figure]} | ${o.records === REFERENCE_RECORDS ? (s <= TARGET[figure] ? 'yes' : 'no') : '—'} |`,
    );
  }
  const alone = results.reduce((a, r) => (r.clientAlone.seconds < a.seconds ? r.clientAlone : a), results[0].clientAlone);
  out.push('');
  out.push(`Pull with the server's answers replayed from memory, so only Kinto.js works: best ${fmtS(alone.seconds)} s ` +
    `(${fmtRate(o.records / alone.seconds)} records/s). No server can make the pull faster than that on this machine.`);
  out.push('');
  out.push('CPU seconds per run: the client (this Node process, Kinto.js included) and the server\'s process.');
  out.push('');
  out.push('| run | push s | client CPU | server CPU | pull s | client CPU | server CPU | pull, client alone s | push requests (batches) | pull requests |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  results.forEach((r, i) => {
    out.push(
      `| ${i + 1} | ${fmtS(r.push.seconds)} | ${cpu(r.push.clientCpu)} | ${cpu(r.push.serverCpu)} | ` +
        `${fmtS(r.pull.seconds)} | ${cpu(r.pull.clientCpu)} | ${cpu(r.pull.serverCpu)} | ${fmtS(r.clientAlone.seconds)} | ` +
        `${r.pushRequests} (${r.batches}) | ${r.pullRequests} |`,
    );
  });
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------ main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let server;
  let failed = true;
  try {
    let url = o.url;
    let label = url ? `Polysync at ${target(url).root}` : `Polysync (${o.storage ? hideStorage(o.storage) : 'embedded SQLite'})`;
    if (!url) {
      server = await startPolysync(o);
      url = server.url;
    }
    const t = target(url);
    const root = await request(t, 'GET', '/v1/');
    if (root.status !== 200) throw new Error(`GET /v1/ answered ${root.status} ${JSON.stringify(root.body)}`);
    label += `, ${root.body.project_name} ${root.body.project_version}`;
    if (o.warmup) {
      const n = Math.min(o.records, 2_000);
      note(`warm-up: ${n} records`);
      await round(t, n, server);
    }
    const results = [];
    for (let i = 0; i < o.runs; i++) {
      const r = await round(t, o.records, server);
      note(`run ${i + 1}/${o.runs}: push ${fmtS(r.push.seconds)} s, pull ${fmtS(r.pull.seconds)} s`);
      results.push(r);
    }
    process.stdout.write(table(o, results, label));
    failed = false;
  } finally {
    await stopServer(server);
    if (server && !failed && !o.keep) rmSync(server.dir, { recursive: true, force: true });
    else if (server) note(`kept ${server.dir}`);
  }
}

main().catch((err) => {
  process.stderr.write(`[bench-kinto] ${err.message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
