// 6. Resuming from the checkpoint: a second replication of the same pair transfers only what
// changed since the first, in both directions. Checked on the wire (which documents PouchDB
// asked the server for) and in PouchDB's result.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, freshDbName } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { finish, localDb, remoteDb, RequestLog } from '../lib/pouch.mjs';
import { pulledIds, pushedIds, resumedChangesSince } from '../lib/wire.mjs';
import { body, docId } from '../lib/data.mjs';

const FIRST = 100;
const MORE = 25;
const range = (from, to) => Array.from({ length: to - from }, (_, k) => docId(from + k));

test('pull_secondRun_transfersOnlyNewDocs', { timeout: 90_000 }, async (t) => {
  const name = freshDbName('ckpt-pull');
  const url = `${baseUrl()}/${name}`;
  const couch = new Couch(baseUrl());
  await couch.createDb(name);
  t.after(() => couch.destroyDb(name));
  await couch.bulkDocs(name, range(0, FIRST).map((id, i) => ({ _id: id, ...body(i) })));

  const local = localDb('ckpt-pull');
  const first = await finish(local.replicate.from(remoteDb(url)), 60_000);
  assert.equal(first.docs_read, FIRST);

  await couch.bulkDocs(name, range(FIRST, FIRST + MORE).map((id, i) => ({ _id: id, ...body(i) })));
  const log = new RequestLog();
  const second = await finish(local.replicate.from(remoteDb(url, { log })), 60_000);
  assert.equal(second.docs_read, MORE);
  assert.equal(second.docs_written, MORE);
  assert.deepEqual(pulledIds(log), range(FIRST, FIRST + MORE));
  assert.ok(resumedChangesSince(log), 'the first _changes call of the second run starts after 0');
  assert.equal((await local.info()).doc_count, FIRST + MORE);

  // Nothing new: a third run (new handles, same pair) reads nothing.
  const third = await finish(localDb('ckpt-pull', local.name).replicate.from(remoteDb(url)), 60_000);
  assert.equal(third.docs_read, 0);
});

test('push_secondRun_transfersOnlyNewDocs', { timeout: 90_000 }, async (t) => {
  const name = freshDbName('ckpt-push');
  const url = `${baseUrl()}/${name}`;
  const couch = new Couch(baseUrl());
  t.after(() => couch.destroyDb(name));

  const local = localDb('ckpt-push');
  await local.bulkDocs(range(0, FIRST).map((id, i) => ({ _id: id, ...body(i) })));
  const first = await finish(local.replicate.to(remoteDb(url)), 60_000);
  assert.equal(first.docs_written, FIRST);

  await local.bulkDocs(range(FIRST, FIRST + MORE).map((id, i) => ({ _id: id, ...body(i) })));
  const log = new RequestLog();
  const second = await finish(local.replicate.to(remoteDb(url, { log })), 60_000);
  assert.equal(second.docs_read, MORE);
  assert.equal(second.docs_written, MORE);
  const { asked, written } = pushedIds(log);
  assert.deepEqual(asked, range(FIRST, FIRST + MORE));
  assert.deepEqual(written, range(FIRST, FIRST + MORE));
  assert.equal((await couch.json('GET', `${name}/_all_docs`)).rows.length, FIRST + MORE);
});
