// 11. HTTP-level checks, with plain fetch, of what Kinto.js's sync() relies on.
//
// kinto.md points, per test: A.2 (root settings and capabilities), A.5 (batch limit 25 → 400,
// response shape, paths without /v1, 412 inside a 200 batch), A.3 (412 body with
// details.existing, none when the record is gone; quoted ETags; If-None-Match → 304;
// If-Match/If-None-Match on records), A.4 (_since returns tombstones; plain lists do not;
// Total-Objects/Total-Records on HEAD), A.7 (error body {code, errno, error, message}; errnos),
// A.1 (PUT 201/200, parents must exist, DELETE answers the tombstone).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpClient } from '../lib/clients.mjs';
import { KintoHttp, describe } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { freshId } from '../lib/target.mjs';

function assertError(res, status, errno, what) {
  assert.equal(res.status, status, `${what}: ${describe(res)}`);
  assert.equal(typeof res.body, 'object', `${what}: the error body is not JSON: ${describe(res)}`);
  assert.equal(res.body.code, status, `${what}: code: ${describe(res)}`);
  if (errno !== undefined) assert.equal(res.body.errno, errno, `${what}: errno: ${describe(res)}`);
  assert.equal(typeof res.body.errno, 'number', `${what}: errno: ${describe(res)}`);
  assert.equal(typeof res.body.error, 'string', `${what}: error: ${describe(res)}`);
  assert.equal(typeof res.body.message, 'string', `${what}: message: ${describe(res)}`);
}

const quoted = (ts) => `"${ts}"`;

test('root_settingsAndCapabilities_whatKintoJsAndKintoHttpRead', { timeout: 30_000 }, async () => {
  const http = new KintoHttp();
  const res = await http.request('GET', '/');
  assert.equal(res.status, 200, describe(res));
  const root = res.body;
  assert.equal(root.settings?.batch_max_requests, 25, `settings: ${JSON.stringify(root.settings)}`);
  assert.equal(root.settings.readonly, false);
  assert.equal(typeof root.http_api_version, 'string', describe(res));
  assert.equal(typeof root.project_version, 'string', describe(res));
  assert.ok(root.url.endsWith('/v1/'), `url ${root.url}`);
  assert.equal(typeof root.capabilities, 'object', describe(res));
  for (const name of ['accounts', 'default_bucket']) {
    assert.equal(typeof root.capabilities[name], 'object', `capability ${name} in ${JSON.stringify(root.capabilities)}`);
    assert.equal(typeof root.capabilities[name].description, 'string', `capability ${name}`);
    assert.equal(typeof root.capabilities[name].url, 'string', `capability ${name}`);
  }
  assert.equal(typeof root.user?.id, 'string', `authenticated root names the user: ${describe(res)}`);
  assert.ok(root.user.principals.includes('system.Authenticated'), JSON.stringify(root.user));

  const anonymous = await http.as(null).request('GET', '/');
  assert.equal(anonymous.status, 200, describe(anonymous));
  assert.equal(anonymous.body.user, undefined, 'no user for an anonymous caller');

  // kinto-http reads the same document.
  const { client } = httpClient();
  assert.equal((await client.fetchServerSettings()).batch_max_requests, 25);
  assert.deepEqual(Object.keys(await client.fetchServerCapabilities()).sort(), Object.keys(root.capabilities).sort());
});

