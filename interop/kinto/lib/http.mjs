// Plain HTTP access to the Kinto API (and, for the cross-protocol test, the CouchDB API),
// independent of Kinto.js and kinto-http, so that the tests check what the server really answers
// rather than what one client reports. Also RequestLog, which records what a client sent and
// what the server answered, and `within`, the bounded wait every test uses.

import assert from 'node:assert/strict';
import { adminCredentials, basicAuth, baseUrl, kintoRemote, serverRoot } from './target.mjs';

const REQUEST_TIMEOUT_MS = 60_000;

/** `{status, headers, body}` as one line for failure messages, the body cut at 1,500 characters. */
export function describe(res) {
  let body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  if (body && body.length > 1_500) body = `${body.slice(0, 1_500)}… (${body.length} characters)`;
  const interesting = ['etag', 'next-page', 'backoff', 'retry-after', 'total-objects', 'total-records', 'location'];
  const headers = interesting
    .filter((h) => res.headers?.get?.(h) != null)
    .map((h) => `${h}: ${res.headers.get(h)}`);
  return `${res.status}${headers.length ? ` [${headers.join('; ')}]` : ''} ${body ?? '(no body)'}`;
}

/** Parses a response: `{status, headers, body, text}`, `body` being JSON when it parses. */
async function readResponse(response) {
  const text = await response.text();
  let body = text;
  if (text.length) {
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: keep the text, the assertions will say so.
    }
  } else {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export class KintoHttp {
  /**
   * `auth` is `{user, password}` (default: the admin from POLYSYNC_URL), or `null` for
   * anonymous requests.
   */
  constructor({ base = baseUrl(), auth = adminCredentials(base) } = {}) {
    this.remote = kintoRemote(base);
    this.root = serverRoot(base);
    this.authHeader = auth ? basicAuth(auth.user, auth.password) : undefined;
  }

  /** A client for the same server with other credentials (`null`: anonymous). */
  as(auth) {
    const other = Object.create(KintoHttp.prototype);
    Object.assign(other, this, { authHeader: auth ? basicAuth(auth.user, auth.password) : undefined });
    return other;
  }

  /**
   * One request. `path` is relative to `/v1` (`/buckets/b`), or an absolute URL (a Next-Page).
   * Returns `{status, headers, body, text}`.
   */
  async request(method, path, { body, headers = {}, auth = this.authHeader } = {}) {
    const url = /^https?:/.test(path) ? path : `${this.remote}${path}`;
    return this.raw(method, url, { body, headers, auth });
  }

  /** A request to the CouchDB API at `/` (`path` without the leading slash). */
  couch(method, path, { body, headers = {}, auth = this.authHeader } = {}) {
    return this.raw(method, `${this.root}/${path}`, { body, headers, auth });
  }

  async raw(method, url, { body, headers = {}, auth } = {}) {
    const init = {
      method,
      headers: { Accept: 'application/json', ...(auth ? { Authorization: auth } : {}), ...headers },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: 'manual',
    };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        init.headers['Content-Type'] = 'application/json';
      }
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      throw new Error(`${method} ${url} failed: ${err.cause?.message || err.message}`);
    }
    return readResponse(response);
  }

  /** Like `request`, but fails the test unless the status is one of `expected`; returns the body. */
  async json(method, path, body, expected = [200, 201], headers = {}) {
    const res = await this.request(method, path, { body, headers });
    assert.ok(expected.includes(res.status), `${method} /v1${path} answered ${describe(res)}`);
    return res.body;
  }

  /** `PUT /buckets/{bid}`, failing unless created. */
  createBucket(bid, permissions) {
    return this.json('PUT', `/buckets/${bid}`, { data: {}, ...(permissions ? { permissions } : {}) }, [201]);
  }

  /** `PUT /buckets/{bid}/collections/{cid}`, failing unless created. */
  createCollection(bid, cid, permissions) {
    return this.json(
      'PUT',
      `/buckets/${bid}/collections/${cid}`,
      { data: {}, ...(permissions ? { permissions } : {}) },
      [201],
    );
  }

  /** A fresh bucket with one collection; the bucket is deleted after the test. */
  async freshCollection(t, bid, cid, { bucketPermissions, collectionPermissions } = {}) {
    await this.createBucket(bid, bucketPermissions);
    t.after(() => this.deleteBucket(bid));
    await this.createCollection(bid, cid, collectionPermissions);
    return { bid, cid, path: `/buckets/${bid}/collections/${cid}` };
  }

  /** Best effort: a test that failed may have left the server unreachable. */
  async deleteBucket(bid) {
    try {
      await this.request('DELETE', `/buckets/${bid}`);
    } catch {
      // Ignored.
    }
  }

  /**
   * Every record of a listing, following Next-Page to the end. `query` is a query string without
   * `?`. Returns `{records, etag, pages}`; `pages` is the list of responses.
   */
  async listAll(collectionPath, query = '_sort=-last_modified', { maxPages = 10_000 } = {}) {
    const pages = [];
    const records = [];
    let url = `${this.remote}${collectionPath}/records${query ? `?${query}` : ''}`;
    while (url) {
      assert.ok(pages.length < maxPages, `more than ${maxPages} pages listing ${collectionPath}`);
      const res = await this.request('GET', url);
      assert.equal(res.status, 200, `GET ${url} answered ${describe(res)}`);
      assert.ok(Array.isArray(res.body?.data), `GET ${url}: no data array in ${describe(res)}`);
      records.push(...res.body.data);
      pages.push(res);
      url = res.headers.get('next-page');
    }
    return { records, etag: pages[pages.length - 1].headers.get('etag'), pages };
  }

  /** Sign-up through the accounts API: `PUT /accounts/{id}`, anonymous. */
  signUp(user, password) {
    return this.as(null).json('PUT', `/accounts/${user}`, { data: { password } }, [201]);
  }
}

