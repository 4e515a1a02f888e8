export { Consumer, type AckMode, type ConsumerOptions, type StartPosition } from './consumer';
export type { ConsumerState, ConsumerWarning } from './consumer-events';
export type { Delivery, Gap } from './delivery';
export { checkpointStreamName, isCheckpointStream } from './checkpoint-stream-name';
export type { ConsumerPosition, MessageIdentity } from './consumer-position';
export { decodeDeadLetter, encodeDeadLetter, type DeadLetter } from './dead-letter';
export { listConsumers, type ConsumerListing } from './list-consumers';
export { removeConsumer, removeKnownConsumer } from './remove-consumer';
export { pendingDeadLetterCount } from './pending-dead-letters';
