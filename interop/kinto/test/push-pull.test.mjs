// 1. Push and pull of thousands of records, and 2. a sync with nothing to do.
//
// kinto.md points: A.2 (GET /v1/ once, batch_max_requests), A.3 (list ETag quoted, used as the
// next _since; strictly increasing timestamps), A.5 (/batch chunks of 25, paths without /v1,
// Authorization only at the top, every PUT with If-None-Match: *, 201 inside a 200 batch),
// A.6 steps 1-3, 5 and 6 (collection GET, records GET with _sort=-last_modified, the final pull
// with exclude_id and _since, lastModified saved only when ok), A.1 (records keep every field
// and JSON type as sent; last_modified set by the server).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, Device, content, describeResult, httpClient, withoutStatus } from '../lib/clients.mjs';
import { KintoHttp } from '../lib/http.mjs';
import { byId, indexById, makeRecord } from '../lib/data.mjs';
import { freshId } from '../lib/target.mjs';

const N = 3_000;

const other = (adapter) => ADAPTERS.find((a) => a !== adapter);
const cap = (s) => s[0].toUpperCase() + s.slice(1);

for (const adapter of ADAPTERS) {
  const pullAdapter = other(adapter);
  test(`sync_${N}RecordsPushedFrom${cap(adapter)}_${cap(pullAdapter)}ClientPullsIdenticalCopy`, { timeout: 600_000 }, async (t) => {
    const http = new KintoHttp();
    const { bid, cid, path } = await http.freshCollection(t, freshId('push'), 'notes');

    // A: N records made offline, then one sync.
    const a = new Device({ label: `A (${adapter})`, bucket: bid, collection: cid, adapter });
    const made = await a.createMany(Array.from({ length: N }, (_, i) => makeRecord(i)));
    const pushed = await a.syncOk();
    assert.equal(pushed.published.length, N, describeResult(pushed));
    for (const list of ['created', 'updated', 'deleted', 'skipped', 'conflicts', 'errors', 'resolved']) {
      assert.deepEqual(pushed[list], [], `A's first sync: ${list} must be empty: ${describeResult(pushed)}`);
    }

    // What went over the wire.
    const root = a.log.find('GET', '/v1/');
    assert.equal(root.length, 1, `GET /v1/ once per client; requests:\n  ${a.log.summary()}`);
    assert.equal(a.log.find('GET', `${path}`).length, 1, 'one collection metadata GET');
    const batches = a.log.find('POST', '/v1/batch');
    assert.equal(batches.length, Math.ceil(N / 25), `${N} records in batches of 25 (batch_max_requests)`);
    const items = a.log.batchItems();
    assert.equal(items.length, N);
    for (const { request, response, batch } of items) {
      assert.equal(batch.status, 200, `POST /batch answered ${batch.status}: ${JSON.stringify(batch.responseBody)}`);
      assert.equal(request.method, 'PUT');
      assert.match(request.path, new RegExp(`^/buckets/${bid}/collections/${cid}/records/[0-9a-f-]{36}$`));
      assert.deepEqual(request.headers, { 'If-None-Match': '*' }, 'sub-requests carry only their precondition');
      assert.ok(response, `no response for ${request.path} in ${JSON.stringify(batch.responseBody).slice(0, 500)}`);
      assert.equal(response.status, 201, `${request.method} ${request.path} answered ${JSON.stringify(response)}`);
      assert.deepEqual(withoutLastModified(response.body.data), request.body.data, 'the server stores the record as sent');
      assert.ok(Number.isInteger(response.body.data.last_modified), `last_modified ${response.body.data.last_modified}`);
    }
    for (const batch of batches) {
      assert.ok(batch.headers.get('authorization'), 'Authorization on the batch request itself');
      assert.ok(batch.body.defaults.headers.Authorization, 'Authorization in defaults.headers');
    }
    // The last pull leaves out (at most 50 of) the records just published and starts after the
    // first pull's ETag.
    const pulls = a.log.find('GET', `${path}/records`);
    const last = pulls[pulls.length - 1];
    assert.equal(last.query.get('_sort'), '-last_modified');
    assert.equal(last.query.get('exclude_id').split(',').length, 50);

    // A's local copy: every record synced, with the server's timestamp; timestamps distinct.
    const localA = await a.local();
    assert.equal(Object.keys(localA).length, N);
    const stamps = new Set();
    for (const r of made) {
      const l = localA[r.id];
      assert.equal(l._status, 'synced', `${r.id} is ${l._status}`);
      assert.deepEqual(content(l), content(r));
      stamps.add(l.last_modified);
    }
    assert.equal(stamps.size, N, 'every write gets its own last_modified (strictly increasing per collection)');

    // The server's listing (kinto-http) agrees with A, record for record.
    const { client } = httpClient();
    const listed = await client.bucket(bid).collection(cid).listRecords({ pages: Infinity });
    assert.equal(listed.data.length, N);
    assert.deepEqual(byId(listed.data), byId(Object.values(localA).map(withoutStatus)));
    const sorted = [...listed.data].map((r) => r.last_modified);
    assert.deepEqual(sorted, [...sorted].sort((x, y) => y - x), 'listing sorted by -last_modified');
    const etag = Number(listed.last_modified);
    assert.equal(etag, Math.max(...stamps), 'list ETag is the highest last_modified');
    assert.equal(a.coll.lastModified, etag, "A saved the list ETag as its lastModified");

    // B: a fresh client pulls everything.
    const b = new Device({ label: `B (${pullAdapter})`, bucket: bid, collection: cid, adapter: pullAdapter });
    const pulled = await b.syncOk();
    assert.equal(pulled.created.length, N, describeResult(pulled));
    for (const list of ['updated', 'deleted', 'skipped', 'published', 'conflicts', 'errors', 'resolved']) {
      assert.deepEqual(pulled[list], [], `B's sync: ${list} must be empty: ${describeResult(pulled)}`);
    }
    const bPulls = b.log.find('GET', `${path}/records`);
    assert.equal(bPulls[0].query.get('_since'), null, 'first sync pulls without _since');
    assert.equal(b.log.find('POST', '/v1/batch').length, 0, 'B had nothing to push');
    const localB = await b.local();
    assert.deepEqual(indexById(Object.values(localB)), localA, "B's records equal A's: ids, fields, last_modified, all synced");
    assert.equal(b.coll.lastModified, etag);
  });
}

