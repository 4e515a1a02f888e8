export { assessStreamHealth, missingStreamHealth } from './assess-stream-health';
export { exportsOfStream } from './exports-of-stream';
export { checkHealth, HealthChecker, type HealthCheckerOptions, type HealthCheckResult } from './health-checker';
export {
  isProblem,
  STREAM_HEALTH_STATES,
  worseState,
  type ConsumerHealth,
  type ExportHealth,
  type ExportHealthState,
  type HealthReport,
  type StreamHealth,
  type StreamHealthChange,
  type StreamHealthState,
} from './health-report';
export { HealthWatch } from './health-watch';
export { countsInWords, healthChanges, healthReport } from './health-summary';
export { DEFAULT_HEALTH_THRESHOLDS, healthThresholds, type HealthThresholds } from './health-thresholds';
export { sampleStream } from './sample-stream';
export type { ConsumerSample, ExportSample, StreamSample } from './stream-sample';
