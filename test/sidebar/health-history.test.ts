// The sidebar's health history: what it keeps of each stream's checks for the charts, and that it stays bounded
// however the checks come (a property test over generated check sequences with fixed seeds).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamHealth, StreamHealthState } from '../../lib/client/health/health-report';
import { HealthHistory, HISTORY_MAX_POINTS, HISTORY_SPAN_MS } from '../../plugins/sidebar/health-history';
import { seededRandom } from '../helpers/seeded-random';

function health(stream: string, checkedAt: number, facts: { state?: StreamHealthState; fillPercent?: number; lags?: [number, number][] } = {}): StreamHealth {
  return {
    stream,
    state: facts.state ?? 'ok',
    reason: '',
    checkedAt,
    totalBytes: 0,
    maxSize: 100,
    fillPercent: facts.fillPercent ?? 0,
    messageCount: 0,
    oldestSequenceNumber: 0,
    newestSequenceNumber: -1,
    exports: (facts.lags ?? []).map(([lagMessages, lagAgeMs], index) => ({ identifier: `export-${index}`, state: 'ok', lastExportedSequenceNumber: -1, lagMessages, lagAgeMs })),
    consumers: [],
  };
}

describe('health history', () => {
  it('keeps a sample per check with the fill and the largest lag of any export, and the newest health as the one to assess the next check against', () => {
    const history = new HealthHistory();
    const first = health('a', 1_000, { fillPercent: 12.5, lags: [[3, 500], [40, 100]] });
    history.record([first], true, 1_000);
    const second = health('a', 11_000, { state: 'failing', fillPercent: 13, lags: [[5, 10_500], [0, 0]] });
    history.record([second], true, 11_000);
    assert.deepEqual(history.since(0).a, [
      { at: 1_000, state: 'ok', fillPercent: 12.5, exportLagMessages: 40, exportLagAgeMs: 500 },
      { at: 11_000, state: 'failing', fillPercent: 13, exportLagMessages: 5, exportLagAgeMs: 10_500 },
    ]);
    assert.deepEqual(history.since(1_000).a.map((point) => point.at), [11_000], 'since: only the samples after it');
    assert.equal(history.latest('a'), second);
  });

  it('takes at most one sample per stream every tenth of a minute (a little early still counts), but always the newest health', () => {
    const history = new HealthHistory();
    for (const at of [0, 3_000, 6_000, 9_000, 9_600, 12_000, 19_200]) history.record([health('a', at)], true, at);
    assert.deepEqual(history.since().a.map((point) => point.at), [0, 9_600, 19_200]);
    assert.equal(history.latest('a')?.checkedAt, 19_200);
  });

  it('drops a stream that a complete check no longer finds, or that is checked as missing; a partial check (one watch) drops nothing', () => {
    const history = new HealthHistory();
    history.record([health('a', 0), health('b', 0), health('c', 0)], true, 0);
    history.record([health('a', 10_000)], false, 10_000);
    assert.deepEqual(Object.keys(history.since()).sort(), ['a', 'b', 'c']);
    history.record([health('a', 20_000), health('b', 20_000, { state: 'missing' })], false, 20_000);
    assert.deepEqual(Object.keys(history.since()).sort(), ['a', 'c']);
    history.record([health('a', 30_000)], true, 30_000);
    assert.deepEqual(Object.keys(history.since()), ['a']);
    assert.equal(history.latest('c'), undefined);
  });

  it('keeps at most an hour and at most 360 samples of any stream, and forgets a stream not checked for an hour, whatever the checks (seeded)', () => {
    for (const seed of [1, 7, 42, 1234, 99_999]) {
      const random = seededRandom(seed);
      const history = new HealthHistory();
      const names = ['a', 'b', 'c', 'd', 'e', 'f'];
      let now = 0;
      const lastChecked = new Map<string, number>();
      for (let check = 0; check < 3_000; check++) {
        now += Math.floor(random() * 20_000);
        const checked = names.filter(() => random() < 0.6).map((name) => health(name, now, { fillPercent: random() * 100, lags: [[Math.floor(random() * 1000), 0]] }));
        const complete = random() < 0.2;
        history.record(checked, complete, now);
        if (complete) for (const name of names) if (!checked.some((found) => found.stream === name)) lastChecked.delete(name);
        for (const found of checked) lastChecked.set(found.stream, now);
        for (const [stream, points] of Object.entries(history.since())) {
          assert.ok(points.length <= HISTORY_MAX_POINTS, `seed ${seed}: ${points.length} samples of ${stream}`);
          assert.ok(points.every((point) => point.at > now - HISTORY_SPAN_MS), `seed ${seed}: a sample older than an hour`);
          assert.ok(points.every((point, index) => index === 0 || point.at - points[index - 1].at >= history.intervalMs), `seed ${seed}: samples too close`);
          assert.ok(lastChecked.has(stream), `seed ${seed}: ${stream} is kept after a complete check without it`);
        }
        for (const [stream, at] of lastChecked) {
          assert.equal(stream in history.since(), at > now - HISTORY_SPAN_MS, `seed ${seed}: ${stream}, checked at ${at}, now ${now}`);
        }
      }
      assert.ok(history.size <= names.length * HISTORY_MAX_POINTS);
    }
  });
});
