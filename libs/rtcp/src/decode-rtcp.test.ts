import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prng } from '../../../test/support/prng';
import { decodeRtcp, decodeRtcpToJson, MAX_REPORT_BLOCKS } from './decode-rtcp';
import { RTCP_ERROR_REASONS } from './rtcp-error';
import type { RtcpJson } from './rtcp-json';
import { RTCP_FIXTURES } from './test-fixtures';

function decoded(b: Buffer): RtcpJson {
  const r = decodeRtcp(b);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.json;
}

const dir = mkdtempSync(join(tmpdir(), 'sipcap-rtcp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * tshark's reading of `b` as RTCP in a UDP datagram: every field name with the values of all its
 * occurrences, in packet order (text2pcap builds the pcap; tshark is the independent oracle).
 */
function tshark(name: string, b: Buffer): Map<string, string[]> {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16)
    lines.push(`${i.toString(16).padStart(6, '0')} ${[...b.subarray(i, i + 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}`);
  const txt = join(dir, `${name}.txt`);
  const pcap = join(dir, `${name}.pcap`);
  writeFileSync(txt, lines.join('\n') + '\n');
  execFileSync('text2pcap', ['-q', '-u', '40000,5005', txt, pcap]);
  const out = execFileSync('tshark', ['-r', pcap, '-d', 'udp.port==5005,rtcp', '-T', 'json', '--no-duplicate-keys'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const layer = JSON.parse(out.toString())[0]._source.layers.rtcp;
  const fields = new Map<string, string[]>();
  const walk = (x: unknown, key: string) => {
    if (Array.isArray(x)) x.forEach((v) => walk(v, key));
    else if (x !== null && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, k);
    else fields.set(key, [...(fields.get(key) ?? []), String(x)]);
  };
  walk(layer, '');
  return fields;
}

const num = (v: string) => (v.startsWith('0x') ? parseInt(v, 16) : Number(v));
const nums = (f: Map<string, string[]>, k: string) => (f.get(k) ?? []).map(num);

describe('decodeRtcp against tshark', () => {
  for (const name of ['srSdes', 'rrSdesBye', 'rrXr', 'rrApp', 'gstreamerRr', 'gstreamerSr', 'gstreamerSrBye'] as const) {
    it(`decodes ${name} as tshark reads it`, () => {
      const b = RTCP_FIXTURES[name];
      const j = decoded(b);
      const t = tshark(name, b);
      expect(j.packet_types).toEqual(nums(t, 'rtcp.pt'));
      expect(j.ssrc).toBe(nums(t, 'rtcp.senderssrc')[0]);
      expect(j.report_count).toBe(nums(t, 'rtcp.rc')[0]);
      if (j.type === 200) {
        const s = j.sender_information;
        expect([s.ntp_timestamp_sec, s.ntp_timestamp_usec, s.rtp_timestamp, s.packets, s.octets]).toEqual(
          [
            'rtcp.timestamp.ntp.msw',
            'rtcp.timestamp.ntp.lsw',
            'rtcp.timestamp.rtp',
            'rtcp.sender.packetcount',
            'rtcp.sender.octetcount',
          ].map((k) => nums(t, k)[0]),
        );
      }
      const blocks = j.report_blocks;
      const n = blocks.length;
      expect(blocks.map((x) => x.source_ssrc)).toEqual(nums(t, 'rtcp.ssrc.identifier').slice(0, n));
      expect(blocks.map((x) => x.packets_lost)).toEqual(nums(t, 'rtcp.ssrc.cum_nr'));
      expect(blocks.map((x) => x.highest_seq_no)).toEqual(nums(t, 'rtcp.ssrc.ext_high'));
      expect(blocks.map((x) => x.ia_jitter)).toEqual(nums(t, 'rtcp.ssrc.jitter'));
      expect(blocks.map((x) => x.lsr)).toEqual(nums(t, 'rtcp.ssrc.lsr'));
      expect(blocks.map((x) => x.dlsr)).toEqual(nums(t, 'rtcp.ssrc.dlsr'));
      // The XR loss rate is shown as a fraction too; report blocks come first.
      expect(blocks.map((x) => x.fraction_lost)).toEqual(nums(t, 'rtcp.ssrc.fraction').slice(0, n));
      // SDES items (END items left out) and the BYE reason, which tshark also shows as rtcp.sdes.text.
      expect((j.sdes_information ?? []).map((i) => i.type)).toEqual(nums(t, 'rtcp.sdes.type').filter((x) => x !== 0));
      expect([...(j.sdes_information ?? []).map((i) => i.text), ...(j.bye?.reason !== undefined ? [j.bye.reason] : [])]).toEqual(
        t.get('rtcp.sdes.text') ?? [],
      );
      if (j.sdes_ssrc !== undefined) expect(nums(t, 'rtcp.ssrc.identifier')).toContain(j.sdes_ssrc);
      const m = j.voip_metrics;
      if (m) {
        const x = (k: string) => nums(t, `rtcp.xr.voipmetrics.${k}`)[0];
        expect(m.ssrc).toBe(nums(t, 'rtcp.ssrc.identifier')[0]);
        expect(m.loss_rate).toBe(nums(t, 'rtcp.ssrc.fraction').at(-1));
        expect(m.discard_rate).toBe(nums(t, 'rtcp.ssrc.discarded')[0]);
        expect([
          m.burst_density,
          m.gap_density,
          m.burst_duration,
          m.gap_duration,
          m.round_trip_delay,
          m.end_system_delay,
          m.signal_level,
          m.noise_level,
          m.rerl,
          m.gmin,
          m.r_factor,
          m.ext_r_factor,
          m.mos_lq,
          m.mos_cq,
          m.jb_nominal,
          m.jb_maximum,
          m.jb_abs_max,
        ]).toEqual(
          [
            'burstdensity',
            'gapdensity',
            'burstduration',
            'gapduration',
            'rtdelay',
            'esdelay',
            'signallevel',
            'noiselevel',
            'rerl',
            'gmin',
            'rfactor',
            'extrfactor',
            'moslq',
            'moscq',
            'jbnominal',
            'jbmax',
            'jbabsmax',
          ].map(x),
        );
        expect(j.report_blocks_xr).toMatchObject({
          type: 7,
          id: m.ssrc,
          fraction_lost: m.loss_rate,
          fraction_discard: m.discard_rate,
          round_trip_delay: m.round_trip_delay,
        });
      }
      if (j.app) {
        expect(j.app.subtype).toBe(nums(t, 'rtcp.app.subtype')[0]);
        expect(j.app.name).toBe(t.get('rtcp.app.name')![0]);
        expect(j.app.data_length).toBe(t.get('rtcp.app.data')![0].split(':').length);
      }
    });
  }
});

describe('decodeRtcp JSON shape', () => {
  it('gives heplify/rtpengine field names, in their order, for SR + SDES', () => {
    const r = decodeRtcpToJson(RTCP_FIXTURES.srSdes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const j = JSON.parse(r.text);
    expect(Object.keys(j)).toEqual([
      'sender_information',
      'ssrc',
      'type',
      'report_count',
      'report_blocks',
      'sdes_ssrc',
      'sdes_report_count',
      'sdes_information',
      'packet_types',
    ]);
    expect(j).toMatchObject({
      sender_information: {
        ntp_timestamp_sec: 0xe8a1b2c3,
        ntp_timestamp_usec: 0x4d5e6f70,
        rtp_timestamp: 123456,
        packets: 500,
        octets: 80000,
      },
      ssrc: 0x5e1a2b3c,
      type: 200,
      report_count: 1,
      report_blocks: [
        {
          source_ssrc: 0x11223344,
          highest_seq_no: 66536,
          fraction_lost: 26,
          ia_jitter: 123,
          packets_lost: 42,
          lsr: 0xa1b2c3d4,
          dlsr: 0x18000,
        },
      ],
      sdes_ssrc: 0x5e1a2b3c,
      sdes_report_count: 1,
      sdes_information: [{ sdes_chunk_ssrc: 0x5e1a2b3c, type: 1, text: 'alice@192.0.2.10' }],
    });
    expect(Object.keys(j.report_blocks[0])).toEqual([
      'source_ssrc',
      'highest_seq_no',
      'fraction_lost',
      'ia_jitter',
      'packets_lost',
      'lsr',
      'dlsr',
    ]);
  });

  it('strips padding that tells the truth', () => {
    expect(decoded(RTCP_FIXTURES.padded)).toMatchObject({ type: 201, ssrc: 0x44444444, report_count: 0, report_blocks: [] });
  });

  it("reads a real stack's compound as it was sent (GStreamer RR + SDES)", () => {
    expect(decoded(RTCP_FIXTURES.gstreamerRr)).toMatchObject({
      type: 201,
      ssrc: 0xf660ec00,
      report_count: 1,
      report_blocks: [
        { source_ssrc: 0x01864660, fraction_lost: 0, packets_lost: -1, highest_seq_no: 0x2e6a, ia_jitter: 0, lsr: 0xf448aa5d, dlsr: 0xb05 },
      ],
      sdes_ssrc: 0xf660ec00,
      sdes_report_count: 1,
      sdes_information: [
        { sdes_chunk_ssrc: 0xf660ec00, type: 1, text: 'user3181593174@host-1a36aabc' },
        { sdes_chunk_ssrc: 0xf660ec00, type: 6, text: 'GStreamer' },
      ],
      packet_types: [201, 202],
    });
    expect(decoded(RTCP_FIXTURES.gstreamerSrBye)).toMatchObject({ type: 200, packet_types: [200, 202, 203], bye: { ssrcs: [0x01864660] } });
  });

  it('keeps a BYE with its SSRCs and reason', () => {
    expect(decoded(RTCP_FIXTURES.rrSdesBye).bye).toEqual({ ssrcs: [0x0a0b0c0d], reason: 'call ended' });
  });
});

describe('decodeRtcp on malformed packets (counted reasons, never a throw)', () => {
  const bad = (b: Buffer) => {
    const r = decodeRtcp(b);
    return r.ok ? 'ok' : r.reason;
  };
  const withByte = (b: Buffer, at: number, v: number) => {
    const c = Buffer.from(b);
    c[at] = v;
    return c;
  };

  it('refuses every truncation of every fixture with a listed reason', () => {
    for (const [name, b] of Object.entries(RTCP_FIXTURES)) {
      // A cut between two packets leaves a shorter compound that is fine.
      const boundaries = new Set<number>();
      for (let o = 0; o < b.length; o += (b.readUInt16BE(o + 2) + 1) * 4) boundaries.add(o);
      for (let n = 0; n < b.length; n++) {
        if (n > 0 && boundaries.has(n)) continue;
        const r = decodeRtcp(b.subarray(0, n));
        expect(r.ok, `${name} cut at ${n}`).toBe(false);
        if (!r.ok) expect(RTCP_ERROR_REASONS).toContain(r.reason);
      }
    }
  });

  it('names each malformation', () => {
    expect(bad(Buffer.alloc(0))).toBe('too_short');
    expect(bad(Buffer.alloc(70_000, 0x80))).toBe('too_large');
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 0, 0x41))).toBe('bad_version');
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 1, 0x60))).toBe('bad_type'); // RTP payload type 96
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 3, 0x20))).toBe('bad_length'); // length word past the datagram
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 3, 0x0d))).toBe('bad_version'); // one word too long: the next "header" is SDES bytes
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 3, 0x0b))).toBe('truncated'); // one too short: the report block no longer fits
    expect(bad(Buffer.concat([RTCP_FIXTURES.padded, Buffer.from([0x80, 0xc9])]))).toBe('bad_length'); // 2 leftover bytes
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 0, 0x9f))).toBe('truncated'); // SR says 31 report blocks
    expect(bad(withByte(RTCP_FIXTURES.padded, 11, 0))).toBe('bad_padding'); // padding count 0
    expect(bad(withByte(RTCP_FIXTURES.padded, 11, 13))).toBe('bad_padding'); // padding longer than the packet
    expect(bad(withByte(RTCP_FIXTURES.srSdes, 0x34, 0xa1))).toBe('bad_padding'); // padding bit on the SDES: its last byte (0) lies
    expect(bad(withByte(RTCP_FIXTURES.rrSdesBye, 0x41, 0x30))).toBe('truncated'); // SDES item longer than its packet
    expect(bad(withByte(RTCP_FIXTURES.rrXr, 0x12, 0x20))).toBe('truncated'); // XR block longer than its packet
  });

  it('refuses 64 KiB of report blocks (bounded JSON) and a report count its length cannot hold', () => {
    const rr = Buffer.alloc(8 + 31 * 24);
    rr[0] = 0x80 | 31;
    rr[1] = 201;
    rr.writeUInt16BE(rr.length / 4 - 1, 2);
    const many = Buffer.concat(Array.from({ length: Math.floor(65_535 / rr.length) }, () => rr));
    expect(many.length).toBeGreaterThan(60_000);
    expect(decodeRtcp(Buffer.concat(Array.from({ length: 8 }, () => rr)))).toMatchObject({ ok: true });
    expect(bad(many)).toBe('too_large');
    expect(Math.floor(many.length / 24)).toBeGreaterThan(MAX_REPORT_BLOCKS);
    // One RR claiming 31 blocks in a 64 KiB length word that runs past the datagram.
    const lying = Buffer.from(rr);
    lying.writeUInt16BE(0x3fff, 2);
    expect(bad(lying)).toBe('bad_length');
  });

  it('never throws on random and mutated input (seeded)', () => {
    const rand = prng(14);
    const fixtures = Object.values(RTCP_FIXTURES);
    for (let i = 0; i < 20_000; i++) {
      let b: Buffer;
      if (i % 2 === 0) {
        b = Buffer.from(fixtures[i % fixtures.length]);
        for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      } else {
        b = Buffer.alloc(Math.floor(rand() * 200));
        for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
        if (b.length > 1) b[0] = 0x80 | (b[0] & 0x3f);
      }
      const r = decodeRtcp(b);
      if (r.ok) expect(() => JSON.stringify(r.json)).not.toThrow();
      else expect(RTCP_ERROR_REASONS).toContain(r.reason);
    }
  });
});
