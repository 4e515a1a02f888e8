import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrameBody, encodeFrame, FrameDecoder, FrameError, MAX_FRAME_LENGTH, Operation } from '../../lib/protocol';

const APPEND_EXAMPLE = '00000022' + '04' + 'a3' + '69726571756573744964' + '62' + '7232' + '64' + '6e616d65' + '62' + '7331' + '67' + '7061796c6f6164' + '42' + '6869';

function threeFrames(): Buffer {
  return Buffer.concat([
    encodeFrame(Operation.ListStreams, { requestId: 'one' }),
    encodeFrame(Operation.AppendMessage, { requestId: 'two', name: 's', payload: Buffer.alloc(300, 7) }),
    encodeFrame(Operation.DeleteMessageStream, { requestId: 'three', name: 'gone' }),
  ]);
}

function requestIds(frames: { operation: number; payload: Buffer }[]): string[] {
  return frames.map((frame) => String(decodeFrameBody(frame).body.requestId));
}

describe('frames', () => {
  it('writes length (op byte + payload, signed big-endian), the op byte and one CBOR map, as protocol.md shows', () => {
    const frame = encodeFrame(Operation.AppendMessage, { requestId: 'r2', name: 's1', payload: Buffer.from('hi') });
    assert.equal(frame.toString('hex'), APPEND_EXAMPLE);
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    const decoded = new FrameDecoder().push(Buffer.from(APPEND_EXAMPLE, 'hex'));
    assert.deepEqual(decodeFrameBody(decoded[0]), { operation: 4, body: { requestId: 'r2', name: 's1', payload: Buffer.from('hi') } });
  });

  it('cuts frames out of every split of the bytes into two reads', () => {
    const bytes = threeFrames();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      assert.deepEqual(requestIds(frames), ['one', 'two', 'three'], `cut at ${cut}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('cuts frames out of bytes arriving one at a time and in random chunks', () => {
    const bytes = threeFrames();
    const byteByByte = new FrameDecoder();
    const frames = [];
    for (const byte of bytes) frames.push(...byteByByte.push(Buffer.of(byte)));
    assert.deepEqual(requestIds(frames), ['one', 'two', 'three']);

    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const decoder = new FrameDecoder();
      const collected = [];
      for (let offset = 0; offset < bytes.length; ) {
        const size = 1 + Math.floor(random() * 40);
        collected.push(...decoder.push(bytes.subarray(offset, offset + size)));
        offset += size;
      }
      assert.deepEqual(requestIds(collected), ['one', 'two', 'three'], `round ${round}`);
    }
  });

  it('refuses a length below 1 or above the maximum at once, without waiting for or allocating the bytes', () => {
    for (const header of ['0000000004', 'ffffffff04', '4000000104']) {
      const decoder = new FrameDecoder();
      assert.throws(() => decoder.push(Buffer.from(header, 'hex')), FrameError);
      assert.throws(() => decoder.push(Buffer.alloc(1)), /already failed/);
    }
    const small = new FrameDecoder(100);
    assert.throws(() => small.push(Buffer.from('0000006504', 'hex')), /outside the allowed range 1..100/);
    assert.equal(MAX_FRAME_LENGTH, 2 ** 30);
  });

  it('refuses to write a frame above the maximum', () => {
    assert.throws(() => encodeFrame(Operation.AppendMessage, { requestId: 'r', name: 's', payload: Buffer.alloc(200) }, 100), /larger than the maximum of 100 bytes/);
  });

  it('rejects a payload that is not a CBOR map', () => {
    assert.throws(() => decodeFrameBody({ operation: 5, payload: Buffer.from('83010203', 'hex') }), /not a CBOR map/);
  });
});
