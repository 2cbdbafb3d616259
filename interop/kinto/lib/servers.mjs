// Starting a server from the runner's command template: the runner's own server, and a second
// one that a test starts with extra options (backoff.test.mjs, https.test.mjs, bearer.test.mjs).
// Process handling (its own process group, readiness by `GET /`, SIGTERM then SIGKILL) and the
// template helpers are the PouchDB suite's server-ctl.mjs; temporary directories here are named
// for this suite.

import { tempDir as sharedTempDir } from '../../lib/server-ctl.mjs';

export {
  freePort,
  makeCertificate,
  shellQuote,
  startFromTemplate,
  startServer,
  stopServer,
  tail,
  urlFor,
} from '../../lib/server-ctl.mjs';

export function tempDir(label) {
  return sharedTempDir(label, 'polysync-interop-kinto');
}
