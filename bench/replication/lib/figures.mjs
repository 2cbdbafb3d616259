// The four measurements, each against one remote server, with the real PouchDB 9 client
// (pouchdb-core with the memory, HTTP and replication plugins) on in-memory local databases.

import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import PouchDBCore from 'pouchdb-core';
import MemoryAdapter from 'pouchdb-adapter-memory';
import HttpAdapter from 'pouchdb-adapter-http';
import Replication from 'pouchdb-replication';
import { cpuSeconds, request } from './servers.mjs';

export const PouchDB = PouchDBCore.plugin(MemoryAdapter).plugin(HttpAdapter).plugin(Replication);

const REPLICATION_TIMEOUT_MS = 10 * 60_000;
const SAMPLE_TIMEOUT_MS = 10_000;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** A document whose JSON (with `_id`, without `_rev`) is about 300 bytes. */
export function makeDoc(prefix, i) {
  const n = String(i).padStart(6, '0');
  return {
    _id: `${prefix}-${n}`,
    type: 'note',
    n: i,
    title: `Note ${n} ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`,
    tags: [WORDS[i % 10], WORDS[(i + 3) % 10], WORDS[(i + 6) % 10]],
    author: { name: `user-${i % 97}`, device: `device-${i % 13}` },
    created: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    done: i % 3 === 0,
    body: randomBytes(60).toString('hex'),
  };
}

let localCounter = 0;

/** A new, empty in-memory PouchDB (memory databases with the same name share their data). */
export function localDb(label) {
  localCounter += 1;
  return new PouchDB(`${label}-${process.pid}-${localCounter}-${randomBytes(4).toString('hex')}`, { adapter: 'memory' });
}

/** A remote PouchDB handle on `db` of `server` (credentials go with every request). */
export function remoteDb(server, db) {
  return new PouchDB(`${server.url}/${db}`, { skip_setup: true });
}

export async function createRemote(server, db) {
  const res = await request(server.url, 'PUT', `${encodeURIComponent(db)}`);
  if (res.status !== 201 && res.status !== 202) {
    throw new Error(`PUT /${db} on ${server.label} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

export async function deleteRemote(server, db) {
  await request(server.url, 'DELETE', `${encodeURIComponent(db)}`).catch(() => {});
}

async function docCount(server, db) {
  const res = await request(server.url, 'GET', `${encodeURIComponent(db)}`);
  return res.body && res.body.doc_count;
}

/** Fills a local database with `count` documents, in batches (not timed). */
export async function fillLocal(local, prefix, count) {
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) docs.push(makeDoc(prefix, i));
    const results = await local.bulkDocs(docs);
    const failed = results.filter((r) => r.error);
    if (failed.length) throw new Error(`local write failed: ${JSON.stringify(failed[0])}`);
  }
}

/** Waits for a one-off replication, bounded. */
function finish(replication, what) {
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => {
      replication.cancel();
      rej(new Error(`${what} did not finish within ${REPLICATION_TIMEOUT_MS / 1000} s`));
    }, REPLICATION_TIMEOUT_MS);
  });
  return Promise.race([replication, timeout]).finally(() => clearTimeout(timer));
}

function gc() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/** Runs `fn` and measures wall time and the CPU time of this process and of the server. */
async function measured(server, fn) {
  gc();
  const serverCpu0 = cpuSeconds(server);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const clientUse = process.cpuUsage(clientCpu0);
  const serverCpu1 = cpuSeconds(server);
  return {
    result,
    seconds,
    clientCpu: (clientUse.user + clientUse.system) / 1e6,
    serverCpu: serverCpu0 === null || serverCpu1 === null ? null : serverCpu1 - serverCpu0,
  };
}

/**
 * Push: `docs` documents from a fresh local PouchDB into an empty remote database with
 * `replicate.to`. The remote database is left in place for the pull that follows.
 */
export async function push(server, db, docs) {
  await createRemote(server, db);
  const local = localDb('push');
  await fillLocal(local, 'doc', docs);
  const remote = remoteDb(server, db);
  const m = await measured(server, () => finish(PouchDB.replicate(local, remote), `push to ${server.label}`));
  const written = m.result.docs_written;
  await local.destroy();
  const stored = await docCount(server, db);
  if (written !== docs || stored !== docs) {
    throw new Error(`push to ${server.label}: ${written} docs written, ${stored} on the server, expected ${docs}`);
  }
  return { docsPerSec: docs / m.seconds, seconds: m.seconds, clientCpu: m.clientCpu, serverCpu: m.serverCpu };
}

/** Pull: every document of the remote database `db` into a fresh local PouchDB. */
export async function pull(server, db, docs) {
  const local = localDb('pull');
  const remote = remoteDb(server, db);
  const m = await measured(server, () => finish(PouchDB.replicate(remote, local), `pull from ${server.label}`));
  const info = await local.info();
  await local.destroy();
  if (info.doc_count !== docs) {
    throw new Error(`pull from ${server.label}: ${info.doc_count} docs arrived, expected ${docs}`);
  }
  return { docsPerSec: docs / m.seconds, seconds: m.seconds, clientCpu: m.clientCpu, serverCpu: m.serverCpu };
}

/** Resolves once `sync` has paused (caught up) after `since`. */
function pausedAfter(sync, what) {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${what} did not catch up within 60 s`)), 60_000);
    sync.once('paused', (err) => {
      clearTimeout(timer);
      if (err) rej(err);
      else res();
    });
  });
}

