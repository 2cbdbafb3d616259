// 7. Backoff: a server configured to ask clients to back off sends `Backoff: <seconds>`, and
// Kinto.js, given an event emitter, refuses the next sync() until then with its backoff message.
//
// kinto.md points: A.13 (the `backoff` setting → `Backoff: <s>` on responses), A.6 "Other HTTP
// behaviour" (_checkForBackoffHeader sets a deadline only when the app passed an `events`
// emitter; sync() then rejects with "Server is asking clients to back off; retry in Ns or use
// the ignoreBackoff option.").
//
// This file starts its own server, because the setting applies to a whole server: the runner's
// command (POLYSYNC_START_CMD, {port} {data} {admin}) on a free port and a fresh data directory,
// with POLYSYNC_BACKOFF_ARGS appended (default `--setting kinto.backoff=5`; `{seconds}` in it is
// replaced by POLYSYNC_BACKOFF_SECONDS, default 5). Or give POLYSYNC_BACKOFF_URL, a server
// already started that way, with the admin's credentials. Gated in the runner on one of the two.

import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Device, describeResult } from '../lib/clients.mjs';
import { KintoHttp, describe, within } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { adminCredentials, freshId } from '../lib/target.mjs';
import { startFromTemplate, stopServer } from '../lib/servers.mjs';

const SECONDS = Number(process.env.POLYSYNC_BACKOFF_SECONDS || 5);
const ARGS = (process.env.POLYSYNC_BACKOFF_ARGS || '--setting kinto.backoff={seconds}').replaceAll('{seconds}', String(SECONDS));

let server;
let base;

before(async () => {
  if (process.env.POLYSYNC_BACKOFF_URL) {
    base = process.env.POLYSYNC_BACKOFF_URL.replace(/\/+$/, '');
    return;
  }
  const template = process.env.POLYSYNC_START_CMD;
  if (!template) throw new Error('needs POLYSYNC_START_CMD (run.sh --start) or POLYSYNC_BACKOFF_URL');
  server = await startFromTemplate({
    template,
    admin: process.env.POLYSYNC_ADMIN || 'admin:secret',
    cwd: process.env.POLYSYNC_START_CWD,
    extra: ARGS,
    label: 'backoff',
  });
  base = server.url;
});

after(async () => {
  if (!server) return;
  await stopServer(server);
  if (!process.env.POLYSYNC_KEEP_TMP) rmSync(server.dir, { recursive: true, force: true });
});

async function collection(t, label) {
  const http = new KintoHttp({ base });
  const { bid, cid } = await http.freshCollection(t, freshId(label), 'notes');
  return { http, bid, cid };
}

test('backoffSetting_everyResponse_carriesBackoffHeader', { timeout: 60_000 }, async (t) => {
  const { http, bid, cid } = await collection(t, 'backoff-header');
  for (const path of ['/', `/buckets/${bid}/collections/${cid}`, `/buckets/${bid}/collections/${cid}/records`]) {
    const res = await http.request('GET', path);
    assert.equal(res.status, 200, `GET /v1${path}: ${describe(res)} (server started with: ${ARGS})`);
    assert.equal(res.headers.get('backoff'), String(SECONDS), `GET /v1${path}: ${describe(res)}`);
  }
  const batch = await http.request('POST', '/batch', {
    body: { requests: [{ method: 'PUT', path: `/buckets/${bid}/collections/${cid}/records/r1`, body: { data: { a: 1 } } }] },
  });
  assert.equal(batch.status, 200, describe(batch));
  assert.equal(batch.headers.get('backoff'), String(SECONDS), `POST /v1/batch: ${describe(batch)}`);
});

test('sync_serverSendsBackoff_nextSyncRefusedWithBackoffMessage', { timeout: 120_000 }, async (t) => {
  const { bid, cid } = await collection(t, 'backoff-sync');
  const device = new Device({ label: 'backoff', remote: base, auth: adminCredentials(base), bucket: bid, collection: cid });
  const deadlines = [];
  device.events.on('backoff', (ms) => deadlines.push(ms));
  await device.createMany([makeRecord(1), makeRecord(2)]);

  const started = Date.now();
  const first = await device.syncOk();
  assert.equal(first.published.length, 2, describeResult(first));
  assert.ok(deadlines.length > 0, 'Kinto.js saw Backoff headers');
  const last = deadlines[deadlines.length - 1];
  assert.ok(
    last >= started + SECONDS * 1000 && last <= Date.now() + SECONDS * 1000,
    `backoff deadline ${last - started} ms after the start of the sync, expected about ${SECONDS * 1000}`,
  );

  const before = device.log.calls.length;
  await device.coll.create(makeRecord(3));
  await assert.rejects(within(device.coll.sync(), 10_000, 'refused sync'), (err) => {
    const m = /^Server is asking clients to back off; retry in (\d+)s or use the ignoreBackoff option\.$/.exec(err.message);
    assert.ok(m, `unexpected rejection: ${err.message}`);
    assert.ok(Number(m[1]) >= SECONDS - 1 && Number(m[1]) <= SECONDS, err.message);
    return true;
  });
  assert.equal(device.log.calls.length, before, 'the refused sync sent no request');

  const forced = await device.syncOk({ ignoreBackoff: true });
  assert.equal(forced.published.length, 1, describeResult(forced));

  // Once the deadline has passed, sync() runs again by itself.
  const wait = deadlines[deadlines.length - 1] - Date.now() + 200;
  if (wait > 0) await sleep(wait);
  const later = await device.syncOk();
  assert.ok(later.ok, describeResult(later));
});

test('sync_noEventEmitter_backoffNotHonoured', { timeout: 60_000 }, async (t) => {
  const { bid, cid } = await collection(t, 'backoff-noevents');
  const device = new Device({ label: 'no events', remote: base, auth: adminCredentials(base), bucket: bid, collection: cid, events: false });
  await device.createMany([makeRecord(1)]);
  await device.syncOk();
  await device.coll.create(makeRecord(2));
  const second = await device.syncOk();
  assert.equal(second.published.length, 1, 'Kinto.js without an event emitter ignores Backoff');
  assert.equal(device.log.calls.at(-1).responseHeaders.get('backoff'), String(SECONDS));
});
