import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every operator setting, by its environment variable name (see settings.md). Names follow Kamailio's
 * sipcapture parameters in upper case so an existing configuration maps over one to one.
 * Each app validates the subset it uses (see `loadConfig`).
 */

const flag = (dflt: '0' | '1') =>
  z
    .enum(['0', '1', 'on', 'off', 'true', 'false', 'yes', 'no'], { error: 'expected 0 or 1 (also on/off, true/false, yes/no)' })
    .default(dflt)
    .transform((v) => v === '1' || v === 'on' || v === 'true' || v === 'yes');

const int = (dflt: number, min: number, max: number) =>
  z
    .string()
    .default(String(dflt))
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max, {
      error: `expected a whole number from ${min} to ${max}`,
    })
    .transform(Number);

/** `host:port`, `[v6]:port` or `:port`; host defaults to 0.0.0.0. */
const listen = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .transform((v, ctx) => {
      const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(v.trim());
      const p = m ? Number(m[3]) : NaN;
      if (!m || p < 1 || p > 65535) {
        ctx.addIssue({ code: 'custom', message: 'expected host:port (e.g. 0.0.0.0:9060)' });
        return z.NEVER;
      }
      return { host: m[1] ?? (m[2] || '0.0.0.0'), port: p };
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const headerList = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .transform((v) =>
      v
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((names) => names.every((n) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(n)), {
      error: 'expected ;-separated SIP header names',
    });

/** One SIP header name, or unset. */
const headerName = optionalString.refine((v) => v === undefined || /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(v), {
  error: 'expected one SIP header name',
});

const dbUrl = z
  .string()
  .default('postgres://postgres@127.0.0.1:5432/sipcapture')
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return ['postgres:', 'postgresql:', 'mysql:'].includes(u.protocol) && u.hostname !== '' && u.pathname.length > 1;
      } catch {
        return false;
      }
    },
    { error: 'expected a postgres://, postgresql:// or mysql:// URL with a host and a database name' },
  );

/** The strftime fields a table name may carry (expanded in UTC by the store). */
export const STRFTIME_FIELDS = ['Y', 'm', 'd', 'H', 'M', 'j', 'y', 'G', 'V', 'u', '%'] as const;
/** One table name: a letter or _ first, then letters, digits, _ and known strftime fields (`%Q` is refused here, at start). */
const ONE_TABLE = new RegExp(`^[A-Za-z_](?:[A-Za-z0-9_]|%[${STRFTIME_FIELDS.join('')}])*$`);
const TABLE_CHARS = `letters, digits, _ and the strftime fields ${STRFTIME_FIELDS.map((f) => '%' + f).join(' ')}`;

const tableName = z
  .string()
  .default('sip_capture')
  .refine((v) => v.split('|').every((t) => ONE_TABLE.test(t.trim())), {
    error: `expected one or more |-separated table names (${TABLE_CHARS})`,
  });

/** One table name of a report kind (strftime fields allowed, no `|`: report tables have no mt_mode). */
const reportTableName = (name: string) =>
  z
    .string()
    .default(name)
    .refine((v) => ONE_TABLE.test(v.trim()), {
      error: `expected one table name (${TABLE_CHARS})`,
    })
    .transform((v) => v.trim());

/** A HOMER 5 kind table (CALL_TABLE_NAME...): one name with strftime fields, or empty for TABLE_NAME. */
const kindTableName = z
  .string()
  .default('')
  .refine((v) => v.trim() === '' || ONE_TABLE.test(v.trim()), {
    error: `expected one table name (${TABLE_CHARS}), or empty`,
  })
  .transform((v) => v.trim());

/** A comma-separated list (FILTER_* settings), each entry checked by `valid`. */
const list = (valid: (v: string) => boolean, what: string) =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((items) => items.every(valid), { error: `expected comma-separated ${what}` });

const isCidr = (v: string) => {
  const [addr, bits, extra] = v.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
};

