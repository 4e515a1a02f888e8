// The health states as a pure function of a sample and the health found at the check before: properties over
// generated timelines (fixed seeds, so a failure replays), and the reasons and changes a flow sees, by example.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assessStreamHealth,
  countsInWords,
  healthChanges,
  healthReport,
  healthThresholds,
  missingStreamHealth,
  type ExportSample,
  type StreamHealth,
  type StreamSample,
} from '../../lib/client/health';
import { seededRandom } from '../helpers/seeded-random';

const thresholds = healthThresholds({ exportLagMessages: 50, exportLagAgeMs: 60_000, fillPercent: 80, errorGraceMs: 30_000 });

function sample(overrides: Partial<StreamSample> = {}): StreamSample {
  return { stream: 'feed', takenAt: 1_000_000, maxSize: 10_000, totalBytes: 0, oldestSequenceNumber: 0, newestSequenceNumber: -1, exports: [], consumers: [], ...overrides };
}

function exportSample(overrides: Partial<ExportSample> = {}): ExportSample {
  return { identifier: 'out', kind: 'kinesis', disabled: false, lastExportedSequenceNumber: -1, ...overrides };
}

interface Step {
  sample: StreamSample;
  health: StreamHealth;
}

/**
 * A stream with one export, checked every 1-20 s for `steps` checks: messages arrive, the export sometimes exports
 * some, and an error comes and goes. Each health is assessed from the one before, as the checker does.
 */
function timeline(seed: number, steps: number): Step[] {
  const random = seededRandom(seed);
  const pick = (below: number) => Math.floor(random() * below);
  let now = 1_000_000;
  let newest = -1;
  let exported = -1;
  let failing = false;
  const ingestTimes: number[] = [];
  const result: Step[] = [];
  for (let step = 0; step < steps; step++) {
    now += 1000 + pick(19_000);
    for (let count = pick(30); count > 0; count--) ingestTimes[++newest] = now - pick(1000);
    if (random() < 0.2) failing = !failing;
    if (!failing && random() < 0.7) exported = Math.min(newest, exported + pick(60));
    const current = sample({
      takenAt: now,
      totalBytes: (newest + 1) * 10,
      newestSequenceNumber: newest,
      exports: [exportSample({ lastExportedSequenceNumber: exported, oldestUnexportedIngestTime: ingestTimes[exported + 1], ...(failing ? { errorMessage: 'connect ECONNREFUSED' } : {}) })],
    });
    result.push({ sample: current, health: assessStreamHealth(current, result.at(-1)?.health, thresholds) });
  }
  return result;
}

const SEEDS = Array.from({ length: 40 }, (_, index) => 7919 * (index + 1));

