import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../decode-frame';
import {
  LOOPBACK_PCAPNG,
  LOOPBACK_PCAP_NANOS,
  LOOPBACK_SLL2_PCAP,
  OPTIONS_FRAME_HEX,
  OPTIONS_PCAPNG,
  OPTIONS_PCAP_MICROS,
  OPTIONS_PCAP_NANOS,
} from '../fixtures/captured';
import * as t from '../testing/index';
import { CaptureFileReader } from './capture-file-reader';
import type { PcapRecord } from './pcap-record';
import { writePcap } from './pcap-writer';
import { readCaptureFile, readCaptureStream } from './read-capture-file';

const b64 = (s: string) => Buffer.from(s, 'base64');
const optionsFrame = Buffer.from(OPTIONS_FRAME_HEX, 'hex');

function readAll(file: Buffer) {
  const records: PcapRecord[] = [];
  const it = readCaptureFile(file);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { records, status: r.value };
    records.push(r.value);
  }
}

describe('classic pcap (files written by Wireshark tools and tcpdump)', () => {
  it('reads a microsecond file', () => {
    const { records, status } = readAll(b64(OPTIONS_PCAP_MICROS));
    expect(status).toMatchObject({ ok: true, format: 'pcap', records: 1 });
    expect(records[0]).toMatchObject({ linktype: 1, tsMicros: 1700000000123456n, originalLength: 244, interfaceId: 0 });
    expect(records[0].frame.equals(optionsFrame)).toBe(true);
  });

  it('reads a nanosecond file, truncating to microseconds', () => {
    const { records } = readAll(b64(OPTIONS_PCAP_NANOS));
    expect(records[0].tsMicros).toBe(1700000000123456n);
    expect(records[0].frame.equals(optionsFrame)).toBe(true);
  });

  it('reads a tcpdump capture of loopback traffic (nanoseconds, Ethernet)', () => {
    const { records, status } = readAll(b64(LOOPBACK_PCAP_NANOS));
    expect(status.ok).toBe(true);
    expect(records.length).toBe(16);
    expect(records[0].tsMicros).toBe(1795669124674747n);
    expect(records.map((r) => r.frame.length)).toEqual([273, 293, 74, 74, 66, 106, 66, 176, 66, 406, 66, 290, 66, 66, 66, 66]);
  });

  it('reads a tcpdump capture in Linux cooked v2 format', () => {
    const { records } = readAll(b64(LOOPBACK_SLL2_PCAP));
    expect(records.length).toBe(16);
    expect(records[0]).toMatchObject({ linktype: 276, tsMicros: 1795669124674747n });
    const first = decodeFrame(records[0].linktype, records[0].frame);
    expect(first.ok && first.packet).toMatchObject({ srcIp: '127.0.0.1', dstPort: 5099 });
  });

  it('reads big-endian files in both time units (written by writePcap)', () => {
    for (const nanoseconds of [false, true]) {
      const file = writePcap([{ tsMicros: 1700000000654321n, frame: optionsFrame }], { bigEndian: true, nanoseconds, linktype: 101 });
      expect(file.readUInt32BE(0)).toBe(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
      const { records } = readAll(file);
      expect(records[0]).toMatchObject({ linktype: 101, tsMicros: 1700000000654321n });
    }
  });

  it('reads the 24-byte record headers of the modified (Kuznetzov) format', () => {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2cd34, 0);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    const rec = Buffer.alloc(24);
    rec.writeUInt32LE(10, 0);
    rec.writeUInt32LE(20, 4);
    rec.writeUInt32LE(optionsFrame.length, 8);
    rec.writeUInt32LE(optionsFrame.length, 12);
    const { records, status } = readAll(Buffer.concat([header, rec, optionsFrame]));
    expect(status.ok).toBe(true);
    expect(records[0]).toMatchObject({ tsMicros: 10_000_020n });
    expect(records[0].frame.equals(optionsFrame)).toBe(true);
  });

  it('masks FCS bits out of the link type field', () => {
    const file = writePcap([{ tsMicros: 1n, frame: optionsFrame }]);
    file.writeUInt32LE(0x10000000 | 1, 20);
    expect(readAll(file).records[0].linktype).toBe(1);
  });
});

