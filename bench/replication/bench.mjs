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
import { startPolysync, startPouchdbServer, stopServer } from './lib/servers.mjs';

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
  --storage URI        Polysync's storage (default: embedded SQLite in a fresh data directory),
                       e.g. postgresql://postgres@127.0.0.1:5432/test
  --no-warmup          skip the untimed warm-up run on every target
  --start-timeout S    how long a server may take to answer, Polysync's build included
                       (default 900)
  --keep               keep the servers' temporary directories (logs, data)
`;

const TARGETS = ['polysync', 'leveldb', 'memory'];

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
    rounds: 3, targets: TARGETS, storage: '', warmup: true, startTimeout: 900, keep: false,
    admin: 'admin:secret',
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
      case '--storage': o.storage = value(); break;
      case '--no-warmup': o.warmup = false; break;
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
      servers[t] = await startPolysync({ root: ROOT, admin: opts.admin, storage: opts.storage, timeoutMs, note });
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
  for (const t of opts.targets) {
    const s = servers[t];
    const db = `bench-warmup-${Date.now()}`;
    note(`warm-up on ${t}: push and pull ${docs} docs, 20 live samples, ${opts.clients} clients x ${clientDocs} docs (not counted)`);
    await push(s, db, docs);
    await pull(s, db, docs);
    await deleteRemote(s, db);
    await liveLatency(s, `${db}-live`, 20, opts.spacing);
    await deleteRemote(s, `${db}-live`);
    await concurrent(s, `${db}-clients`, opts.clients, clientDocs, opts.shared);
  }
}

async function runRounds(opts, servers) {
  const results = {};
  for (const t of opts.targets) {
    results[t] = { push: [], pull: [], live: { latencies: [], lost: 0, runs: [] }, clients: [] };
  }
  const samplesPerRound = spread(opts.samples, opts.rounds);
  for (let r = 0; r < opts.rounds; r++) {
    const tag = `${Date.now().toString(36)}-${r}`;
    note(`round ${r + 1}/${opts.rounds}`);
    for (const t of opts.targets) {
      const x = await push(servers[t], `bench-${tag}`, opts.docs);
      results[t].push.push(x);
      note(`  push    ${t.padEnd(8)} ${fmtInt(x.docsPerSec).padStart(7)} docs/s  (${x.seconds.toFixed(2)} s; cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s)`);
    }
    for (const t of opts.targets) {
      const x = await pull(servers[t], `bench-${tag}`, opts.docs);
      results[t].pull.push(x);
      note(`  pull    ${t.padEnd(8)} ${fmtInt(x.docsPerSec).padStart(7)} docs/s  (${x.seconds.toFixed(2)} s; cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s)`);
      await deleteRemote(servers[t], `bench-${tag}`);
    }
    if (samplesPerRound[r] > 0) {
      for (const t of opts.targets) {
        const x = await liveLatency(servers[t], `bench-${tag}-live`, samplesPerRound[r], opts.spacing);
        const live = results[t].live;
        live.latencies.push(...x.latencies);
        live.lost += x.lost;
        live.runs.push(x);
        const sorted = [...x.latencies].sort((a, b) => a - b);
        note(`  live    ${t.padEnd(8)} p50 ${fmtMs(percentile(sorted, 50))} ms, p99 ${fmtMs(percentile(sorted, 99))} ms over ${x.latencies.length} samples${x.lost ? `, ${x.lost} lost` : ''}`);
        await deleteRemote(servers[t], `bench-${tag}-live`);
      }
    }
    for (const t of opts.targets) {
      const x = await concurrent(servers[t], `bench-${tag}-c`, opts.clients, opts.clientDocs, opts.shared);
      results[t].clients.push(x);
      note(`  clients ${t.padEnd(8)} ${fmtInt(x.docsPerSec).padStart(7)} docs/s  (${x.seconds.toFixed(2)} s; cpu client ${fmtCpu(x.clientCpu)} s, server ${fmtCpu(x.serverCpu)} s)`);
    }
  }
  return results;
}

function printTables(opts, results, startedAt) {
  const best = (runs) => Math.max(...runs.map((x) => x.docsPerSec));
  const figures = [];
  const rows = {};
  for (const t of opts.targets) {
    const r = results[t];
    const sorted = [...r.live.latencies].sort((a, b) => a - b);
    rows[t] = {
      push: best(r.push),
      pull: best(r.pull),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      clients: best(r.clients),
    };
  }
  const n = (x) => x.toLocaleString('en-US');
  figures.push({ key: 'push', name: `push ${n(opts.docs)} docs, docs/s`, fmt: fmtInt, goal: (v, lv) => (Number.isFinite(lv) ? `≥ 2× leveldb: ${v >= 2 * lv ? 'met' : 'not met'}` : '≥ 2× leveldb') });
  figures.push({ key: 'pull', name: `pull ${n(opts.docs)} docs, docs/s`, fmt: fmtInt, goal: (v, lv) => (Number.isFinite(lv) ? `≥ 2× leveldb: ${v >= 2 * lv ? 'met' : 'not met'}` : '≥ 2× leveldb') });
  figures.push({ key: 'p50', name: 'live sync p50, ms', fmt: fmtMs, goal: (v) => `≤ 10 ms: ${v <= 10 ? 'met' : 'not met'}` });
  figures.push({ key: 'p99', name: 'live sync p99, ms', fmt: fmtMs });
  figures.push({
    key: 'clients',
    name: `${opts.clients} clients × ${n(opts.clientDocs)} docs${opts.shared ? ' (one shared db)' : ' (db each)'}, docs/s`,
    fmt: fmtInt,
  });

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
  const lost = opts.targets.filter((t) => results[t].live.lost > 0);
  if (lost.length) {
    out.push(`Latency samples lost (no change within 10 s): ${lost.map((t) => `${t} ${results[t].live.lost}`).join(', ')}.`);
  }
  out.push('');
  out.push('CPU seconds per run (mean over the rounds), benchmark client process / server process:');
  out.push('');
  out.push('| target | push | pull | live sync | many clients |');
  out.push('|---|---:|---:|---:|---:|');
  for (const t of opts.targets) {
    const r = results[t];
    const cell = (runs) => (runs.length ? `${fmtCpu(mean(runs.map((x) => x.clientCpu)))} / ${fmtCpu(runs.some((x) => x.serverCpu === null) ? null : mean(runs.map((x) => x.serverCpu)))}` : '—');
    out.push(`| ${targetLabel(t, opts)} | ${cell(r.push)} | ${cell(r.pull)} | ${cell(r.live.runs)} | ${cell(r.clients)} |`);
  }
  out.push('');
  const minutes = (Date.now() - startedAt) / 60_000;
  out.push(`${opts.rounds} round(s), ${opts.samples} latency samples per target ${opts.spacing} ms apart, warm-up ${opts.warmup ? 'on' : 'off'}; ` +
    `${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end; Node ${process.versions.node}; ${minutes.toFixed(1)} min.`);
  process.stdout.write(out.join('\n') + '\n');
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
