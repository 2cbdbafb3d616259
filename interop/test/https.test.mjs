// 8. TLS: PouchDB replicates with the server over HTTPS (push, pull and a live sync), the
// server's certificate verified as Node verifies any (the runner makes a certificate and lets the
// test processes trust it through NODE_EXTRA_CA_CERTS; nothing turns verification off). Needs
// INTEROP_TLS_CMD: the command that starts a server with --tls-cert/--tls-key, {port} to fill.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, stopServer } from '../lib/server-ctl.mjs';
import { eventually, finish, localDb, remoteDb, stop } from '../lib/pouch.mjs';
import { body, docId } from '../lib/data.mjs';

test('https_pushPullAndLiveSync_withAVerifiedCertificate', { timeout: 300_000 }, async (t) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'polysync-interop-https-'));
  const admin = process.env.INTEROP_TLS_ADMIN;
  const colon = admin.indexOf(':');
  const base = `https://${encodeURIComponent(admin.slice(0, colon))}:${encodeURIComponent(admin.slice(colon + 1))}`
    + `@localhost:${port}`;
  const state = await startServer({
    cmd: process.env.INTEROP_TLS_CMD.replaceAll('{port}', String(port)),
    cwd: process.env.INTEROP_TLS_CWD,
    url: base,
    log: join(dir, 'server.log'),
    stateFile: join(dir, 'server.json'),
  });
  t.after(async () => {
    await stopServer(state);
    rmSync(dir, { recursive: true, force: true });
  });

  // The plain-HTTP URL of the same port is refused: the server speaks TLS only.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`));

  const url = `${base}/https-notes`;
  const device = localDb('https-a');
  const docs = Array.from({ length: 50 }, (_, i) => ({ _id: docId(i), ...body(i) }));
  await device.bulkDocs(docs);
  assert.equal((await finish(device.replicate.to(remoteDb(url)), 60_000)).docs_written, 50);

  const other = localDb('https-b');
  assert.equal((await finish(other.replicate.from(remoteDb(url)), 60_000)).docs_read, 50);
  const got = await other.get(docId(7));
  assert.equal(got.title, docs[7].title);
  assert.equal(got._rev, (await device.get(docId(7)))._rev);

  // Live: an edit on one device reaches the other through the server, over TLS both ways.
  const live = other.sync(remoteDb(url), { live: true, retry: true });
  t.after(() => stop(live));
  const edited = await device.get(docId(3));
  await device.put({ ...edited, title: 'edited over https' });
  await finish(device.replicate.to(remoteDb(url)), 60_000);
  await eventually(async () => assert.equal((await other.get(docId(3))).title, 'edited over https'), 60_000);
});
