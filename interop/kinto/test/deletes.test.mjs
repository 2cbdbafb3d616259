// 5. Deletions: a remote delete reaches the other client as a tombstone in its `_since` pull;
// a local delete meeting a remote delete; a local edit meeting a remote delete.
//
// kinto.md points: A.6 step 3 (deleted → DELETE with If-Match: "<last_modified>"), A.6 step 2
// (a remote tombstone deletes a synced local record), A.6 "Conflicts" (local delete vs remote
// delete → ok:true, skipped:1; local edit vs remote delete → incoming conflict), A.4 (_since
// returns tombstones {id, last_modified, deleted:true}; plain lists do not), A.1 (DELETE → 200
// {data:{id, last_modified, deleted:true}}), A.3 (If-Match on a tombstone → 412 without
// details, read by Kinto.js as remote: null), A.5 (404 inside a batch → skipped), A.7 (DELETE
// of a missing record → 404 when the parent is readable).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, Device, STRATEGY, describeResult } from '../lib/clients.mjs';
import { KintoHttp, describe } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { freshId } from '../lib/target.mjs';

/** Three records made by A, pulled by B. */
async function setup(t, label, adapter) {
  const http = new KintoHttp();
  const { bid, cid, path } = await http.freshCollection(t, freshId(label), 'notes');
  const a = new Device({ label: 'A (memory)', bucket: bid, collection: cid });
  const b = new Device({ label: `B (${adapter})`, bucket: bid, collection: cid, adapter });
  const records = await a.createMany([0, 1, 2].map((i) => makeRecord(i)));
  await a.syncOk();
  const pulled = await b.syncOk();
  assert.equal(pulled.created.length, 3, describeResult(pulled));
  return { http, path, a, b, ids: records.map((r) => r.id) };
}

/** A deletes `id` and syncs; checks the DELETE and returns the tombstone the server answered. */
async function deleteOnA(a, id) {
  const before = (await a.local())[id];
  await a.coll.delete(id);
  assert.equal((await a.local())[id]._status, 'deleted');
  a.log.clear();
  const result = await a.syncOk();
  assert.deepEqual(result.published, [{ id, deleted: true }], describeResult(result));
  const [item] = a.log.batchItems();
  assert.equal(item.request.method, 'DELETE');
  assert.deepEqual(item.request.headers, { 'If-Match': `"${before.last_modified}"` });
  assert.equal(item.response.status, 200, JSON.stringify(item.response));
  const tombstone = item.response.body.data;
  assert.equal(tombstone.id, id);
  assert.equal(tombstone.deleted, true);
  assert.ok(tombstone.last_modified > before.last_modified, JSON.stringify(tombstone));
  assert.equal((await a.local())[id], undefined, 'A forgets the record once the deletion is published');
  return tombstone;
}

