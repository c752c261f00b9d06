import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CallOptions, CallResult, SearchQuery, SearchResult } from '@sipcap/search';
import { readCaptureFile } from '@sipcap/packet';
import { buildWebServer, type CallSource } from './web-server';

const TOKEN = 'test-token-0123456789';
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
  callid: 'a/b@c d',
  callid_aleg: '',
  correlation_id: 'a/b@c d',
  cseq: '1 INVITE',
  source_ip: '10.0.0.1',
  source_port: 5060,
  destination_ip: '10.0.0.2',
  destination_port: 5060,
  proto: 1,
  family: 2,
  node: 'homer01',
  type: 1,
  msg: Buffer.from('INVITE sip:bob@b SIP/2.0\r\nCall-ID: a/b@c d\r\n\r\n'),
};

function fake(): CallSource & { queries: SearchQuery[]; calls: [string, CallOptions | undefined][] } {
  const f = {
    queries: [] as SearchQuery[],
    calls: [] as [string, CallOptions | undefined][],
    async search(q: SearchQuery): Promise<SearchResult> {
      f.queries.push(q);
      if (q.filters.callid === 'db-down') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return { from: '', to: '', tables: ['sip_capture'], rows: [], hasMore: false };
    },
    async call(callid: string, o?: CallOptions): Promise<CallResult | undefined> {
      f.calls.push([callid, o]);
      if (callid !== message.callid) return undefined;
      return { callid, callids: [callid], from: '', to: '', messages: [message], truncated: false };
    },
  };
  return f;
}

async function server(authToken?: string) {
  const searcher = fake();
  const app = await buildWebServer({ searcher, authToken, page, log: pino({ level: 'silent' }), now: () => Date.UTC(2025, 0, 15, 10) });
  return { app, searcher };
}

describe('web server', () => {
  it('names the addresses of a call and of a search that have a name (peerName), and only those', async () => {
    const app = await buildWebServer({
      searcher: fake(),
      page,
      log: pino({ level: 'silent' }),
      peerName: (ip) => (ip === '10.0.0.2' ? 'pbx' : undefined),
    });
    const call = await app.inject({ url: `/api/call/${encodeURIComponent(message.callid)}` });
    expect(call.json().names).toEqual({ '10.0.0.2': 'pbx' });
    const unnamed = await (await server()).app.inject({ url: `/api/call/${encodeURIComponent(message.callid)}` });
    expect(unnamed.json().names).toEqual({});
  });

  it('serves the page with a Content-Security-Policy of its own origin only', async () => {
    const { app } = await server();
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(r.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await app.inject({ url: '/page/main.js' })).body).toBe('console.log(1)');
    expect((await app.inject({ url: '/page/nothing.js' })).statusCode).toBe(404);
  });

  it('passes the search parameters on, and answers a bad one with 400 naming it', async () => {
    const { app, searcher } = await server();
    const ok = await app.inject({ url: '/api/search?callid=abc%40x&limit=5' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(searcher.queries[0]).toMatchObject({
      filters: { callid: 'abc@x' },
      limit: 5,
      fromMs: Date.UTC(2025, 0, 15, 9),
      toMs: Date.UTC(2025, 0, 15, 10),
    });
    const bad = await app.inject({ url: '/api/search?limit=lots' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request', field: 'limit' });
  });

  it('answers 503 when the database fails, without its details', async () => {
    const { app } = await server();
    const r = await app.inject({ url: '/api/search?callid=db-down' });
    expect(r.statusCode).toBe(503);
    expect(r.body).not.toContain('ECONNREFUSED');
  });

  it('returns a call with the message bytes in base64, decoding the Call-ID of the path', async () => {
    const { app, searcher } = await server();
    const r = await app.inject({ url: `/api/call/${encodeURIComponent(message.callid)}?at=1736935200000` });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(Buffer.from(body.messages[0].msg, 'base64').equals(message.msg)).toBe(true);
    expect(searcher.calls[0]).toEqual([message.callid, { atMs: 1736935200000 }]);
    expect((await app.inject({ url: '/api/call/unknown' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/call/x?at=soon' })).json()).toMatchObject({ field: 'at' });
  });

  it('exports the call as pcap and as text', async () => {
    const { app } = await server();
    const pcap = await app.inject({ url: `/api/call/${encodeURIComponent(message.callid)}/pcap?linktype=raw` });
    expect(pcap.headers['content-type']).toBe('application/vnd.tcpdump.pcap');
    expect(pcap.headers['content-disposition']).toBe('attachment; filename="call-a_b_c_d.pcap"');
    const records = [...readCaptureFile(pcap.rawPayload)];
    expect(records).toHaveLength(1);
    expect(records[0].linktype).toBe(101);
    const text = await app.inject({ url: `/api/call/${encodeURIComponent(message.callid)}/text` });
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body.startsWith('2025-01-15 10:00:00.000001 10.0.0.1:5060 -> 10.0.0.2:5060 UDP\nINVITE sip:bob@b SIP/2.0\r\n')).toBe(true);
    expect((await app.inject({ url: `/api/call/${encodeURIComponent(message.callid)}/pcap?linktype=token-ring` })).statusCode).toBe(400);
  });

  it('with a token, refuses API requests without it (the page itself stays public)', async () => {
    const { app, searcher } = await server(TOKEN);
    const none = await app.inject({ url: '/api/search' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect((await app.inject({ url: '/api/call/x', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    expect((await app.inject({ url: `/api/search?token=${TOKEN}` })).statusCode).toBe(401);
    expect(searcher.queries).toHaveLength(0);
    expect((await app.inject({ url: '/api/search', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('has no route that writes', async () => {
    const { app } = await server();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      expect((await app.inject({ method, url: '/api/search' })).statusCode).toBe(404);
    }
  });
});