test('sync_nothingChanged_noRecordMovesAndOnlyTwoRequests', { timeout: 120_000 }, async (t) => {
  const http = new KintoHttp();
  const { bid, cid, path } = await http.freshCollection(t, freshId('noop'), 'notes');
  const a = new Device({ label: 'A', bucket: bid, collection: cid });
  await a.createMany(Array.from({ length: 20 }, (_, i) => makeRecord(i)));
  await a.syncOk();
  const b = new Device({ label: 'B', bucket: bid, collection: cid, adapter: 'idb' });
  await b.syncOk();

  for (const device of [a, b]) {
    const before = await device.local();
    const since = device.coll.lastModified;
    device.log.clear();
    const result = await device.syncOk();
    for (const list of ['created', 'updated', 'deleted', 'skipped', 'published', 'conflicts', 'errors', 'resolved']) {
      assert.deepEqual(result[list], [], `${device.label}'s no-op sync: ${list} must be empty: ${describeResult(result)}`);
    }
    // Exactly: the collection metadata, and one page of changes since the saved ETag, empty.
    assert.deepEqual(
      device.log.calls.map((c) => `${c.method} ${c.path}`),
      [`GET /v1${path}`, `GET /v1${path}/records`],
      `requests:\n  ${device.log.summary()}`,
    );
    const pull = device.log.calls[1];
    assert.equal(pull.query.get('_since'), String(since));
    assert.equal(pull.query.get('_sort'), '-last_modified');
    assert.equal(pull.status, 200);
    assert.deepEqual(pull.responseBody.data, [], `nothing changed since ${since}: ${JSON.stringify(pull.responseBody)}`);
    assert.equal(pull.responseHeaders.get('etag'), `"${since}"`, 'the ETag of an unchanged list stays the same');
    assert.equal(device.coll.lastModified, since);
    assert.deepEqual(await device.local(), before);
  }
});

function withoutLastModified(record) {
  const { last_modified, ...rest } = record;
  return rest;
}
