#!/usr/bin/env bash
# The hep-agent scaling benchmark (bench/hep-workers.ts): builds the agent, the C sender and the runner.
#   bash bench/hep-workers.sh [--workers 1,2] [--rates 10000,20000,30000,40000] [--seconds 10] [--repeat 2]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p dist/bench/e2e
node scripts/build-app.mjs hep-agent >/dev/null
gcc -O2 -Wall -o dist/bench/e2e/sender bench/e2e/sender.c
npx esbuild bench/hep-workers.ts --bundle --platform=node --target=node20 --packages=external \
  --tsconfig=tsconfig.base.json --outfile=dist/bench/hep-workers.js --log-level=warning
exec node dist/bench/hep-workers.js "$@"
