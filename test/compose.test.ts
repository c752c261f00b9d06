import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '@sipcap/config';

// docker-compose.yml is the production deployment; there is no Docker engine here, so it is checked
// against the Compose Specification's JSON schema, by `docker compose config` where the compose tool
// exists, and by reading it in every case.
type Healthcheck = { test?: string[]; disable?: boolean };
type Service = {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  profiles?: string[];
  network_mode?: string;
  cap_add?: string[];
  deploy?: { replicas?: number };
  restart?: string;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition?: string }> | string[];
  logging?: { driver?: string; options?: Record<string, string> };
  volumes?: string[];
};
type ComposeFile = { services: Record<string, Service> };

/** A compose file as compose reads it: YAML merge keys (`<<`) resolved. */
const load = (file: string) => parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
const compose = load('docker-compose.yml');
const clusterOverride = load('docker-compose.cluster.yml');
const services = compose.services;
const ours = Object.entries(services).filter(([, s]) => s.build !== undefined);
/** Services that stay up (not the one-off init job nor the `tools` profile's cli). */
const longRunning = (c: ComposeFile) => Object.entries(c.services).filter(([, s]) => s.restart !== 'no');

/** What compose substitutes when the variable is not set: `${X:-d}` -> d, `${X}` -> ''. */
function withDefaults(text: string): string {
  return text.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_, d: string | undefined) => d ?? '');
}

/** An override file merged onto the base as compose merges them: maps key by key, the rest replaced. */
function mergeCompose(base: unknown, over: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over))
    return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeCompose(out[k], v) : v;
  return out;
}
const cluster = mergeCompose(compose, clusterOverride) as ComposeFile;

function appOf(s: Service): string | undefined {
  const text = [...(s.entrypoint ?? []), ...(s.command ?? [])].join(' ');
  return /dist\/apps\/([a-z-]+)\/main\.js/.exec(text)?.[1];
}

function defaultMetricsPort(app: string): string | undefined {
  return /METRICS_PORT: '(\d+)'/.exec(readFileSync(`apps/${app}/src/main.ts`, 'utf8'))?.[1];
}

/** The official schema (test/support/compose-spec/README.md says where it comes from). */
function composeSchemaValidator() {
  const require = createRequire(import.meta.url);
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema names its meta-schema by https; Ajv ships draft-07 under its http name.
  ajv.addMetaSchema({ ...require('ajv/dist/refs/json-schema-draft-07.json'), $id: 'https://json-schema.org/draft-07/schema' });
  return ajv.compile(JSON.parse(readFileSync('test/support/compose-spec/compose-spec.json', 'utf8')));
}

