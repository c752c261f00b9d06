import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '@sipcap/config';

// docker-compose.yml is the production deployment; there is no Docker engine here, so it is checked
// by `docker compose config` where the compose tool exists, and by reading it in every case.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; ports?: string[]; profiles?: string[]; network_mode?: string; cap_add?: string[]; deploy?: { replicas?: number } }>;
};
const services = compose.services;
const ours = Object.entries(services).filter(([, s]) => s.build !== undefined);

function appOf(command: string[] | undefined): string | undefined {
  const text = (command ?? []).join(' ');
  return /dist\/apps\/([a-z-]+)\/main\.js/.exec(text)?.[1];
}

function defaultMetricsPort(app: string): string | undefined {
  return /METRICS_PORT: '(\d+)'/.exec(readFileSync(`apps/${app}/src/main.ts`, 'utf8'))?.[1];
}

describe('docker-compose.yml', () => {
  it('passes `docker compose config` where the compose tool is installed', () => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) return; // no compose plugin on this machine: the checks below still run
    const r = spawnSync('docker', ['compose', '--profile', 'raw', 'config', '-q'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('has Kafka, PostgreSQL, Redis, the init job, both pipelines and the raw agents', () => {
    for (const name of ['kafka', 'postgres', 'redis', 'init', 'hep-agent', 'db-writer', 'ipip-agent', 'mirror-agent', 'stats', 'prometheus', 'grafana']) expect(services[name], name).toBeDefined();
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
      const app = appOf(s.command);
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
      const app = appOf(s.command)!;
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
      const app = appOf(s.command)!;
      if (app === 'cli') continue;
      const host = s.network_mode === 'host' ? 'host.docker.internal' : name;
      expect([...targets], name).toContain(`${host}:${s.environment?.METRICS_PORT}`);
    }
    const volumes = (services.prometheus as { volumes?: string[] }).volumes ?? [];
    expect(volumes).toEqual(expect.arrayContaining(['./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro', './prometheus/rules:/etc/prometheus/rules:ro']));
    expect(prom.rule_files).toEqual(['/etc/prometheus/rules/*.rules.yml']);
    expect(existsSync('prometheus/rules/sipcap.rules.yml')).toBe(true);
    expect((services.grafana as { volumes?: string[] }).volumes).toEqual(expect.arrayContaining(['./grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/dashboards:/var/lib/grafana/dashboards:ro']));
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
    const redis = services.redis as { command?: string[] };
    expect(redis.command?.join(' ')).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?/);
    expect(services.postgres.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(raw).not.toMatch(/POSTGRES_PASSWORD:-/);
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        // Only HEP and the web page face the network; everything else is published on loopback (or METRICS_BIND).
        if (name === 'hep-agent' && /^9060:/.test(p)) continue;
        if (name === 'web' && /^8080:/.test(p)) continue;
        expect(p, `${name} publishes ${p}`).toMatch(/^(127\.0\.0\.1|\$\{METRICS_BIND:-127\.0\.0\.1\}):/);
      }
    }
    for (const [name, s] of ours) {
      expect((s as { cap_drop?: string[] }).cap_drop, name).toEqual(['ALL']);
      expect(s.environment?.REDIS_PASSWORD ?? (appOf(s.command) === 'web' ? 'none' : undefined), `${name}: REDIS_PASSWORD`).toBeDefined();
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

