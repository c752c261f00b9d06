// The fleet report: what each running agent and db-writer writes to Redis, and how `sipcap status` reads it.
export { AgentReporter, type AgentReporterOptions } from './agent-reporter';
export { listAgents } from './list-agents';
export { agentKey, parseAgentReport, AGENT_KEY_PREFIX, type AgentReport } from './agent-report';