/** `ip[:port[-port]]`, as Kamailio's raw_socket_listen. */
const rawListen = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const s = v.trim();
    if (s === '') return undefined;
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+))(?::(\d{1,5})(?:-(\d{1,5}))?)?$/.exec(s);
    const ip = m ? (m[1] ?? m[2]) : undefined;
    const from = m?.[3] ? Number(m[3]) : 5060;
    const to = m?.[4] ? Number(m[4]) : from;
    if (!m || !ip || from < 1 || to > 65535 || to < from) {
      ctx.addIssue({ code: 'custom', message: 'expected ip[:port[-port]] (e.g. 10.0.0.1:5060-5090)' });
      return z.NEVER;
    }
    return { ip, portFrom: from, portTo: to };
  });

/** `port-port` (or one port), or empty: a UDP port range, e.g. RTCP_PORT_RANGE=10000-20000. */
const optionalPortRange = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const s = v.trim();
    if (s === '') return undefined;
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(s);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || to < from) {
      ctx.addIssue({ code: 'custom', message: 'expected a port range start-end (e.g. 10000-20000), or empty for none' });
      return z.NEVER;
    }
    return { from, to };
  });

export const SETTINGS = {
  // storage (db-writer, cli, web)
  // postgres://user:password@host:5432/db or mysql://user:password@host:3306/db. TLS goes in the URL: ?sslmode=verify-full&sslrootcert=/path/ca.pem (PostgreSQL), ?ssl={"rejectUnauthorized":true} (MySQL/MariaDB); see SECURITY.md.
  DB_URL: dbUrl,
  TABLE_NAME: tableName,
  MT_MODE: z.enum(['rand', 'round_robin', 'hash'], { error: 'expected rand, round_robin or hash' }).default('rand'),
  HASH_SOURCE: z.enum(['call_id', 'from_user', 'to_user'], { error: 'expected call_id, from_user or to_user' }).default('call_id'),
  // Tables of the report records (HEP 5 RTCP; 32-35, 99 QoS reports; 100 logs), strftime fields allowed, as TABLE_NAME.
  RTCP_TABLE_NAME: reportTableName('rtcp_capture'),
  REPORT_TABLE_NAME: reportTableName('report_capture'),
  LOGS_TABLE_NAME: reportTableName('logs_capture'),
  // HOMER 5 routing by kind of message (CSeq method): empty follows TABLE_NAME, e.g. sip_capture_call_%Y%m%d.
  CALL_TABLE_NAME: kindTableName,
  REGISTRATION_TABLE_NAME: kindTableName,
  REST_TABLE_NAME: kindTableName,
  DB_INSERT_MODE: int(0, 0, 1),
  DB_BATCH_SIZE: int(5000, 1, 100_000),
  DB_FLUSH_MS: int(200, 1, 60_000),
  // Insert transactions one db-writer runs at once, each for its share of the partitions (overlaps encoding and inserting).
  DB_CONNECTIONS: int(2, 1, 16),
  DB_PARTITION: z.enum(['none', 'day'], { error: 'expected none or day' }).default('none'),
  DB_PARTITION_AHEAD_DAYS: int(3, 0, 366),
  // Past days that still get a day partition or dated table of their own; older rows go to the default partition (or today's dated table).
  DB_TIME_WINDOW_DAYS: int(7, 0, 36_500),
  DB_RETENTION_DAYS: int(0, 0, 36_500),
  // Days kept per table template, overriding DB_RETENTION_DAYS: `sip_capture_registration_%Y%m%d=2,rtcp_capture=3` (checked by the db-writer against the tables it writes).
  DB_RETENTION_TABLES: z.string().default(''),
  // A SIP message whose bytes were stored within this many ms (capture time) is a copy and not stored again (0: off; keep it below T1, 500 ms, to keep retransmissions).
  DEDUP_WINDOW_MS: int(0, 0, 10_000),
  DEDUP_MAX_KEYS: int(50_000, 100, 1_000_000),
  // A soft limit on the database's size in MB (PostgreSQL pg_database_size, MySQL information_schema): above it the db-writer pauses writes as if the disk were full (0: off).
  DB_SIZE_MAX_MB: int(0, 0, 1_000_000_000),
  // MySQL/MariaDB: pause writes while the file system of the server's data directory has less free space than this, in MB (0: off). MariaDB aborts when it runs out of space rolling back a refused statement, so it must not fill its disk; read from the DISKS plugin (INSTALL SONAME 'disks'). Leave room for what the writers store in DB_SIZE_CHECK_S.
  DB_DISK_MIN_FREE_MB: int(0, 0, 1_000_000_000),
  // How often the db-writer reads the database's size (DB_SIZE_MAX_MB) and free space (DB_DISK_MIN_FREE_MB), in seconds.
  DB_SIZE_CHECK_S: int(60, 1, 3600),
  // While writes are paused for lack of space, drop what is past DB_RETENTION_DAYS/DB_RETENTION_TABLES at once (and every minute) instead of waiting for the hourly run; never a day still kept, never the current day.
  DB_DISK_FULL_DROP_EXPIRED: flag('0'),

  // capture flag and fleet (agents, cli)
  CAPTURE_ON: flag('0'),
  CAPTURE_FLAG_KEY: z.string().min(1, { error: 'expected a Redis key name' }).default('capture_on'),
  // The Redis of the capture flag and the fleet reports: redis://[user:password@]host:port[/db]; rediss:// for TLS.
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\/[^\s]+$/.test(v), { error: 'expected a redis:// or rediss:// URL' }),
  // Redis password (AUTH), when REDIS_URL does not hold one (redis://:password@host or redis://user:password@host).
  REDIS_PASSWORD: optionalString,
  // TLS to Redis (rediss:// URLs only): PEM file of the CA that signed the server's certificate (else the system CAs).
  REDIS_TLS_CA_FILE: optionalString,
  // PEM client certificate, when the server asks for one (redis-server's tls-auth-clients, on by default); with REDIS_TLS_KEY_FILE.
  REDIS_TLS_CERT_FILE: optionalString,
  // PEM private key of REDIS_TLS_CERT_FILE.
  REDIS_TLS_KEY_FILE: optionalString,
  // 1: the agents run CONFIG SET notify-keyspace-events to learn of flag changes at once; 0 (default) leaves a
  // shared Redis alone: the flag then follows the CLI's <key>:changed channel and the periodic re-read.
  REDIS_SET_KEYSPACE_EVENTS: flag('0'),

  // Kafka (all)
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)), {
      error: 'expected comma-separated host:port brokers',
    }),
  // Kafka's security.protocol: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT (login, no TLS) or SASL_SSL (login over TLS). A refused login or certificate stops the app with the reason.
  KAFKA_SECURITY_PROTOCOL: z
    .enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], { error: 'expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL' })
    .default('PLAINTEXT'),
  // Kafka's sasl.mechanism for SASL_PLAINTEXT and SASL_SSL: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (any case), with KAFKA_SASL_USERNAME.
  KAFKA_SASL_MECHANISM: z
    .string()
    .default('SCRAM-SHA-512')
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], { error: 'expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512' })),
  // The SASL user, for SASL_PLAINTEXT and SASL_SSL.
  KAFKA_SASL_USERNAME: optionalString,
  // The SASL password; KAFKA_SASL_PASSWORD_FILE wins when both are set.
  KAFKA_SASL_PASSWORD: optionalString,
  // A file holding the SASL password (e.g. a Docker/Kubernetes secret; one trailing newline is dropped).
  KAFKA_SASL_PASSWORD_FILE: optionalString,
  // PEM file of the CA that signed the brokers' certificates (SSL, SASL_SSL; else the system CAs).
  KAFKA_SSL_CA_FILE: optionalString,
  // PEM client certificate, when the brokers ask for one (ssl.client.auth=required); with KAFKA_SSL_KEY_FILE.
  KAFKA_SSL_CERT_FILE: optionalString,
  // PEM private key of KAFKA_SSL_CERT_FILE.
  KAFKA_SSL_KEY_FILE: optionalString,
  // Passphrase of an encrypted KAFKA_SSL_KEY_FILE.
  KAFKA_SSL_KEY_PASSWORD: optionalString,
  // 0 accepts any broker certificate and name (tests only: the link is then open to a man in the middle).
  KAFKA_SSL_VERIFY: flag('1'),
  KAFKA_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'expected a Kafka topic name' })
    .default('sip.capture'),
  KAFKA_DLQ_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'expected a Kafka topic name' })
    .default('sip.capture.dlq'),
  KAFKA_PARTITIONS: int(12, 1, 10_000),
  // Copies of each partition of the topics sipcap creates (0: the cluster's size, at most 3; 1 on a single broker). An existing topic keeps its own (a warning says when it has fewer).
  KAFKA_REPLICATION_FACTOR: int(0, 0, 16),
  // Copies that must have a record before it is acknowledged (min.insync.replicas of the topics sipcap creates; 0: 2 with 3 or more copies, else 1). With acks=all, a broker may die without losing an acknowledged record.
  KAFKA_MIN_INSYNC_REPLICAS: int(0, 0, 16),
  KAFKA_GROUP_ID: z.string().min(1).default('sipcap-db-writer'),
  // none by default: gzip (the only codec kafkajs has built in) halves what one agent or writer core moves (bench/README.md).
  KAFKA_COMPRESSION: z.enum(['none', 'gzip'], { error: 'expected none or gzip' }).default('none'),
  // Records per produce request, and how long records wait for a request to fill (fewer, fuller requests:
  // kafkajs' and the broker's cost is mostly per request and per partition batch, not per record).
  KAFKA_BATCH_MAX: int(2000, 1, 100_000),
  KAFKA_LINGER_MS: int(20, 0, 10_000),
  // Records an agent holds for Kafka while it is slow or unreachable; beyond it the record is dropped and counted (sipcap_kafka_dropped_total{reason="queue_full"}).
  KAFKA_QUEUE_MAX: int(200_000, 1_000, 10_000_000),
  // The same bound in bytes of the queued records (256 MiB): a full queue in bytes drops and counts the same way.
  KAFKA_QUEUE_MAX_BYTES: int(256 * 1024 * 1024, 1024 * 1024, 8 * 1024 * 1024 * 1024),
  // The largest encoded record an agent sends (bytes): a larger one is dropped before the queue and counted (reason "too_large"). Also the bound of one partition's batch in a produce request and of a dead letter (truncated beyond it). Keep it below the broker's message.max.bytes (1 MiB by default) and the topic's max.message.bytes.
  KAFKA_MAX_RECORD_BYTES: int(900 * 1024, 4096, 64 * 1024 * 1024),
  // How long stopping waits for Kafka to take what is queued; what remains is dropped, counted (reason "stopping") and logged.
  KAFKA_FLUSH_TIMEOUT_MS: int(10_000, 0, 600_000),

  // record derivation (agents)
  CAPTURE_NODE: z.string().min(1).max(125).default('homer01'),
  CALLID_ALEG_HEADER: headerList('X-CID'),
  CUSTOM_FIELD1_HEADER: headerName,
  CUSTOM_FIELD2_HEADER: headerName,
  CUSTOM_FIELD3_HEADER: headerName,
  CAPTURE_BAD_MSGS: flag('0'),
  // Filters at the agents, before Kafka (methods match the CSeq method, so replies go with their request).
  FILTER_DISCARD_METHODS: list((v) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(v), 'SIP methods (OPTIONS,NOTIFY)'),
  FILTER_DISCARD_CODES: list((v) => /^[1-6]\d\d$/.test(v), 'status codes (100,183)').transform((l) => l.map(Number)),
  FILTER_DISCARD_SRC: list(isCidr, 'addresses or CIDRs (10.0.0.0/8,2001:db8::/32)'),
  FILTER_DISCARD_DST: list(isCidr, 'addresses or CIDRs (10.0.0.0/8,2001:db8::/32)'),
  FILTER_DISCARD_UA: z
    .string()
    .default('')
    .refine(
      (v) => {
        try {
          new RegExp(v, 'i');
          return v.length <= 200;
        } catch {
          return false;
        }
      },
      { error: 'expected a regular expression of at most 200 characters (friendly-scanner|sipvicious)' },
    ),
  FILTER_CENSOR_METHODS: list((v) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(v), 'SIP methods (MESSAGE)'),
  // A capture time further than this from the agent's clock is replaced by the receive time (0: off).
  CAPTURE_TIME_WINDOW_S: int(86_400, 0, 31_536_000),

  // hep-agent
  HEP_CAPTURE_ON: flag('1'),
  HEP_LISTEN: listen('0.0.0.0:9060'),
  HEP_TLS_LISTEN: z.union([z.undefined(), z.literal('').transform(() => undefined), listen('')]),
  HEP_TLS_CERT: optionalString,
  HEP_TLS_KEY: optionalString,
  HEP_AUTH_KEY: optionalString,
  HEP_UDP_RCVBUF: int(64 * 1024 * 1024, 65_536, 2 ** 31 - 1),
  // hep-agent processes that share the UDP socket and the TCP/TLS listeners, each with its own decoder and
  // Kafka producer (the primary watches the flag, reports and serves /metrics); 0: one per core.
  HEP_WORKERS: int(0, 0, 256),
  // HEP over TCP/TLS: open connections per listener, per source address (TCP and TLS together); a connection
  // with no complete frame for HEP_TCP_IDLE_TIMEOUT_S is closed; MiB of incomplete frames all connections may
  // hold; time a TLS client has to finish its handshake. With HEP_WORKERS above 1 each worker holds its share.
  HEP_TCP_MAX_CONNECTIONS: int(2048, 1, 1_000_000),
  HEP_TCP_MAX_PER_SOURCE: int(128, 1, 1_000_000),
  HEP_TCP_IDLE_TIMEOUT_S: int(300, 1, 86_400),
  HEP_TCP_PENDING_MB: int(32, 1, 4096),
  HEP_TLS_HANDSHAKE_TIMEOUT_MS: int(5000, 100, 120_000),

  // raw agents
  RAW_IPIP_CAPTURE_ON: flag('0'),
  RAW_MONI_CAPTURE_ON: flag('0'),
  RAW_SOCKET_LISTEN: rawListen,
  RAW_INTERFACE: optionalString,
  RAW_SOCK_CHILDREN: int(1, 1, 64),
  PROMISCUOUS_ON: flag('0'),
  RAW_MONI_BPF_ON: flag('0'),
  PCAP_FILE: optionalString,
  PCAP_PACE: z.enum(['realtime', 'fast'], { error: 'expected realtime or fast' }).default('fast'),
  PCAP_BUFFER_MB: int(64, 1, 2048),
  // RTCP capture (mirror-agent): UDP ports of the media (empty: off); the SDP address → Call-ID map's bounds and expiry.
  RTCP_PORT_RANGE: optionalPortRange,
  RTCP_SDP_MAX_ITEMS: int(200_000, 16, 10_000_000),
  RTCP_SDP_MAX_MB: int(32, 1, 4096),
  RTCP_SDP_TTL_S: int(600, 1, 86_400),

  // web
  // Address of the web app (page and API); a non-loopback address needs WEB_AUTH_TOKEN.
  WEB_LISTEN: listen('127.0.0.1:8080'),
  // Bearer token of every web route but the page's own files; required when WEB_LISTEN is not a loopback
  // address. Without it only loopback Host headers are answered (DNS rebinding).
  WEB_AUTH_TOKEN: optionalString.refine((v) => v === undefined || (v.length >= 16 && !/\s/.test(v)), {
    error: 'expected at least 16 characters without spaces (e.g. from: openssl rand -hex 24)',
  }),
  // Longest time range of a search without a filter on an indexed column (callid, from_user, to_user, ruri_user,
  // pid_user, auth_user); a wider one is refused with 400 naming them.
  WEB_SEARCH_MAX_RANGE_S: int(86_400, 60, 366 * 86_400),
  // Server-side timeout of each web query: PostgreSQL statement_timeout, MySQL max_execution_time, MariaDB
  // max_statement_time; a query stopped by it answers 504.
  WEB_QUERY_TIMEOUT_MS: int(15_000, 100, 600_000),
  // Requests one client address may make per WEB_RATE_LIMIT_WINDOW_S (every route, the page's files too);
  // beyond, 429 with Retry-After.
  WEB_RATE_LIMIT_MAX: int(600, 1, 1_000_000),
  // The window of WEB_RATE_LIMIT_MAX, in seconds.
  WEB_RATE_LIMIT_WINDOW_S: int(60, 1, 86_400),
  // Largest pcap or text export of one call, in bytes; a longer one stops at the last whole packet or message.
  WEB_EXPORT_MAX_BYTES: int(64 * 1024 * 1024, 4096, 2 ** 31 - 1),

  // stats (SIP KPIs and call quality): peer names of addresses, comma-separated `name=address[/bits]` (`carrierA=203.0.113.0/24,pbx=10.0.0.5`, IPv4 and IPv6); the longest prefix wins, every other address is `other`.
  STATS_PEERS: z
    .string()
    .default('')
    .refine(
      (v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .every((item) => {
            const m = /^([A-Za-z0-9_.-]{1,64})=([^/\s]+)(?:\/(\d{1,3}))?$/.exec(item);
            const family = m ? isIP(m[2]) : 0;
            return m !== null && m[1] !== 'other' && family !== 0 && (m[3] === undefined || Number(m[3]) <= (family === 4 ? 32 : 128));
          }),
      { error: 'expected comma-separated name=address[/bits] (e.g. carrierA=203.0.113.0/24,pbx=10.0.0.5); names other than "other"' },
    ),
  // A repeat of a transaction's request or reply within this window is a retransmission.
  STATS_RETRANS_WINDOW_S: int(32, 1, 600),
  // A call without a message for this long is dropped (counted as expired; an answered one leaves the active calls).
  STATS_CALL_TTL_S: int(10_800, 10, 7 * 86_400),
  // Most calls, transactions and registrations one stats instance holds; past it the oldest go (counted as evicted).
  STATS_STATE_MAX_ITEMS: int(1_000_000, 1_000, 100_000_000),
  // MiB (estimated, ~725 bytes per answered call) that state may take; past it the oldest go (counted as evicted).
  STATS_STATE_MAX_MB: int(512, 1, 65_536),
  // RTP clock rate that RTCP jitter is counted in (8000 for G.711/G.729).
  STATS_RTP_CLOCK_HZ: int(8000, 1000, 192_000),
  // Where `sipcap status` reads the KPI table: the /metrics base URL of each stats instance, comma-separated (their figures add up).
  STATS_METRICS_URL: z
    .string()
    .default('http://127.0.0.1:9094')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((u) => /^https?:\/\/[^\s/]+$/.test(u)), {
      error: 'expected comma-separated http://host:port base URLs of stats instances',
    }),

  // all apps
  METRICS_PORT: int(0, 0, 65535),
  // Address of /metrics and /healthz: loopback unless set otherwise (0.0.0.0 in a container whose port is published, or for a Prometheus elsewhere).
  METRICS_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]> };

/** Settings whose values are never logged. */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set([
  'HEP_AUTH_KEY',
  'HEP_TLS_KEY',
  'WEB_AUTH_TOKEN',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD',
  'REDIS_PASSWORD',
]);

/** The Kafka transport security settings: every app that talks to Kafka loads them. */
export const KAFKA_SECURITY_SETTINGS = [
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SSL_VERIFY',
] as const satisfies readonly SettingName[];

/** The Redis password and TLS settings: every app that talks to Redis loads them (with REDIS_URL). */
export const REDIS_SECURITY_SETTINGS = [
  'REDIS_PASSWORD',
  'REDIS_TLS_CA_FILE',
  'REDIS_TLS_CERT_FILE',
  'REDIS_TLS_KEY_FILE',
] as const satisfies readonly SettingName[];

export type KafkaSecuritySettings = Pick<Settings, (typeof KAFKA_SECURITY_SETTINGS)[number]>;
export type RedisSecuritySettings = Pick<Settings, 'REDIS_URL' | (typeof REDIS_SECURITY_SETTINGS)[number]>;
