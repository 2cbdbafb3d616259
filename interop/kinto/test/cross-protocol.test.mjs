// 10. One namespace, two protocols: the Kinto collection /v1/buckets/{bid}/collections/{cid} is
// the CouchDB database kinto/{bid}/{cid} on the same server. Records written with Kinto.js
// replicate to PouchDB; PouchDB's edits, deletions and new documents reach Kinto.js in its next
// sync; `last_modified` and `_rev` both advance with every change, whichever side made it.
//
// kinto.md points: A.3 (every write, from either protocol, gets a new, larger last_modified;
// the list ETag follows), A.4 (a Couch deletion shows up as a Kinto tombstone in _since), A.6
// steps 2-3 (Kinto.js pull imports created/updated/deleted). The mapping (id ↔ _id,
// last_modified = the Kinto timestamp, tombstones ↔ _deleted) is Polysync's.
//
// Whether the CouchDB side shows `id` or `last_modified` inside document bodies is left open:
// comparisons drop those two fields from Couch documents (and _id, _rev).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Device, content, describeResult, withoutStatus } from '../lib/clients.mjs';
import { KintoHttp, describe } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { baseUrl, freshId } from '../lib/target.mjs';
import { couchDbName, localDb, remoteCollectionDb, replicate } from '../lib/pouch.mjs';

/** The content of a Couch document, comparable with `kintoContent()` of a Kinto record. */
function couchContent(doc) {
  const { _id, _rev, _revisions, id, last_modified, ...rest } = doc;
  return rest;
}

/** The content of a Kinto record (local or remote), comparable with `couchContent()`. */
function kintoContent(record) {
  const { id, last_modified, _status, ...rest } = record;
  return rest;
}

const generation = (rev) => Number(rev.split('-')[0]);

test('kintoAndCouch_sameCollection_editsAndDeletesCrossBothWays', { timeout: 180_000 }, async (t) => {
  const http = new KintoHttp();
  const bid = freshId('cross');
  const cid = 'notes';
  const { path } = await http.freshCollection(t, bid, cid);
  const db = encodeURIComponent(couchDbName(bid, cid));

  // Kinto.js writes three records.
  const kinto = new Device({ label: 'kinto', bucket: bid, collection: cid });
  const [r1, r2, r3] = await kinto.createMany([1, 2, 3].map((i) => makeRecord(i)));
  await kinto.syncOk();
  const v1 = await kinto.local();

  // The same collection as a CouchDB database.
  const info = await http.couch('GET', db);
  assert.equal(info.status, 200, `GET /${db} answered ${describe(info)}`);
  assert.equal(info.body.doc_count, 3, describe(info));

  // PouchDB pulls them: same ids, same content, first revisions.
  const pouch = localDb('cross');
  const remote = remoteCollectionDb(baseUrl(), bid, cid);
  const pulled = await replicate(remote, pouch, 60_000, 'PouchDB pull');
  assert.equal(pulled.docs_written, 3, JSON.stringify(pulled));
  const revs = {};
  for (const r of [r1, r2, r3]) {
    const doc = await pouch.get(r.id);
    assert.equal(generation(doc._rev), 1, `${r.id}: ${doc._rev}`);
    assert.deepEqual(couchContent(doc), kintoContent(v1[r.id]), `${r.id}: Couch document vs Kinto record`);
    const direct = await http.couch('GET', `${db}/${r.id}`);
    assert.equal(direct.status, 200, describe(direct));
    assert.equal(direct.body._rev, doc._rev);
    revs[r.id] = doc._rev;
  }

  // PouchDB edits r1, deletes r2, creates a new document; pushes.
  const r1doc = await pouch.get(r1.id);
  await pouch.put({ ...r1doc, title: 'edited in PouchDB', fromCouch: { yes: true } });
  await pouch.remove(await pouch.get(r2.id));
  const newId = randomUUID();
  await pouch.put({ _id: newId, ...makeRecord(4, 'pouch') });
  const pushed = await replicate(pouch, remote, 60_000, 'PouchDB push');
  assert.equal(pushed.docs_written, 3, JSON.stringify(pushed));

  // Kinto.js's next sync brings all three changes.
  const since = kinto.coll.lastModified;
  const synced = await kinto.syncOk();
  assert.deepEqual(synced.updated.map((u) => u.new.id), [r1.id], describeResult(synced));
  assert.deepEqual(synced.deleted.map((d) => d.id), [r2.id], describeResult(synced));
  assert.deepEqual(synced.created.map((c) => c.id), [newId], describeResult(synced));
  const v2 = await kinto.local();
  assert.deepEqual(content(v2[r1.id]), { ...content(v1[r1.id]), title: 'edited in PouchDB', fromCouch: { yes: true } });
  assert.ok(v2[r1.id].last_modified > v1[r1.id].last_modified, 'a Couch edit advances last_modified');
  assert.equal(v2[r2.id], undefined);
  assert.deepEqual(kintoContent(v2[newId]), makeRecord(4, 'pouch'));
  assert.ok(v2[newId].last_modified > since);
  for (const r of Object.values(v2)) assert.equal(r._status, 'synced');

  // The Kinto API agrees: records have no Couch fields, the deletion is a tombstone.
  const changes = await http.listAll(path, `_since=${since}&_sort=-last_modified`);
  const tomb = changes.records.find((r) => r.id === r2.id);
  assert.deepEqual(Object.keys(tomb || {}).sort(), ['deleted', 'id', 'last_modified'], JSON.stringify(changes.records));
  const listed = await http.listAll(path);
  assert.deepEqual(
    Object.fromEntries(listed.records.map((r) => [r.id, r])),
    Object.fromEntries(Object.values(v2).map((r) => [r.id, withoutStatus(r)])),
  );
  for (const r of listed.records) {
    assert.deepEqual(Object.keys(r).filter((k) => k.startsWith('_')), [], `Kinto record ${r.id} shows Couch fields`);
  }

  // Kinto.js edits r1 again and deletes r3; PouchDB pulls: r1 at generation 3, r3 deleted.
  await kinto.coll.update({ ...v2[r1.id], title: 'edited in Kinto' });
  await kinto.coll.delete(r3.id);
  await kinto.syncOk();
  const v3 = await kinto.local();
  assert.ok(v3[r1.id].last_modified > v2[r1.id].last_modified);
  const again = await replicate(remote, pouch, 60_000, 'PouchDB second pull');
  assert.ok(again.docs_written >= 2, JSON.stringify(again));
  const r1again = await pouch.get(r1.id);
  assert.equal(generation(r1again._rev), 3, `r1's revisions: 1 from Kinto, 2 from PouchDB, 3 from Kinto; got ${r1again._rev}`);
  assert.deepEqual(couchContent(r1again), kintoContent(v3[r1.id]));
  await assert.rejects(pouch.get(r3.id), (err) => err.status === 404, 'r3 is deleted in PouchDB');
  const all = await pouch.allDocs();
  assert.deepEqual(all.rows.map((r) => r.id).sort(), [r1.id, newId].sort());

  // The server's own _changes lists both deletions.
  const feed = await http.couch('GET', `${db}/_changes`);
  assert.equal(feed.status, 200, describe(feed));
  const deletedIds = feed.body.results.filter((c) => c.deleted).map((c) => c.id).sort();
  assert.deepEqual(deletedIds, [r2.id, r3.id].sort(), describe(feed));
});
