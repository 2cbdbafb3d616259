// 6. Pagination: kinto-http `listRecords({pages: Infinity, limit})` and Kinto.js `sync()` follow
// Next-Page to the end and get exactly the right set, with and without `_since`.
//
// kinto.md points: A.4 (page size = _limit; Next-Page an absolute URL that keeps the original
// query, _since included, and adds _limit and _token; no Next-Page on the last page; tombstones
// in _since listings; _sort=-last_modified), A.3 (the ETag of the last page is the list
// timestamp and becomes the next _since), A.6 step 2 (Kinto.js follows Next-Page verbatim).
//
// Kinto.js offers no option for a page size (pullChanges() calls listRecords() without a
// limit), so the Kinto.js test adds `_limit=10` to its first records request, as a server with
// `paginate_by = 10` would paginate it; every following page is the server's own Next-Page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Device, describeResult, httpClient, withoutStatus } from '../lib/clients.mjs';
import { KintoHttp, RequestLog } from '../lib/http.mjs';
import { byId, makeRecord } from '../lib/data.mjs';
import { freshId, serverRoot } from '../lib/target.mjs';

/** Writes `n` records with kinto-http in batches (the server limit, 25 per /batch). */
async function writeRecords(client, bid, cid, n, from = 0) {
  const records = Array.from({ length: n }, (_, i) => ({ id: `rec-${String(from + i).padStart(4, '0')}`, ...makeRecord(from + i) }));
  const responses = await client.bucket(bid).collection(cid).batch((batch) => {
    for (const r of records) batch.createRecord(r);
  });
  for (const r of responses) assert.equal(r.status, 201, JSON.stringify(r));
  return responses.map((r) => r.body.data);
}

/** Checks that page URLs after the first are the previous page's Next-Page, on this server. */
function assertFollowedNextPage(calls, limit) {
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    assert.equal(call.status, 200, `page ${i}: ${call.status} ${JSON.stringify(call.responseBody)}`);
    assert.ok(call.responseBody.data.length <= limit, `page ${i} has ${call.responseBody.data.length} records > ${limit}`);
    const next = call.responseHeaders.get('next-page');
    if (i < calls.length - 1) {
      assert.ok(next, `page ${i} of ${calls.length} has no Next-Page`);
      assert.equal(calls[i + 1].url, next, 'the client requested the Next-Page URL verbatim');
      const url = new URL(next);
      assert.equal(url.origin, serverRoot(), 'Next-Page is an absolute URL on this server');
      assert.equal(url.searchParams.get('_limit'), String(limit));
      assert.ok(url.searchParams.get('_token'), `Next-Page has a _token: ${next}`);
    } else {
      assert.equal(next, null, 'the last page has no Next-Page');
    }
  }
}

test('listRecords_limit10_followsNextPageToTheEndExactSet', { timeout: 180_000 }, async (t) => {
  const http = new KintoHttp();
  const { bid, cid, path } = await http.freshCollection(t, freshId('pages'), 'notes');
  const { client, log } = httpClient();
  const written = await writeRecords(client, bid, cid, 95);

  log.clear();
  const listed = await client.bucket(bid).collection(cid).listRecords({ pages: Infinity, limit: 10 });
  const calls = log.find('GET', `${path}/records`);
  assert.equal(calls.length, 10, `95 records in pages of 10:\n  ${log.summary()}`);
  assert.equal(calls[0].query.get('_limit'), '10');
  assert.equal(calls[0].query.get('_sort'), '-last_modified');
  assertFollowedNextPage(calls, 10);
  assert.equal(listed.data.length, 95);
  assert.deepEqual(byId(listed.data), byId(written), 'exactly the records written, each once');
  const stamps = listed.data.map((r) => r.last_modified);
  assert.deepEqual(stamps, [...stamps].sort((x, y) => y - x), 'pages continue the -last_modified order');
  const etag = Math.max(...stamps);
  assert.equal(listed.last_modified, String(etag), 'ETag of the last page is the list timestamp');

  // Changes since a timestamp, paginated: 15 updates and 3 deletions, in pages of 7.
  const coll = client.bucket(bid).collection(cid);
  const updated = [];
  for (const r of written.slice(0, 15)) updated.push((await coll.updateRecord({ ...r, title: `updated ${r.id}` })).data);
  const deleted = [];
  for (const r of written.slice(15, 18)) deleted.push((await coll.deleteRecord(r.id)).data);
  log.clear();
  const changes = await coll.listRecords({ since: String(etag), pages: Infinity, limit: 7 });
  const changeCalls = log.find('GET', `${path}/records`);
  assert.equal(changeCalls.length, 3, `18 changes in pages of 7:\n  ${log.summary()}`);
  assertFollowedNextPage(changeCalls, 7);
  for (const call of changeCalls) {
    assert.equal(new URL(call.url).searchParams.get('_since'), String(etag), `every page keeps _since: ${call.url}`);
  }
  assert.deepEqual(byId(changes.data), byId([...updated, ...deleted]), 'updated records and tombstones, nothing else');
  for (const d of deleted) assert.deepEqual(Object.keys(d).sort(), ['deleted', 'id', 'last_modified']);
});

