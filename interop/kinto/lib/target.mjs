// The server under test, as the runner describes it through environment variables.
//
//   POLYSYNC_URL             base URL of the server, the admin's credentials included
//                            (http://admin:secret@127.0.0.1:5984); the Kinto API is at /v1 and
//                            the CouchDB API at / on the same port; required
//   POLYSYNC_START_CMD       the command the runner started the server with, placeholders
//                            {port} {data} {admin} left in; lets a test start a second server
//                            with extra options (backoff.test.mjs)
//   POLYSYNC_ADMIN           NAME:PASSWORD for such a second server (default admin:secret)
//   POLYSYNC_BACKOFF_URL     a server already started with the Kinto backoff setting
//                            (instead of POLYSYNC_START_CMD)

import { randomBytes } from 'node:crypto';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through run.sh or lib/runner.mjs (see README.md)`);
  }
  return value;
}

const trimSlash = (url) => url.replace(/\/+$/, '');

/** Base URL of the server with the admin's credentials, no trailing slash. */
export function baseUrl() {
  return trimSlash(required('POLYSYNC_URL'));
}

/** Splits `http://user:pw@host:port/path` into a credential-free URL and the user and password. */
export function splitCredentials(url) {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: trimSlash(parsed.toString()), user, password };
}

/** `http://host:port` of the server, without credentials. */
export function serverRoot(base = baseUrl()) {
  return splitCredentials(base).url;
}

/** The Kinto remote as Kinto.js and kinto-http want it: `http://host:port/v1`. */
export function kintoRemote(base = baseUrl()) {
  return `${serverRoot(base)}/v1`;
}

/** The admin's user and password, from the credentials in the base URL. */
export function adminCredentials(base = baseUrl()) {
  const { user, password } = splitCredentials(base);
  if (!user) throw new Error('POLYSYNC_URL carries no credentials: the suite needs the server admin (see README.md)');
  return { user, password };
}

export function basicAuth(user, password) {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** The admin's `Authorization` header value. */
export function adminAuth(base = baseUrl()) {
  const { user, password } = adminCredentials(base);
  return basicAuth(user, password);
}

/**
 * A fresh id, unique per call, valid for Kinto (`^[a-zA-Z0-9][a-zA-Z0-9_-]*$`) and, lower-case
 * and starting with a letter, for the CouchDB database name `kinto/{bid}/{cid}` as well.
 */
export function freshId(label) {
  return `it-${label}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** A fresh account name. */
export function freshUser(label) {
  return `${label}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.toLowerCase();
}

export function freshPassword() {
  return `pw-${randomBytes(9).toString('base64url')}`;
}
