#!/usr/bin/env bash
# The end-to-end benchmark in one command (see bench/README.md, "End to end"):
#   bash bench/e2e/run.sh            # the full run, about 15 minutes
#   bash bench/e2e/run.sh --quick    # about 3 minutes
#   bash bench/e2e/run.sh --help     # options
# Builds hep-agent and db-writer, compiles the C sender, bundles the runner, and runs it. Needs root
# (apt-get for Kamailio, sysctl, a throw-away PostgreSQL run as the postgres user), Kafka's jars
# (scripts/kafka.sh fetches them), and the machine's PostgreSQL, MariaDB and Redis.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

mkdir -p dist/bench/e2e
for app in hep-agent db-writer; do node scripts/build-app.mjs "$app" >/dev/null; done
gcc -O2 -Wall -o dist/bench/e2e/sender bench/e2e/sender.c
npx esbuild bench/e2e/runner.ts --bundle --platform=node --target=node20 --packages=external \
  --tsconfig=tsconfig.base.json --outfile=dist/bench/e2e/runner.js --log-level=warning
exec node dist/bench/e2e/runner.js "$@"
