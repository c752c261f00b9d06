import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CallResult, SearchResult } from '@sipcap/search';
import { buildWebServer, type CallSource } from './web-server';

const TOKEN = 'guard-token-0123456789';
const page = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>sipcap</title>') }],
  ['/page/main.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from('console.log(1)') }],
]);

const message = {
  table: 'sip_capture',
  id: '7',
  date: '2025-01-15T10:00:00.000001Z',
  micro_ts: '1736935200000001',
  method: 'INVITE',
  reply_reason: '',
  ruri_user: 'bob',
  from_user: 'alice',
  to_user: 'bob',
  callid: 'c1',
  callid_aleg: '',
  correlation_id: '',
  cseq: '1 INVITE',
  source_ip: '10.0.0.1',
  source_port: 5060,
  destination_ip: '10.0.0.2',
  destination_port: 5060,
  proto: 1,
  family: 2,
  node: 'homer01',
  type: 1,
  msg: Buffer.from('INVITE sip:bob@b SIP/2.0\r\nCall-ID: c1\r\n\r\n'),
};

const searcher: CallSource = {
  async search(): Promise<SearchResult> {
    return { from: '', to: '', tables: ['sip_capture'], rows: [{ callid: 'secret-row' } as never], hasMore: false };
  },
  async call(callid: string): Promise<CallResult | undefined> {
    return callid.startsWith('c1') ? { callid, callids: [callid], from: '', to: '', messages: [message], truncated: false } : undefined;
  },
};

async function server(o: { authToken?: string; loopbackHostsOnly?: boolean; rateLimit?: { max: number; windowMs: number } } = {}) {
  const registry = new Registry();
  const app = await buildWebServer({
    searcher,
    page,
    log: pino({ level: 'silent' }),
    registry,
    now: () => Date.UTC(2025, 0, 15, 10),
    ...o,
  });
  return { app, registry };
}

/** Paths that reach (or try to reach) an API route by another spelling. */
const SNEAKY = [
  '/%61pi/search',
  '/ap%69/search',
  '/api/%73earch',
  '/%2561pi/search',
  '/api%2Fsearch',
  '/api/search/',
  '/api/search.',
  '/api/search./',
  '/API/search',
  '/Api/Search',
  '/api//search',
  '//api/search',
  '/./api/search',
  '/page/../api/search',
  '/api/search%00',
  '/api/search;x',
  '/%61pi/call/c1/pcap',
  '/ap%69/call/c1/text',
  '/api/call/c1%2Fpcap',
  '/api/call/c1/%70cap',
  '/api/call/c1/PCAP',
  '/api/call/c1/text/',
  '/api/call/c1',
  '/api/call/c1/reports',
  '/nothing',
  '/metrics',
  '/page',
  '/page/',
];

describe('web guards', () => {
  it('with a token, every route but the page files needs it, however the path is spelt: never 200', async () => {
    const { app } = await server({ authToken: TOKEN });
    for (const url of ['/api/search', ...SNEAKY]) {
      for (const method of ['GET', 'HEAD'] as const) {
        const r = await app.inject({ method, url });
        expect(r.statusCode, `${method} ${url}`).toBe(401);
        expect(r.body).not.toContain('secret-row');
      }
    }
    expect((await app.inject({ url: '/%61pi/search', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/', headers: { host: 'evil.example' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/page/main.js' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/page/nothing.js' })).statusCode).toBe(401);
  });

  it('with a token, any Host is answered (the token protects)', async () => {
    const { app } = await server({ authToken: TOKEN });
    const r = await app.inject({ url: '/api/search', headers: { host: 'sipcap.example:8080', authorization: `Bearer ${TOKEN}` } });
    expect(r.statusCode).toBe(200);
  });

  it('without a token, only loopback Host headers are answered (DNS rebinding), counted', async () => {
    const { app, registry } = await server();
    for (const host of ['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io', '10.0.0.1:8080']) {
      for (const url of ['/', '/api/search', '/api/call/c1/pcap']) {
        const r = await app.inject({ url, headers: { host } });
        expect(r.statusCode, `${host} ${url}`).toBe(403);
        expect(r.json().error).toBe('forbidden_host');
      }
    }
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:8080', '[::1]:8080']) {
      expect((await app.inject({ url: '/api/search', headers: { host } })).statusCode, host).toBe(200);
    }
    expect(await registry.getSingleMetricAsString('sipcap_web_refused_total')).toContain('reason="host"} 15');
  });

  it('answers 429 past the rate limit, unauthorised requests counted too', async () => {
    const { app } = await server({ authToken: TOKEN, rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/api/search' })).statusCode).toBe(401);
    const r = await app.inject({ url: '/api/search', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.statusCode).toBe(429);
    expect(r.json().error).toBe('rate_limited');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect((await app.inject({ url: '/nothing' })).statusCode).toBe(429);
  });

  it('refuses a search over the range cap without an indexed filter, takes it with one', async () => {
    const { app } = await server();
    const wide = '/api/search?from=2025-01-01T00:00:00Z&to=2025-01-15T00:00:00Z';
    const r = await app.inject({ url: `${wide}&method=INVITE` });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'bad_request', field: 'from' });
    expect(r.json().message).toContain('WEB_SEARCH_MAX_RANGE_S');
    expect((await app.inject({ url: `${wide}&from_user=alice` })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/search?method=INVITE' })).statusCode).toBe(200);
  });
});
