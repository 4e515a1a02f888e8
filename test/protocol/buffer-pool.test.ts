// The pool of large buffers that reads and answers reuse: never the same memory to two holders at once, never more
// kept than its bound, and reuse in the steady state (the point of it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../lib/protocol/buffer-pool';
import { seededRandom } from '../helpers/seeded-random';

const SEED = 2025;
const KIB = 1024;
const MIB = 1024 * KIB;

describe('the buffer pool', () => {
  it(`hands out memory no one else holds, of the size asked, and keeps no more than its bound (seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    const bound = 4 * MIB;
    const pool = new BufferPool(bound);
    const out: Buffer[] = [];
    for (let step = 0; step < 5_000; step++) {
      if (out.length > 0 && random() < 0.5) {
        const [returned] = out.splice(Math.floor(random() * out.length), 1);
        pool.giveBack(returned);
      } else {
        const size = random() < 0.05 ? 8 * MIB + Math.floor(random() * MIB) : 1 + Math.floor(random() * 2 * MIB);
        const buffer = pool.take(size);
        assert.ok(buffer.length >= size, `seed ${SEED}, step ${step}: ${buffer.length} bytes for a request of ${size}`);
        for (const held of out) {
          assert.notEqual(held.buffer, buffer.buffer, `seed ${SEED}, step ${step}: a buffer still held was handed out again`);
        }
        out.push(buffer);
      }
      assert.ok(pool.keptSpareBytes <= bound, `seed ${SEED}, step ${step}: ${pool.keptSpareBytes} bytes kept, more than ${bound}`);
    }
  });

  it('gives the same memory back for the same sizes, batch after batch, and lets huge buffers go', () => {
    const pool = new BufferPool();
    const first = pool.take(522 * KIB);
    pool.giveBack(first);
    for (let batch = 0; batch < 100; batch++) {
      const again = pool.take(500 * KIB + batch * 100);
      assert.equal(again.buffer, first.buffer, `batch ${batch} reuses the first buffer`);
      pool.giveBack(again);
    }
    const huge = pool.take(20 * MIB);
    pool.giveBack(huge);
    assert.equal(pool.keptSpareBytes, first.length, 'a buffer beyond the largest pooled size is not kept');
  });
});
