// 3. Incoming conflicts (two clients edit the same record offline) resolved by hand and by each
// strategy, and 4. an outgoing conflict (a write lands between a client's pull and its push).
//
// kinto.md points: A.6 "Conflicts" (incoming: ok:false, one conflict, nothing pushed; resolve
// with the local side gives last_modified = remote's and a PUT with If-Match: "<remote ts>" that
// succeeds; outgoing: 412 inside a 200 batch, remote = details.existing; CLIENT_WINS then
// resolves, the second batch's stale If-Match getting exactly one 412), A.6 step 3 (updates are
// PUT with If-Match, never PATCH) and step 6 (lastModified not saved when not ok), A.3 (412 body
// with details.existing; If-Match semantics), A.1 (an update with the old last_modified in the
// body gets a new one from the server).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, Device, STRATEGY, content, describeResult, withoutStatus } from '../lib/clients.mjs';
import { KintoHttp, describe } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { freshId } from '../lib/target.mjs';

/** A collection with one record, synced to two devices A and B. */
async function twoDevicesOneRecord(t, label, adapter, { hooks } = {}) {
  const http = new KintoHttp();
  const { bid, cid, path } = await http.freshCollection(t, freshId(label), 'notes');
  const a = new Device({ label: `A (${adapter})`, bucket: bid, collection: cid, adapter });
  const b = new Device({ label: `B (${adapter})`, bucket: bid, collection: cid, adapter, hooks });
  const [record] = await a.createMany([makeRecord(1)]);
  await a.syncOk();
  await b.syncOk();
  const synced = (await b.local())[record.id];
  assert.equal(synced._status, 'synced');
  return { http, bid, cid, path, a, b, id: record.id, t0: synced.last_modified };
}

/** The record as the server has it now. */
async function serverRecord(http, path, id) {
  const res = await http.request('GET', `${path}/records/${id}`);
  assert.equal(res.status, 200, `GET record ${id} answered ${describe(res)}`);
  assert.equal(res.headers.get('etag'), `"${res.body.data.last_modified}"`, 'record ETag is its quoted last_modified');
  return res.body.data;
}

/** A and B edit the record offline; A syncs first. Returns what A published. */
async function editBothThenSyncA(ctx) {
  const { a, b, id, t0 } = ctx;
  const localA = (await a.local())[id];
  const localB = (await b.local())[id];
  // A changes a field only: Kinto.js imports a remote update as {...local, ...remote}, so a
  // field that A added and B's winning version lacks would stay on A (a client-side merge that
  // no server can prevent).
  await a.coll.update({ ...localA, title: 'edited by A' });
  await b.coll.update({ ...localB, title: 'edited by B', byB: [1, 2, 3] });
  assert.equal((await b.local())[id]._status, 'updated');
  const pushed = await a.syncOk();
  assert.equal(pushed.published.length, 1, describeResult(pushed));
  const item = a.log.batchItems().at(-1);
  assert.equal(item.request.method, 'PUT', 'updates are PUT, not PATCH');
  assert.deepEqual(item.request.headers, { 'If-Match': `"${t0}"` });
  assert.equal(item.request.body.data.last_modified, t0, 'Kinto.js sends the old last_modified in the body');
  assert.equal(item.response.status, 200, JSON.stringify(item.response));
  const remote = await serverRecord(ctx.http, ctx.path, id);
  assert.ok(remote.last_modified > t0, `the server gave the update a new last_modified (${remote.last_modified} > ${t0})`);
  assert.equal(remote.title, 'edited by A');
  return remote;
}

/** A, B and the server hold the same record (content and last_modified), synced on both. */
async function assertConverged(ctx, expected) {
  const { http, path, a, b, id } = ctx;
  const remote = await serverRecord(http, path, id);
  assert.deepEqual(content(remote), content(expected), 'server content');
  for (const device of [a, b]) {
    const local = (await device.local())[id];
    assert.equal(local._status, 'synced', `${device.label}: ${JSON.stringify(local)}`);
    assert.deepEqual(withoutStatus(local), remote, `${device.label} and the server agree`);
  }
  return remote;
}