test('batch_26Requests_400AndNothingWritten', { timeout: 30_000 }, async (t) => {
  const http = new KintoHttp();
  const { path } = await http.freshCollection(t, freshId('batch'), 'c');
  const requests = Array.from({ length: 26 }, (_, i) => ({
    method: 'PUT',
    path: `${path}/records/r${i}`,
    headers: { 'If-None-Match': '*' },
    body: { data: makeRecord(i) },
  }));
  const tooMany = await http.request('POST', '/batch', { body: { defaults: { headers: {} }, requests } });
  assertError(tooMany, 400, 107, '26 requests in one batch');
  assert.deepEqual((await http.listAll(path)).records, [], 'nothing was written');

  // 25 is fine: one response per request, in order, each with status, path and body.
  const ok = await http.request('POST', '/batch', { body: { defaults: { headers: {} }, requests: requests.slice(0, 25) } });
  assert.equal(ok.status, 200, describe(ok));
  assert.equal(ok.body.responses.length, 25, describe(ok));
  ok.body.responses.forEach((r, i) => {
    assert.equal(r.status, 201, JSON.stringify(r));
    assert.ok(r.path.endsWith(`${path}/records/r${i}`), `response ${i} path ${r.path}`);
    assert.equal(r.body.data.id, `r${i}`);
    assert.deepEqual({ ...r.body.data, id: undefined, last_modified: undefined }, { ...makeRecord(i), id: undefined, last_modified: undefined });
  });

  // The same again: If-None-Match: * fails for each, inside a 200 batch.
  const again = await http.request('POST', '/batch', { body: { requests: requests.slice(0, 2) } });
  assert.equal(again.status, 200, describe(again));
  for (const r of again.body.responses) {
    assert.equal(r.status, 412, JSON.stringify(r));
    assert.equal(r.body.errno, 114, JSON.stringify(r));
  }
});

test('preconditionFailed_bodyShape_detailsExistingOrNoneWhenGone', { timeout: 30_000 }, async (t) => {
  const http = new KintoHttp();
  const { path } = await http.freshCollection(t, freshId('412'), 'c');
  const url = `${path}/records/r1`;
  const created = await http.request('PUT', url, { body: { data: makeRecord(1) }, headers: { 'If-None-Match': '*' } });
  assert.equal(created.status, 201, describe(created));
  const v1 = created.body.data;
  assert.equal(created.headers.get('etag'), quoted(v1.last_modified), 'ETag is the quoted last_modified');
  const updated = await http.request('PUT', url, { body: { data: { ...makeRecord(1), title: 'v2' } }, headers: { 'If-Match': quoted(v1.last_modified) } });
  assert.equal(updated.status, 200, describe(updated));
  const v2 = updated.body.data;
  assert.ok(v2.last_modified > v1.last_modified);

  // Stale If-Match: 412 with the current record in details.existing, and its ETag.
  const stale = await http.request('PUT', url, { body: { data: { title: 'v3' } }, headers: { 'If-Match': quoted(v1.last_modified) } });
  assertError(stale, 412, 114, 'stale If-Match');
  assert.equal(stale.body.error, 'Precondition Failed', describe(stale));
  assert.deepEqual(stale.body.details, { existing: v2 }, describe(stale));
  assert.equal(stale.headers.get('etag'), quoted(v2.last_modified), describe(stale));
  // If-None-Match: * on an existing record: the same.
  const exists = await http.request('PUT', url, { body: { data: { title: 'v3' } }, headers: { 'If-None-Match': '*' } });
  assertError(exists, 412, 114, 'If-None-Match: * on an existing record');
  assert.deepEqual(exists.body.details, { existing: v2 }, describe(exists));
  // Stale DELETE, and inside a batch.
  const staleDelete = await http.request('DELETE', url, { headers: { 'If-Match': quoted(v1.last_modified) } });
  assertError(staleDelete, 412, 114, 'stale DELETE');
  assert.deepEqual(staleDelete.body.details, { existing: v2 }, describe(staleDelete));
  const batch = await http.request('POST', '/batch', {
    body: { requests: [{ method: 'PUT', path: url, headers: { 'If-Match': quoted(v1.last_modified) }, body: { data: { title: 'v3' } } }] },
  });
  assert.equal(batch.status, 200, describe(batch));
  assert.equal(batch.body.responses[0].status, 412, describe(batch));
  assert.deepEqual(batch.body.responses[0].body.details, { existing: v2 }, describe(batch));

  // Gone: DELETE answers the tombstone; If-Match then fails without details.
  const deleted = await http.request('DELETE', url, { headers: { 'If-Match': quoted(v2.last_modified) } });
  assert.equal(deleted.status, 200, describe(deleted));
  const tomb = deleted.body.data;
  assert.deepEqual(Object.keys(tomb).sort(), ['deleted', 'id', 'last_modified'], describe(deleted));
  assert.equal(tomb.deleted, true);
  assert.ok(tomb.last_modified > v2.last_modified);
  const gone = await http.request('PUT', url, { body: { data: { title: 'v3' } }, headers: { 'If-Match': quoted(v2.last_modified) } });
  assertError(gone, 412, 114, 'If-Match on a deleted record');
  assert.equal(gone.body.details, undefined, `no details when the record is gone: ${describe(gone)}`);
  const star = await http.request('PUT', url, { body: { data: { title: 'v3' } }, headers: { 'If-Match': '*' } });
  assertError(star, 412, 114, 'If-Match: * on a deleted record');
  const goneInBatch = await http.request('POST', '/batch', {
    body: { requests: [{ method: 'PUT', path: url, headers: { 'If-Match': quoted(tomb.last_modified) }, body: { data: { title: 'v3' } } }] },
  });
  assert.equal(goneInBatch.body.responses[0].status, 412, describe(goneInBatch));
  assert.equal(goneInBatch.body.responses[0].body.details, undefined, describe(goneInBatch));
  // Creating over a tombstone is allowed.
  const recreated = await http.request('PUT', url, { body: { data: { title: 'again' } }, headers: { 'If-None-Match': '*' } });
  assert.equal(recreated.status, 201, describe(recreated));
  assert.ok(recreated.body.data.last_modified > tomb.last_modified);
});

