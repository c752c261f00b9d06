import { LinkType } from '@sipcap/packet';
import type { Registry } from 'prom-client';
import { ipPairHash } from './flow-hash';
import type { FramePipeline } from './frame-pipeline';
import { ipHeaderOffset } from './ip-header-offset';
import { IpipStripper } from './ipip-stripper';
import type { FrameHandler } from './live-capture';
import { totalsCounter } from './totals-metrics';

/**
 * The main thread's first step for every captured frame: in IPIP mode, the outer-header gate and strip
 * (reassembling outer fragments); then the flow hash (only when workers share the decoding) and the
 * hand-over to the pipeline. Cheap by design: it reads a few header bytes and decodes nothing.
 */
export class FrameIntake {
  frames = 0;
  readonly handle: FrameHandler;

  constructor(pipeline: FramePipeline, ipip?: IpipStripper, registry?: Registry) {
    const hashed = pipeline.wantsHash;
    if (ipip === undefined) {
      this.handle = (linktype, frame, ts) => {
        this.frames++;
        pipeline.push(linktype, frame, ts, hashed ? ipPairHash(frame, ipHeaderOffset(linktype, frame)) : 0);
      };
    } else {
      this.handle = (linktype, frame, ts) => {
        this.frames++;
        const inner = ipip.strip(linktype, frame, ts);
        if (inner === undefined) return;
        // Routed by the inner address pair: the outer one is the same for everything the tunnel carries.
        pipeline.push(LinkType.RAW, inner, ts, hashed ? ipPairHash(inner, ipHeaderOffset(LinkType.RAW, inner)) : 0);
      };
    }
    if (registry) {
      totalsCounter(registry, 'sipcap_raw_frames_read_total', 'Frames read from the interface or the capture file', () => this.frames);
      if (ipip) {
        const c = ipip.counters;
        totalsCounter(
          registry,
          'sipcap_raw_ipip_inner_total',
          'Inner packets taken out of IPIP packets for the listen address',
          () => c.inner,
        );
        totalsCounter(registry, 'sipcap_raw_ipip_rejected_total', 'Frames not taken in IPIP mode, by reason', {
          label: 'reason',
          read: () => c.rejected,
        });
        totalsCounter(registry, 'sipcap_raw_ipip_outer_fragments_total', 'Outer IPIP fragment reassembly events', {
          label: 'event',
          read: () => ({ ...ipip.fragments.counters }),
        });
      }
    }
  }
}