describe('health assessment (properties)', () => {
  it('is pure: the same sample and previous health give the same report, and neither is changed', () => {
    for (const seed of SEEDS) {
      const steps = timeline(seed, 30);
      for (let index = 1; index < steps.length; index++) {
        const before = structuredClone(steps[index - 1].health);
        const input = structuredClone(steps[index].sample);
        assert.deepEqual(assessStreamHealth(input, before, thresholds), steps[index].health, `seed ${seed} step ${index}`);
        assert.deepEqual(input, steps[index].sample);
        assert.deepEqual(before, steps[index - 1].health);
      }
    }
  });

  it('is failing exactly when an error has held data back for the grace, counted from no earlier than the check before', () => {
    for (const seed of SEEDS) {
      const steps = timeline(seed, 40);
      steps.forEach(({ sample: current, health }, index) => {
        const [facts] = current.exports;
        const [assessed] = health.exports;
        const where = `seed ${seed} step ${index}`;
        if (!facts.errorMessage || assessed.lagMessages === 0) {
          assert.notEqual(assessed.state, 'failing', where);
          assert.equal(assessed.errorSince, undefined, where);
          return;
        }
        assert.ok(assessed.errorSince !== undefined && assessed.errorSince <= current.takenAt, where);
        const previous = steps[index - 1];
        const carried = previous?.health.exports[0].errorSince !== undefined && previous.health.exports[0].lastExportedSequenceNumber === facts.lastExportedSequenceNumber;
        if (previous && !carried) assert.ok(assessed.errorSince >= previous.sample.takenAt, `${where}: a new error started after the check before`);
        assert.equal(assessed.state === 'failing', current.takenAt - assessed.errorSince >= thresholds.errorGraceMs, where);
      });
    }
  });

  it('reaches every export state in the generated timelines (so the properties above are about something)', () => {
    const seen = new Set(SEEDS.flatMap((seed) => timeline(seed, 40).map(({ health }) => health.exports[0].state)));
    assert.deepEqual([...seen].sort(), ['failing', 'lagging', 'ok']);
  });

  it('stays failing while the error stays and nothing is exported, and is failing no longer once the error is gone', () => {
    for (const seed of SEEDS) {
      const steps = timeline(seed, 40);
      for (let index = 1; index < steps.length; index++) {
        const [before, now] = [steps[index - 1], steps[index]];
        const stuck = now.sample.exports[0].errorMessage !== undefined && now.sample.exports[0].lastExportedSequenceNumber === before.sample.exports[0].lastExportedSequenceNumber;
        if (before.health.exports[0].state === 'failing' && stuck) assert.equal(now.health.exports[0].state, 'failing', `seed ${seed} step ${index}`);
        if (now.sample.exports[0].errorMessage === undefined) assert.notEqual(now.health.exports[0].state, 'failing', `seed ${seed} step ${index}`);
      }
    }
  });

  it('counts the lag of an export and of a consumer within the stored messages, and lags by count or by age', () => {
    const random = seededRandom(104_729);
    for (let round = 0; round < 500; round++) {
      const oldest = Math.floor(random() * 1000);
      const newest = oldest - 1 + Math.floor(random() * 500);
      const exported = Math.floor(random() * (newest + 20)) - 10;
      const age = Math.floor(random() * 120_000);
      const current = sample({
        oldestSequenceNumber: oldest,
        newestSequenceNumber: newest,
        exports: [exportSample({ lastExportedSequenceNumber: exported, oldestUnexportedIngestTime: 1_000_000 - age })],
        consumers: [{ consumer: 'c', nextSequenceNumber: exported + 1, committedAt: 0, deadLetters: 0 }],
      });
      const health = assessStreamHealth(current, undefined, thresholds);
      const expected = Math.max(0, newest - Math.max(exported, oldest - 1));
      assert.equal(health.messageCount, Math.max(0, newest - oldest + 1));
      assert.equal(health.exports[0].lagMessages, expected, `round ${round}`);
      assert.equal(health.consumers[0].lag, expected, `round ${round}`);
      assert.ok(expected <= health.messageCount);
      assert.equal(health.exports[0].lagAgeMs, expected > 0 ? age : 0);
      const lagging = expected >= thresholds.exportLagMessages || (expected > 0 && age >= thresholds.exportLagAgeMs);
      assert.equal(health.exports[0].state, lagging ? 'lagging' : 'ok', `round ${round}`);
      assert.equal(health.state, lagging ? 'lagging' : 'ok');
    }
  });

  it('takes the worst part as the stream state: failing over filling over lagging over ok; disabled exports do not count', () => {
    const random = seededRandom(15_485_863);
    for (let round = 0; round < 500; round++) {
      const totalBytes = Math.floor(random() * 10_001);
      const exports = Array.from({ length: Math.floor(random() * 4) }, (_, index) =>
        exportSample({
          identifier: `e${index}`,
          disabled: random() < 0.2,
          lastExportedSequenceNumber: random() < 0.5 ? 99 : 0,
          oldestUnexportedIngestTime: 1_000_000 - 50_000,
          ...(random() < 0.4 ? { errorMessage: 'refused' } : {}),
        }),
      );
      const health = assessStreamHealth(sample({ totalBytes, newestSequenceNumber: 99, exports }), undefined, thresholds);
      const states = health.exports.map((entry) => entry.state);
      exports.forEach((entry, index) => entry.disabled && assert.equal(states[index], 'disabled'));
      const expected = states.includes('failing') ? 'failing' : totalBytes >= 8000 ? 'filling' : states.includes('lagging') ? 'lagging' : 'ok';
      assert.equal(health.state, expected, `round ${round}: ${states.join(',')} at ${totalBytes} bytes`);
      assert.equal(health.fillPercent, totalBytes / 100);
    }
  });

  it('gives the time to full at the net growth since the check before, and none while the stream does not grow', () => {
    const random = seededRandom(32_452_843);
    for (let round = 0; round < 300; round++) {
      const before = assessStreamHealth(sample({ totalBytes: Math.floor(random() * 5000), newestSequenceNumber: 10 }), undefined, thresholds);
      const elapsed = 1000 + Math.floor(random() * 20_000);
      const grown = Math.floor(random() * 4000) - 1000;
      const appended = Math.floor(random() * 100);
      const now = assessStreamHealth(sample({ takenAt: before.checkedAt + elapsed, totalBytes: before.totalBytes + grown, newestSequenceNumber: 10 + appended }), before, thresholds);
      assert.equal(now.appendRatePerSecond, (appended * 1000) / elapsed);
      if (grown <= 0) assert.equal(now.timeToFullMs, undefined);
      else if (now.totalBytes >= now.maxSize) assert.equal(now.timeToFullMs, 0);
      else {
        const filled = now.totalBytes + (grown / elapsed) * (now.timeToFullMs ?? Number.NaN);
        assert.ok(Math.abs(filled - now.maxSize) < 1, `round ${round}: reaches ${filled}`);
      }
    }
  });
});

