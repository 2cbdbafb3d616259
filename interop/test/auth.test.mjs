// 7. A wrong password stops replication with 401 `unauthorized`, and PouchDB does not retry it,
// even with `retry: true`. Runs only for targets that declare authentication (POLYSYNC_AUTH=1);
// the runner sets that for Polysync and for the reference, which is given an admin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseUrl, freshDbName, withWrongPassword } from '../lib/target.mjs';
import { Couch } from '../lib/couch.mjs';
import { finish, localDb, remoteDb, RequestLog, stop } from '../lib/pouch.mjs';

async function setup(t, label) {
  const name = freshDbName(label);
  const couch = new Couch(baseUrl());
  await couch.createDb(name);
  await couch.json('PUT', `${name}/existing`, { v: 1 }, [201]);
  t.after(() => couch.destroyDb(name));
  const local = localDb(label);
  await local.put({ _id: 'local-only', v: 1 });
  return { name, couch, local, good: `${baseUrl()}/${name}`, bad: `${withWrongPassword(baseUrl())}/${name}` };
}

function assertUnauthorized(err) {
  assert.equal(err.status, 401, `status ${err.status}: ${err.message}`);
  assert.equal(err.name, 'unauthorized');
}

test('replicate_wrongPassword_failsWith401Unauthorized', { timeout: 60_000 }, async (t) => {
  const { name, couch, local, good, bad } = await setup(t, 'auth-once');

  await assert.rejects(finish(local.replicate.from(remoteDb(bad)), 30_000, 'pull'), (err) => {
    assertUnauthorized(err);
    return true;
  });
  await assert.rejects(finish(local.replicate.to(remoteDb(bad)), 30_000, 'push'), (err) => {
    assertUnauthorized(err);
    return true;
  });
  await assert.rejects(local.get('existing'), { status: 404 }, 'nothing was pulled');
  await assert.rejects(couch.getDoc(name, 'local-only'), /404/, 'nothing was pushed');

  // The same replication with the right password works, so the password was the only problem.
  const ok = await finish(local.replicate.from(remoteDb(good)), 30_000, 'pull with the right password');
  assert.equal(ok.docs_written, 1);
});

test('liveSyncWithRetry_wrongPassword_stopsWithoutRetrying', { timeout: 60_000 }, async (t) => {
  const { local, bad } = await setup(t, 'auth-live');
  const log = new RequestLog();
  const handle = local.sync(remoteDb(bad, { log }), { live: true, retry: true, back_off_function: () => 100 });
  // Short wait: after a fatal error the handle has already stopped and emits nothing more.
  t.after(() => stop(handle, 1_000));

  const err = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no error event within 20 s')), 20_000);
    handle.once('error', (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
  assertUnauthorized(err);

  // With a 100 ms back-off, a retry would show up as more requests within a second or two.
  const seen = log.calls.length;
  assert.ok(seen > 0, 'the sync reached the server');
  await sleep(2_000);
  assert.equal(log.calls.length, seen, 'no request after the 401');
});
