// The real PouchDB 9 client (pouchdb-core with the memory, HTTP and replication plugins, the
// same packages and versions as the PouchDB suite in interop/), for the cross-protocol test.

import { randomBytes } from 'node:crypto';
import PouchDBCore from 'pouchdb-core';
import MemoryAdapter from 'pouchdb-adapter-memory';
import HttpAdapter from 'pouchdb-adapter-http';
import Replication from 'pouchdb-replication';
import { within } from './http.mjs';

export const PouchDB = PouchDBCore.plugin(MemoryAdapter).plugin(HttpAdapter).plugin(Replication);

/** A new, empty in-memory database with a unique name. */
export function localDb(label) {
  return new PouchDB(`${label}-${randomBytes(6).toString('hex')}`, { adapter: 'memory' });
}

/** The CouchDB database that serves Kinto collection `bid/cid`: `kinto/{bid}/{cid}`. */
export function couchDbName(bid, cid) {
  return `kinto/${bid}/${cid}`;
}

/** A remote PouchDB for `kinto/{bid}/{cid}` on the server at `base` (credentials included). */
export function remoteCollectionDb(base, bid, cid) {
  return new PouchDB(`${base}/${encodeURIComponent(couchDbName(bid, cid))}`, { skip_setup: true });
}

/** A one-shot replication, cancelled and failed if it takes longer than `ms`. */
export async function replicate(source, target, ms = 60_000, what = 'replication') {
  const rep = PouchDB.replicate(source, target);
  try {
    return await within(rep, ms, what);
  } catch (err) {
    rep.cancel();
    throw err;
  }
}