describe('pcapng', () => {
  it('reads a file written by editcap (nanosecond resolution)', () => {
    const { records, status } = readAll(b64(OPTIONS_PCAPNG));
    expect(status).toMatchObject({ ok: true, format: 'pcapng', records: 1 });
    expect(records[0]).toMatchObject({ linktype: 1, tsMicros: 1700000000123456n, interfaceId: 0 });
    expect(records[0].frame.equals(optionsFrame)).toBe(true);
  });

  it('reads the converted loopback capture like the classic one', () => {
    const ng = readAll(b64(LOOPBACK_PCAPNG)).records;
    const classic = readAll(b64(LOOPBACK_PCAP_NANOS)).records;
    expect(ng.length).toBe(classic.length);
    ng.forEach((r, i) => {
      expect(r.tsMicros).toBe(classic[i].tsMicros);
      expect(r.frame.equals(classic[i].frame)).toBe(true);
    });
  });

  it('reads both byte orders, several interfaces with their own link type and resolution', () => {
    for (const littleEndian of [true, false]) {
      const file = t.buildPcapng({
        littleEndian,
        interfaces: [{ linktype: 1 }, { linktype: 101, tsresol: 9 }, { linktype: 276, tsresol: 0x80 | 20, tsoffset: 100n }],
        packets: [
          { interfaceId: 0, ts: 1700000000000001n, frame: optionsFrame },
          { interfaceId: 1, ts: 1700000000123456789n, frame: Buffer.from('raw') },
          { interfaceId: 2, ts: 3n << 20n, frame: Buffer.from('sll2') },
        ],
      });
      const { records, status } = readAll(file);
      expect(status.ok).toBe(true);
      expect(records.map((r) => [r.linktype, r.tsMicros, r.interfaceId])).toEqual([
        [1, 1700000000000001n, 0],
        [101, 1700000000123456n, 1],
        [276, 103_000_000n, 2],
      ]);
      expect(records[1].frame.toString()).toBe('raw');
    }
  });

  it('reads simple and obsolete packet blocks and skips unknown blocks', () => {
    const le = true;
    const file = Buffer.concat([
      t.sectionHeaderBlock(le),
      t.interfaceDescriptionBlock(le, { linktype: 101, snaplen: 4 }),
      t.pcapngBlock(le, 5, Buffer.alloc(20)), // interface statistics
      t.obsoletePacketBlock(le, 0, 5_000_000n, Buffer.from('abc')),
      t.simplePacketBlock(le, Buffer.from('abcdefgh')), // cut to the interface snaplen
      t.pcapngBlock(le, 0x40000bad, Buffer.alloc(8)), // custom block
    ]);
    const { records, status } = readAll(file);
    expect(status.ok).toBe(true);
    expect(records.map((r) => [r.frame.toString(), r.tsMicros, r.originalLength])).toEqual([
      ['abc', 5_000_000n, 3],
      ['abcd', 5_000_000n, 8],
    ]);
  });

  it('starts over at a new section (its interfaces and byte order)', () => {
    const first = t.buildPcapng({ littleEndian: true, interfaces: [{ linktype: 1 }], packets: [{ ts: 1n, frame: optionsFrame }] });
    const second = t.buildPcapng({ littleEndian: false, interfaces: [{ linktype: 113 }], packets: [{ ts: 2n, frame: Buffer.from('x') }] });
    const { records, status } = readAll(Buffer.concat([first, second]));
    expect(status.ok).toBe(true);
    expect(records.map((r) => [r.linktype, r.tsMicros])).toEqual([
      [1, 1n],
      [113, 2n],
    ]);
  });

  it('skips packets of an interface that was never described, and counts them', () => {
    const file = Buffer.concat([
      t.sectionHeaderBlock(true),
      t.interfaceDescriptionBlock(true, { linktype: 1 }),
      t.enhancedPacketBlock(true, 3, 1n, optionsFrame),
      t.enhancedPacketBlock(true, 0, 2n, optionsFrame),
    ]);
    const { records, status } = readAll(file);
    expect(records.length).toBe(1);
    expect(status).toMatchObject({ ok: true, records: 1, skipped: 1 });
  });

  it('stops at a block whose trailing length differs', () => {
    const file = t.buildPcapng({
      interfaces: [{ linktype: 1 }],
      packets: [
        { ts: 1n, frame: optionsFrame },
        { ts: 2n, frame: optionsFrame },
      ],
    });
    file.writeUInt32LE(12345, file.length - 4);
    const { records, status } = readAll(file);
    expect(records.length).toBe(1);
    expect(status).toMatchObject({ ok: false, reason: 'bad-block' });
  });
});

