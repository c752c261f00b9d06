// The stats app in the running pipeline: a pcap of known calls (answered, retransmitted INVITE, busy, no
// answer, cancelled, rejected, failed, a challenged REGISTER, an orphan BYE) replayed by `sipcap replay`
// through a running hep-agent into Kafka, read by a running stats instance, and scraped by a real
// Prometheus (Debian's package) that evaluates prometheus/rules/sipcap.rules.yml: request counts per method
// equal tshark's count of the same pcap, outcomes, ASR and NER equal the calls' known outcomes, histogram
// counts and sums equal the known figures, and every panel query of the Grafana dashboard returns data.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { writePcap } from '@sipcap/packet';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, udpClient } from './support/apps';
import { BROKERS, freshTopic, uniqueName, waitFor } from './support/kafka';
import { CALLER, CARRIER_A, EXPECTED, knownCallFrames, STATS_PEERS } from './support/stats-calls';

const processes: AgentProcess[] = [];
let prometheus: ChildProcess | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'sipcap-stats-'));
const T0 = 1_764_000_000_000_000n;

beforeAll(() => {
  for (const app of ['hep-agent', 'stats', 'cli']) buildApp(app);
});

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function replay(file: string, hepPort: number): Promise<string> {
  return new Promise((res, rej) =>
    execFile(
      process.execPath,
      ['dist/apps/cli/main.js', 'replay', file, '--to', `127.0.0.1:${hepPort}`, '--json'],
      { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
      (e, out, err) => (e ? rej(new Error(`replay failed: ${err}`)) : res(out)),
    ),
  );
}

/** tshark's reading of a pcap: requests per method, replies per "CSeq method code". */
function tsharkCounts(file: string): { requests: Record<string, number>; replies: Record<string, number> } {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const requests: Record<string, number> = {};
  const replies: Record<string, number> = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const [method, code, cseqMethod] = line.split('\t');
    if (code) replies[`${cseqMethod} ${code}`] = (replies[`${cseqMethod} ${code}`] ?? 0) + 1;
    else requests[method] = (requests[method] ?? 0) + 1;
  }
  return { requests, replies };
}

/** An RTCP report (rtpengine's JSON, HEP type 5) of the carrier's leg: jitter 80 units = 10 ms at 8 kHz, 1/256 lost. */
function rtcpHep(callId: string, usec: number): Buffer {
  const json = JSON.stringify({
    ssrc: 1,
    type: 201,
    report_count: 1,
    report_blocks: [{ source_ssrc: 2, highest_seq_no: 500, fraction_lost: 1, ia_jitter: 80, packets_lost: 1, lsr: 0, dlsr: 0 }],
  });
  return encodeHep3({
    srcIp: CARRIER_A,
    dstIp: CALLER,
    srcPort: 7001,
    dstPort: 7001,
    tsSec: 1_764_000_000,
    tsUsec: usec,
    captureId: 0,
    payloadType: 5,
    correlationId: callId,
    payload: Buffer.from(json),
  });
}

async function promQuery(port: number, query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await r.json()) as {
    status: string;
    error?: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`${query}: ${body.error}`);
  return body.data.result;
}

const byLabel = (rows: { metric: Record<string, string>; value: [number, string] }[], label: string) =>
  Object.fromEntries(rows.map((r) => [r.metric[label], Number(r.value[1])]));