describe('docker-compose.yml', () => {
  it('passes `docker compose config` where the compose tool is installed', () => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) return; // no compose plugin on this machine: the checks below still run
    for (const files of [
      ['-f', 'docker-compose.yml'],
      ['-f', 'docker-compose.yml', '-f', 'docker-compose.cluster.yml'],
    ]) {
      const r = spawnSync('docker', ['compose', ...files, '--profile', 'raw', '--profile', 'tools', '--profile', 'tls', 'config', '-q'], {
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('follows the Compose Specification schema: the base file, the cluster override, and the two merged, before and after interpolation', () => {
    const validate = composeSchemaValidator();
    for (const [file, doc] of [
      ['docker-compose.yml', compose],
      ['docker-compose.cluster.yml', clusterOverride],
      ['merged', cluster],
    ] as const) {
      expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // Compose validates again after interpolation: the same with every variable at its default.
      const interpolated: unknown = JSON.parse(JSON.stringify(doc), (_, v: unknown) => (typeof v === 'string' ? withDefaults(v) : v));
      expect(validate(interpolated), `${file}, interpolated: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // The check can fail: a misspelt key and a wrong type are refused.
    expect(validate({ services: { a: { image: 'x', helthcheck: {} } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', ports: 9060 } } })).toBe(false);
  });

  it('needs no variable to parse: no ${X:?} that fails every command, so one-off commands run without the secrets', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.cluster.yml'])
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\$\{[A-Z0-9_]+:?\?/);
    expect(readFileSync('.env.example', 'utf8')).toMatch(/^POSTGRES_PASSWORD=$/m);
    expect(readFileSync('.env.example', 'utf8')).toMatch(/^WEB_AUTH_TOKEN=$/m);
    // Without a token the web app refuses to start when it listens beyond loopback (apps/web checks it).
    expect(services.web.environment?.WEB_AUTH_TOKEN).toBe('${WEB_AUTH_TOKEN:-}');
    expect(services.web.environment?.WEB_LISTEN).toMatch(/^0\.0\.0\.0:/);
  });

  it('runs one-off sipcap commands: `docker compose run --rm cli status` and the init job keep their arguments', () => {
    const cli = services.cli;
    expect(cli.profiles).toEqual(['tools']);
    expect(cli.entrypoint).toEqual(['/usr/bin/tini', '--', 'node', 'dist/apps/cli/main.js']);
    expect(cli.command).toEqual(['status']); // `run --rm cli <args>` replaces the command only
    expect(cli.restart).toBe('no');
    // The init job uses the image's entrypoint (tini, node): its command is node's arguments, no shell.
    const image = /^ENTRYPOINT (.*)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(JSON.parse(image!)).toEqual(['/usr/bin/tini', '--', 'node']);
    expect(services.init.entrypoint).toBeUndefined();
    expect(services.init.command).toEqual(['dist/apps/cli/main.js', 'db', 'init']);
    for (const [name, s] of ours) expect(s.entrypoint?.join(' ') ?? '', name).not.toMatch(/sh -c/);
    // The guide's end-to-end check replays the sample calls from inside the image.
    expect(readFileSync('docs/operations.md', 'utf8')).toContain(
      'docker compose run --rm cli replay samples/sample-calls.pcap --to hep-agent:9060',
    );
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^COPY --from=build \/src\/samples \.\/samples$/m);
    expect(existsSync('samples/sample-calls.pcap')).toBe(true);
  });

  it('has a healthcheck on every long-running service (the apps: /healthz with node), and waits on them', () => {
    for (const c of [compose, cluster]) {
      for (const [name, s] of longRunning(c)) {
        expect(s.healthcheck?.test?.length, `${name} has a healthcheck`).toBeGreaterThan(0);
        expect(s.healthcheck?.disable, name).not.toBe(true);
        if (s.build) {
          expect(s.healthcheck?.test?.slice(0, 3), name).toEqual(['CMD', 'node', '-e']);
          expect(s.healthcheck?.test?.[3], name).toMatch(/process\.env\.METRICS_PORT\+'\/healthz'/);
          expect(s.environment?.METRICS_PORT, name).toMatch(/^\d+$/);
        }
      }
      for (const [name, s] of Object.entries(c.services)) {
        expect(Array.isArray(s.depends_on), `${name}: depends_on with conditions`).toBe(false);
        for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
          const expected = c.services[dep].restart === 'no' ? 'service_completed_successfully' : 'service_healthy';
          expect(d.condition, `${name} -> ${dep}`).toBe(expected);
        }
      }
    }
    // Writers before agents: an agent starts once a writer is healthy.
    for (const name of ['hep-agent', 'ipip-agent', 'mirror-agent'])
      expect(Object.keys(services[name].depends_on ?? {}), name).toContain('db-writer');
  });

  it('rotates every container log (json-file, size and file count bounded)', () => {
    for (const c of [compose, cluster]) {
      for (const [name, s] of Object.entries(c.services)) {
        expect(s.logging?.driver, name).toBe('json-file');
        expect(s.logging?.options?.['max-size'], name).toMatch(/^\d+[kmg]$/);
        expect(Number(s.logging?.options?.['max-file']), name).toBeGreaterThan(0);
      }
    }
  });

  it('keeps data for a bounded time by default: day partitions, DB_RETENTION_DAYS, and Kafka retention to match', () => {
    const env = services['db-writer'].environment!;
    expect(env.DB_PARTITION).toBe('day');
    expect(services.init.environment?.DB_PARTITION).toBe('day'); // db init creates the partitioned tables
    const days = Number(withDefaults(env.DB_RETENTION_DAYS));
    expect(days).toBeGreaterThan(0);
    for (const c of [compose, cluster]) {
      for (const [name, s] of Object.entries(c.services).filter(([, s]) => s.image?.startsWith('apache/kafka:'))) {
        expect(Number(withDefaults(s.environment!.KAFKA_LOG_RETENTION_HOURS)), name).toBe(days * 24);
      }
    }
    expect(readFileSync('.env.example', 'utf8')).toContain(`DB_RETENTION_DAYS=${days}\nKAFKA_RETENTION_HOURS=${days * 24}`);
  });

  it('publishes no metrics port and no Redis on all interfaces, and Redis not on 6379 (a host Redis keeps it)', () => {
    const metricsPorts = new Set(
      Object.values(services)
        .map((s) => s.environment?.METRICS_PORT)
        .filter(Boolean),
    );
    for (const c of [compose, cluster]) {
      for (const [name, s] of Object.entries(c.services)) {
        for (const p of (s.ports ?? []).map(withDefaults)) {
          const parts = p.replace(/\/(udp|tcp)$/, '').split(':');
          const [host, , container] = parts.length === 3 ? parts : ['0.0.0.0', ...parts];
          if (metricsPorts.has(container) || name === 'redis') expect(host, `${name} publishes ${p}`).toBe('127.0.0.1');
          if (name === 'redis') expect(parts[1], `${name} publishes ${p}`).not.toBe('6379');
        }
      }
    }
  });

  it("has a TLS front for the page in the tls profile, with the operator's certificate mounted", () => {
    const tls = services.tls;
    expect(tls.profiles).toEqual(['tls']);
    expect(tls.image).toMatch(/^caddy:\d/);
    expect(tls.volumes).toEqual(expect.arrayContaining(['./caddy/Caddyfile:/etc/caddy/Caddyfile:ro', './tls:/etc/caddy/tls:ro']));
    expect(tls.ports).toEqual(['443:443']);
    const caddyfile = readFileSync('caddy/Caddyfile', 'utf8');
    expect(caddyfile).toMatch(/tls \/etc\/caddy\/tls\/cert\.pem \/etc\/caddy\/tls\/key\.pem/);
    expect(caddyfile).toContain(`reverse_proxy web:${services.web.environment!.WEB_LISTEN.split(':')[1]}`);
  });

  it('runs three KRaft brokers with replication factor 3 and min.insync.replicas 2 in the cluster file, every app bootstrapping from all', () => {
    const brokers = Object.entries(cluster.services).filter(([, s]) => s.image?.startsWith('apache/kafka:'));
    expect(brokers.map(([n]) => n)).toEqual(['kafka', 'kafka-2', 'kafka-3']);
    const ids = new Set<string>();
    for (const [name, s] of brokers) {
      const env = s.environment!;
      ids.add(env.KAFKA_NODE_ID);
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS, name).toBe('1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_MIN_INSYNC_REPLICAS, name).toBe('2');
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_ADVERTISED_LISTENERS, name).toContain(`PLAINTEXT://${name}:9092`);
      expect(s.healthcheck?.test, name).toBeDefined();
    }
    expect(ids.size).toBe(3);
    expect(new Set(brokers.map(([, s]) => s.environment!.CLUSTER_ID)).size).toBe(1);
    // The raw agents (host network) reach every broker through its own listener on 127.0.0.1.
    const hostListeners = brokers.map(([name, s]) => {
      const port = /HOST:\/\/127\.0\.0\.1:(\d+)/.exec(s.environment!.KAFKA_ADVERTISED_LISTENERS)?.[1];
      expect(s.ports, name).toEqual([`127.0.0.1:${port}:${port}`]);
      return `127.0.0.1:${port}`;
    });
    for (const name of ['ipip-agent', 'mirror-agent'])
      expect(cluster.services[name].environment?.KAFKA_BROKERS, name).toBe(hostListeners.join(','));
    for (const [name, s] of Object.entries(cluster.services)) {
      if (!s.build || s.network_mode === 'host') continue;
      if (name === 'web') continue; // reads the database only
      expect(s.environment?.KAFKA_BROKERS, name).toBe('kafka:9092,kafka-2:9092,kafka-3:9092');
    }
    expect(Object.keys(cluster.services.init.depends_on ?? {})).toEqual(expect.arrayContaining(['kafka', 'kafka-2', 'kafka-3']));
  });

  it('has Kafka, PostgreSQL, Redis, the init job, both pipelines and the raw agents', () => {
    for (const name of [
      'kafka',
      'postgres',
      'redis',
      'init',
      'cli',
      'tls',
      'hep-agent',
      'db-writer',
      'ipip-agent',
      'mirror-agent',
      'stats',
      'prometheus',
      'grafana',
    ])
      expect(services[name], name).toBeDefined();
    expect(services['db-writer'].deploy?.replicas).toBeGreaterThan(1);
  });

  it('names only settings that the config lib knows in the sipcap services', () => {
    for (const [name, s] of ours) {
      for (const key of Object.keys(s.environment ?? {})) expect(Object.keys(SETTINGS), `${name}: ${key}`).toContain(key);
    }
  });

  it('builds from a context with the Dockerfile, and runs apps that exist', () => {
    for (const [name, s] of ours) {
      expect(existsSync(`${s.build}/Dockerfile`), name).toBe(true);
      const app = appOf(s);
      expect(app, `${name} runs an app`).toBeDefined();
      if (app !== 'cli') expect(app).toBe(name);
      expect(existsSync(`apps/${app}/src/main.ts`), `${name}: apps/${app}`).toBe(true);
    }
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/nx run-many -t build/);
  });

  it('pins every image, with Kafka at the version the local script fetches', () => {
    for (const [name, s] of Object.entries(services)) if (s.image && !s.build) expect(s.image, name).toMatch(/:v?[0-9][\w.-]*$/);
    const pomVersion = /<kafka\.version>([^<]+)</.exec(readFileSync('scripts/kafka/pom.xml', 'utf8'))?.[1];
    expect(services.kafka.image).toBe(`apache/kafka:${pomVersion}`);
  });

  it('publishes the default ports: HEP 9060 over UDP and TCP, metrics on each app default', () => {
    const hepPort = String(SETTINGS.HEP_LISTEN.parse(undefined).port);
    expect(services['hep-agent'].ports).toEqual(expect.arrayContaining([`${hepPort}:${hepPort}/udp`, `${hepPort}:${hepPort}/tcp`]));
    for (const [name, s] of ours) {
      const app = appOf(s)!;
      if (app === 'cli') continue;
      expect(s.environment?.METRICS_PORT, name).toBe(defaultMetricsPort(app));
    }
  });

  it('has Prometheus scrape every app at its metrics port, with the KPI rules, and Grafana provisioned from the repository', () => {
    type Scrape = { static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] };
    const prom = parse(readFileSync('prometheus/prometheus.yml', 'utf8')) as { rule_files: string[]; scrape_configs: Scrape[] };
    const targets = new Set<string>();
    for (const sc of prom.scrape_configs) {
      for (const st of sc.static_configs ?? []) for (const t of st.targets) targets.add(t);
      for (const dns of sc.dns_sd_configs ?? []) for (const n of dns.names) targets.add(`${n}:${dns.port}`);
    }
    for (const [name, s] of ours) {
      const app = appOf(s)!;
      if (app === 'cli') continue;
      const host = s.network_mode === 'host' ? 'host.docker.internal' : name;
      expect([...targets], name).toContain(`${host}:${s.environment?.METRICS_PORT}`);
    }
    const volumes = (services.prometheus as { volumes?: string[] }).volumes ?? [];
    expect(volumes).toEqual(
      expect.arrayContaining([
        './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './prometheus/rules:/etc/prometheus/rules:ro',
      ]),
    );
    expect(prom.rule_files).toEqual(['/etc/prometheus/rules/*.rules.yml']);
    expect(existsSync('prometheus/rules/sipcap.rules.yml')).toBe(true);
    expect((services.grafana as { volumes?: string[] }).volumes).toEqual(
      expect.arrayContaining([
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    expect(existsSync('grafana/dashboards/sipcap-kpi.json')).toBe(true);
  });

  it('runs the raw agents on the host network with the capabilities raw capture needs, in a profile', () => {
    for (const name of ['ipip-agent', 'mirror-agent']) {
      const s = services[name];
      expect(s.profiles).toContain('raw');
      expect(s.network_mode).toBe('host');
      expect(s.cap_add).toEqual(expect.arrayContaining(['NET_RAW', 'NET_ADMIN']));
    }
    expect(services['ipip-agent'].environment?.RAW_IPIP_CAPTURE_ON).toBe('1');
    expect(services['mirror-agent'].environment?.RAW_MONI_CAPTURE_ON).toBe('1');
  });

  it('has safe defaults: passwords required, loopback-only publishing, a non-root image without capabilities but for the raw agents', () => {
    const raw = readFileSync('docker-compose.yml', 'utf8');
    // Redis starts only with a password (its start script refuses an empty one); PostgreSQL's image refuses
    // to initialise without one; neither has a default password.
    expect(services.redis.command?.join(' ')).toMatch(
      /^test -n "\$\$REDIS_PASSWORD" \|\| \{ .*exit 1; \}; exec redis-server .*--requirepass "\$\$REDIS_PASSWORD"/,
    );
    expect(services.redis.environment?.REDIS_PASSWORD).toBe('${REDIS_PASSWORD:-}');
    expect(services.postgres.environment?.POSTGRES_PASSWORD).toBe('${POSTGRES_PASSWORD:-}');
    expect(raw).not.toMatch(/(POSTGRES|REDIS)_PASSWORD:-[^}]/);
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        // Only HEP and the web page face the network; everything else is published on loopback (or METRICS_BIND).
        if (name === 'hep-agent' && /^9060:/.test(p)) continue;
        if (name === 'web' && /^\$\{WEB_BIND:-0\.0\.0\.0\}:8080:/.test(p)) continue;
        if (name === 'tls' && p === '443:443') continue;
        expect(p, `${name} publishes ${p}`).toMatch(/^(127\.0\.0\.1|\$\{METRICS_BIND:-127\.0\.0\.1\}):/);
      }
    }
    for (const [name, s] of ours) {
      expect((s as { cap_drop?: string[] }).cap_drop, name).toEqual(['ALL']);
      expect(s.environment?.REDIS_PASSWORD ?? (appOf(s) === 'web' ? 'none' : undefined), `${name}: REDIS_PASSWORD`).toBeDefined();
      if (!s.network_mode) expect(s.cap_add, name).toBeUndefined();
    }
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/setcap cap_net_raw,cap_net_admin\+ep \/usr\/local\/bin\/node-raw/);
    for (const name of ['ipip-agent', 'mirror-agent']) {
      expect(services[name].cap_add).toEqual(['NET_RAW', 'NET_ADMIN']);
      expect((services[name] as { entrypoint?: string[] }).entrypoint).toContain('node-raw');
    }
  });
});
