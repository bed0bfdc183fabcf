/**
 * What each route answers, as `responses` schemas: Lift checks every JSON answer against its
 * status's schema (one that does not match is a 500, a server bug), the OpenAPI document describes
 * them, and the typed client parses answers with them (`app.responseSchemas()`).
 *
 * Every object is strict: a field a handler did not mean to send (a table key such as `PK`, `SK`,
 * `GSI1PK`, the owner's `userId`, a photo's object key on a public page) fails the check instead of
 * leaving. Times are on the wire as the table stores them: ISO 8601 UTC with milliseconds.
 *
 * `DELETE /me/devices/:token` (204, no body) and `GET /export.csv` (CSV, a 303 to a presigned link,
 * or a stream) answer no JSON, so they declare no schema: Lift checks JSON bodies only, and a
 * declared status is described as JSON.
 */
import * as z from 'zod';
import { BATCH_TYPES, EVENT_TYPES, PHOTO_TYPES } from '../domain/model.js';
import type { ReminderRule } from '../domain/rules.js';
import { ID_PATTERN } from '../keys.js';
import { PUSH_TOKEN } from '../push/expo.js';

/** A time as the service stores and sends it (`2025-01-02T03:04:05.678Z`). */
const time = z.iso.datetime().meta({ id: 'Time' });
/** A batch or event id: 22 characters of base64url (128 bits). */
const id = z.string().regex(ID_PATTERN);
/** The opaque, encrypted cursor of the next page, or `null` on the last one. */
const nextCursor = z.string().nullable();

const REMINDER_ACTIONS = [
  'strain',
  'refrigerate',
  'bottle',
  'burp',
] as const satisfies readonly ReminderRule['action'][];

// --- POST /auth/login, POST /auth/verify --------------------------------------------------------

/** 202: the same answer for every address. */
export const LoginStarted = z.strictObject({ session: z.string(), message: z.string() });

/** 200: the user pool's tokens (`refreshToken` when Cognito issues one). */
export const SignedIn = z.strictObject({
  idToken: z.string(),
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  expiresIn: z.number().int().positive(),
});

// --- /batches -------------------------------------------------------------------------------------

/** A batch as its owner sees it (`batchView`): no keys, index attributes or owner. */
export const Batch = z
  .strictObject({
    id,
    name: z.string(),
    notes: z.string().optional(),
    public: z.boolean(),
    status: z.enum(['active', 'archived']),
    startedAt: time,
    lastEventAt: time,
    createdAt: time,
    type: z.enum(BATCH_TYPES),
    updatedAt: time,
    version: z.number().int().positive(),
  })
  .meta({ id: 'Batch' });

/** `GET /batches`: one page. */
export const BatchPage = z.strictObject({ batches: z.array(Batch), nextCursor });

// --- /batches/:id/events --------------------------------------------------------------------------

/** An event as its owner sees it (`eventView`): a photo's type, never its object key. */
export const BatchEvent = z
  .strictObject({
    id,
    batchId: id,
    type: z.enum(EVENT_TYPES),
    at: time,
    notes: z.string().optional(),
    contentType: z.enum(PHOTO_TYPES).optional(),
  })
  .meta({ id: 'BatchEvent' });

/** The presigned POST of a photo (`presignUpload`): S3 enforces the key, type and size. */
export const PhotoUpload = z
  .strictObject({
    method: z.literal('POST'),
    url: z.url(),
    fields: z.record(z.string(), z.string()),
    key: z.string(),
    contentType: z.enum(PHOTO_TYPES),
    maxBytes: z.number().int().positive(),
    expiresAt: time,
  })
  .meta({ id: 'PhotoUpload' });

/** `POST /batches/:id/events` (201): the event, and a photo's upload. */
export const EventCreated = z.strictObject({ event: BatchEvent, upload: PhotoUpload.optional() });

/** `GET /batches/:id/events`: one page; a photo kept long enough has a 5-minute link. */
export const EventPage = z.strictObject({
  events: z.array(z.strictObject({ ...BatchEvent.shape, photoUrl: z.url().optional() })),
  nextCursor,
});

// --- reminders ------------------------------------------------------------------------------------

/** `GET /batches/:id/reminders/suggestions`. */
export const Suggestions = z.strictObject({
  suggestions: z.array(
    z
      .strictObject({
        id: z.string(),
        rule: z.string(),
        action: z.enum(REMINDER_ACTIONS),
        title: z.string(),
        body: z.string(),
        dueAt: time,
        overdue: z.boolean(),
        basedOn: z.strictObject({ eventId: id, type: z.enum(EVENT_TYPES), at: time }),
      })
      .meta({ id: 'Suggestion' }),
  ),
});

const reminder = <const S extends readonly [string, ...string[]]>(name: string, statuses: S) =>
  z
    .strictObject({
      id,
      batchId: id,
      rule: z.string(),
      action: z.enum(REMINDER_ACTIONS),
      title: z.string(),
      body: z.string(),
      dueAt: time,
      status: z.enum(statuses),
      sentAt: time.optional(),
    })
    .meta({ id: name });

/**
 * `POST /batches/:id/reminders/confirm` (201). A reminder confirmed before is answered as stored, so
 * it may be `sending` (the processor holds it) where `GET /me/reminders` says `pending`.
 */
export const RemindersConfirmed = z.strictObject({
  reminders: z.array(reminder('ConfirmedReminder', ['pending', 'sending', 'sent', 'failed'])),
});

/** `GET /me/reminders`: latest due first; one being sent reads as `pending`. */
export const Reminders = z.strictObject({
  reminders: z.array(reminder('Reminder', ['pending', 'sent', 'failed'])),
});

// --- /me/devices ----------------------------------------------------------------------------------

/** `POST /me/devices`: 201 registered now, 200 already the caller's. */
export const Device = z
  .strictObject({
    token: z.string().regex(PUSH_TOKEN),
    platform: z.enum(['ios', 'android']).nullable(),
    registeredAt: time,
  })
  .meta({ id: 'Device' });

// --- GET /public/b/:batchId -----------------------------------------------------------------------

/**
 * A public batch: name, type, notes, status, times and the latest 100 events' type, time and notes.
 * No owner, email, keys or photo paths.
 */
export const PublicBatch = z
  .strictObject({
    id,
    name: z.string(),
    type: z.enum(BATCH_TYPES),
    notes: z.string().optional(),
    status: z.enum(['active', 'archived']),
    startedAt: time,
    lastEventAt: time,
    events: z.array(z.strictObject({ type: z.enum(EVENT_TYPES), at: time, notes: z.string().optional() })),
  })
  .meta({ id: 'PublicBatch' });
