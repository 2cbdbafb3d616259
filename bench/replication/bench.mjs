// Replication benchmark: the real PouchDB 9 client (in-memory local databases, Node) against
// Polysync and against pouchdb-server (LevelDB and in-memory) as the reference, in one run.
// Usage and the meaning of every figure: README.md beside this file, or `--help`.
//
// Progress goes to stderr; the result tables (Markdown) go to stdout.

import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { concurrent, deleteRemote, liveLatency, pull, push } from './lib/figures.mjs';
import { DEFAULT_POLYSYNC_START, startPolysync, startPouchdbServer, stopServer } from './lib/servers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

const USAGE = `Usage: ./polysync bench replication [options]

  --docs N             documents pushed, then pulled, per run (default 10000)
  --clients N          clients replicating at once (default 20)
  --client-docs N      documents each of those clients pushes (default 500)
  --shared             those clients push into one shared database (default: one each)
  --samples N          live-sync latency samples per target, spread over the rounds (default 200)
  --spacing MS         pause between two latency samples (default 25)
  --rounds N           rounds; each runs every figure on every target in turn (default 3)
  --targets LIST       any of polysync,leveldb,memory (default all three)
  --figures LIST       any of push,pull,live,clients (default all four)
  --keep-alive         the live-sync clients reuse connections, as browsers do (PouchDB in Node
                       otherwise opens a new connection for every request)
  --shared-loop        both live-sync clients in the benchmark's thread, sharing one event loop
                       (default: client B in a worker thread of its own, as a second device)
  --trace N            record every HTTP request of the live-sync clients and print where the
                       time of a sample goes: medians of its steps, and N sample timelines per
                       target (default 0: no recording)
  --storage URI        Polysync's storage (default: embedded SQLite in a fresh data directory),
                       e.g. postgresql://postgres@127.0.0.1:5432/test
  --no-warmup          skip the untimed warm-up run on every target
  --warmup-samples N   live-sync samples of the warm-up, per target (default 1500)
  --start-timeout S    how long a server may take to answer, Polysync's build included
                       (default 900)
  --polysync-start CMD how to start Polysync, with {port}, {data} and {admin} filled in
                       (default: ${DEFAULT_POLYSYNC_START})
  --keep               keep the servers' temporary directories (logs, data)
`;

const TARGETS = ['polysync', 'leveldb', 'memory'];
const FIGURES = ['push', 'pull', 'live', 'clients'];

/** A wrong option: reported without a stack trace, exit status 2. */
class UsageError extends Error {}

function parseArgs(argv) {
  try {
    return parseArgsOrThrow(argv);
  } catch (err) {
    throw new UsageError(err.message);
  }
}

