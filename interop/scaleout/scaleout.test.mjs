// Several server processes on one shared database (run by scaleout/runner.mjs, which starts them):
//
// 1. A PouchDB pushes documents through process A (creates, then updates and deletions), a
//    client follows a longpoll _changes feed on process B, a PouchDB live-pulls from process C,
//    and conflicting branches arrive through C. Every side must converge on the same ids and the
//    same winning revision of each; the follower's sequence numbers strictly increase and it sees
//    every document in its final state.
// 2. Wake-up latency: a write through A against a longpoll waiting on B, measured and printed,
//    never asserted (a benchmark figure).
//
//   POLYSYNC_URLS     the processes' base URLs, credentials included, comma-separated (A,B,C,...)
//   POLYSYNC_BACKEND  the store's name, for the figures
//   POLYSYNC_DOCS     documents pushed (default 600)
//   POLYSYNC_SAMPLES  latency samples (default 200)
//   POLYSYNC_FIGURES  file the figures are appended to as one JSON line

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Couch } from '../lib/couch.mjs';
import { eventually, finish, localDb, PouchDB, remoteDb, stop } from '../lib/pouch.mjs';

const URLS = (process.env.POLYSYNC_URLS || '').split(',').filter(Boolean).map((u) => u.replace(/\/+$/, ''));
const BACKEND = process.env.POLYSYNC_BACKEND || 'unknown';
const DOCS = Number(process.env.POLYSYNC_DOCS || 600);
const SAMPLES = Number(process.env.POLYSYNC_SAMPLES || 200);
const CONVERGE_MS = 120_000;

