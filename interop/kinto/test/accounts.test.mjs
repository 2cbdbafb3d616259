// 8. Accounts: sign-up with kinto-http, Basic auth with the new account, the personal `default`
// bucket that Kinto.js uses out of the box, wrong passwords, a password change and deleting the
// account.
//
// kinto.md points: A.8 (PUT /accounts/{id} anonymous sign-up; principal account:<id>; owners
// change their password or delete their account; kinto-http createAccount), A.2 (root `user`
// with id, principals and bucket; capabilities.accounts, which kinto-http's createAccount
// checks first), A.9 (bucket `default` is the caller's own, created with its collections on
// first use; anonymous → 401), A.6 (Kinto.js uses bucket `default` unless told otherwise),
// A.7 (401 errno 104/105 with the error body; 403 errno 121 for someone else's bucket).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Device, content, describeResult, httpClient, withoutStatus } from '../lib/clients.mjs';
import { KintoHttp, describe } from '../lib/http.mjs';
import { byId, makeRecord } from '../lib/data.mjs';
import { freshPassword, freshUser } from '../lib/target.mjs';

/** Kinto's error body: `{code, errno, error, message}`, code = status. */
function assertError(res, status, errnos, what) {
  assert.equal(res.status, status, `${what}: ${describe(res)}`);
  assert.equal(typeof res.body, 'object', `${what}: error body is not JSON: ${describe(res)}`);
  assert.equal(res.body.code, status, `${what}: ${describe(res)}`);
  assert.ok(errnos.includes(res.body.errno), `${what}: errno ${res.body.errno}, expected ${errnos}: ${describe(res)}`);
  assert.equal(typeof res.body.error, 'string', `${what}: ${describe(res)}`);
  assert.equal(typeof res.body.message, 'string', `${what}: ${describe(res)}`);
}

test('createAccount_withKintoHttp_basicAuthWorksAndRootShowsThePrincipal', { timeout: 60_000 }, async () => {
  const user = freshUser('signup');
  const password = freshPassword();
  const { client: anonymous, log } = httpClient({ auth: null });
  const created = await anonymous.createAccount(user, password);
  const put = log.find('PUT', `/v1/accounts/${user}`);
  assert.equal(put.length, 1, `createAccount sends PUT /accounts/{id}:\n  ${log.summary()}`);
  assert.deepEqual(put[0].body, { data: { password } });
  assert.equal(put[0].status, 201, JSON.stringify(put[0].responseBody));
  assert.equal(created.data.id, user);
  assert.notEqual(created.data.password, password, 'the password is not stored or returned in clear');
  assert.ok(created.permissions.write.includes(`account:${user}`), JSON.stringify(created.permissions));

  const http = new KintoHttp({ auth: { user, password } });
  const root = await http.json('GET', '/', undefined, [200]);
  assert.equal(root.user?.id, `account:${user}`, JSON.stringify(root.user));
  for (const p of [`account:${user}`, 'system.Authenticated', 'system.Everyone']) {
    assert.ok(root.user.principals.includes(p), `principals ${JSON.stringify(root.user.principals)} lack ${p}`);
  }
  assert.equal(typeof root.user.bucket, 'string', `root user.bucket: ${JSON.stringify(root.user)}`);

  const { client } = httpClient({ auth: { user, password } });
  const me = await client.fetchUser();
  assert.equal(me.id, `account:${user}`);
  const account = await http.json('GET', `/accounts/${user}`, undefined, [200]);
  assert.equal(account.data.id, user);

  // Signing up again with the same id is not a way to take an account over.
  const again = await http.as(null).request('PUT', `/accounts/${user}`, { body: { data: { password: freshPassword() } } });
  assert.ok([401, 403, 412].includes(again.status), `second sign-up for ${user} answered ${describe(again)}`);
  await http.json('GET', `/accounts/${user}`, undefined, [200]);
});

