// The real clients: Kinto.js 17 (`kinto`, with its in-memory adapter or its IndexedDB adapter
// over fake-indexeddb) and kinto-http 5, each wired to a RequestLog so that the tests can see
// what was sent and answered.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
// IndexedDB for Node: sets globalThis.indexedDB and IDBKeyRange, which Kinto.js's IDB adapter uses.
import 'fake-indexeddb/auto';
// Kinto.js's ES build imports its modules without file extensions, which Node's ESM loader
// refuses, so the CommonJS build (the package's `main`) is used, and its memory adapter from the
// same build (Kinto.js exports no in-memory adapter from its entry point).
import KintoModule from 'kinto';
import MemoryModule from 'kinto/lib/cjs/adapters/memory.js';
// kinto-http's Node build (its `main`) requires node-fetch, atob and form-data, its optional peers.
import KintoHttpModule from 'kinto-http';
import { RequestLog, within } from './http.mjs';
import { adminCredentials, basicAuth, kintoRemote } from './target.mjs';

export const Kinto = KintoModule.default;
export const Memory = MemoryModule.default;
export const KintoHttpClient = KintoHttpModule.default;
export const STRATEGY = Kinto.syncStrategy;

/** The local storages every adapter-dependent test runs with. */
export const ADAPTERS = ['memory', 'idb'];

const REQUEST_TIMEOUT_MS = 60_000;
const SYNC_TIMEOUT_MS = 180_000;

function adapterFactory(adapter, label) {
  if (adapter === 'memory') return () => new Memory();
  if (adapter === 'idb') {
    // One IndexedDB database per client: two clients in this process must not share storage.
    const dbName = `kinto-${label}-${randomBytes(6).toString('hex')}`;
    return (cid) => new Kinto.adapters.IDB(cid, { dbName });
  }
  throw new Error(`unknown adapter ${adapter}`);
}

/**
 * One device: a Kinto.js instance with one collection, as an app holds it. Kinto.js makes a new
 * adapter (so, for the memory adapter, new empty storage) on every `kinto.collection()` call, so
 * the device keeps its one Collection.
 *
 *   auth       {user, password} (default: the admin)
 *   authorization  the whole Authorization header instead (`Bearer <token>`)
 *   bucket     bucket id (default: Kinto.js's own default, `default`)
 *   collection collection id
 *   adapter    'memory' or 'idb'
 *   events     false to give Kinto.js no event emitter (then it ignores Backoff)
 *   hooks      Kinto.js collection hooks (`incoming-changes`)
 *   remote     base URL (default POLYSYNC_URL)
 */
export class Device {
  constructor({ label, auth = adminCredentials(), authorization, bucket, collection, adapter = 'memory', events = true, hooks,
    remote, retry }) {
    this.label = label;
    this.log = new RequestLog();
    this.events = events ? new EventEmitter() : undefined;
    this.kinto = new Kinto({
      remote: kintoRemote(remote),
      ...(bucket ? { bucket } : {}),
      headers: { Authorization: authorization ?? basicAuth(auth.user, auth.password) },
      ...(this.events ? { events: this.events } : {}),
      timeout: REQUEST_TIMEOUT_MS,
      ...(retry !== undefined ? { retry } : {}),
      adapter: adapterFactory(adapter, label),
    });
    // KintoBase passes no fetch function to its HTTP client; this is the one it would use.
    this.kinto.api.http.fetchFunc = this.log.fetch;
    this.coll = this.kinto.collection(collection, hooks ? { hooks } : {});
  }

  /** `sync(options)`, bounded; failures say what the server answered last. */
  async sync(options, ms = SYNC_TIMEOUT_MS) {
    const before = this.log.calls.length;
    try {
      return await within(this.coll.sync(options), ms, `${this.label}: sync()`);
    } catch (err) {
      const calls = this.log.calls.slice(before);
      const last = calls[calls.length - 1];
      const served = last
        ? `; last request ${last.method} ${last.path}${last.query.size ? `?${last.query}` : ''} answered ` +
          `${last.status} ${JSON.stringify(last.responseBody)?.slice(0, 1_000)}`
        : '';
      err.message = `${this.label}: sync() failed: ${err.message}${served}`;
      if (err.data) err.message += ` (server body ${JSON.stringify(err.data).slice(0, 1_000)})`;
      throw err;
    }
  }

  /** `sync()` that must come back ok; returns the result. */
  async syncOk(options, ms) {
    const result = await this.sync(options, ms);
    assert.ok(result.ok, `${this.label}: sync() not ok: ${describeResult(result)}`);
    return result;
  }

  /** Every local record, deleted ones included, keyed by id: `{id → record with _status}`. */
  async local({ includeDeleted = true } = {}) {
    const { data } = await this.coll.list({}, { includeDeleted });
    return Object.fromEntries(data.map((r) => [r.id, r]));
  }

  /** Creates records locally (`create()` per record), returning them with their new ids. */
  async createMany(records) {
    const out = [];
    for (const r of records) out.push((await this.coll.create(r)).data);
    return out;
  }
}

/** A sync result as one line: what every list holds. */
export function describeResult(result) {
  const o = {
    ok: result.ok,
    lastModified: result.lastModified,
    errors: result.errors,
    conflicts: result.conflicts,
    created: result.created.length,
    updated: result.updated.length,
    deleted: result.deleted.length,
    skipped: result.skipped.length,
    published: result.published.length,
    resolved: result.resolved.length,
  };
  return JSON.stringify(o).slice(0, 3_000);
}

/** A kinto-http client with the given credentials (default: the admin) and its RequestLog. */
export function httpClient({ auth = adminCredentials(), remote, events } = {}) {
  const log = new RequestLog();
  const client = new KintoHttpClient(kintoRemote(remote), {
    headers: auth ? { Authorization: basicAuth(auth.user, auth.password) } : {},
    fetchFunc: log.fetch,
    timeout: REQUEST_TIMEOUT_MS,
    ...(events ? { events } : {}),
  });
  return { client, log };
}

/** Content of a record without its sync metadata, for comparing contents across clients. */
export function content(record) {
  const { _status, last_modified, ...rest } = record;
  return rest;
}

/** A record as the server or a synced client holds it: without the local `_status`. */
export function withoutStatus(record) {
  const { _status, ...rest } = record;
  return rest;
}