if (URLS.length < 3) {
  throw new Error('POLYSYNC_URLS must name three processes: run this file through scaleout/runner.mjs');
}
const [A, B, C] = URLS;
const dbName = (label) => `scaleout-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const hex32 = () => randomBytes(16).toString('hex');

/**
 * Follows `db` on one process with longpoll requests, as a PouchDB live pull does, recording
 * every row. Checks as it goes that sequence numbers strictly increase across all answers.
 */
function follow(couch, db) {
  const state = { rows: [], latest: new Map(), lastSeq: 0, stopped: false, error: undefined };
  state.done = (async () => {
    let since = 0;
    while (!state.stopped) {
      const res = await couch.request('GET', `${db}/_changes?feed=longpoll&since=${since}&timeout=2000`);
      assert.equal(res.status, 200, `longpoll answered ${res.status}: ${JSON.stringify(res.body)}`);
      for (const row of res.body.results) {
        assert.ok(typeof row.seq === 'number', `seq ${JSON.stringify(row.seq)} is a number`);
        assert.ok(row.seq > state.lastSeq, `seq ${row.seq} of ${row.id} after ${state.lastSeq}: not strictly increasing`);
        state.lastSeq = row.seq;
        state.rows.push(row);
        state.latest.set(row.id, { rev: row.changes[0].rev, deleted: row.deleted === true });
      }
      assert.ok(res.body.last_seq >= since, `last_seq ${res.body.last_seq} went back from ${since}`);
      since = res.body.last_seq;
    }
  })().catch((err) => {
    state.error = err;
  });
  return state;
}

/** id → {rev, deleted} of every id in `ids`, as a process stores it (deleted ones included). */
async function serverView(couch, db, ids) {
  const body = await couch.json('POST', `${db}/_all_docs`, { keys: ids });
  const out = new Map();
  for (const row of body.rows) {
    if (row.error) continue;
    out.set(row.id, { rev: row.value.rev, deleted: row.value.deleted === true });
  }
  return out;
}

async function localView(pouch, ids) {
  const body = await pouch.allDocs({ keys: ids });
  const out = new Map();
  for (const row of body.rows) {
    if (row.error) continue;
    out.set(row.id, { rev: row.value.rev, deleted: row.value.deleted === true });
  }
  return out;
}

const sorted = (m) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

test(`${BACKEND}: push through A, longpoll on B, live pull from C: all converge`, { timeout: 600_000 }, async (t) => {
  const [a, b, c] = [new Couch(A), new Couch(B), new Couch(C)];
  const db = dbName('converge');
  await a.createDb(db);
  // The database made through A exists for B and C at once: nothing about it is per process.
  for (const other of [b, c]) assert.equal((await other.dbInfo(db)).db_name, db);

  const follower = follow(b, db);
  const pulled = localDb('pulled');
  const pull = PouchDB.replicate(remoteDb(`${C}/${db}`), pulled, { live: true, retry: true, back_off_function: () => 500 });
  let pullError;
  pull.on('error', (err) => {
    pullError = err;
  });
  const pusher = localDb('pusher');
  t.after(async () => {
    follower.stopped = true;
    await stop(pull);
    await follower.done;
    await a.destroyDb(db);
  });

  const ids = Array.from({ length: DOCS }, (_, i) => `doc-${String(i).padStart(5, '0')}`);
  const remoteA = remoteDb(`${A}/${db}`);

  // Round 1: every document created, pushed through A.
  await pusher.bulkDocs(ids.map((id, i) => ({ _id: id, n: i, round: 1 })));
  await finish(PouchDB.replicate(pusher, remoteA), 120_000, 'push 1');

  // Conflicting branches from elsewhere, through C (as another replicator would send them): a
  // second revision on top of the first of every 25th document.
  const branched = ids.filter((_, i) => i % 25 === 0);
  const firstRevs = await localView(pusher, branched);
  await c.bulkDocs(db, branched.map((id) => {
    const [, hash] = firstRevs.get(id).rev.split('-');
    const mine = hex32();
    return { _id: id, _rev: `2-${mine}`, _revisions: { start: 2, ids: [mine, hash] }, round: 'branch' };
  }), { new_edits: false });

  // Round 2: a quarter updated (some of them branched too, so they get two leaves at
  // generation 2), a tenth deleted; pushed through A while B and C follow.
  const deleted = ids.filter((_, i) => i % 10 === 3);
  const updated = ids.filter((_, i) => (i % 4 === 1 || i % 50 === 0) && i % 10 !== 3);
  const current = await localView(pusher, [...updated, ...deleted]);
  await pusher.bulkDocs([
    ...updated.map((id) => ({ _id: id, _rev: current.get(id).rev, round: 2 })),
    ...deleted.map((id) => ({ _id: id, _rev: current.get(id).rev, _deleted: true })),
  ]);
  await finish(PouchDB.replicate(pusher, remoteA), 120_000, 'push 2');
  // The pusher takes the branches back, so it ends with every leaf too.
  await finish(PouchDB.replicate(remoteA, pusher), 120_000, 'pull back');

  const finalSeq = (await a.dbInfo(db)).update_seq;
  const reference = await serverView(a, db, ids);
  await eventually(async () => {
    assert.equal(follower.error, undefined, `follower failed: ${follower.error?.message}`);
    assert.equal(pullError, undefined, `live pull failed: ${pullError?.message}`);
    assert.ok(follower.lastSeq >= finalSeq, `follower at ${follower.lastSeq} of ${finalSeq}`);
    const pulledNow = await localView(pulled, ids);
    assert.equal(pulledNow.size, ids.length, `pulled ${pulledNow.size} of ${ids.length}`);
    assert.deepEqual(sorted(pulledNow), sorted(reference), 'the pulling PouchDB has caught up');
  }, CONVERGE_MS, 250);

  // The same ids and winning revisions on every side: each process, both PouchDBs, and what the
  // follower saw last of each document.
  assert.deepEqual([...reference.keys()].sort(), [...ids].sort(), 'every pushed id is stored');
  const live = ids.filter((id) => !deleted.includes(id));
  for (const [label, view] of [
    ['process B', await serverView(b, db, ids)],
    ['process C', await serverView(c, db, ids)],
    ['the pushing PouchDB', await localView(pusher, ids)],
    ['the pulling PouchDB (live from C)', await localView(pulled, ids)],
    ['the longpoll follower on B', follower.latest],
  ]) {
    assert.deepEqual(sorted(view), sorted(reference), `${label} agrees with process A on every id and winning rev`);
  }
  for (const [id, v] of reference) assert.equal(v.deleted, deleted.includes(id), `${id} deleted flag`);

  // Each process lists the same live documents, counts and sequence, and the same feed: every id
  // exactly once, at its latest sequence.
  const infos = await Promise.all([a, b, c].map((x) => x.dbInfo(db)));
  for (const info of infos) {
    assert.equal(info.doc_count, live.length);
    assert.equal(info.doc_del_count, deleted.length);
    assert.equal(info.update_seq, finalSeq);
  }
  const feeds = await Promise.all([a, b, c].map((x) => x.changes(db)));
  for (const feed of feeds) {
    assert.deepEqual(feed.results.map((r) => [r.id, r.seq]), feeds[0].results.map((r) => [r.id, r.seq]));
    assert.equal(new Set(feed.results.map((r) => r.id)).size, feed.results.length, 'each id once in the feed');
    assert.deepEqual(feed.results.map((r) => r.id).sort(), [...ids].sort());
  }
  const allDocs = await c.json('GET', `${db}/_all_docs`);
  assert.deepEqual(allDocs.rows.map((r) => r.id), [...live].sort());

  // Conflicts: the branched documents that were also updated have two leaves; every process
  // reports the same _conflicts for them.
  for (const id of branched.slice(0, 5)) {
    const views = await Promise.all([a, b, c].map((x) => x.getDoc(db, id, { conflicts: 'true' })));
    for (const v of views) {
      assert.equal(v._rev, views[0]._rev);
      assert.deepEqual(v._conflicts, views[0]._conflicts);
    }
  }

  // The follower never saw a row twice (sequences strictly increase, checked as it went) and saw
  // every document.
  assert.deepEqual([...follower.latest.keys()].sort(), [...ids].sort());
});

/**
 * A fetch for PouchDB that sends each request to the next process in turn, as a round-robin load
 * balancer in front of them would: one URL, every process.
 */
function roundRobin(urls, counts) {
  let next = 0;
  return (url, options) => {
    const i = next++ % urls.length;
    counts[i] = (counts[i] || 0) + 1;
    const u = new URL(url);
    u.host = new URL(urls[i]).host;
    return PouchDB.fetch(u.toString(), options);
  };
}

test(`${BACKEND}: behind a round-robin balancer, sessions and replication checkpoints hold across processes`, { timeout: 300_000 }, async (t) => {
  const [a, b, c] = [new Couch(A), new Couch(B), new Couch(C)];
  const db = dbName('balanced');
  await b.createDb(db);
  t.after(() => c.destroyDb(db));

  // A session cookie from one process is good on every other: the signing key is in the store.
  const user = decodeURIComponent(new URL(A).username);
  const password = decodeURIComponent(new URL(A).password);
  const login = await new Couch(A.replace(/\/\/[^@/]*@/, '//')).request('POST', '_session', {
    body: `name=${encodeURIComponent(user)}&password=${encodeURIComponent(password)}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  for (const url of [B, C]) {
    const anonymous = new Couch(url.replace(/\/\/[^@/]*@/, '//'));
    const session = await anonymous.request('GET', '_session', { headers: { Cookie: cookie } });
    assert.equal(session.body.userCtx.name, user, `the cookie from A signs in on ${url.replace(/\/\/[^@/]*@/, '//')}`);
    assert.equal((await anonymous.request('GET', `${db}/`, { headers: { Cookie: cookie } })).status, 200);
  }

  const counts = [];
  const balanced = () => remoteDb(`${A}/${db}`, { fetch: roundRobin([A, B, C], counts) });
  await b.bulkDocs(db, Array.from({ length: 200 }, (_, i) => ({ _id: `d${String(i).padStart(4, '0')}`, i })));

  // A pull whose requests, checkpoint reads and writes included, land on all three processes.
  const local = localDb('balanced');
  const first = await finish(PouchDB.replicate(balanced(), local), 120_000, 'pull 1');
  assert.equal(first.docs_written, 200);
  await c.bulkDocs(db, Array.from({ length: 25 }, (_, i) => ({ _id: `late${i}`, i })));
  const second = await finish(PouchDB.replicate(balanced(), local), 120_000, 'pull 2');
  assert.equal(second.docs_read, 25, 'the second pull resumed from the checkpoint another process stored');
  const third = await finish(PouchDB.replicate(balanced(), local), 120_000, 'pull 3');
  assert.equal(third.docs_read, 0);

  await local.bulkDocs(Array.from({ length: 10 }, (_, i) => ({ _id: `local${i}`, i })));
  const push = await finish(PouchDB.replicate(local, balanced()), 120_000, 'push 1');
  assert.equal(push.docs_written, 10);
  const again = await finish(PouchDB.replicate(local, balanced()), 120_000, 'push 2');
  assert.equal(again.docs_written, 0);
  assert.equal(again.docs_read, 0, 'the second push resumed from the checkpoint');
  for (const x of [a, b, c]) assert.equal((await x.dbInfo(db)).doc_count, 235);
  assert.ok(counts.length === 3 && counts.every((n) => n > 10), `requests per process: ${counts}`);
});

