// What the PouchDB and Kinto suites' runners share: choosing the test files (a gated file runs
// only when the environment enables it, and with CI=true a file left out is an error), running
// them with `node --test` under a time limit, and the servers and directories to clean up on exit.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stopServer, tail } from './server-ctl.mjs';

/**
 * The test files to run: `explicit` ones, or every `*.test.mjs` of `root`/test. `gated` maps a
 * file name to `{ ok(env), why }`; a file whose gate is not ok is left out, with its reason.
 */
export function selectFiles(root, gated, env, explicit) {
  const all = explicit.length
    ? explicit
    : readdirSync(join(root, 'test'))
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => join(root, 'test', f));
  const chosen = [];
  const left = [];
  for (const file of all) {
    const gate = gated[file.split('/').pop()];
    if (gate && !gate.ok(env)) left.push(`${file.split('/').pop()}: ${gate.why}`);
    else chosen.push(file);
  }
  return { chosen, left };
}

/** Says what is left out, and refuses to go on with CI=true: CI must run everything. */
export function requireAll(left, log) {
  for (const why of left) log(`NOT RUN ${why}`);
  if (left.length && process.env.CI === 'true') {
    throw new Error('with CI=true every test file must run; give the missing settings above');
  }
}

/** Runs `files` with `node --test`, one file at a time, stopping the run after `suiteTimeoutMs`. */
export function runNodeTest({ root, files, env, testTimeoutMs, suiteTimeoutMs, log }) {
  return new Promise((res) => {
    const args = ['--test', '--test-concurrency=1', `--test-timeout=${testTimeoutMs}`, ...files];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    const timer = setTimeout(() => {
      log(`suite exceeded ${suiteTimeoutMs / 60_000} minutes; stopping it`);
      child.kill('SIGTERM');
    }, suiteTimeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      res(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * Stops the servers a runner started (also under the pid a test's restart recorded in the state
 * file) and, unless the run failed or POLYSYNC_KEEP_TMP is set, removes its temporary directories;
 * after a failure it prints the end of each server's log.
 */
export async function cleanup({ started, tempDirs, failed, log }) {
  for (const state of [...started].reverse()) {
    const current = state.stateFile && existsSync(state.stateFile)
      ? JSON.parse(readFileSync(state.stateFile, 'utf8'))
      : state;
    await stopServer(current).catch(() => {});
    await stopServer(state).catch(() => {});
    if (failed && existsSync(state.log)) log(`last lines of ${state.log}:\n${tail(state.log)}`);
  }
  if (!failed && !process.env.POLYSYNC_KEEP_TMP) {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `main`, cleans up on its end or on SIGINT/SIGTERM, and exits with its status. */
export async function runSuite({ main, started, tempDirs, log, label }) {
  let code = 1;
  const onSignal = async () => {
    await cleanup({ started, tempDirs, failed: true, log });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    code = await main();
  } catch (err) {
    console.error(`[${label}] ${err.message}`);
    code = 1;
  }
  await cleanup({ started, tempDirs, failed: code !== 0, log });
  process.exit(code);
}
