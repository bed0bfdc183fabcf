/** A failure that stops `lift dev` or `lift invoke` from starting (port busy, data dir taken, DynamoDB unreachable). */
export class DevServerError extends Error {
  /** @param message what went wrong and what to do, in one line */
  constructor(message: string) {
    super(message);
    this.name = 'DevServerError';
  }
}