test('defaultBucket_newAccountSyncsWithKintoJs_createdOnFirstUseAndPrivate', { timeout: 120_000 }, async () => {
  const alice = { user: freshUser('alice'), password: freshPassword() };
  const bob = { user: freshUser('bob'), password: freshPassword() };
  const http = new KintoHttp();
  await http.signUp(alice.user, alice.password);
  await http.signUp(bob.user, bob.password);

  // No bucket, no collection: Kinto.js's defaults (bucket `default`).
  const phone = new Device({ label: 'alice phone', auth: alice, collection: 'notes' });
  await phone.createMany([1, 2, 3].map((i) => makeRecord(i)));
  const pushed = await phone.syncOk();
  assert.equal(pushed.published.length, 3, describeResult(pushed));
  assert.ok(phone.log.find('GET', '/v1/buckets/default/collections/notes').length, phone.log.summary());

  const laptop = new Device({ label: 'alice laptop', auth: alice, collection: 'notes', adapter: 'idb' });
  const pulled = await laptop.syncOk();
  assert.equal(pulled.created.length, 3, describeResult(pulled));
  assert.deepEqual(await laptop.local(), await phone.local());

  // The default bucket is alice's own bucket, whose id the root names.
  const asAlice = http.as(alice);
  const root = await asAlice.json('GET', '/', undefined, [200]);
  const bucket = await asAlice.json('GET', '/buckets/default', undefined, [200]);
  assert.equal(bucket.data.id, root.user.bucket, 'GET /buckets/default is the bucket named in the root');
  const listed = await asAlice.listAll(`/buckets/${root.user.bucket}/collections/notes`);
  assert.deepEqual(byId(listed.records), byId(Object.values(await phone.local()).map(withoutStatus)));

  // Bob's default bucket is another one, empty; alice's bucket is closed to him.
  const bobsPhone = new Device({ label: 'bob phone', auth: bob, collection: 'notes' });
  const bobSync = await bobsPhone.syncOk();
  assert.deepEqual(bobSync.created, [], describeResult(bobSync));
  const asBob = http.as(bob);
  const bobRoot = await asBob.json('GET', '/', undefined, [200]);
  assert.notEqual(bobRoot.user.bucket, root.user.bucket);
  const denied = await asBob.request('GET', `/buckets/${root.user.bucket}/collections/notes/records`);
  assertError(denied, 403, [121], "bob listing alice's records");

  // Anonymous requests to `default` need authentication.
  const anonymous = await http.as(null).request('GET', '/buckets/default/collections/notes/records');
  assertError(anonymous, 401, [104], 'anonymous GET of the default bucket');
  for (const r of Object.values(await phone.local())) assert.deepEqual(content(r), content((await laptop.local())[r.id]));
});

test('basicAuth_wrongPassword_401WithKintoErrorBodyAndSyncRejected', { timeout: 60_000 }, async () => {
  const user = freshUser('wrongpw');
  const password = freshPassword();
  const http = new KintoHttp();
  await http.signUp(user, password);
  const wrong = { user, password: `${password}-wrong` };

  const res = await http.as(wrong).request('GET', '/buckets/default/collections/notes/records');
  assertError(res, 401, [104, 105], 'wrong password');
  const unknown = await http.as({ user: freshUser('nobody'), password }).request('GET', '/buckets/default');
  assertError(unknown, 401, [104, 105], 'unknown user');

  const device = new Device({ label: 'wrong password', auth: wrong, collection: 'notes' });
  await device.coll.create(makeRecord(1));
  await assert.rejects(device.sync(), (err) => {
    assert.equal(err.response?.status, 401, `sync with a wrong password: ${err.message}`);
    assert.ok([104, 105].includes(err.data?.errno), `errno ${JSON.stringify(err.data)}`);
    return true;
  });
  assert.equal(device.log.find('POST', '/v1/batch').length, 0, 'nothing pushed');

  // The right password still works: a wrong one does not lock the account at once.
  const ok = await http.as({ user, password }).request('GET', '/buckets/default/collections/notes/records');
  assert.equal(ok.status, 200, describe(ok));
});

test('account_changePasswordThenDelete_oldPasswordRejectedAndAccountGone', { timeout: 60_000 }, async () => {
  const user = freshUser('change');
  const password = freshPassword();
  const http = new KintoHttp();
  await http.signUp(user, password);
  const asOld = http.as({ user, password });
  await asOld.json('GET', `/accounts/${user}`, undefined, [200]);

  const newPassword = freshPassword();
  await asOld.json('PUT', `/accounts/${user}`, { data: { password: newPassword } }, [200]);
  const asNew = http.as({ user, password: newPassword });
  // Polysync keeps a user record in memory for at most a second; give the change that long.
  await eventuallyStatus(() => asOld.request('GET', `/accounts/${user}`), 401, 'old password after the change');
  await asNew.json('GET', `/accounts/${user}`, undefined, [200]);

  const deleted = await asNew.json('DELETE', `/accounts/${user}`, undefined, [200]);
  assert.equal(deleted.data.id, user);
  assert.equal(deleted.data.deleted, true, JSON.stringify(deleted));
  await eventuallyStatus(() => asNew.request('GET', '/buckets/default'), 401, 'deleted account');
  const gone = await http.request('GET', `/accounts/${user}`);
  assert.equal(gone.status, 404, `the admin looks the deleted account up: ${describe(gone)}`);
});

async function eventuallyStatus(call, status, what, ms = 3_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call();
    if (res.status === status) return res;
    if (Date.now() > deadline) assert.fail(`${what}: expected ${status} within ${ms} ms, last answer ${describe(res)}`);
    await sleep(200);
  }
}
