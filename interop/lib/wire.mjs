// Reading a RequestLog: what a replication asked the server for.

/** Ids of the documents a pull fetched: `_bulk_get` bodies, or the per-doc fallback GETs. */
export function pulledIds(log) {
  const ids = new Set();
  for (const call of log.find('POST', '/_bulk_get')) {
    for (const d of JSON.parse(call.body).docs) ids.add(d.id);
  }
  for (const call of log.calls) {
    if (call.method === 'GET' && call.query.has('open_revs')) ids.add(call.path.split('/').pop());
  }
  return [...ids].sort();
}

/**
 * What a push sent: `asked`, the ids it checked with `_revs_diff`, and `written`, the ids of
 * the documents it wrote with `_bulk_docs`; both sorted.
 */
export function pushedIds(log) {
  const asked = new Set();
  for (const call of log.find('POST', '/_revs_diff')) {
    for (const id of Object.keys(JSON.parse(call.body))) asked.add(id);
  }
  const written = new Set();
  for (const call of log.find('POST', '/_bulk_docs')) {
    for (const d of JSON.parse(call.body).docs) written.add(d._id);
  }
  return { asked: [...asked].sort(), written: [...written].sort() };
}

/** True when the first `_changes` request did not start from the beginning. */
export function resumedChangesSince(log) {
  const first = log.calls.find((c) => c.path.endsWith('/_changes'));
  if (!first) throw new Error('no _changes request was made');
  const since = first.query.get('since');
  return since !== null && since !== '0' && since !== '';
}
