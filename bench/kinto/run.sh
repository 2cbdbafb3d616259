#!/usr/bin/env bash
# Runs the Kinto benchmark (bench.mjs): Kinto.js push and pull through sync() against Polysync.
#
# Installs the dependencies first with `npm ci` from package-lock.json, skipped when
# node_modules already matches it. Arguments go to bench.mjs (--help lists them). The result
# table goes to stdout, progress to stderr.
set -euo pipefail
exec </dev/null

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v node >/dev/null || { echo "[bench-kinto] node is not installed (Node 20 or newer)" >&2; exit 1; }
command -v npm >/dev/null || { echo "[bench-kinto] npm is not installed" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || { echo "[bench-kinto] Node $major is too old: need 20 or newer" >&2; exit 1; }

install_deps() {
  cd "$here"
  local stamp=node_modules/.polysync-bench-kinto-installed
  local lock
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock" ]]; then
    return
  fi
  # npm's own output goes to stderr: the figures alone go to stdout.
  echo "[bench-kinto] npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock" >"$stamp"
}

(install_deps)
# --expose-gc: the benchmark collects garbage before every timed run.
exec node --expose-gc "$here/bench.mjs" "$@"
