#!/usr/bin/env bash
# Runs the scale-out suite: several server processes on one shared database (PostgreSQL and
# Redis by default), driven by the real PouchDB client. See interop/scaleout/README.md.
#
#   interop/scaleout/run.sh                                   # PostgreSQL and Redis, 3 processes each
#   interop/scaleout/run.sh --backends postgresql,redis,mariadb --samples 500
#   interop/scaleout/run.sh --start 'CMD with {port} {data} {admin} {storage}'
#
# Installs the interop dependencies first (npm ci, production only, skipped when node_modules
# already matches package-lock.json). Exit status: 0 when every backend's run passed.
set -euo pipefail
exec </dev/null

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
interop="$(dirname "$here")"

command -v node >/dev/null || { echo "[scaleout] node is not installed (Node 20 or newer)" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || { echo "[scaleout] Node $major is too old: need 20 or newer" >&2; exit 1; }

# The same dependencies and the same stamp as interop/run.sh, so either script reuses the other's install.
(
  cd "$interop"
  stamp=node_modules/.polysync-interop-installed
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" ]] && { [[ "$(cat "$stamp")" == "full $lock" ]] || [[ "$(cat "$stamp")" == "prod $lock" ]]; }; then
    echo "[scaleout] node_modules matches package-lock.json"
  else
    echo "[scaleout] npm ci --omit=dev"
    npm ci --omit=dev --no-audit --no-fund
    echo "prod $lock" >"$stamp"
  fi
)
exec node "$here/runner.mjs" "$@"
