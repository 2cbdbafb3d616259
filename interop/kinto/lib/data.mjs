// Record contents for the tests: every JSON type, nesting, unicode and empty values, so that a
// server that reshapes JSON (numbers, escapes, empty containers, key order aside) is caught when
// two clients' copies are compared.

/** Content of the i-th test record (no id, no last_modified). */
export function makeRecord(i, label = 'note') {
  return {
    title: `${label} ${i}`,
    n: i,
    ratio: Math.round((i * 1000) / 7) / 1000,
    done: i % 2 === 0,
    nothing: null,
    tags: i % 5 === 0 ? [] : ['a', `t${i % 3}`],
    nested: { level: i % 7, deeper: { text: 'Grüße, 東京 😀 "quoted" \\ back\nline', empty: {} } },
  };
}

/** Records sorted by id, for comparisons that must not depend on listing order. */
export function byId(records) {
  return [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `{id → record}` */
export function indexById(records) {
  return Object.fromEntries(records.map((r) => [r.id, r]));
}
