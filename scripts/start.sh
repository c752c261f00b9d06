#!/usr/bin/env bash
# `npm start`: the whole local capture node on this machine. Sets up what is missing (first run only),
# then hands over to the launcher, which starts Kafka, prepares the database and topic, runs hep-agent
# and a db-writer (and the raw agents when their settings enable them), and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -d node_modules/.bin || ! -f dist/apps/cli/main.js || ! -d .kafka/lib ]]; then
  bash scripts/setup.sh
else
  bash scripts/services.sh >/dev/null || bash scripts/services.sh
  NX_DAEMON=false npx nx run-many -t build --outputStyle=static >/dev/null
fi
exec node scripts/launch.mjs "$@"
