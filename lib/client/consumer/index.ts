export { Consumer, type AckMode, type StartPosition } from './consumer';
export type { ConsumerState, ConsumerWarning } from './consumer-events';
export type { Delivery, Gap } from './delivery';
export { isCheckpointStream } from './checkpoint-stream-name';
export { decodeDeadLetter, type DeadLetter } from './dead-letter';
export { listConsumers, type ConsumerListing } from './list-consumers';
export { removeKnownConsumer } from './remove-consumer';