test(`${BACKEND}: Kinto objects made through one process are seen at once by the others`, { timeout: 120_000 }, async () => {
  const [a, b, c] = [new Couch(A), new Couch(B), new Couch(C)];
  const bucket = `sb${randomBytes(4).toString('hex')}`;
  const anonymousA = new Couch(A.replace(/\/\/[^@/]*@/, '//'));
  // No waiting between the calls: each process brings its catalog up to date on every request.
  await a.json('PUT', `v1/buckets/${bucket}`, { data: {} }, [201]);
  assert.equal((await b.json('GET', `v1/buckets/${bucket}`)).data.id, bucket);
  await b.json('PUT', `v1/buckets/${bucket}/collections/notes`, { data: {} }, [201]);
  await c.json('PUT', `v1/buckets/${bucket}/collections/notes/records/r1`, { data: { v: 1 } }, [201]);
  const listed = await a.json('GET', `v1/buckets/${bucket}/collections/notes/records`);
  assert.deepEqual(listed.data.map((r) => r.id), ['r1']);
  assert.equal((await anonymousA.request('GET', `v1/buckets/${bucket}/collections/notes/records`)).status, 401);
  await c.json('PATCH', `v1/buckets/${bucket}`, { permissions: { read: ['system.Everyone'] } });
  assert.equal((await anonymousA.request('GET', `v1/buckets/${bucket}/collections/notes/records`)).status, 200);
  await b.json('DELETE', `v1/buckets/${bucket}`);
  assert.equal((await c.request('GET', `v1/buckets/${bucket}`)).status, 404);
  assert.equal((await a.request('GET', `v1/buckets/${bucket}/collections/notes/records/r1`)).status, 404);
});