for (const adapter of ADAPTERS) {
  test(`sync_bothEditedOffline_manualConflictResolvedWithLocal_allConverge [${adapter}]`, { timeout: 120_000 }, async (t) => {
    const ctx = await twoDevicesOneRecord(t, 'manual', adapter);
    const { a, b, id, t0 } = ctx;
    const remote = await editBothThenSyncA(ctx);

    b.log.clear();
    const result = await b.sync();
    assert.equal(result.ok, false, describeResult(result));
    assert.equal(result.conflicts.length, 1, describeResult(result));
    const [conflict] = result.conflicts;
    assert.equal(conflict.type, 'incoming');
    assert.equal(conflict.local.title, 'edited by B');
    assert.equal(conflict.local.last_modified, t0);
    assert.deepEqual(conflict.remote, remote, "the conflict's remote side is the server's record");
    assert.deepEqual(result.published, []);
    assert.equal(b.log.find('POST', '/v1/batch').length, 0, `B pushed nothing:\n  ${b.log.summary()}`);
    assert.equal(b.coll.lastModified, ctx.t0, 'lastModified is not saved after a sync that is not ok');

    const { data: resolved } = await b.coll.resolve(conflict, conflict.local);
    assert.equal(resolved._status, 'updated');
    assert.equal(resolved.last_modified, remote.last_modified, 'resolution carries the remote timestamp');

    b.log.clear();
    const pushed = await b.syncOk();
    assert.equal(pushed.published.length, 1, describeResult(pushed));
    assert.equal(b.log.batchItems().length, 1, `one PUT:\n  ${b.log.summary()}`);
    const [item] = b.log.batchItems();
    assert.deepEqual(item.request.headers, { 'If-Match': `"${remote.last_modified}"` });
    assert.equal(item.response.status, 200, JSON.stringify(item.response));

    const pulled = await a.syncOk();
    assert.equal(pulled.updated.length, 1, describeResult(pulled));
    const final = await assertConverged(ctx, { ...makeRecord(1), id, title: 'edited by B', byB: [1, 2, 3] });
    assert.ok(final.last_modified > remote.last_modified);
  });

  test(`sync_incomingConflictWithServerWins_serverVersionKeptNothingPushed [${adapter}]`, { timeout: 120_000 }, async (t) => {
    const ctx = await twoDevicesOneRecord(t, 'server-wins', adapter);
    const { b, a } = ctx;
    const remote = await editBothThenSyncA(ctx);

    b.log.clear();
    const result = await b.syncOk({ strategy: STRATEGY.SERVER_WINS });
    assert.deepEqual(result.conflicts, []);
    assert.equal(result.resolved.length, 1, describeResult(result));
    assert.equal(result.resolved[0].accepted.title, 'edited by A');
    assert.equal(result.resolved[0].rejected.title, 'edited by B');
    assert.deepEqual(result.published, []);
    assert.equal(b.log.find('POST', '/v1/batch').length, 0, `nothing to push:\n  ${b.log.summary()}`);

    const aSync = await a.syncOk();
    assert.deepEqual([aSync.created, aSync.updated, aSync.deleted], [[], [], []], describeResult(aSync));
    const final = await assertConverged(ctx, remote);
    assert.equal(final.last_modified, remote.last_modified, 'the server record was not written again');
  });

  test(`sync_incomingConflictWithClientWins_localVersionPushedInTheSameSync [${adapter}]`, { timeout: 120_000 }, async (t) => {
    const ctx = await twoDevicesOneRecord(t, 'client-wins', adapter);
    const { a, b, id } = ctx;
    const remote = await editBothThenSyncA(ctx);

    b.log.clear();
    const result = await b.syncOk({ strategy: STRATEGY.CLIENT_WINS });
    assert.equal(result.resolved.length, 1, describeResult(result));
    assert.equal(result.published.length, 1, describeResult(result));
    // The resolution goes out with If-Match: the remote timestamp (200); Kinto.js then pushes the
    // resolved record a second time with that now stale timestamp, gets one 412 whose
    // details.existing equals what it sent, and settles it silently.
    const puts = b.log.batchItems();
    assert.deepEqual(
      puts.map((i) => [i.request.method, i.request.headers, i.response?.status]),
      [
        ['PUT', { 'If-Match': `"${remote.last_modified}"` }, 200],
        ['PUT', { 'If-Match': `"${remote.last_modified}"` }, 412],
      ],
      `batch sub-requests: ${JSON.stringify(puts.map((i) => i.response))}`,
    );
    assert.deepEqual(puts[1].response.body.details.existing, puts[0].response.body.data);

    await a.syncOk();
    await assertConverged(ctx, { ...makeRecord(1), id, title: 'edited by B', byB: [1, 2, 3] });
  });

  test(`sync_writeBetweenPullAndPush_outgoingConflictThenClientWinsResolves [${adapter}]`, { timeout: 120_000 }, async (t) => {
    // The write happens inside B's `incoming-changes` hook, which runs after B's pull and
    // before its push.
    let intruder = null;
    const hooks = {
      'incoming-changes': [
        async (payload) => {
          if (intruder) {
            const write = intruder;
            intruder = null;
            await write();
          }
          return payload;
        },
      ],
    };
    const ctx = await twoDevicesOneRecord(t, 'outgoing', adapter, { hooks });
    const { http, path, a, b, id, t0 } = ctx;
    const localB = (await b.local())[id];
    await b.coll.update({ ...localB, title: 'edited by B' });

    let sneaked;
    intruder = async () => {
      const res = await http.request('PUT', `${path}/records/${id}`, {
        body: { data: { ...makeRecord(1), title: 'written meanwhile' } },
      });
      assert.equal(res.status, 200, `direct write answered ${describe(res)}`);
      sneaked = res.body.data;
    };

    b.log.clear();
    const result = await b.sync();
    assert.ok(sneaked, 'the hook wrote the record');
    assert.equal(result.ok, false, describeResult(result));
    assert.equal(result.conflicts.length, 1, describeResult(result));
    const [conflict] = result.conflicts;
    assert.equal(conflict.type, 'outgoing');
    assert.equal(conflict.local.title, 'edited by B');
    assert.deepEqual(conflict.remote, sneaked, "remote is the server's record (details.existing)");
    const [item] = b.log.batchItems();
    assert.equal(item.batch.status, 200, 'a 412 inside the batch does not fail the batch');
    assert.deepEqual(item.request.headers, { 'If-Match': `"${t0}"` });
    assert.equal(item.response.status, 412, JSON.stringify(item.response));
    assert.deepEqual(item.response.body.details.existing, sneaked);
    assert.equal(item.response.body.errno, 114);

    b.log.clear();
    const resolved = await b.syncOk({ strategy: STRATEGY.CLIENT_WINS });
    assert.ok(resolved.published.length >= 1, describeResult(resolved));
    // Kinto.js pushes the resolution (If-Match: the intruder's timestamp, 200), then pushes the
    // resolved record again with that now stale timestamp: exactly one 412, whose
    // details.existing equals what B wrote, so Kinto.js settles it silently.
    const statuses = b.log.batchItems().map((i) => i.response.status);
    assert.deepEqual(statuses, [200, 412], `batch sub-responses: ${JSON.stringify(b.log.batchItems().map((i) => [i.request.headers, i.response]))}`);
    for (const i of b.log.batchItems()) assert.deepEqual(i.request.headers, { 'If-Match': `"${sneaked.last_modified}"` });

    await a.syncOk();
    await assertConverged(ctx, { ...makeRecord(1), id, title: 'edited by B' });
  });
}