for (const adapter of ADAPTERS) {
  test(`sync_recordDeletedByOtherClient_tombstoneDeletesLocalCopy [${adapter}]`, { timeout: 120_000 }, async (t) => {
    const { http, path, a, b, ids } = await setup(t, 'remote-delete', adapter);
    const since = b.coll.lastModified;
    const tombstone = await deleteOnA(a, ids[0]);

    const gone = await http.request('GET', `${path}/records/${ids[0]}`);
    assert.equal(gone.status, 404, `GET of a deleted record answered ${describe(gone)}`);
    const plain = await http.listAll(path);
    assert.deepEqual(plain.records.map((r) => r.id).sort(), [ids[1], ids[2]].sort(), 'plain lists hold no tombstones');

    b.log.clear();
    const result = await b.syncOk();
    const [pull] = b.log.find('GET', `${path}/records`);
    assert.equal(pull.query.get('_since'), String(since));
    assert.deepEqual(pull.responseBody.data, [{ id: ids[0], last_modified: tombstone.last_modified, deleted: true }]);
    assert.equal(pull.responseHeaders.get('etag'), `"${tombstone.last_modified}"`, 'list ETag counts tombstones');
    assert.deepEqual(result.deleted.map((r) => r.id), [ids[0]], describeResult(result));
    assert.deepEqual([result.created, result.updated, result.published], [[], [], []], describeResult(result));
    const local = await b.local();
    assert.deepEqual(Object.keys(local).sort(), [ids[1], ids[2]].sort());
    assert.equal(b.coll.lastModified, tombstone.last_modified);
  });

  test(`sync_localDeleteMeetsRemoteDelete_skippedAndGoneEverywhere [${adapter}]`, { timeout: 120_000 }, async (t) => {
    const { http, path, a, b, ids } = await setup(t, 'both-delete', adapter);
    const tombstone = await deleteOnA(a, ids[1]);
    const lastModifiedOnB = (await b.local())[ids[1]].last_modified;
    await b.coll.delete(ids[1]);

    b.log.clear();
    const result = await b.syncOk();
    assert.deepEqual(result.skipped.map((r) => r.id), [ids[1]], describeResult(result));
    // B still pushes its deletion (it saw the tombstone but kept its own pending delete); a
    // DELETE of a record that is gone answers 404, which Kinto.js counts as done.
    const [item] = b.log.batchItems();
    assert.equal(item.request.method, 'DELETE');
    assert.deepEqual(item.request.headers, { 'If-Match': `"${lastModifiedOnB}"` });
    assert.equal(item.response.status, 404, JSON.stringify(item.response));
    assert.equal(item.response.body.code, 404);
    assert.equal((await b.local())[ids[1]], undefined, 'B has forgotten the record');

    const since = await http.listAll(path, `_since=${tombstone.last_modified - 1}&_sort=-last_modified`);
    assert.deepEqual(since.records, [tombstone], 'the tombstone is unchanged');
  });

  test(`sync_localEditMeetsRemoteDelete_incomingConflictThenDeletionAccepted [${adapter}]`, { timeout: 120_000 }, async (t) => {
    const { http, path, a, b, ids } = await setup(t, 'edit-delete', adapter);
    const id = ids[2];
    const tombstone = await deleteOnA(a, id);
    const localB = (await b.local())[id];
    await b.coll.update({ ...localB, title: 'kept by B' });

    b.log.clear();
    const result = await b.sync();
    assert.equal(result.ok, false, describeResult(result));
    assert.equal(result.conflicts.length, 1, describeResult(result));
    const [conflict] = result.conflicts;
    assert.equal(conflict.type, 'incoming');
    assert.equal(conflict.local.title, 'kept by B');
    assert.deepEqual(conflict.remote, { id, last_modified: tombstone.last_modified, deleted: true });
    assert.equal(b.log.find('POST', '/v1/batch').length, 0, 'nothing pushed while the conflict is open');

    // B insists on its version: the PUT with If-Match: "<tombstone ts>" meets a record that no
    // longer exists, so 412 without details, which Kinto.js reports with remote: null.
    await b.coll.resolve(conflict, conflict.local);
    b.log.clear();
    const insisted = await b.sync();
    assert.equal(insisted.ok, false, describeResult(insisted));
    assert.deepEqual(
      insisted.conflicts.map((c) => [c.type, c.local.title, c.remote]),
      [['outgoing', 'kept by B', null]],
      describeResult(insisted),
    );
    const [put] = b.log.batchItems();
    assert.equal(put.request.method, 'PUT');
    assert.deepEqual(put.request.headers, { 'If-Match': `"${tombstone.last_modified}"` });
    assert.equal(put.response.status, 412, JSON.stringify(put.response));
    assert.equal(put.response.body.errno, 114);
    assert.equal(put.response.body.details, undefined, '412 for a deleted record has no details');

    // Then it accepts the deletion (SERVER_WINS with a null remote deletes locally).
    const accepted = await b.syncOk({ strategy: STRATEGY.SERVER_WINS });
    assert.deepEqual(accepted.resolved.map((r) => [r.id, r.accepted]), [[id, null]], describeResult(accepted));
    assert.equal((await b.local())[id], undefined, 'B dropped the record');

    const res = await http.request('GET', `${path}/records/${id}`);
    assert.equal(res.status, 404, describe(res));
    const since = await http.listAll(path, `_since=${tombstone.last_modified - 1}&_sort=-last_modified`);
    assert.deepEqual(since.records, [tombstone], 'the tombstone is unchanged: B never wrote');
    const aSync = await a.syncOk();
    assert.deepEqual([aSync.created, aSync.updated, aSync.deleted], [[], [], []], describeResult(aSync));
    assert.deepEqual(Object.keys(await a.local()).sort(), Object.keys(await b.local()).sort());
  });
}
