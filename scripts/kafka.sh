#!/usr/bin/env bash
# Local Apache Kafka for development and tests: fetched from Maven Central, run as one KRaft node
# (broker + controller). Usage: scripts/kafka.sh fetch|start|stop|status|restart|reset
#
# A cluster: scripts/kafka.sh start --brokers 3 runs three KRaft nodes (each broker and controller, a
# quorum of three) on 127.0.0.1:KAFKA_PORT, +1, +2 (9092, 9093, 9094), controllers on KAFKA_PORT+100.. ,
# with replication factor 3 and min.insync.replicas 2 by default. Then: kill-broker N (SIGKILL), stop-broker N (SIGTERM),
# start-broker N, wipe-broker N (a stopped node's data), status (each node, and which leads how many partitions), stop, reset.
#
# Environment (all optional; a second instance for fault tests sets its own):
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_INSTANCE (default) -> .kafka/<instance>/
#   KAFKA_HEAP (384m; 256m per node in a cluster)
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

# ---- cluster (start --brokers N) -------------------------------------------------------------------
NODES_FILE="$DIR/nodes"
cluster_nodes() { cat "$NODES_FILE" 2>/dev/null || echo 0; }
node_dir() { echo "$DIR/node$1"; }
node_port() { echo $((PORT + $1 - 1)); }
node_cport() { echo $((PORT + 99 + $1)); }
node_running() { local f; f="$(node_dir "$1")/kafka.pid"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; }
node_java() { # NJ: the java command of node $1 (its heap and log directory)
  local d; d="$(node_dir "$1")"
  NJ=(java -Xms"${KAFKA_HEAP:-256m}" -Xmx"${KAFKA_HEAP:-256m}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -Dkafka.logs.dir="$d/logs" -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.yaml" -cp "$LIB/*")
}

cluster_props() {
  local n="$1" count="$2" d voters="" i
  d="$(node_dir "$n")"; mkdir -p "$d/data" "$d/logs"
  for i in $(seq 1 "$count"); do voters+="${voters:+,}$i@127.0.0.1:$(node_cport "$i")"; done
  local rf=$(( count < 3 ? count : 3 )) isr=$(( count < 3 ? 1 : 2 ))
  cat > "$d/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(node_port "$n"),CONTROLLER://127.0.0.1:$(node_cport "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(node_port "$n")
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
log.segment.bytes=268435456
PROPS
}

start_node() {
  local n="$1" d; d="$(node_dir "$n")"
  if node_running "$n"; then log "node $n already running (pid $(cat "$d/kafka.pid"))"; return; fi
  [[ -f "$d/server.properties" ]] || { log "node $n is not part of this cluster"; exit 2; }
  if [[ ! -f "$d/data/meta.properties" ]]; then
    # A node whose data directory was wiped comes back empty and is filled from its replicas.
    node_java "$n"
    "${NJ[@]}" kafka.tools.StorageTool format -t "$(cat "$DIR/cluster.id")" -c "$d/server.properties" > "$d/logs/format.log" 2>&1 \
      || { cat "$d/logs/format.log"; exit 1; }
  fi
  node_java "$n"
  nohup setsid "${NJ[@]}" kafka.Kafka "$d/server.properties" > "$d/logs/stdout.log" 2>&1 &
  echo $! > "$d/kafka.pid"
}

