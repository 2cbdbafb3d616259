// The real PouchDB 9 client (pouchdb-core with the memory, HTTP and replication plugins) and
// helpers around it.

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import PouchDBCore from 'pouchdb-core';
import MemoryAdapter from 'pouchdb-adapter-memory';
import HttpAdapter from 'pouchdb-adapter-http';
import Replication from 'pouchdb-replication';

export const PouchDB = PouchDBCore.plugin(MemoryAdapter).plugin(HttpAdapter).plugin(Replication);

/**
 * A new, empty in-memory database. Memory databases with the same name share their data inside
 * one process, so every call gets a unique name; pass `name` to reopen an existing one.
 */
export function localDb(label, name = `${label}-${randomBytes(6).toString('hex')}`) {
  return new PouchDB(name, { adapter: 'memory' });
}

/**
 * Remembers every HTTP request a remote PouchDB makes: method, path with query, and the body
 * when it is a string (all of PouchDB's JSON calls).
 */
export class RequestLog {
  constructor() {
    this.calls = [];
  }

  fetch = (url, options = {}) => {
    const parsed = new URL(url);
    this.calls.push({
      method: (options.method || 'GET').toUpperCase(),
      path: decodeURIComponent(parsed.pathname),
      query: parsed.searchParams,
      body: typeof options.body === 'string' ? options.body : undefined,
    });
    return PouchDB.fetch(url, options);
  };

  /** Calls whose method matches and whose path ends with `suffix`. */
  find(method, suffix) {
    return this.calls.filter((c) => c.method === method && c.path.endsWith(suffix));
  }

  clear() {
    this.calls.length = 0;
  }
}

/** A PouchDB for a remote database; `log` (a RequestLog) records its requests. */
export function remoteDb(url, { log, ...opts } = {}) {
  return new PouchDB(url, { ...opts, ...(log ? { fetch: log.fetch } : {}) });
}

/**
 * Awaits a one-shot replication (or anything with `cancel()`), cancelling it and failing if it
 * takes longer than `ms`.
 */
export async function finish(replication, ms, what = 'replication') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      replication.cancel?.();
      reject(new Error(`${what} did not finish within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([replication, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cancels a live replication or sync and waits (bounded) until it has really stopped. */
export async function stop(handle, ms = 15_000) {
  if (!handle) return;
  let timer;
  const done = new Promise((resolve) => {
    handle.once('complete', resolve);
    handle.once('error', resolve);
    // A handle that already stopped (after a fatal error, say) emits nothing more.
    timer = setTimeout(resolve, ms);
  });
  handle.cancel();
  await done;
  clearTimeout(timer);
}

/**
 * Retries `check` (which throws, e.g. an assertion) until it passes or `ms` runs out; then the
 * last failure is thrown.
 */
export async function eventually(check, ms = 30_000, interval = 200) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) {
        err.message = `still failing after ${ms} ms: ${err.message}`;
        throw err;
      }
    }
    await sleep(interval);
  }
}

/** Document fields that are metadata, not content. */
const META = new Set(['_rev', '_revisions', '_conflicts', '_deleted_conflicts', '_attachments', '_revs_info']);

// `revpos` is left out on purpose: PouchDB's own storage (leveldb-core, under the memory
// adapter) sets it to the current generation whenever it stores attachment data, and a pull
// always stores data, so a pulled copy's revpos differs from its source's whatever the server
// does. attachments.test.mjs checks revpos on the server itself.
function normalizeAttachments(atts = {}) {
  const out = {};
  for (const name of Object.keys(atts).sort()) {
    const a = atts[name];
    out[name] = { content_type: a.content_type, digest: a.digest, data: a.data };
  }
  return out;
}

/** A comparable picture of one document as `db.get(id, {revs, conflicts, attachments})` returns it. */
export function normalizeDoc(doc) {
  const body = {};
  for (const key of Object.keys(doc).sort()) {
    if (!META.has(key)) body[key] = doc[key];
  }
  return {
    rev: doc._rev,
    revisions: doc._revisions,
    conflicts: [...(doc._conflicts || [])].sort(),
    attachments: normalizeAttachments(doc._attachments),
    body,
  };
}

/**
 * Every live document of `db` (a PouchDB, local or remote) in comparable form, keyed by id,
 * with full revision history, conflicts and inline attachment data.
 */
export async function snapshot(db) {
  const all = await db.allDocs();
  const out = {};
  for (const row of all.rows) {
    const doc = await db.get(row.id, { revs: true, conflicts: true, attachments: true });
    out[row.id] = normalizeDoc(doc);
  }
  return out;
}
