/** One message a local stand-in kept instead of sending it (a push, an SMS, a webhook...). */
export interface OutboxMessage {
  /** Unique within its outbox. */
  readonly id: string;
  /** Who it was for: a device token, a phone number, a URL. */
  readonly to: string;
  /** One line a person reads first (a title, a subject). */
  readonly summary: string;
  /** When it was kept, in ms since the epoch, when known. */
  readonly at?: number;
  /** The rest, shown as JSON. */
  readonly detail?: unknown;
}

/**
 * Something a service's dev setup keeps instead of sending, shown in the dashboard's outbox panel.
 * `lift dev` adds the local Expo push service's; a service adds its own through
 * `startDevServer({ outboxes })`.
 */
export interface DevOutbox {
  /** A short name, unique among the outboxes (`push`, `sms`): letters, digits, `-` and `_`. */
  readonly name: string;
  /** What the panel calls it (default the name). */
  readonly title?: string;
  /** Newest first. */
  list(): readonly OutboxMessage[];
}

/** The outbox of the local Expo push service: every recipient of every message it received. */
export function expoPushOutbox(push: {
  readonly sent: readonly {
    readonly to: string;
    readonly message: { readonly title?: string; readonly body?: string };
    readonly ticket: unknown;
  }[];
}): DevOutbox {
  return {
    name: 'push',
    title: 'Push (Expo)',
    list: () =>
      push.sent
        .map((sent, index) => ({
          id: `p${index + 1}`,
          to: sent.to,
          summary: [sent.message.title, sent.message.body].filter((s) => s !== undefined).join(' — '),
          detail: { message: sent.message, ticket: sent.ticket },
        }))
        .reverse(),
  };
}
