// 2. Pull: documents written on the server over plain HTTP (`_bulk_docs`, including updates,
// deletions, attachments and a conflict) reach a local PouchDB unchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, freshDbName } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { finish, localDb, normalizeDoc, remoteDb, snapshot } from '../lib/pouch.mjs';
import { binaryBytes, body, docId, inline, textBytes } from '../lib/data.mjs';

const DOCS = 150;

/** The server's view of every live doc, read over HTTP the way `snapshot` reads PouchDB. */
async function serverSnapshot(couch, db) {
  const all = await couch.json('GET', `${db}/_all_docs`);
  const out = {};
  for (const row of all.rows) {
    const doc = await couch.getDoc(db, row.id, { revs: 'true', conflicts: 'true', attachments: 'true' });
    out[row.id] = normalizeDoc(doc);
  }
  return out;
}

test('pull_docsWrittenOverHttp_localCopyIsIdentical', { timeout: 180_000 }, async (t) => {
  const name = freshDbName('pull');
  const couch = new Couch(baseUrl());
  await couch.createDb(name);
  t.after(() => couch.destroyDb(name));

  const docs = [];
  for (let i = 0; i < DOCS; i++) {
    const doc = { _id: docId(i), ...body(i) };
    if (i % 15 === 0) {
      doc._attachments = {
        'blob.bin': inline(binaryBytes(300 + i), 'application/octet-stream'),
        'hello.txt': inline(textBytes(doc._id), 'text/plain'),
      };
    }
    docs.push(doc);
  }
  const created = await couch.bulkDocs(name, docs);
  assert.equal(created.length, DOCS);
  for (const r of created) assert.equal(r.ok, true, JSON.stringify(r));

  // Second revisions for every 10th doc, deletions for every 25th.
  const revOf = new Map(created.map((r) => [r.id, r.rev]));
  const updates = [];
  for (let i = 0; i < DOCS; i += 10) {
    const doc = await couch.getDoc(name, docId(i));
    updates.push({ ...doc, updated: true });
  }
  for (const r of await couch.bulkDocs(name, updates)) assert.equal(r.ok, true, JSON.stringify(r));
  const deletions = [];
  for (let i = 3; i < DOCS; i += 25) deletions.push({ _id: docId(i), _rev: revOf.get(docId(i)), _deleted: true });
  for (const r of await couch.bulkDocs(name, deletions)) assert.equal(r.ok, true, JSON.stringify(r));

  // A conflict made the way replication makes one: two sibling revisions, new_edits=false.
  const [low, high] = ['1-' + 'a'.repeat(32), '1-' + 'b'.repeat(32)];
  const conflictErrors = await couch.bulkDocs(
    name,
    [
      { _id: 'conflicted', _rev: low, side: 'low' },
      { _id: 'conflicted', _rev: high, side: 'high' },
    ],
    { new_edits: false },
  );
  assert.deepEqual(conflictErrors, [], 'new_edits=false answers with errors only');

  const local = localDb('pull');
  const result = await finish(local.replicate.from(remoteDb(`${baseUrl()}/${name}`)), 120_000, 'pull');
  assert.equal(result.ok, true);
  assert.equal(result.doc_write_failures, 0);

  const [want, got] = [await serverSnapshot(couch, name), await snapshot(local)];
  assert.equal(Object.keys(want).length, DOCS - deletions.length + 1);
  assert.deepEqual(got, want);

  // The conflict arrived whole: same winner (the higher rev id) and the loser in _conflicts.
  const conflicted = await local.get('conflicted', { conflicts: true });
  assert.equal(conflicted._rev, high);
  assert.equal(conflicted.side, 'high');
  assert.deepEqual(conflicted._conflicts, [low]);

  for (const d of deletions) {
    await assert.rejects(local.get(d._id), { status: 404 });
    const [leaf] = await local.get(d._id, { open_revs: 'all' });
    assert.equal(leaf.ok._deleted, true);
    assert.match(leaf.ok._rev, /^2-/);
  }
});