test('etag_quotedOnRecordsAndLists_ifNoneMatchGives304', { timeout: 30_000 }, async (t) => {
  const http = new KintoHttp();
  const { path } = await http.freshCollection(t, freshId('etag'), 'c');
  const stamps = [];
  for (let i = 0; i < 3; i++) {
    const res = await http.request('PUT', `${path}/records/r${i}`, { body: { data: makeRecord(i) } });
    assert.equal(res.status, 201, describe(res));
    stamps.push(res.body.data.last_modified);
  }
  assert.ok(stamps[0] < stamps[1] && stamps[1] < stamps[2], `strictly increasing: ${stamps}`);
  const list = await http.request('GET', `${path}/records`);
  assert.equal(list.status, 200, describe(list));
  assert.equal(list.headers.get('etag'), quoted(stamps[2]), 'list ETag: the quoted highest last_modified');
  const record = await http.request('GET', `${path}/records/r1`);
  assert.equal(record.headers.get('etag'), quoted(stamps[1]));
  const unchanged = await http.request('GET', `${path}/records`, { headers: { 'If-None-Match': quoted(stamps[2]) } });
  assert.equal(unchanged.status, 304, describe(unchanged));
  const changed = await http.request('GET', `${path}/records`, { headers: { 'If-None-Match': quoted(stamps[1]) } });
  assert.equal(changed.status, 200, describe(changed));
  // The collection object itself (Kinto.js's metadata GET) answers with its own data.
  const coll = await http.request('GET', path);
  assert.equal(coll.status, 200, describe(coll));
  assert.equal(coll.body.data.id, 'c');
  assert.equal(coll.headers.get('etag'), quoted(coll.body.data.last_modified));
});

