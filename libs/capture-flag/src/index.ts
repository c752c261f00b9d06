export { CaptureFlag, type CaptureFlagOptions, type CaptureFlagEvents, type NotifyMode } from './capture-flag';
export type { CaptureFlagState, FlagSource } from './flag-state';
export { parseCaptureFlag, formatCaptureFlag, type FlagValue } from './flag-value';
export { setCaptureFlag, clearCaptureFlag, readCaptureFlag } from './flag-commands';
export { keyspaceChannel, changedChannel } from './flag-channels';
export { AgentReporter, type AgentReporterOptions } from './agent-reporter';
export { listAgents } from './list-agents';
export { agentKey, parseAgentReport, AGENT_KEY_PREFIX, type AgentReport } from './agent-report';
export type { Logger } from './logger';
