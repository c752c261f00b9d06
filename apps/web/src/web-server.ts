import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  checkSearchCost,
  isQueryTimeout,
  parseSearchQuery,
  parseTimeInput,
  type CallOptions,
  type CallReportsResult,
  type CallResult,
  type CallsResult,
  type SearchQuery,
  type SearchResult,
  type TimeWindow,
} from '@sipcap/search';
import { callPcapChunks, type PcapLink } from './call-pcap';
import { callTextChunks } from './call-text';
import { capChunks, chunkStream, type CapResult } from './export-cap';
import type { PageAsset } from './page-assets';
import { SECURITY_HEADERS } from './security-headers';
import { GUARD_REFUSALS, installGuards, PUBLIC_ROUTE } from './web-guard';

/** The queries the server needs (a Searcher, or a fake in tests). */
export interface CallSource {
  search(q: SearchQuery): Promise<SearchResult>;
  /** The calls view (optional in fakes: without it /api/calls answers 404). */
  searchCalls?(q: SearchQuery): Promise<CallsResult>;
  call(callid: string, o?: CallOptions): Promise<CallResult | undefined>;
}

/** A call's RTCP, QoS reports and log lines (CallReports, or a fake in tests). */
export interface ReportSource {
  forCall(callids: readonly string[], w: TimeWindow): Promise<CallReportsResult>;
}

export interface WebServerOptions {
  searcher: CallSource;
  /** The report tables (RTCP_TABLE_NAME, REPORT_TABLE_NAME, LOGS_TABLE_NAME); without it the call has no reports. */
  reports?: ReportSource;
  /**
   * WEB_AUTH_TOKEN: when set, every route but the page's own files needs `Authorization: Bearer <token>`
   * (decided on the matched route, see web-guard.ts).
   */
  authToken?: string;
  /** Loopback mode without a token: only loopback Host headers are answered (default: when there is no token). */
  loopbackHostsOnly?: boolean;
  /** WEB_SEARCH_MAX_RANGE_S in ms: a search without an indexed filter covers at most this (default one day). */
  searchMaxRangeMs?: number;
  /** WEB_RATE_LIMIT_MAX per WEB_RATE_LIMIT_WINDOW_S and client address (default 600 a minute). */
  rateLimit?: { max: number; windowMs: number };
  /** WEB_EXPORT_MAX_BYTES: the pcap and text exports stop at the last whole piece within it (default 64 MiB). */
  exportMaxBytes?: number;
  /**
   * The name of an address (STATS_PEERS, shared with the stats app), or undefined for an unnamed one:
   * searches and calls carry `names` for the addresses they show.
   */
  peerName?: (ip: string) => string | undefined;
  page: Map<string, PageAsset>;
  log: Logger;
  registry?: Registry;
  now?: () => number;
}

const MAX_CALLID = 1024;

type CallParams = { callid: string };
type Query = Record<string, unknown>;

/** A 400 with the parameter at fault. */
class BadRequest extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The last line of a text export cut at WEB_EXPORT_MAX_BYTES. */
const textCutNote = (max: number) =>
  Buffer.from(`[sipcap: export cut here at WEB_EXPORT_MAX_BYTES=${max}; the rest of the call is not included]\n`);

/** A 404: no such call where it was looked for. */
class NotFound extends Error {}

/** `at`, `from`, `to` of the call routes, and `linktype` of the pcap one. */
function callOptions(query: Query, extra: readonly string[] = []): CallOptions {
  const o: CallOptions = {};
  for (const [k, v] of Object.entries(query)) {
    if (!['at', 'from', 'to', ...extra].includes(k))
      throw new BadRequest(k, `unknown parameter ${k} (expected at, from, to${extra.map((e) => `, ${e}`).join('')})`);
    if (typeof v !== 'string') throw new BadRequest(k, `${k} given more than once`);
    if (extra.includes(k) || v === '') continue;
    const ms = parseTimeInput(v);
    if (ms === undefined) throw new BadRequest(k, 'expected a time: epoch milliseconds or ISO 8601 (UTC when no zone)');
    if (k === 'at') o.atMs = ms;
    else if (k === 'from') o.fromMs = ms;
    else o.toMs = ms;
  }
  return o;
}

