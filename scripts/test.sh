#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, then runs every check.
# `npm test` runs this; so does .ci/run. Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh

# A symlinked node_modules is a shared install (git worktrees): npm ci would empty the target
# directory for everyone using it, so it is left alone.
if [ -L node_modules ]; then
  echo "== node_modules is a symlink (shared install): npm ci skipped"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

echo "== registry tables are fresh (regenerated from ../shared/kmip-spec)"
npx tsx scripts/gen-registry.ts --check

echo "== typecheck"
npx tsc --noEmit -p .

echo "== build"
npx tsc -p tsconfig.build.json

echo "== import cycles and file sizes"
npx tsx scripts/check-structure.ts

echo "== mocha"
npx mocha "$@"
