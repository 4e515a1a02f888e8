// One report over many streams (the worst state, counts in words) and what changed between two reports.
import { isProblem, STREAM_HEALTH_STATES, worseState, type HealthReport, type StreamHealth, type StreamHealthChange, type StreamHealthState } from './health-report';
import { plural } from './words';

function countsOf(streams: StreamHealth[]): Record<StreamHealthState, number> {
  const counts = Object.fromEntries(STREAM_HEALTH_STATES.map((state) => [state, 0])) as Record<StreamHealthState, number>;
  for (const stream of streams) counts[stream.state] += 1;
  return counts;
}

/** "2 streams ok, 1 failing: kinesis-out": the states from best to worst, the names of the worst state's streams. */
export function countsInWords(report: Pick<HealthReport, 'counts' | 'streams' | 'state'>): string {
  const present = STREAM_HEALTH_STATES.filter((state) => report.counts[state] > 0);
  if (present.length === 0) return 'no streams';
  const parts = present.map((state, index) => (index === 0 ? `${plural(report.counts[state], 'stream', 'streams')} ${state}` : `${report.counts[state]} ${state}`));
  const text = parts.join(', ');
  if (!isProblem(report.state)) return text;
  const worst = report.streams.filter((stream) => stream.state === report.state).map((stream) => stream.stream);
  return `${text}: ${worst.join(', ')}`;
}

/** The streams' healths as one report, in the order given. */
export function healthReport(streams: StreamHealth[], checkedAt: number): HealthReport {
  const state = streams.reduce<StreamHealthState>((worst, stream) => worseState(worst, stream.state), 'ok');
  const partial = { state, checkedAt, counts: countsOf(streams), streams };
  const problems = streams.filter((stream) => isProblem(stream.state)).map((stream) => `${stream.stream} ${stream.state}: ${stream.reason}`);
  return { ...partial, reason: [countsInWords(partial), ...problems].join('; ') };
}

/**
 * Streams whose state differs from the previous report's. A stream seen for the first time is a change only when it
 * has a problem; a stream the new report no longer holds is no change (a stream being watched by name shows as missing).
 */
export function healthChanges(previous: HealthReport | undefined, current: HealthReport): StreamHealthChange[] {
  const before = new Map((previous?.streams ?? []).map((stream) => [stream.stream, stream.state]));
  const changes: StreamHealthChange[] = [];
  for (const health of current.streams) {
    const previousState = before.get(health.stream);
    if (previousState === health.state || (previousState === undefined && !isProblem(health.state))) continue;
    changes.push({ stream: health.stream, state: health.state, ...(previousState === undefined ? {} : { previousState }), reason: health.reason, health });
  }
  return changes;
}
