// How sm in turns messages read from a stream into msgs, in both modes: one msg per message, or one msg per read with
// the array of payloads and msg.messages holding the metadata. A payload that cannot be decoded as the node says is
// reported once, at Catch, with the raw payloads and their metadata, and the read sends nothing.
import type { Node, NodeMessage } from 'node-red';
import type { Delivery, Gap } from '../../lib/client/consumer';
import type { Int64, Message } from '../../lib/protocol/model';
import { asStreamManagerError } from './input-handler';
import { jsonSafe } from './json-safe';
import { bytesToPayload, type PayloadFormat } from './payload-encoding';

/** What a msg is made from: a message as read on input, or as delivered by a continuous node's consumer (with its delivery facts). */
type MsgSource = Pick<Delivery, 'stream' | 'payload'> &
  Partial<Pick<Delivery, 'deliveryCount' | 'redelivered' | 'gap'>> & { sequenceNumber?: Int64 | number; ingestTime?: Int64 | number };

interface MsgShape {
  format: PayloadFormat;
  /** One msg per read instead of one per message. */
  batch: boolean;
  /** Properties every msg starts from (the input msg's, on input). */
  base?: Record<string, unknown>;
}

/** A message of a read on input, named as the msgs name it. */
export function msgSourceOf(message: Message): MsgSource {
  return { stream: message.streamName, sequenceNumber: message.sequenceNumber, ingestTime: message.ingestTime, payload: message.payload };
}

function identityOf(message: MsgSource): Record<string, unknown> {
  return { stream: message.stream, sequenceNumber: jsonSafe(message.sequenceNumber), ingestTime: jsonSafe(message.ingestTime) };
}

/** Writes a message's metadata onto `target`: where it is stored, and its deliveries when it was acknowledged. */
function writeMetadata(target: Record<string, unknown>, message: MsgSource): Record<string, unknown> {
  target.stream = message.stream;
  target.sequenceNumber = jsonSafe(message.sequenceNumber);
  target.ingestTime = jsonSafe(message.ingestTime);
  if (message.deliveryCount !== undefined) {
    target.deliveryCount = message.deliveryCount;
    target.redelivered = message.redelivered;
  }
  return target;
}

function metadataOf(message: MsgSource): Record<string, unknown> {
  return writeMetadata({}, message);
}

function withGap(msg: Record<string, unknown>, gap: Gap | undefined): NodeMessage {
  if (gap) msg.gap = gap;
  return msg as NodeMessage;
}

/**
 * One msg per message: the base's properties, then the metadata, topic and payload, as `{ ...base, ...metadata,
 * topic, payload }` would make it but without the spreads and a metadata object between: a continuous sm in makes
 * one for every message it reads, over 100 000 a second.
 */
function msgOfMessage(message: MsgSource, shape: MsgShape): NodeMessage {
  const msg = writeMetadata(shape.base ? { ...shape.base } : {}, message);
  msg.topic = message.stream;
  msg.payload = bytesToPayload(message.payload, shape.format);
  return withGap(msg, message.gap);
}

/** The msgs for one read, or undefined when a payload could not be decoded (reported on `node` with its metadata). */
export function msgsOf(node: Node, messages: MsgSource[], shape: MsgShape): NodeMessage[] | undefined {
  const base = shape.base ?? {};
  try {
    if (!shape.batch) return messages.map((message) => msgOfMessage(message, shape));
    const payload = messages.map((message) => bytesToPayload(message.payload, shape.format));
    const gap = messages.find((message) => message.gap)?.gap;
    return [withGap({ ...base, payload, messages: messages.map(metadataOf), stream: messages[0].stream, topic: messages[0].stream }, gap)];
  } catch (error) {
    const raw = { ...base, payload: messages.map((message) => Buffer.from(message.payload)), messages: messages.map(identityOf) };
    node.error(asStreamManagerError(error), raw as NodeMessage);
    return undefined;
  }
}