function parseArgsOrThrow(argv) {
  const o = {
    docs: 10_000, clients: 20, clientDocs: 500, shared: false, samples: 200, spacing: 25,
    rounds: 3, targets: TARGETS, figures: FIGURES, trace: 0, keepAlive: false, sharedLoop: false, storage: '', warmup: true,
    startTimeout: 900, keep: false, admin: 'admin:secret', warmupSamples: 1500, polysyncStart: DEFAULT_POLYSYNC_START,
  };
  const int = (name, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--docs': o.docs = int(arg, value(), 1); break;
      case '--clients': o.clients = int(arg, value(), 1); break;
      case '--client-docs': o.clientDocs = int(arg, value(), 1); break;
      case '--shared': o.shared = true; break;
      case '--samples': o.samples = int(arg, value(), 1); break;
      case '--spacing': o.spacing = int(arg, value(), 0); break;
      case '--rounds': o.rounds = int(arg, value(), 1); break;
      case '--targets': {
        const list = value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = list.filter((t) => !TARGETS.includes(t));
        if (unknown.length || !list.length) throw new Error(`--targets: unknown ${unknown.join(',') || '(empty)'}; known: ${TARGETS.join(',')}`);
        o.targets = TARGETS.filter((t) => list.includes(t));
        break;
      }
      case '--figures': {
        const list = value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = list.filter((f) => !FIGURES.includes(f));
        if (unknown.length || !list.length) throw new Error(`--figures: unknown ${unknown.join(',') || '(empty)'}; known: ${FIGURES.join(',')}`);
        o.figures = FIGURES.filter((f) => list.includes(f));
        break;
      }
      case '--trace': o.trace = int(arg, value(), 0); break;
      case '--keep-alive': o.keepAlive = true; break;
      case '--shared-loop': o.sharedLoop = true; break;
      case '--polysync-start': o.polysyncStart = value(); break;
      case '--storage': o.storage = value(); break;
      case '--no-warmup': o.warmup = false; break;
      case '--warmup-samples': o.warmupSamples = int(arg, value(), 1); break;
      case '--start-timeout': o.startTimeout = int(arg, value(), 1); break;
      case '--keep': o.keep = true; break;
      case '--admin': o.admin = value(); break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  if (!o.admin.includes(':')) throw new Error('--admin needs NAME:PASSWORD');
  return o;
}

const note = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const hideStorage = (uri) => uri.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

function targetLabel(t, opts) {
  if (t === 'polysync') {
    const scheme = opts.storage ? opts.storage.split(':')[0] : 'sqlite';
    return `polysync (${scheme})`;
  }
  return t === 'leveldb' ? 'pouchdb-server leveldb' : 'pouchdb-server in-memory';
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fmtMs = (n) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '—');
const fmtRatio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');
const fmtCpu = (n) => (n === null || !Number.isFinite(n) ? '—' : n.toFixed(1));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Splits `total` into `parts` near-equal non-negative integers. */
function spread(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

async function startTargets(opts, servers) {
  const timeoutMs = opts.startTimeout * 1000;
  for (const t of opts.targets) {
    if (t === 'polysync') {
      if (opts.storage) note(`polysync storage: ${hideStorage(opts.storage)}`);
      note('polysync is started with ./polysync serve, which builds first when the sources changed');
      servers[t] = await startPolysync({ root: ROOT, admin: opts.admin, storage: opts.storage, start: opts.polysyncStart, timeoutMs, note });
    } else {
      servers[t] = await startPouchdbServer({ label: `pouchdb-server-${t}`, inMemory: t === 'memory', admin: opts.admin, timeoutMs, note });
    }
    servers[t].target = t;
    note(`${t} is up at ${servers[t].url.replace(/\/\/[^@/]*@/, '//')}`);
  }
}

async function warmup(opts, servers) {
  const docs = Math.min(opts.docs, 2000);
  const clientDocs = Math.min(opts.clientDocs, 50);
  const has = (f) => opts.figures.includes(f);
  for (const t of opts.targets) {
    const s = servers[t];
    const db = `bench-warmup-${Date.now()}`;
    note(`warm-up on ${t} (not counted): ${opts.figures.join(', ')}`);
    if (has('push') || has('pull')) {
      await push(s, db, docs);
      await pull(s, db, docs);
      await deleteRemote(s, db);
    }
    if (has('live')) {
      // Not too few: Polysync's JIT compiler works through its first ~20,000 requests (at ~18
      // requests per live change), taking CPU from the client on a small machine; after 400
      // samples the first timed round still came out 2-3 ms slower than the next ones.
      await liveLatency(s, `${db}-live`, opts.warmupSamples, 0, { trace: opts.trace > 0, keepAlive: opts.keepAlive, sharedLoop: opts.sharedLoop });
      await deleteRemote(s, `${db}-live`);
    }
    if (has('clients')) await concurrent(s, `${db}-clients`, opts.clients, clientDocs, opts.shared);
  }
}

async function runRounds(opts, servers) {
  const results = {};
  for (const t of opts.targets) {
    results[t] = { push: [], pull: [], live: { latencies: [], events: [], feeds: [], timelines: [], lost: 0, runs: [] }, clients: [] };
  }
  const has = (f) => opts.figures.includes(f);
  const samplesPerRound = spread(opts.samples, opts.rounds);
  for (let r = 0; r < opts.rounds; r++) {
    const tag = `${Date.now().toString(36)}-${r}`;
    note(`round ${r + 1}/${opts.rounds}`);
    if (has('push') || has('pull')) {
      // Pull reads what push wrote: push runs (untimed when only pull is asked for) either way.
      for (const t of opts.targets) {
        const x = await push(servers[t], `bench-${tag}`, opts.docs);
        if (has('push')) {
          results[t].push.push(x);
          note(`  push    ${t.padEnd(8)} ${fmtInt(x.docsPerSec).padStart(7)} docs/s  (${x.seconds.toFixed(2)} s; cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s)`);
        }
      }
      for (const t of opts.targets) {
        if (has('pull')) {
          const x = await pull(servers[t], `bench-${tag}`, opts.docs);
          results[t].pull.push(x);
          note(`  pull    ${t.padEnd(8)} ${fmtInt(x.docsPerSec).padStart(7)} docs/s  (${x.seconds.toFixed(2)} s; cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s)`);
        }
        await deleteRemote(servers[t], `bench-${tag}`);
      }
    }
    if (has('live') && samplesPerRound[r] > 0) {
      for (const t of opts.targets) {
        const x = await liveLatency(servers[t], `bench-${tag}-live`, samplesPerRound[r], opts.spacing, { trace: opts.trace > 0, keepAlive: opts.keepAlive, sharedLoop: opts.sharedLoop });
        const live = results[t].live;
        live.latencies.push(...x.latencies);
        live.events.push(...x.events);
        live.feeds.push(...x.feeds);
        live.timelines.push(...x.timelines);
        live.lost += x.lost;
        live.runs.push(x);
        const sorted = [...x.latencies].sort((a, b) => a - b);
        const events = [...x.events].sort((a, b) => a - b);
        const feeds = [...x.feeds].sort((a, b) => a - b);
        note(`  live    ${t.padEnd(8)} p50/p99 ms: in B's db ${fmtMs(percentile(sorted, 50))}/${fmtMs(percentile(sorted, 99))}, ` +
          `change event ${fmtMs(percentile(events, 50))}/${fmtMs(percentile(events, 99))}, ` +
          `B's changes feed ${fmtMs(percentile(feeds, 50))}/${fmtMs(percentile(feeds, 99))}; ${x.latencies.length} samples${x.lost ? `, ${x.lost} lost` : ''}; ` +
          `cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s`);
        await deleteRemote(servers[t], `bench-${tag}-live`);
      }
    }
    if (has('clients')) {
      for (const t of opts.targets) {
        const x = await concurrent(servers[t], `bench-${tag}-c`, opts.clients, opts.clientDocs, opts.shared);
        results[t].clients.push(x);
        note(`  clients ${t.padEnd(8)} ${fmtInt(x.docsPerSec).padStart(7)} docs/s  (${x.seconds.toFixed(2)} s; cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s)`);
      }
    }
  }
  return results;
}

function printTables(opts, results, startedAt) {
  const best = (runs) => (runs.length ? Math.max(...runs.map((x) => x.docsPerSec)) : NaN);
  const has = (f) => opts.figures.includes(f);
  const figures = [];
  const rows = {};
  for (const t of opts.targets) {
    const r = results[t];
    const sorted = [...r.live.latencies].sort((a, b) => a - b);
    const events = [...r.live.events].sort((a, b) => a - b);
    const feeds = [...r.live.feeds].sort((a, b) => a - b);
    rows[t] = {
      push: best(r.push),
      pull: best(r.pull),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      eventP50: percentile(events, 50),
      eventP99: percentile(events, 99),
      feedP50: percentile(feeds, 50),
      feedP99: percentile(feeds, 99),
      clients: best(r.clients),
    };
  }
  const n = (x) => x.toLocaleString('en-US');
  if (has('push')) figures.push({ key: 'push', name: `push ${n(opts.docs)} docs, docs/s`, fmt: fmtInt, goal: (v, lv) => (Number.isFinite(lv) ? `≥ 2× leveldb: ${v >= 2 * lv ? 'met' : 'not met'}` : '≥ 2× leveldb') });
  if (has('pull')) figures.push({ key: 'pull', name: `pull ${n(opts.docs)} docs, docs/s`, fmt: fmtInt, goal: (v, lv) => (Number.isFinite(lv) ? `≥ 2× leveldb: ${v >= 2 * lv ? 'met' : 'not met'}` : '≥ 2× leveldb') });
  if (has('live')) {
    figures.push({ key: 'p50', name: 'live sync p50, ms: doc in B\'s db', fmt: fmtMs, goal: (v) => `≤ 10 ms: ${v <= 10 ? 'met' : 'not met'}` });
    figures.push({ key: 'p99', name: 'live sync p99, ms: doc in B\'s db', fmt: fmtMs });
    figures.push({ key: 'eventP50', name: 'live sync p50, ms: B\'s change event', fmt: fmtMs });
    figures.push({ key: 'eventP99', name: 'live sync p99, ms: B\'s change event', fmt: fmtMs });
    figures.push({ key: 'feedP50', name: 'live sync p50, ms: B\'s changes feed', fmt: fmtMs });
    figures.push({ key: 'feedP99', name: 'live sync p99, ms: B\'s changes feed', fmt: fmtMs });
  }
  if (has('clients')) {
    figures.push({
      key: 'clients',
      name: `${opts.clients} clients × ${n(opts.clientDocs)} docs${opts.shared ? ' (one shared db)' : ' (db each)'}, docs/s`,
      fmt: fmtInt,
    });
  }

  const out = [];
  const refs = ['leveldb', 'memory'].filter((t) => opts.targets.includes(t));
  const header = ['figure', 'target', 'value', ...refs.map((t) => `÷ ${t}`), 'goal'];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`|${header.map((h, i) => (i >= 2 && i < header.length - 1 ? '---:' : '---')).join('|')}|`);
  for (const f of figures) {
    opts.targets.forEach((t, i) => {
      const v = rows[t][f.key];
      const ratios = refs.map((ref) => fmtRatio(v / rows[ref][f.key]));
      const goal = t === 'polysync' && f.goal ? f.goal(v, rows.leveldb ? rows.leveldb[f.key] : NaN) : '';
      out.push(`| ${i === 0 ? f.name : ''} | ${targetLabel(t, opts)} | ${f.fmt(v)} | ${ratios.join(' | ')}${refs.length ? ' | ' : ''}${goal} |`);
    });
  }
  out.push('');
  out.push('Ratios divide the target\'s figure by the reference\'s: for docs/s higher is better, for ms lower is better.');
  out.push('docs/s: the best of the rounds; latency: percentiles over every sample of every round.');
  if (has('live')) {
    out.push('Live sync, from just before client A\'s `put`: "doc in B\'s db" until B\'s pull replication\'s write into B\'s local');
    out.push('database has finished; "B\'s change event" until B\'s sync emits its pull `change` (PouchDB 9 emits it right after');
    out.push('that write, before the checkpoint); "B\'s changes feed" until a live `changes` feed on B\'s local database reports it.');
  }
  const lost = opts.targets.filter((t) => results[t].live.lost > 0);
  if (lost.length) {
    out.push(`Latency samples lost (no change within 10 s): ${lost.map((t) => `${t} ${results[t].live.lost}`).join(', ')}.`);
  }
  out.push('');
  out.push('CPU seconds per run (mean over the rounds), benchmark client process / server process:');
  out.push('');
  const cols = ['push', 'pull', 'live', 'clients'].filter(has);
  const colName = { push: 'push', pull: 'pull', live: 'live sync', clients: 'many clients' };
  out.push(`| target | ${cols.map((c) => colName[c]).join(' | ')} |`);
  out.push(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const t of opts.targets) {
    const r = results[t];
    const cell = (runs) => (runs.length ? `${fmtCpu(mean(runs.map((x) => x.clientCpu)))} / ${fmtCpu(runs.some((x) => x.serverCpu === null) ? null : mean(runs.map((x) => x.serverCpu)))}` : '—');
    const runsOf = { push: r.push, pull: r.pull, live: r.live.runs, clients: r.clients };
    out.push(`| ${targetLabel(t, opts)} | ${cols.map((c) => cell(runsOf[c])).join(' | ')} |`);
  }
  out.push('');
  if (has('live') && opts.trace > 0) out.push(...traceSection(opts, results));
  const minutes = (Date.now() - startedAt) / 60_000;
  out.push(`${opts.rounds} round(s), figures ${opts.figures.join(', ')}, ${opts.samples} latency samples per target ${opts.spacing} ms apart, warm-up ${opts.warmup ? 'on' : 'off'}${opts.trace ? ', requests traced' : ''}${opts.keepAlive ? ', live clients keep connections alive' : ''}${opts.sharedLoop ? ', live clients share one event loop' : ', live client B in a worker thread'}; ` +
    `${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end; Node ${process.versions.node}; ${minutes.toFixed(1)} min.`);
  process.stdout.write(out.join('\n') + '\n');
}

/**
 * Where a live sample's time goes, from the recorded requests: the median time (from the `put`)
 * at which each step ended, and the timelines of the samples nearest the median arrival.
 */
function traceSection(opts, results) {
  const out = ['### Where the live-sync time goes (requests traced)', ''];
  const find = (reqs, who, method, path, after = -Infinity) =>
    reqs.find((r) => r.who === who && r.method === method && r.path.startsWith(path) && r.done >= after);
  const steps = [
    ['A sends `_revs_diff`', (x) => find(x.requests, 'A', 'POST', '/_revs_diff', 0)?.sent],
    ['A\'s `_bulk_docs` sent', (x) => find(x.requests, 'A', 'POST', '/_bulk_docs', 0)?.sent],
    ['A\'s `_bulk_docs` answered', (x) => find(x.requests, 'A', 'POST', '/_bulk_docs', 0)?.done],
    ['B\'s longpoll `_changes` answered', (x) => find(x.requests, 'B', 'GET', '/_changes', 0)?.done],
    ['B\'s `_bulk_get` answered', (x) => find(x.requests, 'B', 'POST', '/_bulk_get', 0)?.done],
    ['doc in B\'s db', (x) => x.arrival],
    ['B\'s change event', (x) => x.event],
    ['B\'s changes feed', (x) => x.feed],
  ];
  const header = ['step, ms after the put (median)', ...opts.targets.map((t) => targetLabel(t, opts))];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`|---|${opts.targets.map(() => '---:').join('|')}|`);
  for (const [name, at] of steps) {
    const cells = opts.targets.map((t) => {
      const xs = results[t].live.timelines.map(at).filter(Number.isFinite).sort((a, b) => a - b);
      return fmtMs(percentile(xs, 50));
    });
    out.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const serverCells = opts.targets.map((t) => {
    const xs = results[t].live.timelines.map((x) => {
      const arrivalReqs = x.requests.filter((r) => r.sent >= 0 && r.done <= x.arrival && Number.isFinite(r.server));
      return arrivalReqs.length ? arrivalReqs.reduce((a, r) => a + r.server, 0) : NaN;
    }).filter(Number.isFinite).sort((a, b) => a - b);
    return xs.length ? fmtMs(percentile(xs, 50)) : '—';
  });
  out.push(`| server time of the requests sent and answered before the arrival (Server-Timing, summed) | ${serverCells.join(' | ')} |`);
  // Each request on the path split in three: until its handler started (connection, request
  // transfer, the server's scheduling), the handler, and from the handler's end until the client
  // had read the answer (transfer, the client's event loop). Needs the server's Server-Timing.
  const parts = [
    ['A `_revs_diff`', (x) => find(x.requests, 'A', 'POST', '/_revs_diff', 0)],
    ['A `_bulk_docs`', (x) => find(x.requests, 'A', 'POST', '/_bulk_docs', 0)],
    ['B `_bulk_get`', (x) => find(x.requests, 'B', 'POST', '/_bulk_get', 0)],
  ];
  for (const [name, pick] of parts) {
    const split = (t, f) => {
      const xs = results[t].live.timelines.map((x) => {
        const r = pick(x);
        return r && Number.isFinite(r.serverStart) ? f(r) : NaN;
      }).filter(Number.isFinite).sort((a, b) => a - b);
      return xs.length ? fmtMs(percentile(xs, 50)) : '—';
    };
    const cells = opts.targets.map((t) => `${split(t, (r) => r.serverStart - r.sent)} / ${split(t, (r) => r.server)} / ${split(t, (r) => r.done - r.serverStart - r.server)}`);
    out.push(`| ${name}: to the handler / handler / back to the client | ${cells.join(' | ')} |`);
  }
  const wakeCells = opts.targets.map((t) => {
    const xs = results[t].live.timelines.map((x) => {
      const write = find(x.requests, 'A', 'POST', '/_bulk_docs', 0);
      const poll = find(x.requests, 'B', 'GET', '/_changes', 0);
      return write && poll && Number.isFinite(write.serverStart) ? poll.done - (write.serverStart + write.server) : NaN;
    }).filter(Number.isFinite).sort((a, b) => a - b);
    return xs.length ? fmtMs(percentile(xs, 50)) : '—';
  });
  out.push(`| B's longpoll read by the client, after A's \`_bulk_docs\` handler ended | ${wakeCells.join(' | ')} |`);
  const requestCells = opts.targets.map((t) => {
    const xs = results[t].live.timelines.map((x) => x.requests.filter((r) => r.sent >= 0 && r.sent <= x.arrival).length).sort((a, b) => a - b);
    return String(percentile(xs, 50));
  });
  out.push(`| requests sent between the put and the arrival | ${requestCells.join(' | ')} |`);
  out.push('');
  for (const t of opts.targets) {
    const tl = results[t].live.timelines;
    if (!tl.length) continue;
    const median = percentile([...tl.map((x) => x.arrival)].sort((a, b) => a - b), 50);
    const picked = [...tl].sort((a, b) => Math.abs(a.arrival - median) - Math.abs(b.arrival - median)).slice(0, opts.trace);
    for (const x of picked) {
      out.push(`${targetLabel(t, opts)}: a sample near the median: doc in B's db at ${fmtMs(x.arrival)} ms, change event at ${fmtMs(x.event)} ms, B's changes feed at ${fmtMs(x.feed)} ms`);
      out.push('');
      out.push('```');
      out.push('client request                                   sent  handler  handler  headers     body');
      out.push('                                                        start      end');
      for (const r of [...x.requests].sort((p, q) => p.sent - q.sent)) {
        const what = `${r.who} ${r.method} ${r.path}`.slice(0, 46).padEnd(46);
        const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : '—').padStart(8);
        out.push(`${what} ${f(r.sent)} ${f(r.serverStart)} ${f(r.serverStart + r.server)} ${f(r.headers)} ${f(r.done)}`);
      }
      out.push('```');
      out.push('');
    }
  }
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const servers = {};
  let failed = true;
  const cleanup = async () => {
    for (const s of Object.values(servers)) await stopServer(s).catch(() => {});
    if (!opts.keep && !failed) {
      for (const s of Object.values(servers)) rmSync(s.dir, { recursive: true, force: true });
    }
  };
  const onSignal = async () => {
    await cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    note(`targets ${opts.targets.join(', ')}; ${opts.rounds} round(s); push/pull ${opts.docs} docs; ` +
      `${opts.samples} latency samples; ${opts.clients} clients x ${opts.clientDocs} docs`);
    await startTargets(opts, servers);
    if (opts.warmup) await warmup(opts, servers);
    const results = await runRounds(opts, servers);
    printTables(opts, results, startedAt);
    failed = false;
  } finally {
    await cleanup();
    if (failed) {
      for (const s of Object.values(servers)) note(`${s.label}: log kept in ${s.log}`);
    }
  }
}

main().catch((err) => {
  if (err instanceof UsageError) {
    process.stderr.write(`polysync bench replication: ${err.message}\n`);
    process.exit(2);
  }
  note(err.stack || err.message);
  process.exit(1);
});