/** The p-th percentile (nearest rank) of `values`. */
function percentile(values, p) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * One sample: a longpoll waiting on `follower`, then one document written through `writer`.
 * Returns milliseconds from the write's start and from its answer to the longpoll's answer.
 */
async function sample(writer, follower, db, since) {
  const id = `w-${randomBytes(6).toString('hex')}`;
  let answeredAt;
  const poll = follower.request('GET', `${db}/_changes?feed=longpoll&since=${since}&timeout=10000`).then((res) => {
    answeredAt = performance.now();
    return res;
  });
  // Let the follower's request arrive and park before the write.
  await sleep(20);
  const started = performance.now();
  const put = await writer.request('PUT', `${db}/${id}`, { body: { t: started } });
  const acked = performance.now();
  assert.equal(put.status, 201, `write answered ${put.status}`);
  const res = await poll;
  assert.equal(res.status, 200);
  assert.ok(res.body.results.some((r) => r.id === id), `the longpoll answer names ${id}`);
  return { fromStart: answeredAt - started, fromAck: answeredAt - acked, write: acked - started, seq: res.body.last_seq };
}

test(`${BACKEND}: wake-up latency, write on A → longpoll answer on B (printed, not asserted)`, { timeout: 600_000 }, async (t) => {
  const [a, b] = [new Couch(A), new Couch(B)];
  const db = dbName('latency');
  await a.createDb(db);
  t.after(() => a.destroyDb(db));
  let since = (await b.dbInfo(db)).update_seq;

  const cross = [];
  const same = [];
  // Warm-up, not recorded: connections, JIT, the subscription of B to the database.
  for (let i = 0; i < 10; i++) since = (await sample(a, b, db, since)).seq;
  for (let i = 0; i < SAMPLES; i++) {
    const s = await sample(a, b, db, since);
    since = s.seq;
    cross.push(s);
    await sleep(5);
  }
  // The same with writer and follower in one process, for comparison.
  for (let i = 0; i < Math.ceil(SAMPLES / 2); i++) {
    const s = await sample(b, b, db, since);
    since = s.seq;
    same.push(s);
    await sleep(5);
  }
  const summary = (xs, key) => ({ p50: percentile(xs.map((x) => x[key]), 50), p99: percentile(xs.map((x) => x[key]), 99) });
  const figures = {
    backend: BACKEND,
    samples: cross.length,
    cross: summary(cross, 'fromStart'),
    afterAck: summary(cross, 'fromAck'),
    write: summary(cross, 'write'),
    same: summary(same, 'fromStart'),
  };
  console.log(`${BACKEND}: wake-up A→B p50 ${figures.cross.p50.toFixed(1)} ms, p99 ${figures.cross.p99.toFixed(1)} ms` +
    ` (after A's answer: p50 ${figures.afterAck.p50.toFixed(1)}, p99 ${figures.afterAck.p99.toFixed(1)});` +
    ` write p50 ${figures.write.p50.toFixed(1)} ms; same process p50 ${figures.same.p50.toFixed(1)}, p99 ${figures.same.p99.toFixed(1)} ms`);
  if (process.env.POLYSYNC_FIGURES) appendFileSync(process.env.POLYSYNC_FIGURES, JSON.stringify(figures) + '\n');
});
