import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CallReport, CallReportsResult, CallResult, TimeWindow } from '@sipcap/search';
import { buildWebServer, type CallSource, type ReportSource } from './web-server';

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
  msg: Buffer.from('INVITE sip:bob@b SIP/2.0\r\n\r\n'),
};
const call: CallResult = {
  callid: 'c1',
  callids: ['c1', 'c2'],
  from: '2025-01-14T10:00:00.000Z',
  to: '2025-01-16T10:00:00.000Z',
  messages: [message],
  truncated: false,
};
const rtcp: CallReport = {
  kind: 'rtcp',
  table: 'rtcp_capture',
  id: '1',
  date: '2025-01-15T10:00:01.000000Z',
  micro_ts: '1736935201000000',
  correlation_id: 'c2',
  source_ip: '10.0.0.3',
  source_port: 30001,
  destination_ip: '10.0.0.4',
  destination_port: 30003,
  proto: 1,
  family: 2,
  type: 3,
  node: 'n',
  msg: '{"ssrc":1}',
};
const log: CallReport = {
  ...rtcp,
  kind: 'logs',
  table: 'logs_capture',
  micro_ts: '1736935199000000',
  date: '2025-01-15T09:59:59.000000Z',
  type: 5,
  msg: 'a log line',
};

const searcher: CallSource = {
  search: async () => ({ from: '', to: '', tables: [], rows: [], hasMore: false }),
  call: async (callid) => (callid === 'c1' ? call : undefined),
};

function reportSource(): ReportSource & { asked: [readonly string[], TimeWindow][] } {
  const asked: [readonly string[], TimeWindow][] = [];
  return {
    asked,
    async forCall(callids, w): Promise<CallReportsResult> {
      asked.push([callids, w]);
      return { callids: [...callids], from: '', to: '', rtcp: [rtcp], reports: [], logs: [log], truncated: false };
    },
  };
}

describe("web server: a call's reports", () => {
  it('reads the reports of every Call-ID of the call in its window, and lists them in the text export', async () => {
    const reports = reportSource();
    const app = await buildWebServer({ searcher, reports, page: new Map(), log: pino({ level: 'silent' }) });
    const r = await app.inject({ url: '/api/call/c1/reports?at=1736935200000' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      callids: ['c1', 'c2'],
      rtcp: [{ msg: '{"ssrc":1}', correlation_id: 'c2' }],
      logs: [{ msg: 'a log line' }],
    });
    expect(reports.asked).toEqual([[['c1', 'c2'], { fromMs: Date.parse(call.from), toMs: Date.parse(call.to) }]]);
    const text = (await app.inject({ url: '/api/call/c1/text' })).body;
    expect(text.indexOf('a log line')).toBeGreaterThan(-1);
    expect(text.indexOf('a log line')).toBeLessThan(text.indexOf('INVITE'));
    expect(text.indexOf('INVITE')).toBeLessThan(text.indexOf('{"ssrc":1}'));
    expect((await app.inject({ url: '/api/call/nope/reports' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/call/c1/reports?x=1' })).statusCode).toBe(400);
    await app.close();
  });

  it('answers empty lists without report tables', async () => {
    const app = await buildWebServer({ searcher, page: new Map(), log: pino({ level: 'silent' }) });
    expect((await app.inject({ url: '/api/call/c1/reports' })).json()).toMatchObject({ rtcp: [], reports: [], logs: [], truncated: false });
    await app.close();
  });

  it('keeps the reports behind WEB_AUTH_TOKEN like every API route', async () => {
    const token = 'reports-token-0123456789';
    const app = await buildWebServer({
      searcher,
      reports: reportSource(),
      authToken: token,
      page: new Map(),
      log: pino({ level: 'silent' }),
    });
    expect((await app.inject({ url: '/api/call/c1/reports' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/call/c1/reports', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    await app.close();
  });
});
