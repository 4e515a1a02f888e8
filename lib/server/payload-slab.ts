// Where a stream keeps the payloads it stores: copied out of the receive buffer they arrived in (which they would
// otherwise pin whole) into shared slabs, one allocation for many payloads instead of one each. A stream lets go of
// its messages oldest first, so a slab outlives its last message by at most one slab's worth of memory.

const SLAB_SIZE = 64 * 1024;
/** Larger payloads get an allocation of their own: a slab would waste most of its rest on them. */
const LARGEST_SLABBED_PAYLOAD = SLAB_SIZE / 8;

export class PayloadSlab {
  private slab = Buffer.alloc(0);
  private used = 0;

  copy(payload: Uint8Array): Buffer {
    if (payload.length > LARGEST_SLABBED_PAYLOAD) {
      const own = Buffer.allocUnsafeSlow(payload.length);
      own.set(payload);
      return own;
    }
    if (this.used + payload.length > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.used = 0;
    }
    const copy = this.slab.subarray(this.used, this.used + payload.length);
    copy.set(payload);
    this.used += payload.length;
    return copy;
  }
}
