// The arithmetic behind export pacing: the retry back-off (doubling, capped at five minutes as documented), the
// bandwidth limit (an average in kilobits per second), and the timestamp placeholders of S3 keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BandwidthLimit } from '../../../lib/server/exports/bandwidth-limit';
import { batchIsDue, batchPolicy } from '../../../lib/server/exports/export-batching';
import { RetryBackoff } from '../../../lib/server/exports/retry-backoff';
import { resolveKeyTemplate } from '../../../lib/server/exports/s3/s3-key-template';

describe('export pacing', () => {
  it('backs off by doubling from the first delay up to the cap, and starts again after a success', () => {
    const backoff = new RetryBackoff({ firstRetryMs: 1000, maxRetryMs: 300_000 });
    const delays = Array.from({ length: 12 }, () => backoff.failed());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
    backoff.succeeded();
    assert.equal(backoff.failed(), 1000);
  });

  it('spaces batches so that the average stays within the bandwidth, and does not wait when unlimited', () => {
    const limit = new BandwidthLimit(8); // 8 kbit/s = 1 byte per ms
    assert.equal(limit.reserve(500, 0), 0, 'the first batch goes at once');
    assert.equal(limit.reserve(500, 100), 400, 'the second waits until the first has had its time');
    assert.equal(limit.reserve(100, 5000), 0, 'after a quiet spell there is no debt');
    assert.equal(new BandwidthLimit(undefined).reserve(1e9, 0), 0);
  });

  it('caps batchSize at the kind maximum and decides when a batch is due', () => {
    assert.equal(batchPolicy('IotSitewise', 500, undefined).batchSize, 10);
    assert.equal(batchPolicy('kinesis', undefined, undefined).batchSize, 500);
    const immediate = batchPolicy('http', 100, undefined);
    assert.equal(batchIsDue(immediate, 1, 0, 0), true, 'without an interval one message is enough');
    const both = batchPolicy('kinesis', 3, 60_000);
    assert.equal(batchIsDue(both, 2, 1000, 2000), false);
    assert.equal(batchIsDue(both, 3, 1000, 2000), true);
    assert.equal(batchIsDue(both, 1, 1000, 61_000), true);
    assert.equal(batchIsDue(both, 0, 0, 1e12), false);
  });

  it('resolves !{timestamp:...} placeholders of S3 keys in UTC', () => {
    const when = new Date(Date.UTC(2024, 1, 29, 7, 5, 9, 42));
    assert.equal(resolveKeyTemplate('logs/!{timestamp:yyyy/MM/dd}/!{timestamp:HHmmssSSS}.csv', when), 'logs/2024/02/29/070509042.csv');
    assert.equal(resolveKeyTemplate('a/!{other:yyyy}/b', when), 'a/!{other:yyyy}/b', 'other names are left as they are');
  });
});
