import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrameBody, encodeCbor, encodeFrame, FRAME_HEADER_SIZE, Operation } from '../../lib/protocol';
import {
  appendReplyFrameSize,
  appendRequestFrameSize,
  decodeAppendReply,
  decodeAppendRequest,
  encodeAppendRequestFrame,
  writeAppendReplyFrame,
} from '../../lib/protocol/append-fast-path';
import { encodeReadReply, planReadReply } from '../../lib/protocol/read-reply-encoder';
import type { StoredMessage } from '../../lib/protocol/stored-message';

/** A fixed-seed generator, so that a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const below = (limit: number): number => Math.floor(random() * limit);
  // Numbers around every boundary of a CBOR head, and beyond 32 bits.
  const edges = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 1_764_470_000_123, Number.MAX_SAFE_INTEGER];
  const number = (): number => (random() < 0.5 ? edges[below(edges.length)] : below(2 ** (1 + below(53))));
  const ascii = (length: number): string => Array.from({ length }, () => String.fromCharCode(32 + below(95))).join('');
  const lengths = [0, 1, 23, 24, 36, 255, 256, 300];
  const text = (): string => ascii(random() < 0.5 ? 36 : lengths[below(lengths.length)]);
  const payload = (): Buffer => Buffer.alloc([1, 23, 24, 255, 256, 1024, 65_536, 70_000][below(8)], below(256));
  return { random, below, number, text, payload };
}

describe('the AppendMessage fast path and the read reply encoder', () => {
  it('write the same bytes as the general CBOR path for generated answers', () => {
    const gen = generator(12);
    for (let round = 0; round < 2_000; round++) {
      const requestId = gen.text();
      const sequenceNumber = gen.number();
      const size = appendReplyFrameSize(requestId, sequenceNumber);
      const fast = Buffer.alloc(size + 3);
      assert.equal(writeAppendReplyFrame(fast, 3, size, requestId, sequenceNumber), size + 3);
      const general = encodeFrame(Operation.AppendMessageResponse, { requestId, status: 0, sequenceNumber });
      assert.deepEqual(fast.subarray(3), general, `append reply for ${JSON.stringify(requestId)} / ${sequenceNumber}`);
    }
    for (let round = 0; round < 300; round++) {
      const requestId = gen.text();
      const streamName = gen.text();
      const messages: StoredMessage[] = Array.from({ length: [1, 2, 23, 24, 30][gen.below(5)] }, () => ({
        sequenceNumber: gen.number(),
        ingestTime: gen.number(),
        payload: gen.payload(),
      }));
      const plan = planReadReply(requestId, streamName, messages, 2 ** 30);
      assert.ok(plan);
      assert.equal(plan.count, messages.length);
      const general = encodeFrame(Operation.ReadMessagesResponse, { requestId, status: 0, messages: messages.map((message) => ({ streamName, ...message })) });
      assert.deepEqual(encodeReadReply(requestId, streamName, messages, plan), general, `read reply round ${round}`);
    }
  });

  it('encode generated append requests and decode generated append answers as the general path does', () => {
    const gen = generator(31);
    for (let round = 0; round < 1_000; round++) {
      const requestId = gen.text();
      const name = gen.text();
      const payload = gen.payload();
      const size = appendRequestFrameSize(requestId, name, payload.length);
      assert.deepEqual(encodeAppendRequestFrame(size, requestId, name, payload), encodeFrame(Operation.AppendMessage, { requestId, name, payload }), `request round ${round}`);
      const sequenceNumber = gen.number();
      const answer = encodeFrame(Operation.AppendMessageResponse, { requestId, status: 0, sequenceNumber }).subarray(FRAME_HEADER_SIZE);
      const general = decodeFrameBody({ operation: Operation.AppendMessageResponse, payload: answer }).body;
      const fast = decodeAppendReply(answer);
      // Beyond 32 bits the answer is left to the general path.
      if (sequenceNumber < 2 ** 32) assert.deepEqual(fast, general, `answer round ${round}`);
      else assert.equal(fast, undefined);
    }
    for (const unusual of [{ requestId: 'r', status: 5, errorMessage: 'x' }, { requestId: 'r', status: 0 }, { requestId: 'r', status: 0, sequenceNumber: 1, extra: 1 }, { status: 0, requestId: 'r', sequenceNumber: 1 }]) {
      assert.equal(decodeAppendReply(encodeCbor(unusual)), undefined, JSON.stringify(unusual));
    }
  });

  it('fits a read reply to the frame limit with whole messages, the largest number that fits', () => {
    const gen = generator(7);
    for (let round = 0; round < 200; round++) {
      const messages: StoredMessage[] = Array.from({ length: 1 + gen.below(40) }, () => ({ sequenceNumber: gen.number(), ingestTime: gen.number(), payload: gen.payload() }));
      const limit = 200 + gen.below(300_000);
      const plan = planReadReply('request', 'stream', messages, limit);
      assert.ok(plan);
      assert.ok(plan.frameSize <= limit || plan.count === 0);
      const frame = encodeReadReply('request', 'stream', messages, plan);
      assert.equal(frame.length, plan.frameSize);
      assert.equal(frame.readInt32BE(0), frame.length - 4);
      if (plan.count < messages.length) {
        const oneMore = encodeFrame(Operation.ReadMessagesResponse, { requestId: 'request', status: 0, messages: messages.slice(0, plan.count + 1).map((message) => ({ streamName: 'stream', ...message })) });
        assert.ok(oneMore.length > limit, 'one more message would not have fitted');
      }
    }
  });

  it('leaves non-ASCII text and numbers that are not unsigned integers to the general path', () => {
    assert.equal(appendReplyFrameSize('éé', 1), -1);
    assert.equal(appendReplyFrameSize('r', -1), -1);
    assert.equal(planReadReply('r', 'ströme', [], 1024), undefined);
    assert.equal(planReadReply('r', 's', [{ sequenceNumber: 1.5, ingestTime: 0, payload: Buffer.of(1) }], 1024), undefined);
  });

  it('decodes generated append requests as the general decoder does, whatever the key order', () => {
    const gen = generator(99);
    const orders = [['requestId', 'name', 'payload'], ['name', 'payload', 'requestId'], ['payload', 'requestId', 'name']];
    for (let round = 0; round < 1_000; round++) {
      const fields: Record<string, unknown> = { requestId: gen.text(), name: gen.text(), payload: gen.payload() };
      const order = orders[gen.below(orders.length)];
      const body = Object.fromEntries(order.map((key) => [key, fields[key]]));
      const frame = encodeFrame(Operation.AppendMessage, body);
      const payload = frame.subarray(FRAME_HEADER_SIZE);
      const general = decodeFrameBody({ operation: Operation.AppendMessage, payload }).body;
      const fast = decodeAppendRequest(payload);
      assert.ok(fast, `round ${round} took the fast path`);
      assert.deepEqual({ ...fast, payload: Buffer.from(fast.payload) }, { ...general, payload: Buffer.from(general.payload as Uint8Array) });
    }
  });

  it('declines anything unusual, for the general path to judge', () => {
    const unusual = [
      encodeCbor({ requestId: 'r', name: 's', payload: Buffer.of(1), extra: 1 }),
      encodeCbor({ requestId: 'r', name: 's' }),
      encodeCbor({ requestId: 'r', name: 'ströme', payload: Buffer.of(1) }),
      encodeCbor({ requestId: 7, name: 's', payload: Buffer.of(1) }),
      encodeCbor({ requestId: 'r', name: 's', payload: 'text' }),
      // The same key twice, an indefinite-length map, a tagged byte string, and bytes after the map.
      Buffer.from('a3' + '6472657175' + '', 'hex'),
      Buffer.concat([Buffer.from('bf', 'hex'), encodeCbor({ requestId: 'r', name: 's', payload: Buffer.of(1) }).subarray(1), Buffer.from('ff', 'hex')]),
      Buffer.concat([encodeCbor({ requestId: 'r', name: 's', payload: Buffer.of(1) }).subarray(0, -2), Buffer.from('d84041', 'hex'), Buffer.of(1)]),
      Buffer.concat([encodeCbor({ requestId: 'r', name: 's', payload: Buffer.of(1) }), Buffer.of(0)]),
      Buffer.from('a3' + '69' + Buffer.from('requestId').toString('hex') + '6172' + '69' + Buffer.from('requestId').toString('hex') + '6172' + '64' + Buffer.from('name').toString('hex') + '6173', 'hex'),
    ];
    for (const bytes of unusual) assert.equal(decodeAppendRequest(bytes), undefined, bytes.toString('hex'));
  });
});
