import { createApp } from '@lift/core';

// Routes are chained so the exported app's type carries them: `createClient<typeof app>(url)`.
export const app = createApp({ service: 'hello-world' }).get('/', () => ({ hello: 'world' }));

/** The Lambda entry point. */
export const handler = app.handler;
