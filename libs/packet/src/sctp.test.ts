import { describe, expect, it } from 'vitest';
import { sctpDataChunks } from './sctp';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();

describe('SCTP', () => {
  it('reports ports and gives whole DATA chunks as messages', () => {
    const reply = t.sipReply();
    const body = t.sctpPacketBody(5060, 5061, [sip, reply]);
    const p = t.mustDecode(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 132, payload: body }));
    expect(p).toMatchObject({ ipProto: 132, srcPort: 5060, dstPort: 5061 });
    const chunks = sctpDataChunks(p.payload);
    expect(chunks.map((c) => c.toString())).toEqual([sip.toString(), reply.toString()]);
  });

  it('skips fragmented DATA chunks and stops at a chunk running past the packet', () => {
    const body = t.sctpPacketBody(5060, 5061, [sip]);
    const chunks = Buffer.from(body.subarray(12));
    chunks[1] = 0x02; // B only: the first piece of a larger message
    expect(sctpDataChunks(chunks)).toEqual([]);
    const cut = Buffer.from(body.subarray(12));
    cut.writeUInt16BE(cut.length + 10, 2);
    expect(sctpDataChunks(cut)).toEqual([]);
  });
});
