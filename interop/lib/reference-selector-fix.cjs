// Preloaded into the reference server (pouchdb-server 4.2.0) only.
//
// CouchDB reads the selector of `POST /{db}/_changes?filter=_selector` from the request body.
// express-pouchdb copies only `doc_ids` from that body, so the backend sees `filter=_selector`
// without a selector, looks for a design document `_design/_selector`, and the unhandled 404
// takes the whole process down. Copying `selector` the way `doc_ids` is copied makes the
// reference behave like CouchDB, so filtered.test.mjs can stay strict.
'use strict';

const path = require('node:path');
const serverDir = path.dirname(require.resolve('pouchdb-server/package.json'));
const utils = require(require.resolve('express-pouchdb/lib/utils', { paths: [serverDir] }));
const makeOpts = utils.makeOpts;

utils.makeOpts = function (req, startOpts) {
  const opts = makeOpts.apply(this, arguments);
  if (req.body && req.body.selector && /\/_changes$/.test(req.path || '')) {
    opts.selector = req.body.selector;
  }
  return opts;
};
