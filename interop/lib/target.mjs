// The server under test, as the runner describes it through environment variables.
//
//   POLYSYNC_URL          base URL of the CouchDB API, credentials included
//                         (http://admin:secret@127.0.0.1:5984); required
//   POLYSYNC_AUTH=1       the target enforces authentication (wrong passwords get 401)
//   POLYSYNC_RESTART_CMD  shell command that restarts the server and keeps its data
//   POLYSYNC_RESTART_URL  the server that POLYSYNC_RESTART_CMD restarts (default POLYSYNC_URL)

import { randomBytes } from 'node:crypto';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through run.sh or lib/runner.mjs (see README.md)`);
  }
  return value;
}

function trimSlash(url) {
  return url.replace(/\/+$/, '');
}

export function baseUrl() {
  return trimSlash(required('POLYSYNC_URL'));
}

export function restartUrl() {
  return trimSlash(process.env.POLYSYNC_RESTART_URL || baseUrl());
}

export function restartCommand() {
  return required('POLYSYNC_RESTART_CMD');
}

/** A fresh database name, unique per call, valid for CouchDB (`^[a-z][a-z0-9_$()+/-]*$`). */
export function freshDbName(label) {
  return `interop-${label}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** `base` with the same host but other credentials. */
export function withCredentials(base, user, password) {
  const url = new URL(base);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return trimSlash(url.toString());
}

/** `base` with its user name and a wrong password. */
export function withWrongPassword(base) {
  const url = new URL(base);
  const user = url.username ? decodeURIComponent(url.username) : 'admin';
  return withCredentials(base, user, `wrong-${randomBytes(6).toString('hex')}`);
}

let kind;

/**
 * 'pouchdb-server' when the target is the reference (its `GET /` has an `express-pouchdb`
 * key), else 'couchdb'. Tests use it only where pouchdb-server is known to deviate from CouchDB;
 * each such place says how (see README.md, "Where the reference deviates").
 */
export async function serverKind() {
  if (!kind) {
    const { Couch } = await import('./couch.mjs');
    const root = await new Couch(baseUrl()).json('GET', '');
    kind = 'express-pouchdb' in root ? 'pouchdb-server' : 'couchdb';
  }
  return kind;
}