/** Shortens a request URL for a trace line: the path after the database, decoded, no credentials. */
function shortPath(url, db) {
  const u = new URL(url);
  let path = decodeURIComponent(u.pathname);
  const prefix = `/${db}`;
  if (path.startsWith(prefix)) path = path.slice(prefix.length) || '/';
  const feed = u.searchParams.get('feed');
  return feed ? `${path}?feed=${feed}` : path;
}

/**
 * The clock of the live-sync figure, in ms: the system's monotonic clock (`process.hrtime`), which
 * every thread of the process reads alike, so times taken in client B's worker thread compare with
 * client A's.
 */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Wall-clock ms minus `now()`: turns the server's wall-clock `Server-Timing` start into `now()` time. */
const WALL_MINUS_NOW = performance.timeOrigin + performance.now() - now();

/**
 * The `fetch` PouchDB's HTTP adapter uses: its own (`PouchDB.fetch`, node-fetch 2 behind
 * fetch-cookie in Node), which sends `Connection: close` on every request unless it is given an
 * agent, so every request opens a new connection. With `keepAlive` it gets a keep-alive agent
 * instead and reuses connections, as browsers do.
 */
function clientFetch(keepAlive) {
  if (!keepAlive) return (url, init) => PouchDB.fetch(url, init);
  const agent = new Agent({ keepAlive: true });
  return (url, init = {}) => PouchDB.fetch(url, { ...init, agent });
}

let requestCounter = 0;

/**
 * Wraps `fetch` to record every request of one client: when it was sent, when its headers came,
 * when its body was read in full (PouchDB reads bodies with `json()`, `text()`, `blob()` or
 * `arrayBuffer()`), and the server's `Server-Timing` header. `record(rec)` is called with the
 * request's record each time it grows; `rec.key` names the request.
 */
function tracingFetch(fetch, who, db, record) {
  return async (url, init = {}) => {
    requestCounter += 1;
    const rec = { key: `${who}-${requestCounter}`, who, method: (init.method || 'GET').toUpperCase(), path: shortPath(String(url), db), sent: now() };
    record(rec);
    const res = await fetch(url, init);
    rec.headers = now();
    rec.status = res.status;
    rec.serverTiming = res.headers.get('server-timing');
    record(rec);
    for (const m of ['json', 'text', 'blob', 'arrayBuffer']) {
      const original = res[m].bind(res);
      res[m] = async () => {
        const v = await original();
        rec.done = now();
        record(rec);
        return v;
      };
    }
    return res;
  };
}

