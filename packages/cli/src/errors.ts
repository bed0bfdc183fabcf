import type { Command } from './commands.js';

/** A failure that stops `lift dev` or `lift invoke` from starting (port busy, data dir taken, DynamoDB unreachable). */
export class DevServerError extends Error {
  /** @param message what went wrong and what to do, in one line */
  constructor(message: string) {
    super(message);
    this.name = 'DevServerError';
  }
}

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  /**
   * @param message what is wrong, in one line
   * @param command the command it is about, if known
   */
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A handler that did not answer within the function's timeout, where Lambda ends the invocation. */
export class HandlerTimeoutError extends Error {
  /** @param timeoutMs the function's timeout */
  constructor(readonly timeoutMs: number) {
    super(
      `the handler did not answer within ${timeoutMs} ms, the function's timeout (on Lambda: "Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds")`,
    );
    this.name = 'HandlerTimeoutError';
    // Its stack would point into the CLI's timer, not the service: the message is the whole story.
    this.stack = `${this.name}: ${this.message}`;
  }
}
