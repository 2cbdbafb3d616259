// 9. End-to-end encrypted clients: two PouchDB devices encrypt document bodies on the device
// (transform-pouch on the remote handle, AES-256-GCM under a key derived from a shared passphrase)
// and sync through the server, one-shot and live, both ways. The devices read clear text; the
// server, read as its admin over plain HTTP, holds only ciphertext.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import MapReduce from 'pouchdb-mapreduce';
import TransformPouch from 'transform-pouch';
import { baseUrl, freshDbName } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { PouchDB, eventually, finish, localDb, remoteDb, stop } from '../lib/pouch.mjs';

// transform-pouch also wraps `query` on a remote handle, so the map/reduce plugin must be there.
PouchDB.plugin(MapReduce).plugin(TransformPouch);

const SALT = Buffer.from('polysync-interop-e2e-salt');

/** The key both devices derive from the passphrase they share; the server never sees it. */
function deriveKey(passphrase) {
  return pbkdf2Sync(passphrase, SALT, 200_000, 32, 'sha256');
}

/**
 * Moves every field that is not CouchDB metadata (`_id`, `_rev`, `_revisions`, `_deleted`, ...)
 * into one AES-256-GCM `payload`: a fresh 12-byte IV, then the ciphertext, then the 16-byte tag,
 * base64. The document id is the associated data, so a payload cannot be moved to another doc.
 */
function encryptDoc(key, doc) {
  const clear = {};
  const out = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k.startsWith('_')) out[k] = v;
    else clear[k] = v;
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(String(doc._id)));
  const ct = Buffer.concat([cipher.update(JSON.stringify(clear), 'utf8'), cipher.final()]);
  out.payload = Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64');
  return out;
}

function decryptDoc(key, doc) {
  if (typeof doc.payload !== 'string') return doc;
  const raw = Buffer.from(doc.payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(String(doc._id)));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  const clear = JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8'));
  const out = { ...clear };
  for (const [k, v] of Object.entries(doc)) {
    if (k !== 'payload') out[k] = v;
  }
  return out;
}

/** A device's handle on the server database: encrypts what goes up, decrypts what comes down. */
function encryptedRemote(url, passphrase) {
  const key = deriveKey(passphrase);
  const remote = remoteDb(url);
  remote.transform({ incoming: (doc) => encryptDoc(key, doc), outgoing: (doc) => decryptDoc(key, doc) });
  return remote;
}

test('e2eEncryption_twoDevicesSyncClearText_serverHoldsOnlyCiphertext', { timeout: 240_000 }, async (t) => {
  const name = freshDbName('e2e');
  const url = `${baseUrl()}/${name}`;
  const couch = new Couch(baseUrl());
  const passphrase = `correct horse ${randomBytes(8).toString('hex')}`;
  const run = randomBytes(6).toString('hex');
  const marker = (what) => `MARKER${run}${what}`;
  const markers = [];

  const a = localDb('e2e-a');
  const b = localDb('e2e-b');
  const remoteA = encryptedRemote(url, passphrase);
  const remoteB = encryptedRemote(url, passphrase);
  await couch.createDb(name);
  const handles = {};
  t.after(async () => {
    await Promise.all([stop(handles.a), stop(handles.b)]);
    await couch.destroyDb(name);
  });

  /** Every answer of the server about the database, read as its admin without the key. */
  async function serverText() {
    const parts = [];
    const get = async (path) => {
      const res = await couch.request('GET', `${encodeURIComponent(name)}/${path}`);
      assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
      parts.push(JSON.stringify(res.body));
      return res.body;
    };
    const all = await get('_all_docs?include_docs=true&conflicts=true');
    await get('_changes?include_docs=true&style=all_docs');
    for (const row of all.rows) {
      const doc = await get(`${encodeURIComponent(row.id)}?revs=true&revs_info=true&conflicts=true`);
      // Only metadata and the sealed payload: no clear field.
      assert.deepEqual(Object.keys(doc).filter((k) => !k.startsWith('_')), ['payload'], `fields of ${row.id}`);
      await get(`${encodeURIComponent(row.id)}?open_revs=all`);
    }
    const bulk = await couch.json('POST', `${encodeURIComponent(name)}/_bulk_get?revs=true`,
      { docs: all.rows.map((r) => ({ id: r.id })) });
    parts.push(JSON.stringify(bulk));
    return { text: parts.join('\n'), ids: all.rows.map((r) => r.id) };
  }

  function assertNoMarker(text, list = markers) {
    for (const m of list) assert.ok(!text.includes(m), `the server holds ${m} in clear`);
    // Nor any recognisable piece of one.
    assert.ok(!text.includes(`MARKER${run}`), 'the server holds a marker prefix in clear');
  }

  // Device A writes: plain fields, nested ones, unicode, a second revision.
  for (let i = 0; i < 20; i++) {
    markers.push(marker(`doc${i}`));
    await a.put({ _id: `note-${i}`, title: marker(`doc${i}`), nested: { list: [i, marker(`doc${i}`)] } });
  }
  markers.push(marker('unicodeé漢字'));
  await a.put({ _id: 'unicode', text: marker('unicodeé漢字') });
  const first = await a.get('note-0');
  markers.push(marker('second'));
  await a.put({ ...first, title: marker('second') });

  // One-shot push from A, pull into B.
  const pushed = await finish(a.replicate.to(remoteA), 60_000, 'push from A');
  assert.equal(pushed.docs_written, 21);
  const server = await serverText();
  assert.equal(server.ids.length, 21);
  assertNoMarker(server.text);

  const pulled = await finish(b.replicate.from(remoteB), 60_000, 'pull into B');
  assert.equal(pulled.docs_written, 21);
  for (let i = 1; i < 20; i++) {
    const doc = await b.get(`note-${i}`);
    assert.equal(doc.title, marker(`doc${i}`));
    assert.deepEqual(doc.nested, { list: [i, marker(`doc${i}`)] });
    assert.equal(doc.payload, undefined, 'B stores clear text');
  }
  assert.equal((await b.get('unicode')).text, marker('unicodeé漢字'));
  const onB = await b.get('note-0');
  assert.equal(onB.title, marker('second'));
  assert.equal(onB._rev, (await a.get('note-0'))._rev, 'the same revision on both devices');

  // Live sync on both devices: B edits and deletes, A writes; each sees the other in clear.
  const live = (db, remote) => db.sync(remote, { live: true, retry: true, back_off_function: () => 500 });
  handles.a = live(a, remoteA);
  handles.b = live(b, remoteB);
  markers.push(marker('fromB'), marker('liveA'));
  await b.put({ ...(await b.get('note-1')), title: marker('fromB') });
  await b.remove(await b.get('note-2'));
  await a.put({ _id: 'live-a', body: marker('liveA') });
  await eventually(async () => {
    assert.equal((await a.get('note-1')).title, marker('fromB'));
    await assert.rejects(a.get('note-2'), { status: 404 });
    assert.equal((await b.get('live-a')).body, marker('liveA'));
  }, 60_000);
  await eventually(async () => {
    const after = await serverText();
    assert.ok(after.ids.includes('live-a'));
    assertNoMarker(after.text);
  }, 30_000);

  // The markers really are in what the devices hold, and a device without the passphrase cannot read.
  const local = JSON.stringify((await a.allDocs({ include_docs: true })).rows);
  assert.ok(local.includes(marker('fromB')) && local.includes(marker('liveA')) && local.includes(marker('doc3')));
  const stranger = encryptedRemote(url, 'another passphrase');
  await assert.rejects(stranger.get('note-3'), /authenticate|auth/i);
});
