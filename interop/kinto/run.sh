#!/usr/bin/env bash
# Runs the Kinto interop suite (Kinto.js 17 and kinto-http 5 against Polysync's Kinto API at /v1).
#
#   interop/kinto/run.sh --start './polysync serve --port {port} --data {data} --admin {admin}'
#       starts the server itself (free port, fresh data dir, admin admin:secret unless
#       --admin NAME:PASSWORD is given), runs every test file, including the backoff one, which
#       starts a second server from the same command, and stops the server
#   interop/kinto/run.sh --url http://admin:secret@127.0.0.1:5984     (or POLYSYNC_URL in the env)
#       a server that is already running; the backoff test runs only with POLYSYNC_BACKOFF_URL
#
# Test files given as arguments run instead of all of them. Installs the dependencies first:
# `npm ci` from package-lock.json, skipped when node_modules already matches it. Exit status:
# that of `node --test`.
set -euo pipefail
exec </dev/null

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v node >/dev/null || { echo "[interop-kinto] node is not installed (Node 20 or newer)" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || { echo "[interop-kinto] Node $major is too old: need 20 or newer" >&2; exit 1; }

install_deps() {
  cd "$here"
  local stamp=node_modules/.polysync-interop-kinto-installed
  local lock
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock" ]]; then
    echo "[interop-kinto] node_modules matches package-lock.json"
    return
  fi
  echo "[interop-kinto] npm ci"
  npm ci --no-audit --no-fund
  echo "$lock" >"$stamp"
}

(install_deps)
exec node "$here/lib/runner.mjs" "$@"