describe('health assessment (examples)', () => {
  it('estimates the append rate from the stored messages at the first check', () => {
    const health = assessStreamHealth(sample({ totalBytes: 1100, newestSequenceNumber: 10, oldestIngestTime: 1_000, newestIngestTime: 6_000 }), undefined, thresholds);
    assert.equal(health.appendRatePerSecond, 2);
    assert.equal(health.timeToFullMs, Math.round(((10_000 - 1100) * 1000) / 200));
  });

  it('says why in words', () => {
    const failing = assessStreamHealth(
      sample({ totalBytes: 9000, newestSequenceNumber: 9, exports: [exportSample({ identifier: 'kinesis-out', errorMessage: 'export kinesis-out is set to refuse', oldestUnexportedIngestTime: 1_000_000 - 45_000 })] }),
      undefined,
      thresholds,
    );
    assert.equal(failing.state, 'failing');
    assert.equal(failing.reason, 'export kinesis-out failing for 45 s (10 messages waiting, the oldest for 45 s): export kinesis-out is set to refuse; 90% full (alert at 80%)');
    const ok = assessStreamHealth(sample({ totalBytes: 1234, exports: [exportSample()] }), undefined, thresholds);
    assert.equal(ok.reason, '12% full, the export keeps up');
  });

  it('reports counts in words and the worst streams by name', () => {
    const ok = assessStreamHealth(sample({ stream: 'a' }), undefined, thresholds);
    const failing = assessStreamHealth(sample({ stream: 'kinesis-out', newestSequenceNumber: 0, exports: [exportSample({ errorMessage: 'down', oldestUnexportedIngestTime: 0 })] }), undefined, thresholds);
    const report = healthReport([ok, { ...ok, stream: 'b' }, failing], 5);
    assert.equal(report.state, 'failing');
    assert.equal(countsInWords(report), '2 streams ok, 1 failing: kinesis-out');
    assert.match(report.reason, /^2 streams ok, 1 failing: kinesis-out; kinesis-out failing: export out failing/);
    assert.equal(countsInWords(healthReport([], 5)), 'no streams');
    assert.equal(healthReport([missingStreamHealth('gone', 5)], 5).state, 'missing');
  });

  it('tells each change of state once: a problem at the first check, then only when the state differs', () => {
    const ok = assessStreamHealth(sample({ stream: 'a' }), undefined, thresholds);
    const filling = { ...ok, state: 'filling' as const, reason: '90% full (alert at 80%)' };
    const first = healthReport([ok, { ...filling, stream: 'b' }], 1);
    assert.deepEqual(healthChanges(undefined, first).map((change) => [change.stream, change.previousState, change.state]), [['b', undefined, 'filling']]);
    assert.deepEqual(healthChanges(first, first), []);
    const second = healthReport([filling, { ...ok, stream: 'b' }], 2);
    assert.deepEqual(healthChanges(first, second).map((change) => [change.stream, change.previousState, change.state, change.reason]), [
      ['a', 'ok', 'filling', '90% full (alert at 80%)'],
      ['b', 'filling', 'ok', ok.reason],
    ]);
    assert.deepEqual(healthChanges(second, healthReport([filling], 3)), []);
  });

  it('refuses thresholds out of range, naming the setting', () => {
    assert.throws(() => healthThresholds({ fillPercent: 0 }), /fillPercent must be a percentage from 1 to 100/);
    assert.throws(() => healthThresholds({ exportLagMessages: 1.5 }), /exportLagMessages must be a whole number/);
    assert.deepEqual(healthThresholds({}), { exportLagMessages: 1000, exportLagAgeMs: 300_000, fillPercent: 80, errorGraceMs: 30_000 });
  });
});
