#!/usr/bin/env bash
# Runs the PouchDB interop suite against one CouchDB-compatible server.
#
#   interop/run.sh --start './polysync serve --port {port} --data {data} --admin {admin}'
#       starts the server itself (free port, fresh data dir, admin admin:secret unless
#       --admin NAME:PASSWORD is given), runs every test file including the auth and restart
#       ones, and stops the server
#   interop/run.sh --url http://admin:secret@127.0.0.1:5984     (or POLYSYNC_URL in the env)
#       a server that is already running; set POLYSYNC_AUTH=1 and POLYSYNC_RESTART_CMD to run
#       the gated test files too
#   interop/run.sh --reference
#       pouchdb-server from devDependencies, the reference the suite is validated against
#
# Installs the dependencies first: `npm ci` when package-lock.json exists (skipped when
# node_modules already matches it), else `npm install`. Without --reference the reference
# server is not needed, so dev dependencies are left out. Exit status: that of `node --test`.
set -euo pipefail
exec </dev/null

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v node >/dev/null || { echo "[interop] node is not installed (Node 20 or newer)" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || { echo "[interop] Node $major is too old: need 20 or newer" >&2; exit 1; }

kind=prod
for arg in "$@"; do [[ "$arg" == --reference ]] && kind=full; done

install_deps() {
  cd "$here"
  if [[ ! -f package-lock.json ]]; then
    echo "[interop] npm install"
    npm install --no-audit --no-fund
    return
  fi
  local stamp=node_modules/.polysync-interop-installed
  local lock
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  # A full install also serves a run that needs only the production dependencies.
  if [[ -f "$stamp" ]] && { [[ "$(cat "$stamp")" == "full $lock" ]] || [[ "$(cat "$stamp")" == "$kind $lock" ]]; }; then
    echo "[interop] node_modules matches package-lock.json"
    return
  fi
  if [[ "$kind" == full ]]; then
    echo "[interop] npm ci"
    npm ci --no-audit --no-fund
  else
    echo "[interop] npm ci --omit=dev"
    npm ci --omit=dev --no-audit --no-fund
  fi
  echo "$kind $lock" >"$stamp"
}

(install_deps)
exec node "$here/lib/runner.mjs" "$@"
