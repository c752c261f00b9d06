export { CaptureFlag, type CaptureFlagOptions, type CaptureFlagEvents, type NotifyMode } from './capture-flag';
export type { CaptureFlagState, FlagSource } from './flag-state';
export { parseCaptureFlag, formatCaptureFlag, type FlagValue } from './flag-value';
export { setCaptureFlag, clearCaptureFlag, readCaptureFlag } from './flag-commands';
export { keyspaceChannel, changedChannel } from './flag-channels';
export { silentLogger, type Logger } from './logger';
export { reconnectDelay } from './reconnect-delay';
export { redisSecurityOptions, redisAccessFailure } from './redis-security';
