#!/usr/bin/env bash
# Makes sure PostgreSQL, MariaDB and Redis are running and reachable on 127.0.0.1: starts each one that is
# installed but stopped, and says clearly what is missing. Idempotent; safe to run at every start.
set -uo pipefail

log() { echo "[services.sh] $*"; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_up() { for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done; return 1; }
failed=0

ensure() { # name port start-command... (the command runs only when the port does not answer)
  local name=$1 port=$2; shift 2
  if up "$port"; then log "$name is up on 127.0.0.1:$port"; return; fi
  log "$name is not answering on 127.0.0.1:$port; starting it"
  if ! "$@"; then log "could not start $name"; failed=1; return; fi
  if wait_up "$port"; then log "$name started on 127.0.0.1:$port"; else log "$name did not come up on port $port"; failed=1; fi
}

start_postgres() {
  command -v pg_ctlcluster >/dev/null || { log "PostgreSQL is not installed: apt-get install postgresql"; return 1; }
  local v; v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [[ -n "$v" ]] || { log "no PostgreSQL cluster in /etc/postgresql: pg_createcluster <version> main"; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$v" main start
}
start_mariadb() {
  command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] || { log "MariaDB is not installed: apt-get install mariadb-server"; return 1; }
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
}
start_redis() {
  command -v redis-server >/dev/null || { log "Redis is not installed: apt-get install redis-server"; return 1; }
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

ensure PostgreSQL 5432 start_postgres
ensure MariaDB 3306 start_mariadb
ensure Redis 6379 start_redis
exit $failed
