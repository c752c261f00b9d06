export { type CapturedMessage, protoFromIpProto, nowMicros } from './captured-message';
export {
  CapturePublisher,
  type CapturePublisherOptions,
  type CaptureOutcome,
  type RecordSink,
  type CaptureSwitch,
} from './capture-publisher';
export { CaptureTimeWindow } from './capture-time-window';
export { CaptureFilter, censoredMessage, type CaptureFilterSettings, type FilterRule, type FilterVerdict } from './capture-filter';
export { ReportPublisher, REPORT_DROP_REASONS, type CapturedReport, type ReportDropReason, type ReportOutcome } from './report-publisher';
export { startAgentRuntime, publisherSettings, AGENT_SETTINGS, type AgentRuntime, type AgentSettings } from './agent-runtime';
export { startAgentControl, type AgentControl, type WatchedSwitch } from './agent-control';
export { runAgent } from './run-agent';
export type { AgentBody, AgentInstance } from './agent-worker';
