// 6b. Resuming after a server restart: checkpoints and data survive, and a live sync with
// retry recovers by itself. Needs POLYSYNC_RESTART_CMD (a shell command that restarts the
// server, keeping its data, and returns once it answers); against the reference it restarts
// an on-disk pouchdb-server at POLYSYNC_RESTART_URL, since the in-memory one forgets everything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freshDbName, restartCommand, restartUrl } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { eventually, finish, localDb, remoteDb, RequestLog, stop } from '../lib/pouch.mjs';
import { pulledIds, pushedIds } from '../lib/wire.mjs';
import { body, docId } from '../lib/data.mjs';

const run = promisify(execFile);
const range = (prefix, from, to) => Array.from({ length: to - from }, (_, k) => `${prefix}-${docId(from + k)}`);

async function restartServer() {
  await run('sh', ['-c', restartCommand()], { timeout: 180_000 });
}

test('replicate_afterServerRestart_resumesFromCheckpoint', { timeout: 300_000 }, async (t) => {
  const name = freshDbName('restart');
  const url = `${restartUrl()}/${name}`;
  const couch = new Couch(restartUrl());
  await couch.createDb(name);
  t.after(() => couch.destroyDb(name));

  await couch.bulkDocs(name, range('srv', 0, 60).map((id, i) => ({ _id: id, ...body(i) })));
  const local = localDb('restart');
  await local.bulkDocs(range('dev', 0, 40).map((id, i) => ({ _id: id, ...body(i) })));
  assert.equal((await finish(local.replicate.to(remoteDb(url)), 60_000)).docs_written, 40);
  assert.equal((await finish(local.replicate.from(remoteDb(url)), 60_000)).docs_read, 60);

  await restartServer();
  assert.equal((await couch.json('GET', `${name}/_all_docs`)).rows.length, 100, 'data survived the restart');

  await couch.bulkDocs(name, range('srv', 60, 80).map((id, i) => ({ _id: id, ...body(i) })));
  await local.bulkDocs(range('dev', 40, 50).map((id, i) => ({ _id: id, ...body(i) })));

  const pullLog = new RequestLog();
  const pulled = await finish(local.replicate.from(remoteDb(url, { log: pullLog })), 60_000);
  assert.equal(pulled.docs_read, 20);
  assert.deepEqual(pulledIds(pullLog), range('srv', 60, 80));

  const pushLog = new RequestLog();
  const pushed = await finish(local.replicate.to(remoteDb(url, { log: pushLog })), 60_000);
  assert.equal(pushed.docs_written, 10);
  const { asked, written } = pushedIds(pushLog);
  assert.deepEqual(written, range('dev', 40, 50));
  // The docs pulled since the last push are new in the local feed, so they are checked with
  // _revs_diff (and found present); the 40 pushed before the restart are not checked again.
  assert.deepEqual(
    asked.filter((id) => id.startsWith('dev-')),
    range('dev', 40, 50),
  );
});

test('liveSync_serverRestarts_recoversWithRetry', { timeout: 300_000 }, async (t) => {
  const name = freshDbName('restart-live');
  const url = `${restartUrl()}/${name}`;
  const couch = new Couch(restartUrl());
  await couch.createDb(name);

  const local = localDb('restart-live');
  const handle = local.sync(remoteDb(url), { live: true, retry: true, back_off_function: () => 500 });
  t.after(async () => {
    await stop(handle);
    await couch.destroyDb(name);
  });

  await local.put({ _id: 'before', v: 1 });
  await eventually(() => couch.getDoc(name, 'before'), 30_000);

  await restartServer();

  await couch.json('PUT', `${name}/from-server`, { v: 2 }, [201]);
  await local.put({ _id: 'from-device', v: 3 });
  await eventually(async () => {
    assert.equal((await local.get('from-server')).v, 2);
    assert.equal((await couch.getDoc(name, 'from-device')).v, 3);
  }, 90_000, 500);
});