/** The server's own time for a request from its `Server-Timing: total;dur=MS` header, or NaN. */
function serverMs(rec) {
  const m = rec.serverTiming && /total;dur=([0-9.]+)/.exec(rec.serverTiming);
  return m ? Number(m[1]) : NaN;
}

/**
 * When the server's handler started, on the `now()` clock, from `Server-Timing: start;desc=MICROS`
 * (wall clock; the server runs on the same machine), or NaN.
 */
function serverStart(rec) {
  const m = rec.serverTiming && /start;desc="?([0-9]+)/.exec(rec.serverTiming);
  return m ? Number(m[1]) / 1000 - WALL_MINUS_NOW : NaN;
}

/** A live-syncing client's remote handle on `db` at `url`, traced into `record` when given. */
function liveRemote(url, db, who, keepAlive, record) {
  const fetch = clientFetch(keepAlive);
  return new PouchDB(`${url}/${db}`, { skip_setup: true, fetch: record ? tracingFetch(fetch, who, db, record) : fetch });
}

/**
 * Client B of the live-sync figure: a local PouchDB in live `sync` with `db` at `url`. It tells
 * `post` of everything the figure needs, as plain messages, so that it runs the same in the
 * benchmark's thread or in a worker thread of its own:
 *
 * - `{type: 'arrive', id, key, at}` when a document reaches B: `key` is `arrival` (B's pull
 *   replication's `bulkDocs` into the local database resolved), `event` (B's sync emitted its
 *   pull `change`) or `feed` (B's local live `changes` feed reported it); `at` on `now()`;
 * - `{type: 'request', rec}` each time a traced request's record grows (with `trace`);
 * - `{type: 'error', message}` for an error of B's sync.
 *
 * Returns `ready` (resolves once B's sync has caught up) and `stop()` (cancels and destroys).
 */
export function startReceiver({ url, db, keepAlive, trace }, post) {
  const b = localDb('live-b');
  const syncB = b.sync(liveRemote(url, db, 'B', keepAlive, trace ? (rec) => post({ type: 'request', rec }) : null), { live: true, retry: true });
  syncB.on('error', (err) => post({ type: 'error', message: String(err) }));
  const ready = pausedAfter(syncB, 'sync B');
  // B's pull replication writes into `b` with bulkDocs(new_edits: false); its own local writes
  // (the sample's doc never comes that way) do not matter here.
  const bulkDocs = b.bulkDocs.bind(b);
  b.bulkDocs = async (...args) => {
    const res = await bulkDocs(...args);
    const at = now();
    const docs = Array.isArray(args[0]) ? args[0] : (args[0] && args[0].docs) || [];
    for (const doc of docs) post({ type: 'arrive', id: doc._id, key: 'arrival', at });
    return res;
  };
  const feedB = b.changes({ live: true, since: 'now' });
  feedB.on('change', (change) => post({ type: 'arrive', id: change.id, key: 'feed', at: now() }));
  syncB.on('change', (info) => {
    if (info.direction !== 'pull') return;
    const at = now();
    for (const doc of info.change.docs) post({ type: 'arrive', id: doc._id, key: 'event', at });
  });
  return {
    ready,
    stop: async () => {
      feedB.cancel();
      syncB.cancel();
      await b.destroy();
    },
  };
}

