// 8. Owned documents (Polysync's extension, docs/protocols/owned-documents.md): two users
// replicate one shared database with PouchDB and each gets only its own documents and the ones
// shared with it; a push to another user's document is refused per document; unsharing makes the
// former reader's replica drop the document on its next pull. Needs authentication
// (POLYSYNC_AUTH=1); skipped against the reference, which has no owned documents.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { baseUrl, freshDbName, serverKind, withCredentials } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { eventually, finish, localDb, remoteDb, stop } from '../lib/pouch.mjs';

async function user(couch, name, password) {
  await couch.json('PUT', `_users/org.couchdb.user:${name}`,
    { _id: `org.couchdb.user:${name}`, name, password, roles: [], type: 'user' }, [201, 202]);
  return async () => {
    const res = await couch.request('GET', `_users/org.couchdb.user:${name}`);
    if (res.status === 200) await couch.request('DELETE', `_users/org.couchdb.user:${name}?rev=${res.body._rev}`);
  };
}

async function ids(db) {
  const all = await db.allDocs();
  return all.rows.map((r) => r.id).sort();
}

/** Why this target cannot run the test, or null. */
async function unsupported() {
  if (!process.env.POLYSYNC_AUTH) return 'the target does not declare authentication (POLYSYNC_AUTH=1)';
  if ((await serverKind()) === 'pouchdb-server') return 'the reference has no owned documents';
  return null;
}

/** An owned database with two fresh users; returns their names and a remote PouchDB factory. */
async function ownedDb(t, label) {
  const admin = new Couch(baseUrl());
  const name = freshDbName(label);
  const suffix = randomBytes(4).toString('hex');
  const alice = `alice-${suffix}`;
  const bob = `bob-${suffix}`;
  t.after(await user(admin, alice, 'pw-alice'));
  t.after(await user(admin, bob, 'pw-bob'));
  await admin.createDb(name);
  t.after(() => admin.destroyDb(name));
  await admin.json('PUT', `${name}/_security`,
    { admins: { names: [], roles: [] }, members: { names: [alice, bob], roles: [] }, polysync: { owned: true } });
  const remoteAs = (who, pw) => remoteDb(`${withCredentials(baseUrl(), who, pw)}/${name}`);
  return { admin, name, alice, bob, remoteAs };
}

test('ownedDatabase_liveSync_sharedDocumentArrivesAndUnsharedOneLeaves', { timeout: 120_000 }, async (t) => {
  const why = await unsupported();
  if (why) {
    t.skip(why);
    return;
  }
  const { alice, bob, remoteAs } = await ownedDb(t, 'owned-live');
  const aliceRemote = remoteAs(alice, 'pw-alice');
  const bobDevice = localDb('owned-live-bob');
  const live = bobDevice.sync(remoteAs(bob, 'pw-bob'), { live: true, retry: true });
  t.after(() => stop(live));
  await aliceRemote.put({ _id: 'private', text: 'alice only' });
  const sharedRev = (await aliceRemote.put({ _id: 'shared', text: 'for bob', readers: [bob] })).rev;
  await eventually(async () => assert.equal((await bobDevice.get('shared')).text, 'for bob'));
  await assert.rejects(bobDevice.get('private'), { status: 404 });
  await aliceRemote.put({ _id: 'shared', _rev: sharedRev, text: 'no longer', readers: [] });
  await eventually(async () => assert.deepEqual(await ids(bobDevice), []));
});

test('ownedDatabase_twoUsersReplicate_eachGetsOnlyItsOwnAndShared', { timeout: 120_000 }, async (t) => {
  const why = await unsupported();
  if (why) {
    t.skip(why);
    return;
  }
  const { admin, name, alice, bob, remoteAs } = await ownedDb(t, 'owned');

  // Each user pushes its documents from its own device; alice shares one with bob.
  const aliceDevice = localDb('owned-alice');
  await aliceDevice.bulkDocs([
    { _id: 'a1', text: 'alice 1' },
    { _id: 'a2', text: 'alice 2' },
    { _id: 'a3', text: 'alice, for bob too', readers: [bob] },
  ]);
  const bobDevice = localDb('owned-bob');
  await bobDevice.bulkDocs([{ _id: 'b1', text: 'bob 1' }, { _id: 'b2', text: 'bob 2' }]);
  const alicePush = await finish(aliceDevice.replicate.to(remoteAs(alice, 'pw-alice')), 30_000, 'alice push');
  assert.equal(alicePush.docs_written, 3);
  await finish(bobDevice.replicate.to(remoteAs(bob, 'pw-bob')), 30_000, 'bob push');

  // Fresh devices pull: each user gets only what it may read; the server's feed for the admin has all.
  const aliceFresh = localDb('owned-alice-fresh');
  await finish(aliceFresh.replicate.from(remoteAs(alice, 'pw-alice')), 30_000, 'alice pull');
  assert.deepEqual(await ids(aliceFresh), ['a1', 'a2', 'a3']);
  await finish(bobDevice.replicate.from(remoteAs(bob, 'pw-bob')), 30_000, 'bob pull');
  assert.deepEqual(await ids(bobDevice), ['a3', 'b1', 'b2']);
  assert.equal((await bobDevice.get('a3')).text, 'alice, for bob too');
  const everything = (await admin.changes(name)).results.map((r) => r.id).sort();
  assert.deepEqual(everything, ['a1', 'a2', 'a3', 'b1', 'b2']);

  // Bob may read a3 but not write it: the push (from a second device of his) reports a per-document
  // failure, and the server keeps alice's version.
  const bobOther = localDb('owned-bob-other');
  await finish(bobOther.replicate.from(remoteAs(bob, 'pw-bob')), 30_000, 'bob second device pull');
  const shared = await bobOther.get('a3');
  await bobOther.put({ ...shared, text: 'bob was here' });
  const bobPush = await finish(bobOther.replicate.to(remoteAs(bob, 'pw-bob')), 30_000, 'bob push of a3');
  assert.equal(bobPush.doc_write_failures, 1);
  assert.equal((await admin.getDoc(name, 'a3')).text, 'alice, for bob too');

  // Alice unshares a3: bob's next pull drops it from his device; alice's copy is untouched.
  const a3 = await aliceDevice.get('a3');
  await aliceDevice.put({ ...a3, readers: [] });
  await finish(aliceDevice.replicate.to(remoteAs(alice, 'pw-alice')), 30_000, 'alice unshare');
  await finish(bobDevice.replicate.from(remoteAs(bob, 'pw-bob')), 30_000, 'bob pull after unshare');
  assert.deepEqual(await ids(bobDevice), ['b1', 'b2']);
  await assert.rejects(bobDevice.get('a3'), { status: 404 });
  await finish(aliceFresh.replicate.from(remoteAs(alice, 'pw-alice')), 30_000, 'alice pull again');
  assert.deepEqual((await aliceFresh.get('a3')).readers, []);
});