describe('damaged files', () => {
  it('reports an unknown magic', () => {
    expect(readAll(Buffer.from('GIF89a...........................')).status).toMatchObject({ ok: false, reason: 'bad-magic' });
  });

  it('reports empty data as truncated', () => {
    expect(readAll(Buffer.alloc(0)).status).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('reports an impossible record length', () => {
    const file = writePcap([{ tsMicros: 1n, frame: optionsFrame }]);
    file.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(readAll(file).status).toMatchObject({ ok: false, reason: 'bad-record', records: 0 });
  });

  it('never throws on any prefix of a file: the records before the cut, then truncated unless cut between records', () => {
    // Where records (classic) or blocks (pcapng, little-endian) end, walked here from the length fields.
    const classic = b64(LOOPBACK_PCAP_NANOS);
    const classicEnds = new Set<number>([24]);
    for (let o = 24; o < classic.length; o += 16 + classic.readUInt32LE(o + 8)) classicEnds.add(o + 16 + classic.readUInt32LE(o + 8));
    const ng = b64(LOOPBACK_PCAPNG);
    const ngEnds = new Set<number>();
    for (let o = 0; o < ng.length; o += ng.readUInt32LE(o + 4)) ngEnds.add(o + ng.readUInt32LE(o + 4));

    for (const [file, ends] of [
      [classic, classicEnds],
      [ng, ngEnds],
    ] as const) {
      const total = readAll(file).records.length;
      let previous = 0;
      for (let n = 0; n < file.length; n++) {
        const { records, status } = readAll(file.subarray(0, n));
        expect(records.length).toBeGreaterThanOrEqual(previous);
        expect(records.length).toBeLessThanOrEqual(total);
        previous = records.length;
        if (ends.has(n)) expect(status.ok, `cut at ${n}`).toBe(true);
        else expect(status, `cut at ${n}`).toMatchObject({ ok: false, reason: 'truncated' });
      }
    }
  });
});

describe('readCaptureStream', () => {
  it('yields the same records from chunks of any size', async () => {
    const file = b64(LOOPBACK_PCAPNG);
    const expected = readAll(file).records.map((r) => r.frame.toString('hex'));
    for (const size of [1, 7, 100, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < file.length; i += size) chunks.push(file.subarray(i, i + size));
      const got: string[] = [];
      const it = readCaptureStream(Readable.from(chunks));
      let r = await it.next();
      for (; !r.done; r = await it.next()) got.push(r.value.frame.toString('hex'));
      expect(got).toEqual(expected);
      expect(r.value).toMatchObject({ ok: true, records: expected.length });
    }
  });

  it('stops at the first bad block and reports it', async () => {
    const it = readCaptureStream(Readable.from([Buffer.from('not a capture file at all')]));
    const r = await it.next();
    expect(r.done).toBe(true);
    expect(r.value).toMatchObject({ ok: false, reason: 'bad-magic' });
  });
});

describe('CaptureFileReader', () => {
  it('keeps records valid after later pushes (they are views of the chunks)', () => {
    const file = b64(LOOPBACK_PCAP_NANOS);
    const reader = new CaptureFileReader();
    const records: PcapRecord[] = [];
    for (let i = 0; i < file.length; i += 50) {
      reader.push(file.subarray(i, i + 50));
      for (let r = reader.next(); r; r = reader.next()) records.push(r);
    }
    expect(reader.end().ok).toBe(true);
    const again = readAll(file).records;
    expect(records.map((r) => r.frame.toString('hex'))).toEqual(again.map((r) => r.frame.toString('hex')));
  });
});
