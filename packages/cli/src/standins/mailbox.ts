/**
 * Where the local stand-ins for AWS deliver the mail the real services would send (sign-in codes,
 * for now): kept in memory for a person to read in the dev tools and for tests to read back.
 */

/** One delivered message. */
export interface MailMessage {
  /** Unique within the mailbox, in delivery order (`m1`, `m2`, ...). */
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  /** Plain text, as a person would read it. */
  readonly text: string;
  /** When it was delivered, in ms since the epoch, on the sender's clock (a fake one in tests). */
  readonly at: number;
}

/** What a sender gives {@link Mailbox.deliver}. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Options of {@link Mailbox}. */
export interface MailboxOptions {
  /** The clock that stamps `at` (default `Date.now`). */
  readonly now?: () => number;
  /**
   * How many messages are kept (default 1000); the oldest go first. A dev server runs for days, and
   * nobody reads the thousandth-newest sign-in code.
   */
  readonly limit?: number;
}

/** Called with each message as it is delivered. */
export type MailListener = (message: MailMessage) => void;

/** The address as mail systems compare it in practice: case does not matter. */
function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

/** An in-memory mailbox for every address at once, newest message first. */
export class Mailbox {
  readonly #now: () => number;
  readonly #limit: number;
  readonly #messages: MailMessage[] = [];
  readonly #listeners = new Set<MailListener>();
  #sent = 0;

  constructor(options: MailboxOptions = {}) {
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`Mailbox limit must be a positive integer, got ${String(limit)}`);
    }
    this.#now = options.now ?? Date.now;
    this.#limit = limit;
  }

  /**
   * Stores a message and tells the listeners. A listener that throws does not stop delivery or the
   * other listeners (it is a dev tool watching, not part of the sender), so its error becomes a
   * process warning instead.
   */
  deliver(mail: OutgoingMail): MailMessage {
    this.#sent += 1;
    const message: MailMessage = Object.freeze({
      id: `m${this.#sent}`,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      at: this.#now(),
    });
    this.#messages.unshift(message);
    if (this.#messages.length > this.#limit) this.#messages.length = this.#limit;
    for (const listener of [...this.#listeners]) {
      try {
        listener(message);
      } catch (error) {
        process.emitWarning(`A mailbox listener failed on message ${message.id}: ${String(error)}`);
      }
    }
    return message;
  }

  /** Every kept message, newest first; `to` narrows it to one address (case-insensitive). */
  list(to?: string): MailMessage[] {
    if (to === undefined) return [...this.#messages];
    const key = addressKey(to);
    return this.#messages.filter((message) => addressKey(message.to) === key);
  }

  /** The newest message to `to` (case-insensitive), or undefined when none came. */
  latest(to: string): MailMessage | undefined {
    const key = addressKey(to);
    return this.#messages.find((message) => addressKey(message.to) === key);
  }

  /** Calls `listener` with each message delivered from now on; returns the function that stops it. */
  onMessage(listener: MailListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Forgets every message (listeners stay). */
  clear(): void {
    this.#messages.length = 0;
  }
}