test('since_returnsChangesAndTombstones_plainListDoesNot', { timeout: 30_000 }, async (t) => {
  const http = new KintoHttp();
  const { path } = await http.freshCollection(t, freshId('since'), 'c');
  for (let i = 0; i < 4; i++) await http.json('PUT', `${path}/records/r${i}`, { data: makeRecord(i) });
  const etag = (await http.request('GET', `${path}/records`)).headers.get('etag');
  const since = etag.replaceAll('"', '');
  const tomb = (await http.json('DELETE', `${path}/records/r1`, undefined, [200])).data;
  const upd = (await http.json('PUT', `${path}/records/r2`, { data: { ...makeRecord(2), title: 'changed' } }, [200])).data;

  const changes = await http.request('GET', `${path}/records?_since=${since}&_sort=-last_modified`);
  assert.equal(changes.status, 200, describe(changes));
  assert.deepEqual(changes.body.data, [upd, { id: 'r1', last_modified: tomb.last_modified, deleted: true }], describe(changes));
  assert.equal(changes.headers.get('etag'), quoted(upd.last_modified));
  const quotedSince = await http.request('GET', `${path}/records?_since=${encodeURIComponent(etag)}&_sort=-last_modified`);
  assert.deepEqual(quotedSince.body.data, changes.body.data, '_since accepts the quoted ETag too');

  const plain = await http.request('GET', `${path}/records`);
  assert.deepEqual(plain.body.data.map((r) => r.id), ['r2', 'r3', 'r0'], `plain list: no tombstone, -last_modified: ${describe(plain)}`);
  const excluded = await http.request('GET', `${path}/records?_since=${since}&_sort=-last_modified&exclude_id=r2`);
  assert.deepEqual(excluded.body.data.map((r) => r.id), ['r1'], `exclude_id: ${describe(excluded)}`);
  const none = await http.request('GET', `${path}/records?_since=${upd.last_modified}&_sort=-last_modified`);
  assert.deepEqual(none.body.data, [], describe(none));
  assert.equal(none.headers.get('etag'), quoted(upd.last_modified), 'the ETag does not move without writes');
});

test('errors_kintoBody_codeErrnoErrorMessage', { timeout: 30_000 }, async (t) => {
  const http = new KintoHttp();
  const { bid, path } = await http.freshCollection(t, freshId('errors'), 'c');
  assertError(await http.request('GET', `${path}/records/missing`), 404, 110, 'unknown record');
  const noColl = await http.request('PUT', `/buckets/${bid}/collections/nope/records/r1`, { body: { data: {} } });
  assertError(noColl, 404, 111, 'record in a missing collection');
  assert.deepEqual(noColl.body.details, { id: 'nope', resource_name: 'collection' }, describe(noColl));
  assertError(await http.request('PUT', `${path}/records/r1`, { body: '{"data": ' }), 400, 106, 'bad JSON');
  assertError(await http.request('PUT', `${path}/records/bad.id`, { body: { data: {} } }), 400, undefined, 'invalid record id');
  assertError(await http.request('PUT', `${path}/records`, { body: { data: {} } }), 405, 115, 'PUT on a list');
  assertError(await http.request('GET', `${path}/records?_since=abc`), 400, 107, 'invalid _since');
  assertError(await http.as(null).request('GET', `${path}/records`), 401, 104, 'anonymous');
  const badBatch = await http.request('POST', '/batch', { body: { requests: [{ method: 'GET' }] } });
  assertError(badBatch, 400, undefined, 'batch request without a path');
});

test('head_totalObjectsAndTotalRecords_countTheRecords', { timeout: 30_000 }, async (t) => {
  const http = new KintoHttp();
  const { bid, cid, path } = await http.freshCollection(t, freshId('head'), 'c');
  for (let i = 0; i < 7; i++) await http.json('PUT', `${path}/records/r${i}`, { data: makeRecord(i) });
  await http.json('DELETE', `${path}/records/r0`, undefined, [200]);
  const head = await http.request('HEAD', `${path}/records`);
  assert.equal(head.status, 200, describe(head));
  assert.equal(head.headers.get('total-objects'), '6', describe(head));
  assert.equal(head.headers.get('total-records'), '6', describe(head));
  assert.equal(head.text, '', 'HEAD has no body');
  const { client } = httpClient();
  assert.equal(await client.bucket(bid).collection(cid).getTotalRecords(), 6);
});
