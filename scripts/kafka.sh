#!/usr/bin/env bash
# Local Apache Kafka for development and tests: fetched from Maven Central, run as one KRaft node
# (broker + controller). Usage: scripts/kafka.sh fetch|start|stop|status|restart|reset
#
# Environment (all optional; a second instance for fault tests sets its own):
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_INSTANCE (default) -> .kafka/<instance>/
#   KAFKA_HEAP (384m)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$ROOT/.kafka/lib"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
INSTANCE="${KAFKA_INSTANCE:-default}"
DIR="$ROOT/.kafka/$INSTANCE"
PIDFILE="$DIR/kafka.pid"
PROPS="$DIR/server.properties"
HEAP="${KAFKA_HEAP:-384m}"

log() { echo "[kafka.sh] $*"; }

kafka_version() { ls "$LIB"/kafka_2.13-*.jar 2>/dev/null | sed 's/.*kafka_2.13-\(.*\)\.jar/\1/' | head -1; }

fetch() {
  if [[ -n "$(kafka_version)" ]]; then log "Kafka $(kafka_version) already fetched in $LIB"; return; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch Kafka: apt-get install maven"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required to run Kafka: apt-get install openjdk-17-jre-headless"; exit 1; }
  log "fetching org.apache.kafka:kafka_2.13 and its runtime dependencies from Maven Central"
  (cd "$ROOT/scripts/kafka" && mvn -q -B -ntp package)
  log "fetched Kafka $(kafka_version): $(ls "$LIB" | wc -l) jars in $LIB"
}

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

write_props() {
  mkdir -p "$DIR/data" "$DIR/logs"
  cat > "$PROPS" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
log.segment.bytes=268435456
PROPS
}

JAVA=(java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -Dkafka.logs.dir="$DIR/logs" -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.yaml"
  -cp "$LIB/*")

start() {
  [[ -n "$(kafka_version)" ]] || fetch
  if running; then log "already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"; return; fi
  if answers; then log "port $PORT is taken by another process; stop it or set KAFKA_PORT"; exit 1; fi
  write_props
  if [[ ! -f "$DIR/data/meta.properties" ]]; then
    log "formatting storage in $DIR/data"
    "${JAVA[@]}" kafka.tools.StorageTool format --standalone -t "$("${JAVA[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$PROPS" > "$DIR/logs/format.log" 2>&1 || { cat "$DIR/logs/format.log"; exit 1; }
  fi
  log "starting Kafka $(kafka_version) from the fetched jars in $LIB (KRaft, 127.0.0.1:$PORT, heap $HEAP)"
  nohup setsid "${JAVA[@]}" kafka.Kafka "$PROPS" > "$DIR/logs/stdout.log" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if ! running; then log "Kafka exited during start; see $DIR/logs/"; tail -20 "$DIR/logs/stdout.log" "$DIR/logs/server.log" 2>/dev/null; exit 1; fi
    if answers && grep -q 'Kafka Server started\|\[KafkaRaftServer nodeId=1\] Kafka Server started' "$DIR/logs/server.log" 2>/dev/null; then
      log "Kafka is up (pid $(cat "$PIDFILE"))"; return
    fi
    sleep 0.5
  done
  log "Kafka did not answer within 60 s; see $DIR/logs/server.log"; exit 1
}

stop() {
  if ! running; then log "not running"; rm -f "$PIDFILE"; return; fi
  local pid; pid="$(cat "$PIDFILE")"
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; log "stopped"; return; }; sleep 0.5; done
  log "Kafka did not stop within 30 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; rm -f "$PIDFILE"
}

status() {
  if running; then log "running (pid $(cat "$PIDFILE")), Kafka $(kafka_version) on 127.0.0.1:$PORT"; else log "not running"; return 3; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) stop; rm -rf "$DIR"; log "removed $DIR" ;;
  *) echo "usage: $0 fetch|start|stop|restart|status|reset" >&2; exit 2 ;;
esac
