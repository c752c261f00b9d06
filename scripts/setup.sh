#!/usr/bin/env bash
# One-time (idempotent) setup on a fresh machine: system packages, npm dependencies, the Kafka broker
# from Maven Central, the local PostgreSQL/MariaDB/Redis services, the apps' build, and the databases.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "[setup] $*"; }
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

# System packages: libpcap-dev for the pcap module (raw capture); tcpdump/tshark/iproute2 for raw-capture tests;
# chromium for the web page's browser tests (driven by playwright-core, which downloads no browser).
need=()
dpkg -s libpcap-dev >/dev/null 2>&1 || need+=(libpcap-dev)
command -v mvn >/dev/null || need+=(maven)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v g++ >/dev/null || need+=(g++ make)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v ip >/dev/null || need+=(iproute2)
command -v tshark >/dev/null || need+=(tshark)
command -v chromium >/dev/null || need+=(chromium)
# rtpengine's userspace daemon (no kernel module): the RTCP-over-HEP interop test (test/rtpengine-rtcp.test.ts).
command -v rtpengine >/dev/null || need+=(rtpengine-daemon)
# Prometheus and promtool: the stats app's test scrapes it with a real server and checks the recording rules.
command -v prometheus >/dev/null || need+=(prometheus)
# The HEP interoperability matrix (test/hep-interop.test.ts): Kamailio (siptrace; sipcapture with its
# PostgreSQL/MySQL drivers), sngrep and sipgrep as HEP senders.
command -v kamailio >/dev/null || need+=(kamailio)
dpkg -s kamailio-postgres-modules >/dev/null 2>&1 || need+=(kamailio-postgres-modules)
dpkg -s kamailio-mysql-modules >/dev/null 2>&1 || need+=(kamailio-mysql-modules)
command -v sngrep >/dev/null || need+=(sngrep)
command -v sipgrep >/dev/null || need+=(sipgrep)
# SIPp (sip-tester): calls from an independent SIP implementation for the stats app's test (test/stats-sipp.test.ts).
command -v sipp >/dev/null || need+=(sip-tester)
# openssl makes the certificates of the transport security test (test/transport-security.test.ts: Kafka
# SASL_SSL, redis-server --tls-port, PostgreSQL ssl=on).
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then log "missing system packages: ${need[*]} (install them with apt-get as root)"; exit 1; fi
  log "installing system packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm dependencies, exactly as locked (never --omit=optional: Nx's native binary is an optional dependency).
if [[ ! -d node_modules/.bin || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

log "building the apps"
npx nx run-many -t build --outputStyle=static >/dev/null

bash scripts/kafka.sh fetch
bash scripts/services.sh
# The project's databases and sip_capture tables, in both dialects (the schema comes from libs/store; sql/ holds its text).
log "creating the sipcapture databases and tables (PostgreSQL and MariaDB)"
DB_URL="${DB_URL:-postgres://postgres@127.0.0.1:5432/sipcapture}" node dist/apps/cli/main.js db init --skip-kafka
DB_URL="${MYSQL_DB_URL:-mysql://root@127.0.0.1:3306/sipcapture}" node dist/apps/cli/main.js db init --skip-kafka
log "done"
