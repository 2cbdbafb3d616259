// 10. TLS: Kinto.js syncs with the server over HTTPS, and a second device pulls what the first
// pushed, the server's certificate verified as Node verifies any. The runner makes the
// certificate (INTEROP_TLS_CERT, INTEROP_TLS_KEY) and lets this process trust it through
// NODE_EXTRA_CA_CERTS; nothing turns verification off. This file starts its own server from
// the runner's command (POLYSYNC_START_CMD) with --tls-cert and --tls-key.

import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Device, content } from '../lib/clients.mjs';
import { KintoHttp } from '../lib/http.mjs';
import { makeRecord } from '../lib/data.mjs';
import { adminCredentials, freshId } from '../lib/target.mjs';
import { shellQuote, startFromTemplate, stopServer } from '../lib/servers.mjs';

let server;

before(async () => {
  server = await startFromTemplate({
    template: process.env.POLYSYNC_START_CMD,
    admin: process.env.POLYSYNC_ADMIN || 'admin:secret',
    cwd: process.env.POLYSYNC_START_CWD,
    extra: `--tls-cert ${shellQuote(process.env.INTEROP_TLS_CERT)} --tls-key ${shellQuote(process.env.INTEROP_TLS_KEY)}`,
    label: 'https',
    scheme: 'https',
  });
});

after(async () => {
  if (!server) return;
  await stopServer(server);
  if (!process.env.POLYSYNC_KEEP_TMP) rmSync(server.dir, { recursive: true, force: true });
});

test('https_kintoJsPushAndPull_withAVerifiedCertificate', { timeout: 180_000 }, async (t) => {
  const base = server.url;
  assert.match(base, /^https:/);
  // The same port does not speak plain HTTP.
  await assert.rejects(fetch(base.replace(/^https:\/\/[^@]*@/, 'http://') + '/v1/'));

  const http = new KintoHttp({ base });
  const { bid, cid } = await http.freshCollection(t, freshId('https'), 'notes');
  const auth = adminCredentials(base);
  const writer = new Device({ label: 'https-writer', remote: base, auth, bucket: bid, collection: cid });
  const records = await writer.createMany(Array.from({ length: 30 }, (_, i) => makeRecord(i)));
  const pushed = await writer.syncOk();
  assert.equal(pushed.published.length, 30);

  const reader = new Device({ label: 'https-reader', remote: base, auth, bucket: bid, collection: cid });
  const pulled = await reader.syncOk();
  assert.equal(pulled.created.length, 30);
  const local = await reader.local();
  for (const r of records) assert.deepEqual(content(local[r.id]), content(r));
});
