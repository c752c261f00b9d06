/**
 * SIP KPIs and call quality from capture records: SipTracker (per-partition call and transaction state,
 * bounded by a shared StateBudget) reports to a KpiSink (KpiMetrics: the Prometheus metrics of the stats
 * app); PeerMap names addresses from STATS_PEERS; qualityOfRtcpJson reads RTCP report records.
 */
export { SipTracker, type SipTrackerOptions } from './sip-tracker';
export { StateBudget } from './state-budget';
export { PeerMap, peerEntryProblem, OTHER_PEER } from './peer-map';
export { parseCseq, type SipEvent } from './sip-event';
export { sipEventOfValue } from './record-event';
export { qualityOfRtcpJson, estimateMos, type QualitySample } from './rtcp-quality';
export { KpiMetrics, BUCKETS } from './kpi-metrics';
export {
  ANOMALY_REASONS,
  CALL_OUTCOMES,
  DROP_REASONS,
  KNOWN_METHODS,
  outcomeOfCode,
  type AnomalyReason,
  type CallOutcome,
  type DropReason,
  type KpiSink,
  type StateKind,
} from './kpi-sink';
export { KpiPipeline, type KpiPipelineOptions, type RecordKind } from './kpi-pipeline';
export { summarizeKpis, type PeerKpis } from './kpi-summary';
