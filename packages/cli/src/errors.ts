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
