// Client B of the live-sync figure in a worker thread of its own: a second device, with its own
// event loop. It runs `startReceiver` from figures.mjs and passes its messages to the benchmark's
// thread; `{type: 'stop'}` from there stops it.

import { parentPort, workerData } from 'node:worker_threads';
import { startReceiver } from './figures.mjs';

const post = (m) => parentPort.postMessage(m);
const receiver = startReceiver(workerData, post);
receiver.ready.then(() => post({ type: 'ready' }), (err) => post({ type: 'not-ready', message: String(err) }));
parentPort.on('message', async (m) => {
  if (m.type !== 'stop') return;
  try {
    await receiver.stop();
  } finally {
    post({ type: 'stopped' });
    parentPort.close();
  }
});
