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
npx playwright test
