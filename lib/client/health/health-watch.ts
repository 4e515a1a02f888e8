// Checks health again and again: the first check at start, each next one `intervalMs` after the one before ended
// (so checks never overlap), none while paused. A check asked for out of turn joins the one running, if any, so that
// every result is delivered once, through onCheck. After stop nothing is delivered and no timer is left.
import type { StreamManagerClient } from '../client';
import { ValidationError } from '../../protocol/errors';
import { HealthChecker, type HealthCheckerOptions, type HealthCheckResult } from './health-checker';

interface HealthWatchOptions extends HealthCheckerOptions {
  /** The pause between the end of a check and the start of the next. */
  intervalMs: number;
  /** Each result, of the checks on schedule and of those asked for. */
  onCheck(result: HealthCheckResult): void;
  /** A check on schedule that failed (the server could not be asked); the next comes on schedule. */
  onError(error: unknown): void;
  /** Whether a check on schedule may run now (e.g. while connected); when not, it waits for the next turn. */
  ready?(): boolean;
}

/** 2^31 - 1 ms, the longest setTimeout. */
const MAX_INTERVAL_MS = 2_147_483_647;

export class HealthWatch {
  readonly checker: HealthChecker;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private isPaused = false;
  private stopped = false;

  /** Throws a ValidationError for an interval or threshold out of range. */
  constructor(
    client: StreamManagerClient,
    private readonly options: HealthWatchOptions,
  ) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 1 || options.intervalMs > MAX_INTERVAL_MS) {
      throw new ValidationError('intervalMs', options.intervalMs, `must be a whole number of milliseconds from 1 to ${MAX_INTERVAL_MS}`);
    }
    this.checker = new HealthChecker(client, options);
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Checks at once, then on schedule. */
  start(): void {
    this.schedule(0);
  }

  /** A check on schedule soon (e.g. once connected), unless paused or one is under way. */
  checkSoon(): void {
    if (!this.isPaused && this.running === undefined) this.schedule(0);
  }

  /** Checks now, paused or not; resolves once its result was delivered, rejects when it failed. */
  checkNow(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the health watch is stopped'));
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.runCheck();
  }

  pause(): void {
    this.isPaused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Checks at once and goes on on schedule. */
  resume(): void {
    if (!this.isPaused || this.stopped) return;
    this.isPaused = false;
    if (this.running === undefined) this.schedule(0);
  }

  /** No more checks or deliveries; resolves once a check under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onSchedule(), delayMs);
  }

  private onSchedule(): void {
    this.timer = undefined;
    if (this.stopped || this.isPaused) return;
    if (this.options.ready?.() === false) return this.schedule(this.options.intervalMs);
    this.runCheck().catch((error: unknown) => {
      if (!this.stopped) this.options.onError(error);
    });
  }

  private runCheck(): Promise<void> {
    this.running ??= this.checker
      .check()
      .then((result) => {
        if (!this.stopped) this.options.onCheck(result);
      })
      .finally(() => {
        this.running = undefined;
        if (!this.isPaused) this.schedule(this.options.intervalMs);
      });
    return this.running;
  }
}