/** Client B in a worker thread of its own (`live-receiver.mjs`), with its own event loop. */
function workerReceiver(options, post) {
  const worker = new Worker(new URL('./live-receiver.mjs', import.meta.url), { workerData: options });
  let readyResolve;
  let readyReject;
  const ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
  let stoppedResolve;
  const stopped = new Promise((res) => { stoppedResolve = res; });
  worker.on('message', (m) => {
    if (m.type === 'ready') readyResolve();
    else if (m.type === 'not-ready') readyReject(new Error(m.message));
    else if (m.type === 'stopped') stoppedResolve();
    else post(m);
  });
  worker.on('error', (err) => { readyReject(err); post({ type: 'error', message: String(err) }); stoppedResolve(); });
  worker.on('exit', () => stoppedResolve());
  return {
    ready,
    stop: async () => {
      worker.postMessage({ type: 'stop' });
      await stopped;
      await worker.terminate();
    },
  };
}

/**
 * Live-sync latency: two local PouchDBs in live `sync` (live, retry) with the same remote
 * database. Client A writes a document; each sample gives three times from just before A's `put`:
 *
 * - arrival: until the document is in B's local database: B's pull replication's `bulkDocs`
 *   into it has resolved (the call is wrapped to note when). From then on it is readable.
 * - event: until B's sync emits its pull `change` event carrying the document (the figure this
 *   benchmark reported first). PouchDB 9 emits it right after that `bulkDocs`, before it writes
 *   the batch's checkpoint (`finishBatch` in pouchdb-replication), so it is the arrival plus a
 *   few promise steps, not the checkpoint's requests.
 * - feed: until a live `changes` feed on B's local database (`b.changes({live: true, since:
 *   'now'})`) reports it, which is how an application learns of it. PouchDB runs such a feed
 *   as a new `changes` query of the local store after each write, behind any query already
 *   running (B's own push replication listens too), so it comes later than the arrival.
 *
 * B runs in a worker thread of its own, as a second device would (its own event loop), unless
 * `sharedLoop`: then both clients share this thread's event loop, and each waits for the other's
 * work (checkpoints, longpolls, parsing) before it reads an answer.
 *
 * Samples are `spacingMs` apart (after the previous one arrived), so every sample starts with
 * both syncs idle and B's longpoll `_changes` request waiting on the server. With `trace`, every
 * HTTP request of both clients is recorded (`tracingFetch`) and the result carries the
 * per-sample request timelines. With `keepAlive`, the clients reuse connections (`clientFetch`).
 */