test('sync_serverPagesBy10_kintoJsFollowsNextPageToTheEnd', { timeout: 180_000 }, async (t) => {
  const http = new KintoHttp();
  const { bid, cid, path } = await http.freshCollection(t, freshId('sync-pages'), 'notes');
  const a = new Device({ label: 'A', bucket: bid, collection: cid });
  await a.createMany(Array.from({ length: 95 }, (_, i) => makeRecord(i)));
  await a.syncOk();

  const b = new Device({ label: 'B', bucket: bid, collection: cid, adapter: 'idb' });
  // Page size 10 on the first records request of every pull.
  const paged = new RequestLog((url, options) => {
    const u = new URL(String(url));
    if ((options.method || 'GET') === 'GET' && u.pathname.endsWith('/records') && !u.searchParams.has('_limit')) {
      u.searchParams.set('_limit', '10');
      return b.log.fetch(u.toString(), options);
    }
    return b.log.fetch(url, options);
  });
  b.kinto.api.http.fetchFunc = paged.fetch;

  const first = await b.syncOk();
  assert.equal(first.created.length, 95, describeResult(first));
  let calls = b.log.find('GET', `${path}/records`);
  assert.equal(calls.length, 10, `95 records in pages of 10:\n  ${b.log.summary()}`);
  assertFollowedNextPage(calls, 10);
  const server = await http.listAll(path);
  assert.deepEqual(byId(Object.values(await b.local()).map(withoutStatus)), byId(server.records));
  assert.equal(b.coll.lastModified, Number(server.etag.replaceAll('"', '')), 'lastModified from the last page');

  // 12 new, 3 updated, 2 deleted on A: 17 changes in two pages, with _since on both.
  const since = b.coll.lastModified;
  const local = Object.values(await a.local());
  await a.createMany(Array.from({ length: 12 }, (_, i) => makeRecord(100 + i)));
  for (const r of local.slice(0, 3)) await a.coll.update({ ...r, title: 'changed' });
  for (const r of local.slice(3, 5)) await a.coll.delete(r.id);
  await a.syncOk();

  b.log.clear();
  const second = await b.syncOk();
  assert.deepEqual(
    [second.created.length, second.updated.length, second.deleted.length],
    [12, 3, 2],
    describeResult(second),
  );
  calls = b.log.find('GET', `${path}/records`);
  assert.equal(calls.length, 2, `17 changes in pages of 10:\n  ${b.log.summary()}`);
  assertFollowedNextPage(calls, 10);
  for (const call of calls) assert.equal(new URL(call.url).searchParams.get('_since'), String(since));
  const after = await http.listAll(path);
  assert.equal(after.records.length, 95 + 12 - 2);
  assert.deepEqual(byId(Object.values(await b.local()).map(withoutStatus)), byId(after.records));
  assert.deepEqual(await b.local(), await a.local(), 'A and B hold the same records');
});
