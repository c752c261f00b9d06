import { decodeReportRecord, REPORT_RECORD_VERSION, splitRecordValue } from '@sipcap/record';
import type { KpiMetrics } from './kpi-metrics';
import type { PeerMap } from './peer-map';
import { sipEventOfValue } from './record-event';
import { qualityOfRtcpJson } from './rtcp-quality';
import { SipTracker } from './sip-tracker';
import { StateBudget } from './state-budget';

export interface KpiPipelineOptions {
  peers: PeerMap;
  metrics: KpiMetrics;
  retransWindowS: number;
  callTtlS: number;
  maxItems: number;
  maxBytes: number;
  rtpClockHz: number;
}

/** Records handed to the pipeline, by what they were. */
export type RecordKind = 'sip' | 'rtcp' | 'report' | 'logs' | 'undecodable' | 'replayed';

interface PartitionState {
  tracker: SipTracker;
  /** The last offset handled: a batch read again after a rebalance that left the partition here is not counted twice. */
  lastOffset: bigint;
  /** Event time of the last record and the wall time it came (to move event time on when traffic stops). */
  lastEventTs: number;
  lastWallS: number;
}

/**
 * The stats app's consumer logic: Kafka messages of the capture topic (single records, record batches,
 * SIP and report records) → one SipTracker per partition (a call's messages share a partition, keyed by
 * Call-ID) and the RTCP quality histograms. A partition that leaves this instance takes its state along,
 * counted as lost (sipcap_stats_state_dropped_total{reason="rebalance"}).
 */
export class KpiPipeline {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly budget: StateBudget;
  readonly records: Record<RecordKind, number> = { sip: 0, rtcp: 0, report: 0, logs: 0, undecodable: 0, replayed: 0 };

  constructor(private readonly opts: KpiPipelineOptions) {
    this.budget = new StateBudget(opts.maxItems, opts.maxBytes);
  }

  /** Items and estimated bytes of state held. */
  get state(): { items: number; bytes: number; partitions: number } {
    return { items: this.budget.items, bytes: this.budget.bytes, partitions: this.partitions.size };
  }

  private partition(p: number): PartitionState {
    let s = this.partitions.get(p);
    if (!s) {
      const tracker = new SipTracker({
        peers: this.opts.peers,
        sink: this.opts.metrics,
        budget: this.budget,
        retransWindowS: this.opts.retransWindowS,
        callTtlS: this.opts.callTtlS,
      });
      this.partitions.set(p, (s = { tracker, lastOffset: -1n, lastEventTs: 0, lastWallS: 0 }));
    }
    return s;
  }

  /** Handles one fetched batch of a partition, in offset order. */
  handle(partition: number, messages: readonly { offset: string; value: Buffer | null }[], wallS = Date.now() / 1000): void {
    const s = this.partition(partition);
    const { metrics } = this.opts;
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (offset <= s.lastOffset) {
        this.records.replayed++;
        continue;
      }
      s.lastOffset = offset;
      const split = m.value ? splitRecordValue(m.value) : undefined;
      if (!split?.ok) {
        this.records.undecodable++;
        metrics.anomaly('undecodable');
        continue;
      }
      for (const value of split.records) {
        if (value[0] === REPORT_RECORD_VERSION) {
          const r = decodeReportRecord(value);
          if (!r.ok) {
            this.records.undecodable++;
            metrics.anomaly('undecodable');
          } else if (r.record.kind !== 'rtcp') {
            this.records[r.record.kind]++;
          } else {
            this.records.rtcp++;
            const q = qualityOfRtcpJson(r.record.msg, this.opts.rtpClockHz);
            if (!q.ok) {
              metrics.anomaly('rtcp_bad_json');
              continue;
            }
            const { peers } = this.opts;
            const src = peers.peerOf(r.record.source_ip);
            const peer = src !== 'other' ? src : peers.peerOf(r.record.destination_ip);
            for (const sample of q.samples) metrics.quality(r.record.node, peer, sample);
          }
          continue;
        }
        const e = sipEventOfValue(value);
        if (!e) {
          this.records.undecodable++;
          metrics.anomaly('undecodable');
          continue;
        }
        this.records.sip++;
        s.tracker.handle(e);
        if (e.ts > s.lastEventTs) {
          s.lastEventTs = e.ts;
          s.lastWallS = wallS;
        }
      }
    }
  }

  /**
   * After a rebalance: partitions not in `assigned` went to another instance, and their state with them
   * (counted, not guessed; their active calls leave this instance's gauges).
   */
  assigned(assigned: readonly number[], reason: 'rebalance' | 'expired' = 'rebalance'): void {
    const keep = new Set(assigned);
    for (const [p, s] of this.partitions) {
      if (keep.has(p)) continue;
      s.tracker.clear(reason);
      this.partitions.delete(p);
    }
  }

  /**
   * Moves each partition's event time on by the wall time passed since its last record, so that calls
   * and registrations expire when traffic stops (event time, so a replayed old capture is not expired at once).
   */
  tick(wallS = Date.now() / 1000): void {
    for (const s of this.partitions.values()) {
      if (s.lastWallS > 0) s.tracker.advance(s.lastEventTs + (wallS - s.lastWallS));
    }
  }

  /** Drops all state (the app stops: its gauges go with it, so nothing is counted as lost to another instance). */
  clear(): void {
    this.assigned([], 'expired');
  }
}
