import { GatewayTimeoutError } from '../errors/errors.js';

/**
 * An abort controller that fires with a `GatewayTimeoutError` after `waitMs`, or never when the wait
 * is infinite (outside Lambda). Requests and record invocations share it so both abort the same way;
 * its timer never keeps the process alive, and `clear` releases it at the end of the work.
 * @internal
 */
export class DeadlineAbort {
  /** The controller behind `signal`; `abort(reason)` on it ends the work early. */
  readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(waitMs: number) {
    if (Number.isFinite(waitMs)) {
      const controller = this.controller;
      this.timer = setTimeout(() => controller.abort(new GatewayTimeoutError()), Math.max(0, waitMs));
      this.timer.unref?.();
    }
  }

  /** Aborts at the deadline. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Releases the timer. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
