// 10. Bearer tokens: PouchDB replicates with a server that trusts an OpenID Connect issuer, with
// the issuer's signed JWT in an `Authorization: Bearer` header instead of a password (push, pull
// and a live sync). A member of the database named by the token's `sub` (with the server's user
// prefix) replicates; a token for someone else gets 403, an expired or foreign-signed one 401,
// and PouchDB stops on both. The issuer is a stand-in served by this test (lib/issuer.mjs); the
// server is a second one this file starts from the runner's command (INTEROP_SERVE_CMD) with the
// auth.jwt.* settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Couch } from '../lib/couch.mjs';
import { Issuer } from '../lib/issuer.mjs';
import { startFromTemplate, stopServer } from '../lib/server-ctl.mjs';
import { eventually, finish, localDb, PouchDB, stop } from '../lib/pouch.mjs';
import { body, docId } from '../lib/data.mjs';

/** A remote PouchDB that sends `token` as its bearer credentials and nothing else. */
function withToken(url, token) {
  return new PouchDB(url, { headers: { Authorization: `Bearer ${token}` } });
}

test('bearer_pushPullAndLiveSync_withTheIssuersTokens', { timeout: 300_000 }, async (t) => {
  const issuer = await Issuer.start();
  t.after(() => issuer.close());
  const server = await startFromTemplate({
    template: process.env.INTEROP_SERVE_CMD,
    admin: process.env.INTEROP_SERVE_ADMIN,
    cwd: process.env.INTEROP_SERVE_CWD,
    extra: issuer.serverFlags('oidc:'),
    label: 'bearer',
  });
  t.after(async () => {
    await stopServer(server);
    if (!process.env.POLYSYNC_KEEP_TMP) rmSync(server.dir, { recursive: true, force: true });
  });

  const name = `bearer-${randomBytes(4).toString('hex')}`;
  const admin = new Couch(server.url);
  await admin.createDb(name);
  await admin.json('PUT', `${name}/_security`, { admins: { names: [], roles: [] }, members: { names: ['oidc:alice'], roles: [] } }, [200]);
  const url = `${server.url.replace(/\/\/[^@/]*@/, '//')}/${name}`;
  assert.doesNotMatch(url, /@/, 'the database URL carries no password');

  // Push with alice's token, pull into a second device with another token of hers.
  const device = localDb('bearer-a');
  const docs = Array.from({ length: 40 }, (_, i) => ({ _id: docId(i), ...body(i) }));
  await device.bulkDocs(docs);
  const pushed = await finish(device.replicate.to(withToken(url, issuer.token('alice'))), 60_000);
  assert.equal(pushed.docs_written, 40);
  const other = localDb('bearer-b');
  const pulled = await finish(other.replicate.from(withToken(url, issuer.token('alice'))), 60_000);
  assert.equal(pulled.docs_read, 40);
  assert.equal((await other.get(docId(9))).title, docs[9].title);

  // Live: an edit on one device reaches the other through the server, both on tokens.
  const live = other.sync(withToken(url, issuer.token('alice')), { live: true, retry: true });
  t.after(() => stop(live));
  const edited = await device.get(docId(4));
  await device.put({ ...edited, title: 'edited with a token' });
  await finish(device.replicate.to(withToken(url, issuer.token('alice'))), 60_000);
  await eventually(async () => assert.equal((await other.get(docId(4))).title, 'edited with a token'), 60_000);

  // Someone the database does not name: 403. An expired token, or one signed by another key: 401.
  // Neither is retried into a hang: the replication ends with the error.
  const stranger = await finish(localDb('bearer-c').replicate.from(withToken(url, issuer.token('mallory'))), 60_000)
    .then(() => assert.fail('a token for a non-member replicated'), (err) => err);
  assert.equal(stranger.status, 403, `status ${stranger.status}: ${stranger.message}`);
  const expired = issuer.token('alice', { exp: Math.floor(Date.now() / 1000) - 3600 });
  const foreign = new Issuer().token('alice');
  for (const bad of [expired, foreign]) {
    const err = await finish(localDb('bearer-d').replicate.from(withToken(url, bad)), 60_000)
      .then(() => assert.fail('a bad token replicated'), (e) => e);
    assert.equal(err.status, 401, `status ${err.status}: ${err.message}`);
  }
});