function safeFileName(callid: string): string {
  return callid.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'call';
}

/**
 * The web app's HTTP server: the page (GET /, /page/*) and the JSON API (GET /api/search, /api/calls,
 * /api/call/:callid, /api/call/:callid/pcap, /api/call/:callid/text). Only GET routes exist.
 */
export async function buildWebServer(o: WebServerOptions): Promise<FastifyInstance> {
  const now = o.now ?? Date.now;
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_CALLID * 3 }, bodyLimit: 1024, return503OnClosing: true });
  const registers = o.registry ? [o.registry] : [];
  const duration = new Histogram({
    name: 'sipcap_web_request_duration_seconds',
    help: 'HTTP requests of the web app, by route and status',
    labelNames: ['route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers,
  });
  const dbErrors = new Counter({ name: 'sipcap_web_db_errors_total', help: 'API requests that failed in the database', registers });
  const refused = new Counter({
    name: 'sipcap_web_refused_total',
    help: 'Requests refused by a guard: no or wrong token, non-loopback Host without a token, rate limit, search range without an indexed filter, database timeout',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of [...GUARD_REFUSALS, 'search_range', 'query_timeout']) refused.inc({ reason }, 0);
  const exportsCut = new Counter({
    name: 'sipcap_web_exports_cut_total',
    help: 'pcap/text exports cut at WEB_EXPORT_MAX_BYTES',
    labelNames: ['format'],
    registers,
  });
  const exportMaxBytes = o.exportMaxBytes ?? 64 * 1024 * 1024;
  const searchMaxRangeMs = o.searchMaxRangeMs ?? 86_400_000;

  app.addHook('onSend', async (request, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (request.routeOptions.config?.public !== true) reply.header('cache-control', 'no-store');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  await installGuards(app, {
    authToken: o.authToken,
    loopbackHostsOnly: o.loopbackHostsOnly ?? o.authToken === undefined,
    rateLimit: o.rateLimit ?? { max: 600, windowMs: 60_000 },
    onRefused: (reason) => refused.inc({ reason }),
  });
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    if (err instanceof BadRequest) return reply.code(400).send({ error: 'bad_request', field: err.field, message: err.message });
    if (err instanceof NotFound) return reply.code(404).send({ error: 'not_found', message: err.message });
    if (err instanceof RangeError) return reply.code(400).send({ error: 'bad_request', field: 'from', message: err.message });
    if (isQueryTimeout(err)) {
      refused.inc({ reason: 'query_timeout' });
      o.log.warn({ err: err.message, url: request.url.split('?')[0] }, 'query stopped at the timeout');
      return reply.code(504).send({
        error: 'query_timeout',
        message: `${err.message}: narrow the time range or filter on an indexed column (callid, from_user, to_user, ruri_user, pid_user, auth_user)`,
      });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 429) return reply.code(429).send({ error: 'rate_limited', message: (err as Error).message });
    if (status !== undefined && status < 500) return reply.code(status).send({ error: 'bad_request', message: (err as Error).message });
    dbErrors.inc();
    o.log.warn({ err: (err as Error).message, url: request.url.split('?')[0] }, 'request failed');
    return reply.code(503).send({ error: 'database', message: 'the capture database could not answer; see the web log' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no such page: ${request.url.split('?')[0]}` }),
  );

  for (const [path, asset] of o.page) {
    app.get(path, PUBLIC_ROUTE, async (_request, reply) => reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body));
  }

  /** A search's parameters, refused with the field at fault, and within the cost rule. */
  const searchQuery = (query: Query): SearchQuery => {
    const parsed = parseSearchQuery(query, now());
    if (!parsed.ok) throw new BadRequest(parsed.field, parsed.message);
    const cost = checkSearchCost(parsed.query, searchMaxRangeMs);
    if (!cost.ok) {
      refused.inc({ reason: 'search_range' });
      throw new BadRequest(cost.field, cost.message);
    }
    return parsed.query;
  };

  /** `{ ip: name }` for the named addresses among `rows`' sources and destinations. */
  const namesOf = (rows: readonly { source_ip: string; destination_ip: string }[]): Record<string, string> => {
    const names: Record<string, string> = {};
    if (!o.peerName) return names;
    for (const r of rows) {
      for (const ip of [r.source_ip, r.destination_ip]) {
        if (ip in names) continue;
        const name = o.peerName(ip);
        if (name !== undefined) names[ip] = name;
      }
    }
    return names;
  };

  app.get('/api/search', async (request) => {
    const result = await o.searcher.search(searchQuery(request.query as Query));
    return { ...result, names: namesOf(result.rows) };
  });

  /** The same search, one line per call (Call-IDs grouped in the database, linked legs merged). */
  app.get('/api/calls', async (request) => {
    const q = searchQuery(request.query as Query);
    if (!o.searcher.searchCalls) throw new NotFound('no calls view here');
    return o.searcher.searchCalls(q);
  });

  /** An export streamed as it is made, stopped at the last whole packet or message within WEB_EXPORT_MAX_BYTES. */
  const capped = (format: 'pcap' | 'text', chunks: Iterable<Buffer>, tail?: (max: number) => Buffer) =>
    chunkStream(capChunks(chunks, exportMaxBytes, { tail, done: (r: CapResult) => r.cut && exportsCut.inc({ format }) }));

  const findCall = async (callid: string, opts: CallOptions): Promise<CallResult> => {
    if (callid.length === 0 || callid.length > MAX_CALLID)
      throw new BadRequest('callid', `expected a Call-ID of 1 to ${MAX_CALLID} characters`);
    const call = await o.searcher.call(callid, opts);
    if (call === undefined) throw new NotFound(`no message with Call-ID ${JSON.stringify(callid)} in that time range`);
    return call;
  };

  app.get<{ Params: CallParams }>('/api/call/:callid', async (request) => {
    const call = await findCall(request.params.callid, callOptions(request.query as Query));
    return { ...call, names: namesOf(call.messages), messages: call.messages.map((m) => ({ ...m, msg: m.msg.toString('base64') })) };
  });

  app.get<{ Params: CallParams }>('/api/call/:callid/pcap', async (request, reply) => {
    const query = request.query as Query;
    const call = await findCall(request.params.callid, callOptions(query, ['linktype']));
    const linktype = query.linktype ?? 'ethernet';
    if (linktype !== 'ethernet' && linktype !== 'raw') throw new BadRequest('linktype', 'expected ethernet or raw');
    return reply
      .type('application/vnd.tcpdump.pcap')
      .header('content-disposition', `attachment; filename="call-${safeFileName(call.callid)}.pcap"`)
      .send(capped('pcap', callPcapChunks(call.messages, linktype as PcapLink)));
  });

  app.get<{ Params: CallParams }>('/api/call/:callid/text', async (request, reply) => {
    const call = await findCall(request.params.callid, callOptions(request.query as Query));
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `inline; filename="call-${safeFileName(call.callid)}.txt"`)
      .send(capped('text', callTextChunks(call.messages, o.reports ? await reportsOf(call) : undefined), textCutNote));
  });

  /** The reports of a found call: every Call-ID of its legs, in the window its messages were read in. */
  const reportsOf = async (call: CallResult): Promise<CallReportsResult> =>
    o.reports!.forCall(call.callids, { fromMs: Date.parse(call.from), toMs: Date.parse(call.to) });

  app.get<{ Params: CallParams }>('/api/call/:callid/reports', async (request) => {
    const call = await findCall(request.params.callid, callOptions(request.query as Query));
    if (!o.reports)
      return {
        callids: call.callids,
        from: call.from,
        to: call.to,
        rtcp: [],
        reports: [],
        logs: [],
        truncated: false,
      } satisfies CallReportsResult;
    return reportsOf(call);
  });

  return app;
}
