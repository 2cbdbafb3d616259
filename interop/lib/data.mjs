// Test data: documents and attachments with known content.

import { createHash, randomBytes } from 'node:crypto';

/** CouchDB's and PouchDB's attachment digest: "md5-" + base64 of the MD5 of the raw bytes. */
export function digestOf(bytes) {
  return 'md5-' + createHash('md5').update(bytes).digest('base64');
}

/** Bytes that are not valid UTF-8 and cover every byte value. */
export function binaryBytes(size = 4096) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < 256 && i < size; i++) bytes[i] = i;
  randomBytes(Math.max(0, size - 256)).copy(bytes, 256);
  return bytes;
}

export function textBytes(label) {
  return Buffer.from(`${label}: grüße, 日本語, emoji 🙂\nline two\n`, 'utf8');
}

/** An inline attachment as PouchDB and CouchDB accept it on write. */
export function inline(bytes, contentType) {
  return { content_type: contentType, data: bytes.toString('base64') };
}

/** The content of document number `i`: a mix of JSON types, nested values and unicode. */
export function body(i) {
  return {
    n: i,
    title: `document ${i} — ünïcödé`,
    even: i % 2 === 0,
    tags: ['interop', `t${i % 7}`],
    nested: { a: { b: [i, null, 1.5, 'x'] } },
  };
}

export function docId(i) {
  return `doc-${String(i).padStart(4, '0')}`;
}