wait_node() {
  local n="$1" d; d="$(node_dir "$n")"
  for _ in $(seq 1 120); do
    node_running "$n" || { log "node $n exited during start; see $d/logs/"; tail -20 "$d/logs/stdout.log" 2>/dev/null; exit 1; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$(node_port "$n")") 2>/dev/null && grep -q 'Kafka Server started' "$d/logs/server.log" 2>/dev/null; then
      log "node $n is up on 127.0.0.1:$(node_port "$n") (pid $(cat "$d/kafka.pid"))"; return
    fi
    sleep 0.5
  done
  log "node $n did not answer within 60 s; see $d/logs/server.log"; exit 1
}

cluster_start() {
  local count="$1" n
  [[ -n "$(kafka_version)" ]] || fetch
  if [[ "$(cluster_nodes)" != 0 && "$(cluster_nodes)" != "$count" ]]; then log "$DIR holds a cluster of $(cluster_nodes) nodes: reset it first"; exit 2; fi
  mkdir -p "$DIR"
  echo "$count" > "$NODES_FILE"
  [[ -f "$DIR/cluster.id" ]] || java -cp "$LIB/*" kafka.tools.StorageTool random-uuid > "$DIR/cluster.id"
  for n in $(seq 1 "$count"); do
    if ! node_running "$n" && (exec 3<>"/dev/tcp/127.0.0.1/$(node_port "$n")") 2>/dev/null; then log "port $(node_port "$n") is taken; stop what runs there or set KAFKA_PORT"; exit 1; fi
    [[ -f "$(node_dir "$n")/server.properties" ]] || cluster_props "$n" "$count"
  done
  log "starting a cluster of $count KRaft nodes, Kafka $(kafka_version), on 127.0.0.1:$(node_port 1)..$(node_port "$count")"
  for n in $(seq 1 "$count"); do start_node "$n"; done
  for n in $(seq 1 "$count"); do wait_node "$n"; done
}

cluster_stop() {
  local n pid
  for n in $(seq 1 "$(cluster_nodes)"); do
    node_running "$n" || continue
    pid="$(cat "$(node_dir "$n")/kafka.pid")"; kill -TERM "$pid"
  done
  for n in $(seq 1 "$(cluster_nodes)"); do
    pid="$(cat "$(node_dir "$n")/kafka.pid" 2>/dev/null || true)"; [[ -n "$pid" ]] || continue
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true; rm -f "$(node_dir "$n")/kafka.pid"
  done
  log "cluster stopped"
}

cluster_status() {
  local n up=0 brokers=""
  for n in $(seq 1 "$(cluster_nodes)"); do
    if node_running "$n"; then up=$((up + 1)); log "node $n: running (pid $(cat "$(node_dir "$n")/kafka.pid")) on 127.0.0.1:$(node_port "$n")"; brokers+="${brokers:+,}127.0.0.1:$(node_port "$n")"
    else log "node $n: not running"; fi
  done
  [[ $up -gt 0 ]] || return 3
  (cd "$ROOT" && BROKERS="$brokers" node -e '
    const { Kafka, logLevel } = require("kafkajs");
    const admin = new Kafka({ brokers: process.env.BROKERS.split(","), logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
    (async () => {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => !t.startsWith("__"));
      const meta = topics.length ? await admin.fetchTopicMetadata({ topics }) : { topics: [] };
      const leads = new Map(); let under = 0, parts = 0;
      for (const t of meta.topics) for (const p of t.partitions) { parts++; leads.set(p.leader, (leads.get(p.leader) ?? 0) + 1); if (p.isr.length < p.replicas.length) under++; }
      console.log(`[kafka.sh] ${parts} partitions of ${topics.length} topics; leaders: ${[...leads].sort((a, b) => a[0] - b[0]).map(([b, n]) => `node ${b}: ${n}`).join(", ") || "none"}; under-replicated: ${under}`);
      await admin.disconnect();
    })().catch((e) => { console.log(`[kafka.sh] cannot describe the cluster: ${e.message}`); process.exit(0); });
  ')
}

if [[ "${1:-}" == start && "${2:-}" == --brokers ]]; then
  [[ "${3:-}" =~ ^[1-9]$ ]] || { echo "usage: $0 start --brokers N (1-9)" >&2; exit 2; }
  if [[ "$3" == 1 ]]; then start; else cluster_start "$3"; fi
  exit 0
fi
if [[ "$(cluster_nodes)" != 0 ]]; then
  case "${1:-}" in
    kill-broker) [[ -n "${2:-}" ]] && node_running "$2" || { log "node ${2:-?} is not running"; exit 1; }
      kill -KILL "$(cat "$(node_dir "$2")/kafka.pid")"; rm -f "$(node_dir "$2")/kafka.pid"; log "node $2 killed (SIGKILL)" ;;
    stop-broker) [[ -n "${2:-}" ]] && node_running "$2" || { log "node ${2:-?} is not running"; exit 1; }
      # Graceful (SIGTERM): the node hands its leaderships over before it exits, as in a rolling restart.
      pid="$(cat "$(node_dir "$2")/kafka.pid")"; kill -TERM "$pid"
      for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true; rm -f "$(node_dir "$2")/kafka.pid"; log "node $2 stopped (SIGTERM)" ;;
    start-broker) [[ -n "${2:-}" ]] || { echo "usage: $0 start-broker N" >&2; exit 2; }; start_node "$2"; wait_node "$2" ;;
    wipe-broker) [[ -n "${2:-}" ]] && ! node_running "$2" || { log "stop node ${2:-?} first (kill-broker)"; exit 1; }
      rm -rf "$(node_dir "$2")/data"; log "node $2: data directory removed" ;;
    stop) cluster_stop ;;
    status) cluster_status ;;
    restart) cluster_stop; cluster_start "$(cluster_nodes)" ;;
    reset) cluster_stop; rm -rf "$DIR"; log "removed $DIR" ;;
    *) echo "usage: $0 start --brokers N|kill-broker N|stop-broker N|start-broker N|wipe-broker N|stop|status|restart|reset (cluster in $DIR)" >&2; exit 2 ;;
  esac
  exit 0
fi

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) stop; rm -rf "$DIR"; log "removed $DIR" ;;
  *) echo "usage: $0 fetch|start [--brokers N]|stop|restart|status|reset" >&2; exit 2 ;;
esac