export async function liveLatency(server, db, samples, spacingMs, { trace = false, keepAlive = false, sharedLoop = false } = {}) {
  await createRemote(server, db);
  const a = localDb('live-a');
  // Every traced request by its key; a worker's records come as copies, merged into one object.
  const requests = [];
  const byKey = new Map();
  const record = (rec) => {
    const known = byKey.get(rec.key);
    if (known) {
      Object.assign(known, rec);
    } else {
      byKey.set(rec.key, rec);
      requests.push(rec);
    }
  };
  const syncA = a.sync(liveRemote(server.url, db, 'A', keepAlive, trace ? record : null), { live: true, retry: true });
  const errors = [];
  syncA.on('error', (err) => errors.push(String(err)));

  // id -> { arrival, event, feed } times and the resolver of the sample in flight.
  const waiting = new Map();
  const onMessage = (m) => {
    if (m.type === 'request') {
      record(m.rec);
    } else if (m.type === 'error') {
      errors.push(m.message);
    } else if (m.type === 'arrive') {
      const w = waiting.get(m.id);
      if (w && w[m.key] === undefined) {
        w[m.key] = m.at;
        if (w.arrival !== undefined && w.event !== undefined && w.feed !== undefined) w.resolve();
      }
    }
  };
  const options = { url: server.url, db, keepAlive, trace };
  const receiver = sharedLoop ? startReceiver(options, onMessage) : workerReceiver(options, onMessage);
  try {
    await Promise.all([pausedAfter(syncA, 'sync A'), receiver.ready]);
  } catch (err) {
    syncA.cancel();
    await receiver.stop();
    throw err;
  }

  const arrivals = [];
  const events = [];
  const feeds = [];
  const timelines = [];
  let lost = 0;
  const serverCpu0 = cpuSeconds(server);
  const clientCpu0 = process.cpuUsage();
  const t0 = now();
  try {
    await sleep(spacingMs);
    for (let i = 0; i < samples; i++) {
      const doc = makeDoc(`live-${i}`, i);
      let timer;
      const w = {};
      const done = new Promise((res) => {
        w.resolve = () => res(true);
        waiting.set(doc._id, w);
        timer = setTimeout(() => res(false), SAMPLE_TIMEOUT_MS);
      });
      // Forget the requests that ended before this sample.
      const kept = requests.filter((r) => r.done === undefined);
      requests.length = 0;
      requests.push(...kept);
      byKey.clear();
      for (const r of kept) byKey.set(r.key, r);
      const start = now();
      await a.put(doc);
      const ok = await done;
      clearTimeout(timer);
      waiting.delete(doc._id);
      if (!ok) {
        lost += 1;
      } else {
        arrivals.push(w.arrival - start);
        events.push(w.event - start);
        feeds.push(w.feed - start);
        if (trace) {
          // The requests that overlap the sample, B's longpoll sent before the put included.
          const end = Math.max(w.arrival, w.event, w.feed);
          const overlapping = requests.filter((r) => (r.done ?? r.headers ?? Infinity) >= start && r.sent <= end);
          timelines.push({ arrival: w.arrival - start, event: w.event - start, feed: w.feed - start,
            requests: overlapping.map((r) => ({ ...r, sent: r.sent - start, headers: r.headers - start,
              done: (r.done ?? NaN) - start, server: serverMs(r), serverStart: serverStart(r) - start })) });
        }
      }
      await sleep(spacingMs);
    }
  } finally {
    syncA.cancel();
    await receiver.stop();
  }
  const seconds = (now() - t0) / 1000;
  // The whole process: B's worker thread included.
  const clientUse = process.cpuUsage(clientCpu0);
  const serverCpu1 = cpuSeconds(server);
  await a.destroy();
  if (errors.length) {
    throw new Error(`live sync with ${server.label} reported ${errors.length} errors, first: ${errors[0]}`);
  }
  return {
    latencies: arrivals,
    events,
    feeds,
    timelines,
    lost,
    seconds,
    clientCpu: (clientUse.user + clientUse.system) / 1e6,
    serverCpu: serverCpu0 === null || serverCpu1 === null ? null : serverCpu1 - serverCpu0,
  };
}

/**
 * Many clients at once: `clients` fresh local PouchDBs, each holding `docsEach` documents, push
 * at the same time, each into its own remote database (or all into one with `shared`). The
 * figure is total documents / wall time from the first start to the last completion.
 */
export async function concurrent(server, dbPrefix, clients, docsEach, shared) {
  const dbs = shared ? [dbPrefix] : Array.from({ length: clients }, (_, i) => `${dbPrefix}-${i}`);
  for (const db of dbs) await createRemote(server, db);
  const locals = [];
  for (let i = 0; i < clients; i++) {
    const local = localDb(`client-${i}`);
    await fillLocal(local, `c${String(i).padStart(2, '0')}`, docsEach);
    locals.push(local);
  }
  const m = await measured(server, () =>
    Promise.all(locals.map((local, i) =>
      finish(PouchDB.replicate(local, remoteDb(server, dbs[shared ? 0 : i])), `client ${i} push to ${server.label}`))));
  const written = m.result.reduce((sum, r) => sum + r.docs_written, 0);
  await Promise.all(locals.map((l) => l.destroy()));
  let stored = 0;
  for (const db of dbs) stored += await docCount(server, db);
  for (const db of dbs) await deleteRemote(server, db);
  const total = clients * docsEach;
  if (written !== total || stored !== total) {
    throw new Error(`${clients} clients to ${server.label}: ${written} written, ${stored} stored, expected ${total}`);
  }
  return { docsPerSec: total / m.seconds, seconds: m.seconds, clientCpu: m.clientCpu, serverCpu: m.serverCpu };
}