describe('stats settings', () => {
  it.each([
    [{ STATS_PEERS: 'carrierA=203.0.113.0/33' }, 'STATS_PEERS'],
    [{ STATS_PEERS: 'other=10.0.0.1' }, 'STATS_PEERS'],
    [{ STATS_PEERS: '10.0.0.1' }, 'STATS_PEERS'],
    [{ STATS_CALL_TTL_S: '0' }, 'STATS_CALL_TTL_S'],
    [{ STATS_STATE_MAX_MB: 'lots' }, 'STATS_STATE_MAX_MB'],
    [{ KAFKA_GROUP_ID: 'sipcap-db-writer' }, 'KAFKA_GROUP_ID'],
  ])('%o stops the start with one line naming %s', (env, variable) => {
    const r = spawnSync(process.execPath, ['dist/apps/stats/main.js'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^stats: invalid setting ${variable}`));
  });
});

describe('prometheus/rules/sipcap.rules.yml', () => {
  it('passes promtool check rules, and promtool test rules gives the known ASR, NER and SRD quantiles', () => {
    const check = spawnSync('promtool', ['check', 'rules', 'prometheus/rules/sipcap.rules.yml'], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toMatch(/SUCCESS: 15 rules found/);
    expect(check.status).toBe(0);
    const test = spawnSync('promtool', ['test', 'rules', 'prometheus/rules/sipcap.rules.test.yml'], { encoding: 'utf8' });
    expect(test.stdout + test.stderr).toMatch(/SUCCESS/);
    expect(test.status).toBe(0);
    expect(spawnSync('promtool', ['check', 'config', 'prometheus/prometheus.yml'], { encoding: 'utf8' }).status).toBe(0);
  });
});

describe('stats: hep-agent → Kafka → stats → Prometheus', () => {
  it('gives the known calls’ KPIs, and the rules and the dashboard queries answer', async () => {
    const topic = await freshTopic(3, 'stats');
    const hepPort = await freeTcpUdpPort();
    const kafkaEnv = { KAFKA_BROKERS: BROKERS.join(','), KAFKA_TOPIC: topic, KAFKA_PARTITIONS: '3' };
    const agent = startAgent('hep-agent', {
      ...kafkaEnv,
      HEP_LISTEN: `127.0.0.1:${hepPort}`,
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('stats-flag'),
    });
    const stats = startAgent('stats', { ...kafkaEnv, KAFKA_GROUP_ID: uniqueName('stats'), STATS_PEERS });
    processes.push(agent, stats);
    await agent.waitForLog('hep-agent ready', 60_000);
    await stats.waitForLog('stats consuming', 60_000);
    const statsPort = await stats.metricsPort();

    // Two rounds of the same calls (other Call-IDs): the first makes every series, so that Prometheus'
    // rate() over the rules' window sees the second round's increase exactly.
    const files = ['warm', 'known'].map((name, i) => {
      const file = join(tmp, `${name}.pcap`);
      writeFileSync(file, writePcap(knownCallFrames(name, T0 + BigInt(i) * 10_000_000_000n)));
      return file;
    });
    const tshark = files.map(tsharkCounts);
    const sipTotal = (k: 0 | 1) =>
      Object.values(tshark[k].requests).reduce((a, b) => a + b, 0) + Object.values(tshark[k].replies).reduce((a, b) => a + b, 0);
    const udp = await udpClient(hepPort);
    const round = async (k: 0 | 1) => {
      await replay(files[k], hepPort);
      await udp.send(rtcpHep(`${k}-rtcp@stats.test`, k));
      const want = sipTotal(0) + (k === 1 ? sipTotal(1) : 0);
      await waitFor(
        `${want} SIP records read by stats`,
        async () => ((await stats.metric('sipcap_stats_records_total', '{kind="sip"}')) >= want ? true : undefined),
        30_000,
        200,
      );
      await waitFor(
        `${k + 1} RTCP records read by stats`,
        async () => ((await stats.metric('sipcap_stats_records_total', '{kind="rtcp"}')) >= k + 1 ? true : undefined),
        30_000,
        200,
      );
    };

    // A real Prometheus scraping stats every second, with the recording rules.
    const promPort = await freeTcpUdpPort();
    const config = join(tmp, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${resolve('prometheus/rules/sipcap.rules.yml')}']`,
        `scrape_configs: [{ job_name: stats, static_configs: [{ targets: ['127.0.0.1:${statsPort}'] }] }]`,
      ].join('\n'),
    );
    let promLog = '';
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(tmp, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr!.on('data', (d: Buffer) => (promLog += d.toString()));

    await round(0);
    // The first round's series in Prometheus, scraped a few times.
    await waitFor(
      '3 scrapes of the first round in Prometheus',
      async () => {
        const r = await promQuery(promPort, 'min(count_over_time(sipcap_calls_total[1m]))').catch(() => []);
        return r.length && Number(r[0].value[1]) >= 3 ? true : undefined;
      },
      60_000,
      500,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${promLog}`);
    });
    await round(1);
    const requestsIn = async () =>
      Number(
        (await promQuery(promPort, 'sum(sipcap_sip_requests_total) + sum(sipcap_sip_retransmissions_total{type="request"})'))[0]
          ?.value[1] ?? 0,
      );
    const tsharkRequests = [0, 1].reduce((n, k) => n + Object.values(tshark[k].requests).reduce((a, b) => a + b, 0), 0);
    await waitFor('the second round scraped', async () => ((await requestsIn()) === tsharkRequests ? true : undefined), 30_000, 500);
    // Two more rule evaluations after the last scrape.
    await new Promise((r) => setTimeout(r, 2500));

    // Requests per method (first requests and retransmissions) = tshark's count of both pcaps.
    const perMethod = byLabel(
      await promQuery(
        promPort,
        'sum by (method) (sipcap_sip_requests_total) + on (method) group_left sum by (method) (sipcap_sip_retransmissions_total{type="request"}) or sum by (method) (sipcap_sip_requests_total)',
      ),
      'method',
    );
    const tsharkPerMethod: Record<string, number> = {};
    for (const t of tshark) for (const [m, n] of Object.entries(t.requests)) tsharkPerMethod[m] = (tsharkPerMethod[m] ?? 0) + n;
    expect(perMethod).toEqual(tsharkPerMethod);
    expect(tsharkPerMethod).toEqual({ INVITE: 16, ACK: 14, BYE: 4, CANCEL: 2, REGISTER: 4 });
    // Replies per CSeq method and code (none retransmitted in these calls) = tshark's.
    const replies = await promQuery(promPort, 'sum by (method, code) (sipcap_sip_responses_total)');
    const tsharkReplies: Record<string, number> = {};
    for (const t of tshark) for (const [k, n] of Object.entries(t.replies)) tsharkReplies[k] = (tsharkReplies[k] ?? 0) + n;
    expect(Object.fromEntries(replies.map((r) => [`${r.metric.method} ${r.metric.code}`, Number(r.value[1])]))).toEqual(tsharkReplies);
    expect(byLabel(await promQuery(promPort, 'sum by (method) (sipcap_sip_retransmissions_total)'), 'method')).toEqual({
      INVITE: 2 * EXPECTED.retransmittedInvites,
    });

    // Outcomes: twice the known ones; ASR and NER of the recording rules: the second round's.
    for (const [peer, outcomes] of Object.entries(EXPECTED.outcomes)) {
      const got = byLabel(await promQuery(promPort, `sum by (outcome) (sipcap_calls_total{peer="${peer}"}) > 0`), 'outcome');
      expect(got, peer).toEqual(Object.fromEntries(Object.entries(outcomes).map(([o, n]) => [o, 2 * n])));
    }
    const asr = byLabel(await promQuery(promPort, 'peer:sipcap_asr:ratio_rate5m'), 'peer');
    const ner = byLabel(await promQuery(promPort, 'peer:sipcap_ner:ratio_rate5m'), 'peer');
    for (const peer of ['carrierA', 'carrierB'] as const) {
      expect(asr[peer], `ASR ${peer}`).toBeCloseTo(EXPECTED.asr[peer], 6);
      expect(ner[peer], `NER ${peer}`).toBeCloseTo(EXPECTED.ner[peer], 6);
    }

    // Histograms: counts and sums of both rounds, from the app's /metrics.
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    for (const [name, figures] of [
      ['sipcap_sip_srd_seconds', EXPECTED.srd],
      ['sipcap_call_setup_seconds', EXPECTED.setup],
      ['sipcap_call_duration_seconds', EXPECTED.duration],
      ['sipcap_sip_rrd_seconds', EXPECTED.rrd],
    ] as const) {
      expect(await stats.metric(`${name}_count`), name).toBe(2 * figures.length);
      expect(await stats.metric(`${name}_sum`), name).toBeCloseTo(2 * sum(figures), 4);
    }
    expect(await stats.metric('sipcap_calls_active', '{peer="carrierA"}')).toBe(2 * EXPECTED.activeCalls);
    // One AOR (alice@example.com) registered in both rounds.
    expect(await stats.metric('sipcap_registrations_active', '{peer="carrierA"}')).toBe(EXPECTED.activeRegistrations);
    expect(await stats.metric('sipcap_stats_unexpected_total', '{reason="bye_without_call"}')).toBe(2 * EXPECTED.byeWithoutCall);
    expect(await stats.metric('sipcap_stats_unexpected_total', '{reason="response_without_request"}')).toBe(0);
    expect(await stats.metric('sipcap_rtcp_jitter_seconds_count', '{peer="carrierA"}')).toBe(2);
    expect(await stats.metric('sipcap_rtcp_jitter_seconds_sum', '{peer="carrierA"}')).toBeCloseTo(0.02, 9);
    expect(await stats.metric('sipcap_rtcp_fraction_lost_ratio_sum', '{peer="carrierA"}')).toBeCloseTo(2 / 256, 9);

    // Every panel query of the dashboard returns data (All peers).
    const dashboard = JSON.parse(readFileSync('grafana/dashboards/sipcap-kpi.json', 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        const rows = await promQuery(promPort, t.expr.replaceAll('$peer', '.*'));
        expect(rows.length, `${panel.title}: ${t.expr}`).toBeGreaterThan(0);
      }
    }
    // `sipcap status` shows the per-peer KPI table from the stats instance.
    const statusEnv = {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_TOPIC: topic,
      STATS_METRICS_URL: `http://127.0.0.1:${statsPort}`,
    };
    const text = execFileSync(process.execPath, ['dist/apps/cli/main.js', 'status', '--sample', '0'], { env: statusEnv, encoding: 'utf8' });
    expect(text).toMatch(/^ {2}carrierA\s+10\s+40\.0%\s+100\.0%\s+4\s+2\s+2\s+2\s+0\s+0\s+2\s+1\s+0\.48s\s+3\.15s\s+2$/m);
    expect(text).toMatch(/^ {2}carrierB\s+4\s+0\.0%\s+50\.0%\s+0\s+0\s+0\s+0\s+2\s+2\s+0\s+0\s+-\s+-\s+0$/m);
    const json = JSON.parse(
      execFileSync(process.execPath, ['dist/apps/cli/main.js', 'status', '--sample', '0', '--json'], { env: statusEnv, encoding: 'utf8' }),
    ) as { kpis: { peers: { peer: string; attempts: number; asr: number }[] } };
    expect(json.kpis.peers.map((p) => [p.peer, p.attempts, p.asr])).toEqual([
      ['carrierA', 10, 0.4],
      ['carrierB', 4, 0],
    ]);
    udp.close();
  });

  it('two instances in one group share the partitions, their sums equal one instance’s, and a third member’s rebalance is counted', async () => {
    const topic = await freshTopic(6, 'stats-pair');
    const hepPort = await freeTcpUdpPort();
    const kafkaEnv = { KAFKA_BROKERS: BROKERS.join(','), KAFKA_TOPIC: topic, KAFKA_PARTITIONS: '6' };
    const agent = startAgent('hep-agent', {
      ...kafkaEnv,
      HEP_LISTEN: `127.0.0.1:${hepPort}`,
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('stats-flag'),
    });
    const alone = startAgent('stats', { ...kafkaEnv, KAFKA_GROUP_ID: uniqueName('stats-alone'), STATS_PEERS });
    const pairGroup = uniqueName('stats-pair');
    const first = startAgent('stats', { ...kafkaEnv, KAFKA_GROUP_ID: pairGroup, STATS_PEERS });
    processes.push(agent, alone, first);
    await agent.waitForLog('hep-agent ready', 60_000);
    await alone.waitForLog('stats consuming', 60_000);
    await first.waitForLog('stats consuming', 60_000);
    const second = startAgent('stats', { ...kafkaEnv, KAFKA_GROUP_ID: pairGroup, STATS_PEERS });
    processes.push(second);
    await second.waitForLog('stats consuming', 60_000);
    // The first instance joined again when the second came: the partitions are shared before any record.
    await waitFor(
      'the first instance rejoined',
      async () => ((await first.metric('sipcap_kafka_rebalances_total')) >= 2 ? true : undefined),
      60_000,
      200,
    );

    // Eight rounds of the known calls, each with its own Call-IDs: spread over the six partitions.
    const file = join(tmp, 'pair.pcap');
    writeFileSync(
      file,
      writePcap(Array.from({ length: 8 }, (_, k) => knownCallFrames(`pair${k}`, T0 + BigInt(k) * 1_000_000_000n)).flat()),
    );
    const total = Object.values(tsharkCounts(file)).reduce((n, counts) => n + Object.values(counts).reduce((a, b) => a + b, 0), 0);
    await replay(file, hepPort);
    const read = async (p: AgentProcess) => p.metric('sipcap_stats_records_total', '{kind="sip"}');
    await waitFor(`${total} records read by the lone instance`, async () => ((await read(alone)) >= total ? true : undefined), 30_000, 200);
    await waitFor(
      `${total} records read by the pair`,
      async () => ((await read(first)) + (await read(second)) >= total ? true : undefined),
      30_000,
      200,
    );
    expect(await read(alone)).toBe(total);
    expect(await read(first)).toBeGreaterThan(0);
    expect(await read(second)).toBeGreaterThan(0);
    expect((await read(first)) + (await read(second))).toBe(total);

    // Every KPI series (counters, histograms, gauges): the pair's sum = the lone instance's.
    const kpis = async (p: AgentProcess): Promise<Map<string, number>> => {
      const text = await (await fetch(`http://127.0.0.1:${await p.metricsPort()}/metrics`)).text();
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (!/^sipcap_(sip_|calls?_|registrations_|rtcp_)/.test(line)) continue;
        const at = line.lastIndexOf(' ');
        out.set(line.slice(0, at), Number(line.slice(at + 1)));
      }
      return out;
    };
    const sumOf = (maps: Map<string, number>[]) => {
      const out: Record<string, number> = {};
      for (const m of maps) for (const [k, v] of m) out[k] = (out[k] ?? 0) + v;
      return Object.fromEntries(
        Object.entries(out)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]),
      );
    };
    const one = sumOf([await kpis(alone)]);
    // 8 rounds × 2 answered calls: the comparison is over real figures.
    const answered = Object.entries(one)
      .filter(([k]) => k.startsWith('sipcap_calls_total{') && k.includes('outcome="answered"'))
      .reduce((n, [, v]) => n + v, 0);
    expect(answered).toBe(16);
    expect(sumOf([await kpis(first), await kpis(second)])).toEqual(one);

    // A third member takes partitions away: the calls they held leave the pair's gauges and are counted as
    // lost to the rebalance, none guessed: held + dropped = the lone instance's active calls.
    const activeAlone = await alone.metric('sipcap_calls_active');
    expect(activeAlone).toBe(8);
    const third = startAgent('stats', { ...kafkaEnv, KAFKA_GROUP_ID: pairGroup, STATS_PEERS });
    processes.push(third);
    await third.waitForLog('stats consuming', 60_000);
    for (const p of [first, second])
      await waitFor(
        'the pair rejoined',
        async () => ((await p.metric('sipcap_kafka_rebalances_total')) >= 3 - (p === second ? 1 : 0) ? true : undefined),
        60_000,
        200,
      );
    await waitFor(
      'the third member assigned partitions',
      () => (/"assignment":\{"[^"]+":\[\d/.test(third.output()) ? true : undefined),
      30_000,
      200,
    );
    const held = (await first.metric('sipcap_calls_active')) + (await second.metric('sipcap_calls_active'));
    const dropped =
      (await first.metric('sipcap_stats_state_dropped_total', '{kind="call",reason="rebalance"}')) +
      (await second.metric('sipcap_stats_state_dropped_total', '{kind="call",reason="rebalance"}'));
    expect(held + dropped).toBe(activeAlone);
    expect(await third.metric('sipcap_stats_records_total', '{kind="sip"}')).toBe(0);
  });
});