/**
 * Remembers every request a client makes through `fetch`: method, URL, path and query, request
 * headers and body, and the server's status, headers and body. Give `log.fetch` to a client.
 */
export class RequestLog {
  constructor(inner = (...args) => globalThis.fetch(...args)) {
    this.inner = inner;
    this.calls = [];
  }

  fetch = async (url, options = {}) => {
    const parsed = new URL(String(url));
    const headers = new Headers(options.headers || {});
    const call = {
      method: (options.method || 'GET').toUpperCase(),
      url: String(url),
      path: decodeURIComponent(parsed.pathname),
      query: parsed.searchParams,
      headers,
      body: parseMaybe(options.body),
    };
    this.calls.push(call);
    const response = await this.inner(url, options);
    call.status = response.status;
    call.responseHeaders = response.headers;
    try {
      call.responseBody = parseMaybe(await response.clone().text());
    } catch {
      // A body that cannot be read twice is left out of the log.
    }
    return response;
  };

  /** Calls whose method matches and whose path ends with `suffix`. */
  find(method, suffix = '') {
    return this.calls.filter((c) => c.method === method && c.path.endsWith(suffix));
  }

  /** Every sub-request of every `POST /batch`, each with its response: `{request, response}`. */
  batchItems() {
    const out = [];
    for (const call of this.find('POST', '/batch')) {
      const requests = call.body?.requests || [];
      const responses = call.responseBody?.responses || [];
      requests.forEach((request, i) => out.push({ request, response: responses[i], batch: call }));
    }
    return out;
  }

  /** One line per call, for failure messages. */
  summary() {
    return this.calls
      .map((c) => `${c.method} ${c.path}${c.query.size ? `?${c.query}` : ''} → ${c.status}`)
      .join('\n  ');
  }

  clear() {
    this.calls.length = 0;
  }
}

function parseMaybe(body) {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Awaits `promise`, failing with `what` if it takes longer than `ms`. */
export async function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
