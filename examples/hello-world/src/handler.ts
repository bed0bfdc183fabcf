import { createApp } from '@lift/core';

export const app = createApp({ service: 'hello-world' });
app.get('/', () => ({ hello: 'world' }));

/** The Lambda entry point. */
export const handler = app.handler;
