// 5. Filtered pull replication with `doc_ids` and `selector`, which make PouchDB POST
// `_changes?filter=_doc_ids` and `_changes?filter=_selector` to the server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, freshDbName } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { finish, localDb, remoteDb, RequestLog } from '../lib/pouch.mjs';
import { body, docId } from '../lib/data.mjs';

const DOCS = 30;
const typeOf = (i) => (i % 3 === 0 ? 'fruit' : 'veg');

async function seed(t, label) {
  const name = freshDbName(label);
  const couch = new Couch(baseUrl());
  await couch.createDb(name);
  t.after(() => couch.destroyDb(name));
  const docs = Array.from({ length: DOCS }, (_, i) => ({ _id: docId(i), type: typeOf(i), ...body(i) }));
  for (const r of await couch.bulkDocs(name, docs)) assert.equal(r.ok, true);
  return { name, couch, url: `${baseUrl()}/${name}` };
}

async function localIds(db) {
  return (await db.allDocs()).rows.map((r) => r.id).sort();
}

/** Updates doc `i` on the server and returns its new rev. */
async function touch(couch, name, i) {
  const doc = await couch.getDoc(name, docId(i));
  const res = await couch.json('PUT', `${name}/${docId(i)}`, { ...doc, touched: true }, [201]);
  return res.rev;
}

test('filteredPull_docIds_onlyThoseDocsArrive', { timeout: 60_000 }, async (t) => {
  const { name, couch, url } = await seed(t, 'docids');
  const wanted = [docId(1), docId(4), docId(7), docId(22)];
  const log = new RequestLog();
  const local = localDb('docids');

  const res = await finish(
    local.replicate.from(remoteDb(url, { log }), { doc_ids: [...wanted, 'no-such-doc'] }),
    30_000,
  );
  assert.equal(res.ok, true);
  assert.deepEqual(await localIds(local), wanted);
  const posts = log.find('POST', '/_changes');
  assert.ok(posts.length > 0, 'PouchDB POSTs _changes');
  assert.equal(posts[0].query.get('filter'), '_doc_ids');
  assert.deepEqual(JSON.parse(posts[0].body).doc_ids.sort(), [...wanted, 'no-such-doc'].sort());

  // Later changes: only the wanted doc's new revision comes through.
  const newRev = await touch(couch, name, 4);
  await touch(couch, name, 5);
  const again = await finish(
    local.replicate.from(remoteDb(url), { doc_ids: [...wanted, 'no-such-doc'] }),
    30_000,
  );
  assert.equal(again.docs_read, 1);
  assert.deepEqual(await localIds(local), wanted);
  assert.equal((await local.get(docId(4)))._rev, newRev);
});

test('filteredPull_selector_onlyMatchingDocsArrive', { timeout: 60_000 }, async (t) => {
  const { name, couch, url } = await seed(t, 'selector');
  const fruit = Array.from({ length: DOCS }, (_, i) => i).filter((i) => typeOf(i) === 'fruit').map(docId);
  const log = new RequestLog();
  const local = localDb('selector');

  const res = await finish(local.replicate.from(remoteDb(url, { log }), { selector: { type: 'fruit' } }), 30_000);
  assert.equal(res.ok, true);
  assert.deepEqual(await localIds(local), fruit);
  for (const id of fruit) {
    const [mine, theirs] = [await local.get(id), await couch.getDoc(name, id)];
    assert.deepEqual(mine, theirs);
  }
  const posts = log.find('POST', '/_changes');
  assert.ok(posts.length > 0, 'PouchDB POSTs _changes');
  assert.equal(posts[0].query.get('filter'), '_selector');
  assert.deepEqual(JSON.parse(posts[0].body).selector, { type: 'fruit' });

  // A doc that starts to match is pulled next time; a change to a non-matching doc is not.
  const doc = await couch.getDoc(name, docId(1));
  await couch.json('PUT', `${name}/${docId(1)}`, { ...doc, type: 'fruit' }, [201]);
  await touch(couch, name, 2);
  const again = await finish(local.replicate.from(remoteDb(url), { selector: { type: 'fruit' } }), 30_000);
  assert.equal(again.docs_read, 1);
  assert.deepEqual(await localIds(local), [...fruit, docId(1)].sort());
});
