// 12. Bearer tokens: Kinto.js syncs with a server that trusts an OpenID Connect issuer, with the
// issuer's signed JWT in an `Authorization: Bearer` header instead of an account's password. The
// token's user gets its personal `default` bucket like an account does: one device pushes, a
// second device of the same user (another token) pulls it all, another user's token sees only
// its own bucket, and an expired token or one signed by another key is refused with 401. The
// issuer is a stand-in served by this test (../../lib/issuer.mjs); the server is a second one this
// file starts from the runner's command (POLYSYNC_START_CMD) with the auth.jwt.* settings.

import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Issuer } from '../../lib/issuer.mjs';
import { Device, content } from '../lib/clients.mjs';
import { KintoHttp } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { freshId } from '../lib/target.mjs';
import { startFromTemplate, stopServer } from '../lib/servers.mjs';

let issuer;
let server;

before(async () => {
  issuer = await Issuer.start();
  server = await startFromTemplate({
    template: process.env.POLYSYNC_START_CMD,
    admin: process.env.POLYSYNC_ADMIN || 'admin:secret',
    cwd: process.env.POLYSYNC_START_CWD,
    extra: issuer.serverFlags('oidc:'),
    label: 'bearer',
  });
});

after(async () => {
  await issuer?.close();
  if (!server) return;
  await stopServer(server);
  if (!process.env.POLYSYNC_KEEP_TMP) rmSync(server.dir, { recursive: true, force: true });
});

const bearer = (token) => `Bearer ${token}`;

test('bearer_kintoJsPushAndPull_inTheTokenUsersDefaultBucket', { timeout: 180_000 }, async () => {
  const alice = freshId('alice');
  const http = new KintoHttp({ base: server.url });
  const root = await http.request('GET', '/', { auth: bearer(issuer.token(alice)) });
  assert.equal(root.status, 200);
  assert.equal(root.body.user.id, `account:oidc:${alice}`);
  assert.match(root.body.user.bucket, /^[0-9a-f-]{36}$/);

  const writer = new Device({ label: 'bearer-writer', remote: server.url, authorization: bearer(issuer.token(alice)),
    collection: 'notes' });
  const records = await writer.createMany(Array.from({ length: 30 }, (_, i) => makeRecord(i)));
  assert.equal((await writer.syncOk()).published.length, 30);

  const reader = new Device({ label: 'bearer-reader', remote: server.url, authorization: bearer(issuer.token(alice)),
    collection: 'notes' });
  assert.equal((await reader.syncOk()).created.length, 30);
  const local = await reader.local();
  for (const r of records) assert.deepEqual(content(local[r.id]), content(r));

  // Another user's token: its own default bucket, empty.
  const other = new Device({ label: 'bearer-other', remote: server.url,
    authorization: bearer(issuer.token(freshId('bob'))), collection: 'notes' });
  assert.equal((await other.syncOk()).created.length, 0);

  // Nobody gets in on a token that expired or that the issuer did not sign.
  const expired = issuer.token(alice, { exp: Math.floor(Date.now() / 1000) - 3600 });
  for (const token of [expired, new Issuer().token(alice)]) {
    const res = await http.request('GET', '/buckets/default/collections/notes/records', { auth: bearer(token) });
    assert.equal(res.status, 401, `status ${res.status}: ${res.text}`);
    const stale = new Device({ label: 'bearer-refused', remote: server.url, authorization: bearer(token),
      collection: 'notes' });
    await assert.rejects(stale.sync(), (err) => /401|Unauthorized/i.test(String(err.message)));
  }
});
