// What a consumer tells its owner besides the messages: its state, and warnings that must not pass silently.
import type { StreamManagerError } from '../../protocol/errors';
import type { Gap } from './delivery';
import type { UnreadableCheckpoints } from './unreadable-checkpoints';

export type ConsumerState =
  | { state: 'starting' }
  | { state: 'reading'; next: number }
  | { state: 'paused'; next: number }
  /** Manual mode: as many msgs as allowed are outstanding; reading waits for acks. */
  | { state: 'holding'; outstanding: number }
  | { state: 'waiting-for-stream' }
  | { state: 'retrying'; reason: StreamManagerError }
  | { state: 'stopped' };

export type ConsumerWarning =
  | { kind: 'gap'; gap: Gap; message: string }
  /** The stream was deleted and created again, seen while running or on resuming; reading starts at its first message (`gap.from`). */
  | { kind: 'recreated'; firstSequenceNumber: number; whileRunning: boolean; gap: Gap; message: string }
  /**
   * Checkpoint records could not be read on start: the position was not found (`gap.reason` `position-lost`, the start
   * setting applies) or may be older than the last commit (`position-uncertain`). Reading goes on at `gap.to + 1`; the
   * stream's newest message then was `newest`.
   */
  | { kind: 'position-unverified'; gap: Gap; newest: number; unreadable: UnreadableCheckpoints; message: string }
  /** A message reached its most deliveries and was appended to the dead-letter stream (or given up, with none set). */
  | { kind: 'dead-lettered'; sequenceNumber: number; deliveryCount: number; deadLetterStream?: string; lastError: string; message: string }
  | { kind: 'dead-letter-failed'; sequenceNumber: number; error: Error; message: string }
  | { kind: 'commit-failed'; error: Error; message: string };
