export { assessStreamHealth, missingStreamHealth } from './assess-stream-health';
export { checkHealth, HealthChecker, type HealthCheckResult } from './health-checker';
export { STREAM_HEALTH_STATES, type HealthReport, type StreamHealth, type StreamHealthChange, type StreamHealthState } from './health-report';
export { HealthWatch } from './health-watch';
export { countsInWords, healthChanges, healthReport } from './health-summary';
export { DEFAULT_HEALTH_THRESHOLDS, healthThresholds, type HealthThresholds } from './health-thresholds';
export type { ExportSample, StreamSample } from './stream-sample';
