// Scale-out suite: several server processes on one shared database, driven by the real PouchDB
// client (interop/scaleout/README.md).
//
//   node scaleout/runner.mjs [--backends postgresql,redis] [--processes 3] [--docs 600]
//                            [--samples 200] [--start 'CMD'] [--prepare 'CMD']
//
// For each backend the runner makes a fresh, empty store (a scratch PostgreSQL or MariaDB
// database, or a Redis key prefix of its own), starts the processes on it at the same time, runs
// scaleout.test.mjs with `node --test` against them, stops them and removes the store. At the end
// it prints the wake-up latency figures the tests measured. Exit status: 0 when every run passed.
//
// CMD may use {port}, {data}, {admin} (NAME:PASSWORD) and {storage} (the storage URI); the
// default is the repository's launcher, `./polysync serve --port {port} --data {data} --admin
// {admin} --storage {storage}`, run from the repository root. --prepare runs once before the
// processes start (default for the launcher: `./polysync serve --help`, which builds the server
// when needed, so the processes do not each try to build it).
//
// Services: --postgresql URI (default postgresql://postgres@127.0.0.1:5432), --mariadb URI
// (default mariadb://root@127.0.0.1:3306), --redis URI (default redis://127.0.0.1:6379/0);
// the scratch databases are made and dropped with the psql and mariadb command-line clients, and
// the Redis keys removed with redis-cli.

import { execFile as execFileCb, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, shellQuote, startServer, stopServer } from '../lib/server-ctl.mjs';

const execFile = promisify(execFileCb);
const HERE = dirname(fileURLToPath(import.meta.url));
const INTEROP = resolve(HERE, '..');
const REPO = resolve(INTEROP, '..');
const TEST_FILE = join(HERE, 'scaleout.test.mjs');
const DEFAULT_START = './polysync serve --port {port} --data {data} --admin {admin} --storage {storage}';
const DEFAULT_PREPARE = './polysync serve --help';
const RUN_TIMEOUT_MS = 15 * 60_000;

const log = (msg) => console.log(`[scaleout] ${msg}`);

