#!/usr/bin/env bash
# Every test: types, unit, integration (PGlite and PostgreSQL), end-to-end (Chromium).
# PostgreSQL: TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
echo "== types"
npx tsc --noEmit -p .
echo "== unit and integration (PGlite and PostgreSQL)"
npx vitest run
echo "== end to end (Chromium)"
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  # Calls keep their media on loopback: the browser tests run in a network namespace that has
  # only `lo` (shared/STACK.md). PostgreSQL is reached there through its Unix socket.
  E2E_NETNS=1 unshare -n sh -c 'ip link set lo up && exec npx playwright test'
else
  echo "(not root or no unshare: end-to-end tests run on the host network)"
  npx playwright test
fi
