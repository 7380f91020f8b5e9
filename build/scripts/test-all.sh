#!/usr/bin/env bash
# `npm test`: everything CI runs — typecheck, import-rule lint, build, unit and
# integration tests (vitest), e2e tests (Playwright in Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
bash build/scripts/system-deps.sh
echo "== typecheck"; npm run --silent typecheck
echo "== lint (import rules)"; npm run --silent lint
echo "== build"; node build/scripts/build.mjs
echo "== unit + integration"
unit=0; npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || unit=$?
echo "== e2e"
e2e=0; PLAYWRIGHT_JSON_OUTPUT_FILE="$PWD/test-results/playwright.json" npx playwright test --config test/e2e/playwright.config.ts --reporter=list,json || e2e=$?
node build/scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json
[ "$unit" = 0 ] && [ "$e2e" = 0 ]
