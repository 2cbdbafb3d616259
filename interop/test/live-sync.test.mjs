// 3. Two devices in live sync through the server, with offline edits of the same document on
// both: every replica must settle on the same winning revision and the same _conflicts;
// deletions propagate, and resolving the conflict by deleting the losing revision propagates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, freshDbName, serverKind } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { eventually, localDb, remoteDb, stop } from '../lib/pouch.mjs';

const CONVERGE_MS = 60_000;

test('sync_offlineEditsOnTwoDevices_allReplicasConverge', { timeout: 240_000 }, async (t) => {
  const name = freshDbName('sync');
  const url = `${baseUrl()}/${name}`;
  const couch = new Couch(baseUrl());

  const a = localDb('device-a');
  const b = localDb('device-b');
  // A fixed short back-off keeps recovery after an error quick and the test bounded.
  const live = (db) => db.sync(remoteDb(url), { live: true, retry: true, back_off_function: () => 500 });
  const handles = { a: live(a), b: live(b) };
  // Stop syncing before the database goes: a live sync would create it again.
  t.after(async () => {
    await Promise.all([stop(handles.a), stop(handles.b)]);
    await couch.destroyDb(name);
  });

  /** The winning rev and sorted _conflicts of `id` on A, B and the server. */
  async function views(id) {
    const [va, vb, vs] = await Promise.all([
      a.get(id, { conflicts: true }),
      b.get(id, { conflicts: true }),
      couch.getDoc(name, id, { conflicts: 'true' }),
    ]);
    return [va, vb, vs].map((d) => ({ rev: d._rev, conflicts: [...(d._conflicts || [])].sort(), v: d.v }));
  }

  async function assertGone(id) {
    await assert.rejects(a.get(id), { status: 404 }, `${id} still on A`);
    await assert.rejects(b.get(id), { status: 404 }, `${id} still on B`);
    const res = await couch.request('GET', `${name}/${id}`);
    assert.equal(res.status, 404, `${id} still on the server`);
    assert.equal(res.body.error, 'not_found');
    // CouchDB says "deleted" for a deleted doc; pouchdb-server says "missing" (README.md).
    const reasons = (await serverKind()) === 'pouchdb-server' ? ['deleted', 'missing'] : ['deleted'];
    assert.ok(reasons.includes(res.body.reason), `reason ${res.body.reason}`);
    const leaves = await couch.json('GET', `${name}/${id}?open_revs=all`);
    assert.equal(leaves.length, 1);
    assert.equal(leaves[0].ok?._deleted, true, 'the server keeps a deleted leaf');
  }

  // Online: writes on either device reach the other.
  await a.put({ _id: 'shared', v: 'initial' });
  await a.put({ _id: 'doomed', v: 'soon deleted' });
  await b.put({ _id: 'from-b', v: 'hello' });
  await eventually(async () => {
    const shared = await views('shared');
    assert.equal(new Set(shared.map((s) => s.rev)).size, 1, 'same rev everywhere');
    await a.get('from-b');
    await b.get('doomed');
  }, CONVERGE_MS);

  // Offline: both devices edit the same document differently; A deletes another one.
  await Promise.all([stop(handles.a), stop(handles.b)]);
  const onA = await a.put({ ...(await a.get('shared')), v: 'edited on A' });
  const onB = await b.put({ ...(await b.get('shared')), v: 'edited on B', extra: true });
  await a.remove(await a.get('doomed'));
  await a.put({ _id: 'offline-a' });
  await b.put({ _id: 'offline-b' });
  assert.match(onA.rev, /^2-/);
  assert.match(onB.rev, /^2-/);
  assert.notEqual(onA.rev, onB.rev);

  // Back online: everything converges, with one conflict kept on every replica.
  handles.a = live(a);
  handles.b = live(b);
  // CouchDB's rule: same generation, so the higher rev id wins.
  const [winner, loser] = [onA.rev, onB.rev].sort().reverse();
  await eventually(async () => {
    for (const view of await views('shared')) {
      assert.deepEqual(view.rev, winner);
      assert.deepEqual(view.conflicts, [loser]);
    }
    await assertGone('doomed');
    await a.get('offline-b');
    await b.get('offline-a');
    await couch.getDoc(name, 'offline-a');
    await couch.getDoc(name, 'offline-b');
  }, CONVERGE_MS);
  const [winnerView] = await views('shared');
  assert.equal(winnerView.v, winner === onA.rev ? 'edited on A' : 'edited on B');

  // B resolves the conflict by deleting the losing revision.
  await b.remove('shared', loser);
  await eventually(async () => {
    for (const view of await views('shared')) {
      assert.equal(view.rev, winner);
      assert.deepEqual(view.conflicts, []);
    }
    // The loser lives on as a deleted leaf (3-x) next to the winner.
    const leaves = await couch.json('GET', `${name}/shared?open_revs=all`);
    const deleted = leaves.filter((l) => l.ok?._deleted).map((l) => l.ok._rev);
    const live = leaves.filter((l) => l.ok && !l.ok._deleted).map((l) => l.ok._rev);
    assert.deepEqual(live, [winner]);
    assert.equal(deleted.length, 1, JSON.stringify(leaves));
    assert.match(deleted[0], /^3-/);
  }, CONVERGE_MS);
});
