/** Help of every command, shown by `sipcap help <command>` and `sipcap <command> --help`. */

const SETTINGS_NOTE = 'Settings come from the environment (or .env in the working directory), as for the apps.';

export const MAIN_HELP = `sipcap: control and test a sipcap deployment

Usage: sipcap <command> [options]

Commands:
  capture [on|off|clear]   show or set the global capture flag in Redis
  status                   agents seen recently, the capture flag, the writers' Kafka lag, SIP KPIs
  replay FILE --to H:P     send the SIP messages of a pcap/pcapng file as HEP to an agent
  db init                  create the database, the capture tables and the Kafka topics (idempotent)
  db stats                 rows per capture table in the last minute and hour
  help [command]           help of a command

Options:
  -h, --help               this help (every command takes it too)
  -V, --version            the sipcap version

Exit codes: 0 done, 1 a server, file or network failed, 2 wrong command line or setting.
${SETTINGS_NOTE}
Examples:
  sipcap capture on
  sipcap status
  sipcap replay samples/sample-calls.pcap --to 127.0.0.1:9060
  sipcap db init
`;

export const COMMAND_HELP: Record<string, string> = {
  capture: `Usage: sipcap capture [on|off|clear] [--json]

Without an argument, prints the capture state: its first word is "on" or "off" (the equivalent of
Kamailio's sip_capture command). When the key is absent, agents use their CAPTURE_ON setting and the
line says so.
  on, off   set the flag; every running agent follows within a fraction of a second
  clear     delete the key, so each agent falls back to its own CAPTURE_ON
  --json    print {"key","state","source","raw","captureOnDefault"} instead

Settings: REDIS_URL (redis://127.0.0.1:6379), CAPTURE_FLAG_KEY (capture_on), CAPTURE_ON (0).
${SETTINGS_NOTE}
Examples:
  sipcap capture          # -> on (key capture_on)
  sipcap capture off
  CAPTURE_FLAG_KEY=capture_lab sipcap capture on
`,
  status: `Usage: sipcap status [--json] [--sample MS] [--check [--expect on|off] [--max-lag N] [--max-lag-seconds S] [--min-agents N]]

Shows every agent that reported to Redis recently (node, app, pid, host, its capture state, the age of
its last report and its counters), the capture flag, how far the db-writers' consumer group is
behind the end of the topic (in Kafka messages, each holding one or more records; from the writers'
reports also in records, estimated, and the age of the oldest message not yet stored), a table of the
db-writers (partitions held, rows per second and in total, last insert, database errors, dead letters,
lag of their partitions), the Kafka brokers that answer with the topic's partitions missing a copy
(a broker down or behind) or without a leader, and the SIP KPIs per peer (attempts, ASR, NER, outcomes, active calls and
registrations, mean SRD and setup time, retransmissions) from the stats app at STATS_METRICS_URL
(http://127.0.0.1:9094; several instances comma-separated), when it answers.
Each counter shows its total since the agent started and its rate per second (received 1.3M (1.2k/s)).
Rates: the agents' counters are read twice, MS apart (default 1000); an agent that wrote a new report
in between gets its current rate, the others the average since they started (marked "avg"). Agents
report every 5 s, so --sample 6000 gives every agent a current rate. --sample 0 reads once.
Counters that are levels (kafkaQueued, and names ending in Queued, Queue, Connected, Open, InFlight,
Size or Buffered) are shown as they are. A report older than two periods is marked "stale"; at three
it expires.
  --json       machine-readable output (the same fields, rates per second)
  --sample MS  milliseconds between the two reads (0 to 60000)
  --check      a probe for Nagios, Kubernetes or cron: exit 3 (each problem on stderr) when an agent is
               missing or stale (fewer than --min-agents, default 1), no db-writer is in the group, the
               writers' lag is above --max-lag (Kafka messages, default 100000) or the oldest unstored
               message is older than --max-lag-seconds (default 300), a writer's report is stale, a partition
               misses a copy or a leader, or, with --expect, the flag or an agent is not in that capture
               state. Exit 0 healthy, 1 Redis or Kafka could not be asked, 2 usage error.

Exit code 1 when Redis or Kafka cannot be reached (what could be read is still printed).
Settings: REDIS_URL, CAPTURE_FLAG_KEY, CAPTURE_ON, KAFKA_BROKERS, KAFKA_TOPIC, KAFKA_GROUP_ID, STATS_METRICS_URL.
${SETTINGS_NOTE}
`,
  replay: `Usage: sipcap replay FILE --to HOST:PORT [options]

Reads a pcap or pcapng capture (Ethernet, Linux cooked, raw IP, VLAN, tunnels; IP fragments and TCP
streams reassembled), takes every SIP message and sends each as one HEP packet, with the captured
addresses, ports, transport and time. Besides SIP, UDP payloads that are RTCP (version 2, packet
type 200-207, any port) go as HEP type 5 with the Call-ID of the call whose SDP (c=/m=, a=rtcp)
announced their address earlier in the file (HEP v3 only; RTCP of no known call is skipped), and HEP
packets captured on their way to a collector (v1/v2/v3 that decode whole) are re-sent byte for byte
(--now, --node-id, --auth-key and --unique-callids do not change them). Anything else is skipped and
counted.
  --to HOST:PORT        the HEP receiver (hep-agent listens on 9060); [IPv6]:PORT for IPv6
  --transport udp|tcp   HEP over UDP (default) or TCP
  --rate N              messages per second (default 1000; 0: as fast as possible)
  --realtime            keep the capture's own timing instead of --rate
  --loop K              send the file K times (default 1)
  --unique-callids      append -<loop> (-1, -2, ...) to every Call-ID and A-leg header (CALLID_ALEG_HEADER,
                        X-CID by default), so each loop makes new calls whose legs stay linked
  --now                 stamp HEP with the time of sending instead of the capture time
  --hep 3|2|1           HEP version (default 3; 1 and 2 over UDP only)
  --node-id N           capture agent id in HEP (the node column becomes <CAPTURE_NODE>:<N>)
  --auth-key KEY        HEP v3 auth key, for an agent with HEP_AUTH_KEY set
  --json                print the summary as JSON
  --sip-only            send SIP messages only (no RTCP, no captured HEP)

On a terminal a progress bar is drawn on stderr; at the end one summary line (messages, bytes,
duration, rate, skipped packets) goes to stdout.
Rows keep the capture time unless --now is given: look for them at the capture's date.
Examples:
  sipcap replay samples/sample-calls.pcap --to 127.0.0.1:9060
  sipcap replay big.pcapng --to 127.0.0.1:9060 --transport tcp --rate 0 --loop 10 --unique-callids --now
`,
  db: `Usage: sipcap db <init|stats>

  db init    create the database, the capture tables and the Kafka topics (idempotent)
  db stats   rows per capture table in the last minute and hour
See: sipcap help db init, sipcap help db stats
`,
  'db init': `Usage: sipcap db init [--skip-db] [--skip-kafka]

Creates what is missing, leaves what exists, and prints for each part "created" or "exists":
  - the database named in DB_URL (PostgreSQL: UTF8; MySQL/MariaDB: utf8mb4)
  - the capture tables of TABLE_NAME as of now (dated names: today's; later ones are created by the
    db-writer), partitioned by day on PostgreSQL when DB_PARTITION=day, and the sipcap_offsets table
  - the report tables of RTCP_TABLE_NAME, REPORT_TABLE_NAME, LOGS_TABLE_NAME (rtcp_capture, report_capture,
    logs_capture), alike
  - the Kafka topic KAFKA_TOPIC and the dead-letter topic KAFKA_DLQ_TOPIC, with KAFKA_PARTITIONS
    partitions (an existing topic is never changed)
  --skip-db     only the Kafka topics
  --skip-kafka  only the database

Settings: DB_URL, TABLE_NAME, RTCP_TABLE_NAME, REPORT_TABLE_NAME, LOGS_TABLE_NAME, DB_PARTITION,
DB_PARTITION_AHEAD_DAYS, KAFKA_BROKERS, KAFKA_TOPIC, KAFKA_DLQ_TOPIC, KAFKA_PARTITIONS. ${SETTINGS_NOTE}
Examples:
  sipcap db init
  DB_URL=mysql://root@127.0.0.1:3306/homer_data sipcap db init --skip-kafka
`,
  'db stats': `Usage: sipcap db stats [--json]

Rows of each capture table of TABLE_NAME (for dated names: the tables of now and of an hour ago)
whose capture time (the date column, UTC) lies in the last minute and the last hour, the newest
capture time, and the database's estimate of all rows.
Replayed captures keep their capture time: replay with --now to see them counted here.
Settings: DB_URL, TABLE_NAME. ${SETTINGS_NOTE}
`,
  help: `Usage: sipcap help [command]

Prints the help of a command (capture, status, replay, db, db init, db stats), or the list of commands.
`,
};