function parseArgs(argv) {
  const opts = {
    backends: ['postgresql', 'redis'],
    processes: 3,
    docs: 600,
    samples: 200,
    admin: 'admin:scale-out-secret',
    start: DEFAULT_START,
    prepare: undefined,
    postgresql: 'postgresql://postgres@127.0.0.1:5432',
    mariadb: 'mariadb://root@127.0.0.1:3306',
    redis: 'redis://127.0.0.1:6379/0',
    mongodb: 'mongodb://127.0.0.1:27117',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--backends': opts.backends = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--processes': opts.processes = Number(value()); break;
      case '--docs': opts.docs = Number(value()); break;
      case '--samples': opts.samples = Number(value()); break;
      case '--admin': opts.admin = value(); break;
      case '--start': opts.start = value(); break;
      case '--prepare': opts.prepare = value(); break;
      case '--postgresql': opts.postgresql = value(); break;
      case '--mariadb': opts.mariadb = value(); break;
      case '--redis': opts.redis = value(); break;
      case '--mongodb': opts.mongodb = value(); break;
      case '-h': case '--help':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n\n')[0].replace(/^\/\/ ?/gm, ''));
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${arg}`);
    }
  }
  if (opts.prepare === undefined) opts.prepare = opts.start === DEFAULT_START ? DEFAULT_PREPARE : '';
  if (!(opts.processes >= 2)) throw new Error('--processes must be 2 or more');
  for (const b of opts.backends) {
    if (!STORES[b]) throw new Error(`unknown backend ${b} (known: ${Object.keys(STORES).join(', ')})`);
  }
  return opts;
}


function urlFor(port, admin) {
  const i = admin.indexOf(':');
  return `http://${encodeURIComponent(admin.slice(0, i))}:${encodeURIComponent(admin.slice(i + 1))}@127.0.0.1:${port}`;
}

/** host, port, user and password of a `scheme://user[:password]@host:port[/...]` URI. */
function server(uri, defaultPort) {
  const u = new URL(uri);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port || String(defaultPort),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    db: u.pathname.replace(/^\//, ''),
  };
}

const scratchName = () => `polysync_scaleout_${randomBytes(5).toString('hex')}`;

/** Per backend: make a fresh empty store and return its storage URI and how to remove it. */
const STORES = {
  async postgresql(opts) {
    const s = server(opts.postgresql, 5432);
    const name = scratchName();
    const env = { ...process.env, ...(s.password ? { PGPASSWORD: s.password } : {}) };
    const psql = (sql) => execFile('psql', ['-h', s.host, '-p', s.port, '-U', s.user || 'postgres', '-w', '-X', '-q',
      '-d', 'postgres', '-c', sql], { env });
    await psql(`CREATE DATABASE ${name}`);
    const auth = s.user ? `${encodeURIComponent(s.user)}${s.password ? ':' + encodeURIComponent(s.password) : ''}@` : '';
    return {
      uri: `postgresql://${auth}${s.host}:${s.port}/${name}`,
      label: `PostgreSQL database ${name} (LISTEN/NOTIFY)`,
      remove: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  },
  async mariadb(opts) {
    const s = server(opts.mariadb, 3306);
    const name = scratchName();
    const mariadb = (sql) => execFile('mariadb', ['--protocol=TCP', '-h', s.host, '-P', s.port, `-u${s.user || 'root'}`,
      ...(s.password ? [`-p${s.password}`] : []), '-e', sql]);
    await mariadb(`CREATE DATABASE ${name}`);
    const auth = s.user ? `${encodeURIComponent(s.user)}${s.password ? ':' + encodeURIComponent(s.password) : ''}@` : '';
    return {
      uri: `mariadb://${auth}${s.host}:${s.port}/${name}`,
      label: `MariaDB database ${name} (polling, 100 ms)`,
      remove: () => mariadb(`DROP DATABASE IF EXISTS ${name}`),
    };
  },
  async redis(opts) {
    const s = server(opts.redis, 6379);
    const prefix = `polysync-scaleout-${randomBytes(5).toString('hex')}:`;
    const cli = ['-h', s.host, '-p', s.port, '-n', s.db || '0', ...(s.password ? ['-a', s.password, '--no-auth-warning'] : [])];
    await execFile('redis-cli', [...cli, 'PING']);
    const sep = opts.redis.includes('?') ? '&' : '?';
    return {
      uri: `${opts.redis}${sep}prefix=${encodeURIComponent(prefix)}`,
      label: `Redis key prefix ${prefix} (pub/sub)`,
      async remove() {
        const { stdout } = await execFile('redis-cli', [...cli, '--scan', '--pattern', `${prefix}*`], { maxBuffer: 64 << 20 });
        const keys = stdout.split('\n').filter(Boolean);
        for (let i = 0; i < keys.length; i += 500) {
          await execFile('redis-cli', [...cli, 'UNLINK', ...keys.slice(i, i + 500)]);
        }
      },
    };
  },
};

// MongoDB: a fresh database on a running server (CI starts the mongo-java-server stand-in,
// io.polysync.adapter.mongo.StandInMain, on 127.0.0.1:27117); the stand-in keeps it in memory.
STORES.mongodb = async (opts) => {
  const base = opts.mongodb.replace(/\/+$/, '');
  const { host, port } = server(base, 27017);
  await new Promise((res, rej) => {
    const socket = createConnection({ host, port: Number(port) }, () => { socket.end(); res(); });
    socket.once('error', (e) => rej(new Error(`nothing listens at ${host}:${port} for MongoDB: ${e.message}`)));
  });
  const db = `polysync_scaleout_${randomBytes(5).toString('hex')}`;
  return {
    uri: `${base}/${db}`,
    label: `MongoDB database ${db} at ${host}:${port}`,
    async remove() {},
  };
};

function run(cmd, cwd) {
  return new Promise((res, rej) => {
    const child = spawn('sh', ['-c', cmd], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? res() : rej(new Error(`${cmd} exited ${code}`))));
  });
}

function runNodeTest(env) {
  return new Promise((res) => {
    const args = ['--test', '--test-concurrency=1', `--test-timeout=${10 * 60_000}`, TEST_FILE];
    const child = spawn(process.execPath, args, { cwd: INTEROP, env, stdio: 'inherit' });
    const timer = setTimeout(() => {
      log(`run exceeded ${RUN_TIMEOUT_MS / 60_000} minutes; stopping it`);
      child.kill('SIGTERM');
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      res(code ?? (signal ? 1 : 0));
    });
  });
}

const live = new Set();

async function runBackend(backend, opts, figuresFile) {
  log(`---- ${backend}: ${opts.processes} processes on one store ----`);
  // Processes on one database share its key-encryption key (encryption at rest is on by
  // default): one random key for the run, unless the caller gave one.
  if (!process.env.POLYSYNC_MASTER_KEY) process.env.POLYSYNC_MASTER_KEY = randomBytes(32).toString('base64');
  const store = await STORES[backend](opts);
  log(`store: ${store.label}`);
  const dir = mkdtempSync(join(tmpdir(), `polysync-scaleout-${backend}-`));
  const states = [];
  let code = 1;
  try {
    // All processes start at the same time on the empty store: schema creation, system records
    // and the admin account must come out the same whichever process gets there first.
    const starts = [];
    for (let i = 0; i < opts.processes; i++) {
      const port = await freePort();
      const data = join(dir, `data-${i}`);
      const cmd = opts.start
        .replaceAll('{port}', String(port))
        .replaceAll('{data}', shellQuote(data))
        .replaceAll('{admin}', shellQuote(opts.admin))
        .replaceAll('{storage}', shellQuote(store.uri));
      const state = {
        cmd, cwd: REPO, url: urlFor(port, opts.admin),
        log: join(dir, `server-${i}.log`), stateFile: join(dir, `server-${i}.json`),
      };
      states.push(state);
      live.add(state);
      starts.push(startServer(state).then((s) => Object.assign(state, s)));
    }
    const started = await Promise.allSettled(starts);
    for (const state of states) {
      // A process that failed to come up still has its pid in the state file: stop it too.
      if (!state.pid && existsSync(state.stateFile)) Object.assign(state, JSON.parse(readFileSync(state.stateFile, 'utf8')));
    }
    const failedStart = started.find((r) => r.status === 'rejected');
    if (failedStart) throw failedStart.reason;
    log(`up: ${states.map((s, i) => `${String.fromCharCode(65 + i)} pid ${s.pid} port ${new URL(s.url).port}`).join(', ')}`);
    const env = {
      ...process.env,
      POLYSYNC_URLS: states.map((s) => s.url).join(','),
      POLYSYNC_BACKEND: backend,
      POLYSYNC_DOCS: String(opts.docs),
      POLYSYNC_SAMPLES: String(opts.samples),
      POLYSYNC_FIGURES: figuresFile,
    };
    code = await runNodeTest(env);
  } finally {
    for (const state of states) {
      await stopServer(state).catch(() => {});
      live.delete(state);
      if (code !== 0 && existsSync(state.log)) {
        log(`last lines of ${state.log}:\n${readFileSync(state.log, 'utf8').split('\n').slice(-30).join('\n')}`);
      }
    }
    await store.remove().catch((err) => log(`could not remove the store: ${err.message}`));
    if (code === 0 && !process.env.POLYSYNC_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
  return code;
}

function printFigures(figuresFile) {
  if (!existsSync(figuresFile)) return;
  const rows = readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  if (!rows.length) return;
  const f = (x) => x.toFixed(1).padStart(6);
  log('');
  log('cross-process wake-up: a write through process A, a longpoll _changes on process B');
  log('(from the write request leaving the client to B\'s answer; "after ack": from A\'s answer to B\'s; ms)');
  log('backend       samples   A→B p50   A→B p99   after ack p50/p99   write p50   same process p50/p99');
  for (const r of rows) {
    log(`${r.backend.padEnd(12)} ${String(r.samples).padStart(8)}  ${f(r.cross.p50)}    ${f(r.cross.p99)}    ` +
      `${f(r.afterAck.p50)} /${f(r.afterAck.p99)}   ${f(r.write.p50)}      ${f(r.same.p50)} /${f(r.same.p99)}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.prepare) {
    log(`preparing: ${opts.prepare}`);
    await run(`${opts.prepare} >/dev/null`, REPO);
  }
  const figuresDir = mkdtempSync(join(tmpdir(), 'polysync-scaleout-figures-'));
  const figuresFile = join(figuresDir, 'figures.jsonl');
  let failed = 0;
  try {
    for (const backend of opts.backends) {
      const code = await runBackend(backend, opts, figuresFile);
      if (code !== 0) {
        failed++;
        log(`${backend}: FAILED (exit ${code})`);
      }
    }
    printFigures(figuresFile);
  } finally {
    rmSync(figuresDir, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

const onSignal = async () => {
  for (const state of live) await stopServer(state).catch(() => {});
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`[scaleout] ${err.stack || err.message}`);
  code = 1;
}
process.exit(code);
