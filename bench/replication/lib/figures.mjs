// The four measurements, each against one remote server, with the real PouchDB 9 client
// (pouchdb-core with the memory, HTTP and replication plugins) on in-memory local databases.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * Live-sync latency: two local PouchDBs in live `sync` (live, retry) with the same remote
 * database. Client A writes a document; the sample is the time from just before A's `put` until
 * client B's sync emits a pull `change` carrying that document. Samples are `spacingMs` apart
 * (after the previous one arrived), so every sample starts with both syncs idle and B's longpoll
 * `_changes` request waiting on the server.
 */
export async function liveLatency(server, db, samples, spacingMs) {
  await createRemote(server, db);
  const a = localDb('live-a');
  const b = localDb('live-b');
  const syncA = a.sync(remoteDb(server, db), { live: true, retry: true });
  const syncB = b.sync(remoteDb(server, db), { live: true, retry: true });
  const errors = [];
  syncA.on('error', (err) => errors.push(err));
  syncB.on('error', (err) => errors.push(err));
  await Promise.all([pausedAfter(syncA, 'sync A'), pausedAfter(syncB, 'sync B')]);

  const waiting = new Map();
  syncB.on('change', (info) => {
    if (info.direction !== 'pull') return;
    const now = performance.now();
    for (const doc of info.change.docs) {
      const w = waiting.get(doc._id);
      if (w) {
        waiting.delete(doc._id);
        w(now);
      }
    }
  });

  const latencies = [];
  let lost = 0;
  const serverCpu0 = cpuSeconds(server);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await sleep(spacingMs);
    for (let i = 0; i < samples; i++) {
      const doc = makeDoc(`live-${i}`, i);
      let timer;
      const arrived = new Promise((res) => {
        waiting.set(doc._id, res);
        timer = setTimeout(() => res(null), SAMPLE_TIMEOUT_MS);
      });
      const start = performance.now();
      await a.put(doc);
      const end = await arrived;
      clearTimeout(timer);
      if (end === null) {
        waiting.delete(doc._id);
        lost += 1;
      } else {
        latencies.push(end - start);
      }
      await sleep(spacingMs);
    }
  } finally {
    syncA.cancel();
    syncB.cancel();
  }
  const seconds = (performance.now() - t0) / 1000;
  const clientUse = process.cpuUsage(clientCpu0);
  const serverCpu1 = cpuSeconds(server);
  await Promise.all([a.destroy(), b.destroy()]);
  if (errors.length) {
    throw new Error(`live sync with ${server.label} reported ${errors.length} errors, first: ${errors[0]}`);
  }
  return {
    latencies,
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
