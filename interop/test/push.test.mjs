// 1. Push: a local PouchDB replicates to the server; a second, fresh PouchDB pulls it back and
// must see the same documents, revision histories, deletions and attachments.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, freshDbName } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { finish, localDb, remoteDb, snapshot } from '../lib/pouch.mjs';
import { binaryBytes, body, digestOf, docId, inline, textBytes } from '../lib/data.mjs';

const DOCS = 200;
const DELETED = 10;

test('push_200DocsWithAttachments_pulledCopyIsIdentical', { timeout: 180_000 }, async (t) => {
  const name = freshDbName('push');
  const url = `${baseUrl()}/${name}`;
  const couch = new Couch(baseUrl());
  t.after(() => couch.destroyDb(name));

  const local = localDb('push-src');
  const expectedBytes = new Map();
  const docs = [];
  for (let i = 0; i < DOCS; i++) {
    const doc = { _id: docId(i), ...body(i) };
    if (i % 10 === 0) {
      const bin = binaryBytes(512 + i);
      const txt = textBytes(docId(i));
      expectedBytes.set(docId(i), { bin, txt });
      doc._attachments = {
        'data.bin': inline(bin, 'application/octet-stream'),
        'note.txt': inline(txt, 'text/plain'),
      };
    }
    docs.push(doc);
  }
  for (const res of await local.bulkDocs(docs)) assert.equal(res.ok, true, JSON.stringify(res));

  // Deeper histories: every 7th doc gets two more revisions (attachments kept as stubs).
  for (let i = 0; i < DOCS; i += 7) {
    for (let k = 0; k < 2; k++) {
      const doc = await local.get(docId(i));
      doc.edits = (doc.edits || 0) + 1;
      await local.put(doc);
    }
  }
  // Deleted documents must arrive as deletions.
  for (let i = 0; i < DELETED; i++) {
    const res = await local.put({ _id: `gone-${i}`, n: i });
    await local.remove(`gone-${i}`, res.rev);
  }

  const pushed = await finish(local.replicate.to(remoteDb(url)), 120_000, 'push');
  assert.equal(pushed.ok, true);
  assert.equal(pushed.doc_write_failures, 0);
  assert.equal(pushed.docs_written, DOCS + DELETED);

  // What the server itself says, without PouchDB in between.
  const all = await couch.json('GET', `${name}/_all_docs`);
  assert.equal(all.rows.length, DOCS);
  const changes = await couch.changes(name);
  assert.equal(changes.results.length, DOCS + DELETED, 'one _changes row per document');
  assert.equal(changes.results.filter((r) => r.deleted).length, DELETED);
  for (const r of changes.results) assert.ok(r.seq !== undefined && r.seq !== null, 'every row has a seq');

  for (const [id, { bin, txt }] of expectedBytes) {
    const doc = await couch.getDoc(name, id);
    assert.equal(doc._attachments['data.bin'].stub, true);
    assert.equal(doc._attachments['data.bin'].digest, digestOf(bin), `${id} data.bin digest`);
    assert.equal(doc._attachments['data.bin'].length, bin.length);
    assert.equal(doc._attachments['note.txt'].digest, digestOf(txt), `${id} note.txt digest`);
    const got = await couch.attachment(name, id, 'data.bin');
    assert.ok(got.bytes.equals(bin), `${id} data.bin bytes`);
    assert.match(got.contentType, /^application\/octet-stream/);
    const gotTxt = await couch.attachment(name, id, 'note.txt');
    assert.ok(gotTxt.bytes.equals(txt), `${id} note.txt bytes`);
    assert.match(gotTxt.contentType, /^text\/plain/);
  }

  // A second device pulls everything back.
  const copy = localDb('push-copy');
  const pulled = await finish(copy.replicate.from(remoteDb(url)), 120_000, 'pull');
  assert.equal(pulled.ok, true);
  assert.equal(pulled.docs_written, DOCS + DELETED);

  const [want, got] = [await snapshot(local), await snapshot(copy)];
  assert.equal(Object.keys(got).length, DOCS);
  assert.deepEqual(got, want);

  for (let i = 0; i < DELETED; i++) {
    await assert.rejects(copy.get(`gone-${i}`), { status: 404 });
    const [mine, theirs] = await Promise.all(
      [local, copy].map((db) => db.get(`gone-${i}`, { open_revs: 'all', revs: true })),
    );
    assert.deepEqual(theirs, mine, `gone-${i} tombstone and history`);
    assert.equal(theirs[0].ok._deleted, true);
  }
});
