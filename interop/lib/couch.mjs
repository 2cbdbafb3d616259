// Plain HTTP access to the server, independent of PouchDB, so that the tests check what the
// server really stores rather than what one PouchDB instance reports.

import assert from 'node:assert/strict';

/** Splits `http://user:pw@host:port/path` into a credential-free URL and its Basic header. */
function splitCredentials(url) {
  const parsed = new URL(url);
  const headers = {};
  if (parsed.username || parsed.password) {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    headers.Authorization = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
    parsed.username = '';
    parsed.password = '';
  }
  return { url: parsed.toString().replace(/\/+$/, ''), headers };
}

/** Encodes a document id the way PouchDB's HTTP adapter does. */
export function encodeDocId(id) {
  for (const prefix of ['_design/', '_local/']) {
    if (id.startsWith(prefix)) {
      return prefix + encodeURIComponent(id.slice(prefix.length));
    }
  }
  return encodeURIComponent(id);
}

/** Encodes an attachment name segment by segment, as PouchDB does. */
export function encodeAttachmentName(name) {
  return name.split('/').map(encodeURIComponent).join('/');
}

export class Couch {
  constructor(baseUrl) {
    const { url, headers } = splitCredentials(baseUrl);
    this.root = url;
    this.authHeaders = headers;
  }

  /** One request; returns `{status, headers, body}` with `body` parsed as JSON when it is JSON. */
  async request(method, path, { body, headers = {}, raw = false } = {}) {
    const init = {
      method,
      headers: { Accept: 'application/json', ...this.authHeaders, ...headers },
      signal: AbortSignal.timeout(30_000),
    };
    if (body !== undefined) {
      if (Buffer.isBuffer(body) || typeof body === 'string') {
        init.body = body;
      } else {
        init.body = JSON.stringify(body);
        init.headers['Content-Type'] = 'application/json';
      }
    }
    const response = await fetch(`${this.root}/${path}`, init);
    const bytes = Buffer.from(await response.arrayBuffer());
    let parsed = bytes;
    if (!raw && (response.headers.get('content-type') || '').includes('json')) {
      parsed = JSON.parse(bytes.toString('utf8'));
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** Like `request` but fails the test unless the status is one of `expected`. */
  async json(method, path, body, expected = [200, 201]) {
    const res = await this.request(method, path, { body });
    assert.ok(
      expected.includes(res.status),
      `${method} /${path} answered ${res.status}: ${JSON.stringify(res.body)}`,
    );
    return res.body;
  }

  createDb(db) {
    return this.json('PUT', `${encodeURIComponent(db)}/`, undefined, [201]);
  }

  async destroyDb(db) {
    try {
      await this.request('DELETE', `${encodeURIComponent(db)}/`);
    } catch {
      // Best effort: a test that failed may have left the server unreachable.
    }
  }

  dbInfo(db) {
    return this.json('GET', `${encodeURIComponent(db)}/`);
  }

  bulkDocs(db, docs, extra = {}) {
    return this.json('POST', `${encodeURIComponent(db)}/_bulk_docs`, { docs, ...extra }, [201]);
  }

  getDoc(db, id, query = {}) {
    const qs = new URLSearchParams(query).toString();
    return this.json('GET', `${encodeURIComponent(db)}/${encodeDocId(id)}${qs ? '?' + qs : ''}`);
  }

  /** Raw bytes and content type of an attachment, fetched like PouchDB's pull does. */
  async attachment(db, id, name, rev) {
    const qs = rev ? `?rev=${encodeURIComponent(rev)}` : '';
    const res = await this.request(
      'GET',
      `${encodeURIComponent(db)}/${encodeDocId(id)}/${encodeAttachmentName(name)}${qs}`,
      { headers: { Accept: '*/*' }, raw: true },
    );
    assert.equal(res.status, 200, `attachment ${id}/${name}: status ${res.status}`);
    return { bytes: res.body, contentType: res.headers.get('content-type') };
  }

  /** The whole normal `_changes` feed from `since`, following `limit` pages. */
  async changes(db, { since = 0, style = 'all_docs', limit = 500 } = {}) {
    const results = [];
    let last = since;
    for (;;) {
      const page = await this.json(
        'GET',
        `${encodeURIComponent(db)}/_changes?style=${style}&since=${encodeURIComponent(
          typeof last === 'object' ? JSON.stringify(last) : last,
        )}&limit=${limit}`,
      );
      results.push(...page.results);
      if (page.results.length === 0) {
        return { results, last_seq: page.last_seq };
      }
      last = page.last_seq;
    }
  }
}
