import { REPORT_KINDS, type ReportKind, type ReportRecord } from './report-record';

/**
 * Kafka value encoding of a ReportRecord, version 4 (versions 1 and 3 are SIP records, 2 the record
 * batch; a batch may hold records of both kinds):
 *
 *   u8  version (4)
 *   u8  kind                          1 rtcp, 2 report, 3 logs
 *   i64 micro_ts                      big-endian
 *   u16 source_port, destination_port
 *   u8  proto, family
 *   u16 type
 *   then correlation_id, source_ip, destination_ip, node: u16 byte length + UTF-8 bytes
 *   u32 msg length + msg (UTF-8)
 */
export const REPORT_RECORD_VERSION = 4;

const FIXED = 1 + 1 + 8 + 2 + 2 + 1 + 1 + 2;
const MAX_STRING = 0xffff;

export type ReportDecodeResult =
  { ok: true; record: ReportRecord } | { ok: false; reason: 'unknown_version' | 'truncated' | 'bad_kind'; message: string };

export function encodeReportRecord(r: ReportRecord): Buffer {
  const strings = [r.correlation_id, r.source_ip, r.destination_ip, r.node].map((s) => {
    const b = Buffer.from(s, 'utf8');
    return b.length > MAX_STRING ? b.subarray(0, MAX_STRING) : b;
  });
  const msg = Buffer.from(r.msg, 'utf8');
  let size = FIXED + 4 + msg.length;
  for (const s of strings) size += 2 + s.length;
  const b = Buffer.allocUnsafe(size);
  b[0] = REPORT_RECORD_VERSION;
  b[1] = REPORT_KINDS.indexOf(r.kind) + 1;
  b.writeBigInt64BE(r.micro_ts, 2);
  b.writeUInt16BE(r.source_port, 10);
  b.writeUInt16BE(r.destination_port, 12);
  b[14] = r.proto;
  b[15] = r.family;
  b.writeUInt16BE(r.type, 16);
  let o = FIXED;
  for (const s of strings) {
    b.writeUInt16BE(s.length, o);
    s.copy(b, o + 2);
    o += 2 + s.length;
  }
  b.writeUInt32BE(msg.length, o);
  msg.copy(b, o + 4);
  return b;
}

/** Decodes a version 4 value; never throws. */
export function decodeReportRecord(buf: Buffer): ReportDecodeResult {
  if (buf.length < 1 || buf[0] !== REPORT_RECORD_VERSION)
    return { ok: false, reason: 'unknown_version', message: `not a report record (version ${buf[0]})` };
  if (buf.length < FIXED + 4) return { ok: false, reason: 'truncated', message: 'value shorter than the fixed header' };
  const kind: ReportKind | undefined = REPORT_KINDS[buf[1] - 1];
  if (kind === undefined) return { ok: false, reason: 'bad_kind', message: `report kind ${buf[1]} is not known to this build` };
  const strings: string[] = [];
  let o = FIXED;
  for (const name of ['correlation_id', 'source_ip', 'destination_ip', 'node']) {
    if (o + 2 > buf.length) return { ok: false, reason: 'truncated', message: `value ends before ${name}` };
    const n = buf.readUInt16BE(o);
    o += 2;
    if (o + n > buf.length) return { ok: false, reason: 'truncated', message: `value ends inside ${name}` };
    strings.push(buf.toString('utf8', o, o + n));
    o += n;
  }
  if (o + 4 > buf.length) return { ok: false, reason: 'truncated', message: 'value ends before msg' };
  const m = buf.readUInt32BE(o);
  o += 4;
  if (o + m !== buf.length) return { ok: false, reason: 'truncated', message: 'msg length does not match the value' };
  return {
    ok: true,
    record: {
      kind,
      micro_ts: buf.readBigInt64BE(2),
      correlation_id: strings[0],
      source_ip: strings[1],
      source_port: buf.readUInt16BE(10),
      destination_ip: strings[2],
      destination_port: buf.readUInt16BE(12),
      proto: buf[14],
      family: buf[15],
      type: buf.readUInt16BE(16),
      node: strings[3],
      msg: buf.toString('utf8', o, o + m),
    },
  };
}
